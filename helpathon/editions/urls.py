from django.urls import path

from helpathon.editions import views

app_name = "editions"
urlpatterns = [
    path("editions/<slug:slug>/", views.edition_detail, name="detail"),
    path("editions/<slug:slug>/agenda/control/", views.phase_control, name="phase_control"),
    path("editions/<slug:slug>/announcements/", views.announcement_create, name="announcement_create"),
    path(
        "editions/<slug:slug>/announcements/<int:pk>/withdraw/", views.announcement_withdraw,
        name="announcement_withdraw",
    ),
    path("editions/<slug:slug>/challenges/<slug:challenge_slug>/", views.challenge_detail, name="challenge"),
]
