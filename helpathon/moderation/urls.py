from django.urls import path

from helpathon.moderation import views

app_name = "moderation"
urlpatterns = [
    path("editions/<slug:slug>/ideas/<int:pk>/report/", views.report_idea, name="report_idea"),
    path("editions/<slug:slug>/comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("editions/<slug:slug>/moderation/", views.queue, name="queue"),
    path("editions/<slug:slug>/moderation/ideas/<int:pk>/hide/", views.hide_idea, name="hide_idea"),
    path("editions/<slug:slug>/moderation/ideas/<int:pk>/restore/", views.restore_idea, name="restore_idea"),
    path("editions/<slug:slug>/moderation/comments/<int:pk>/hide/", views.hide_comment, name="hide_comment"),
    path(
        "editions/<slug:slug>/moderation/comments/<int:pk>/restore/", views.restore_comment, name="restore_comment"
    ),
    path("editions/<slug:slug>/moderation/reports/<int:pk>/dismiss/", views.dismiss_report, name="dismiss_report"),
]
