from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "helpathon.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        # This app's part of a person's data download.
        import helpathon.evaluation.personal_data  # noqa: F401

        # Merging an idea moves its supports (ideas.services.idea_merge calls its hooks).
        from helpathon.evaluation import services
        from helpathon.ideas.services import on_merged

        if services.supports_follow_merge not in on_merged:
            on_merged.append(services.supports_follow_merge)
        # Rank changes that follow a phase change or moderation are announced too.
        from helpathon.live.services import _after_commit_hooks, on_published

        if services.rankings_follow_events not in _after_commit_hooks:
            on_published(services.rankings_follow_events)
