from django.urls import path

from helpathon.ideas import views

app_name = "ideas"
urlpatterns = [
    path("editions/<slug:slug>/ideas/", views.idea_list, name="list"),
    path("editions/<slug:slug>/challenges/<slug:challenge_slug>/ideas/", views.idea_list, name="challenge_list"),
    path("editions/<slug:slug>/ideas/new/", views.idea_create, name="create"),
    path("editions/<slug:slug>/ideas/similar/", views.similar, name="similar"),
    path("editions/<slug:slug>/ideas/<int:pk>/", views.idea_detail, name="detail"),
    path("editions/<slug:slug>/ideas/<int:pk>/edit/", views.idea_edit, name="edit"),
    path("editions/<slug:slug>/ideas/<int:pk>/history/", views.idea_history, name="history"),
    path("editions/<slug:slug>/ideas/<int:pk>/merge/", views.idea_merge, name="merge"),
    path("editions/<slug:slug>/ideas/<int:pk>/status/", views.idea_status, name="status"),
    path("editions/<slug:slug>/ideas/<int:pk>/comments/", views.comment_create, name="comment"),
    path("editions/<slug:slug>/comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("editions/<slug:slug>/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("editions/<slug:slug>/themes/", views.themes, name="themes"),
]
