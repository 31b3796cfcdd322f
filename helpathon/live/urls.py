from django.urls import path

from helpathon.live import views

app_name = "live"
urlpatterns = [
    path("editions/<slug:slug>/live/", views.dashboard, name="dashboard"),
    path("editions/<slug:slug>/live/replay/", views.replay, name="replay"),
    path("editions/<slug:slug>/live/snapshot", views.snapshot, name="snapshot"),
    path("editions/<slug:slug>/live/log", views.log, name="log"),
    path("editions/<slug:slug>/live/stream", views.stream, name="stream"),
]
