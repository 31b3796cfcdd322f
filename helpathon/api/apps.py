from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "helpathon.api"
    label = "api"
