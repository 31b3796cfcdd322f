from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "helpathon.ideas"
    label = "ideas"
    verbose_name = _("Ideas")

    def ready(self):
        # This app's part of a person's data download.
        import helpathon.ideas.personal_data  # noqa: F401

        # SQLite drops the full-text triggers whenever a migration rebuilds the ideas table;
        # put them back after every migrate.
        from helpathon.ideas import search

        post_migrate.connect(search.ensure_installed, sender=self)

        # The ideas' part of the live snapshot; replays blank the titles of hidden ideas.
        from helpathon.ideas import live
        from helpathon.live.selectors import on_replay

        on_replay(live.redact_hidden_titles)
