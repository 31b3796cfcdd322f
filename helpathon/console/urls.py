"""The organizers' console: pages for people who run an edition and are not technical. The
console has no models of its own; it calls the services of the apps it drives."""

from django.urls import path

from helpathon.console import mail_views, views

app_name = "console"

CONSOLE = "editions/<slug:slug>/console/"

urlpatterns = [
    path("console/", views.home, name="home"),
    path("console/editions/new/", views.edition_create, name="edition_create"),
    path(CONSOLE, views.overview, name="overview"),
    path(CONSOLE + "copy/", views.edition_copy, name="edition_copy"),
    path(CONSOLE + "edit/", views.edition_edit, name="edition_edit"),
    path(CONSOLE + "registrations/", views.registrations, name="registrations"),
    path(CONSOLE + "registrations/<int:pk>/check-in/", views.check_in, name="check_in"),
    path(CONSOLE + "downloads/", views.downloads, name="downloads"),
    # Mail to many (mail_views.py)
    path(CONSOLE + "mail/", mail_views.mailings, name="mailings"),
    path(CONSOLE + "mail/<int:pk>/", mail_views.mailing_detail, name="mailing"),
    path(CONSOLE + "mail/<int:pk>/progress/", mail_views.mailing_progress, name="mailing_progress"),
]
