from django.urls import path

from helpathon.api.api import api

urlpatterns = [path("", api.urls)]
