from django.urls import path

from helpathon.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("privacy/", views.privacy, name="privacy"),
]
