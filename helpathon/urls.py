from django.contrib import admin
from django.urls import include, path

from helpathon import health
from helpathon.editions.views import home

urlpatterns = [
    path("", home, name="home"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("helpathon.accounts.urls")),
    path("api/v1/", include("helpathon.api.urls")),
    path("", include("helpathon.registrations.urls")),
    path("", include("helpathon.moderation.urls")),
    path("", include("helpathon.results.urls")),
    path("", include("helpathon.notifications.urls")),
    path("", include("helpathon.console.urls")),
    path("", include("helpathon.ideas.urls")),
    path("", include("helpathon.evaluation.urls")),
    path("", include("helpathon.teams.urls")),
    path("", include("helpathon.live.urls")),
    path("", include("helpathon.editions.urls")),
]
