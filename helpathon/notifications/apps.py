from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "helpathon.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        import helpathon.notifications.personal_data  # noqa: F401
