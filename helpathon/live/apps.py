from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "helpathon.live"
    label = "live"
    verbose_name = _("Live")

    def ready(self):
        from helpathon import pagecache
        from helpathon.live import broker, services

        # After commit, every event goes to this process's streams and, with Redis, to all others;
        # and it moves the page cache's generation, as every save of our models does.
        pagecache.watch()
        if broker.deliver not in services._after_commit_hooks:
            services.on_published(broker.deliver)
        if pagecache.on_event not in services._after_commit_hooks:
            services.on_published(pagecache.on_event)
