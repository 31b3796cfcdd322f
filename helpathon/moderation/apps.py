from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "helpathon.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        # This app's part of a person's data download.
        import helpathon.moderation.personal_data  # noqa: F401
