from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditionsConfig(AppConfig):
    name = "helpathon.editions"
    label = "editions"
    verbose_name = _("Editions")

    def ready(self):
        # The edition's part of the live snapshot (agenda, challenges, announcements).
        from helpathon.editions import live
        from helpathon.live.selectors import on_replay

        on_replay(live.redact_withdrawn)
