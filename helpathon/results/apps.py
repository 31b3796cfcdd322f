from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "helpathon.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self):
        from helpathon.live.services import _after_commit_hooks, on_published
        import helpathon.results.personal_data  # noqa: F401
        from helpathon.results import services

        if services.templates_follow_events not in _after_commit_hooks:
            on_published(services.templates_follow_events)
