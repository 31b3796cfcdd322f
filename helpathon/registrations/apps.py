from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "helpathon.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # This app's part of a person's data download.
        import helpathon.registrations.personal_data  # noqa: F401
