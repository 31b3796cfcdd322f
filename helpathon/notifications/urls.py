from django.urls import path

from helpathon.notifications import views

app_name = "notifications"

urlpatterns = [
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
