from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "helpathon.teams"
    label = "teams"
    verbose_name = _("Teams")

    def ready(self):
        # This app's part of a person's data download.
        import helpathon.teams.personal_data  # noqa: F401

        # The teams' part of the live snapshot.
        import helpathon.teams.live  # noqa: F401

        # Submitted prototypes can be rated (by the jury, when the edition says so).
        from helpathon.evaluation.models import TargetKind
        from helpathon.evaluation.targets import TargetType, register
        from helpathon.teams.models import Prototype

        def submitted(edition):
            return (
                Prototype.objects.filter(edition=edition, status=Prototype.Status.SUBMITTED)
                .select_related("challenge", "team", "edition")
            )

        register(TargetType(kind=TargetKind.PROTOTYPE, queryset=submitted, owners=lambda p: p.author_ids))
