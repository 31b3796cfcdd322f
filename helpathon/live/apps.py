from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "helpathon.live"
    label = "live"
    verbose_name = _("Live")

    def ready(self):
        # After commit, every event goes to this process's streams and, with Redis, to all others.
        from helpathon import pagecache
        from helpathon.live import broker, services

        # Public pages are cached per state of the site (event numbers and this generation).
        pagecache.watch()

        if broker.deliver not in services._after_commit_hooks:
            services.on_published(broker.deliver)
