from django.urls import path

from helpathon.registrations import views

app_name = "registrations"
urlpatterns = [
    path("editions/<slug:slug>/register/", views.register, name="register"),
    path("editions/<slug:slug>/register/cancel/", views.cancel, name="cancel"),
    path("editions/<slug:slug>/register/resend/", views.resend, name="resend"),
    path("editions/<slug:slug>/calendar.ics", views.calendar, name="calendar"),
    path("registrations/confirm/<str:token>/", views.confirm, name="confirm"),
]
