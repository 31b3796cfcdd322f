"""Reads for mail to many: who an audience is, and an edition's mailings."""

from django.db.models import QuerySet

from helpathon.accounts.models import User
from helpathon.notifications.models import Mailing
from helpathon.registrations.models import Registration
from helpathon.teams.models import Membership

Audience = Mailing.Audience


def audience_user_ids(*, edition, audience: str, team=None) -> list[int]:
    """The ids of the people `audience` names in `edition`, each once, in a stable order:
    active accounts that were not deleted. Whether a person switched organizers' mail off is
    asked when the mail goes out, so that they are counted as skipped (and can switch it back on
    until then). `team` must be a team of `edition` for Audience.TEAM; mentors are in a team's
    audience too."""
    if audience == Audience.PARTICIPANTS:
        people = Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED).values("user_id")
    elif audience == Audience.WAITLIST:
        people = Registration.objects.filter(edition=edition, status=Registration.Status.WAITLISTED).values("user_id")
    elif audience == Audience.TEAM:
        if team is None or team.edition_id != edition.pk:
            return []
        people = Membership.objects.filter(team=team).values("user_id")
    elif audience == Audience.TEAMS:
        people = Membership.objects.filter(team__edition=edition).values("user_id")
    else:
        return []
    # `pk__in` over a subquery names each person once, however many rows point at them.
    users = User.objects.filter(pk__in=people, is_active=True, deleted_at__isnull=True).exclude(email="")
    return list(users.order_by("pk").values_list("pk", flat=True))


def mailings_of(edition) -> QuerySet[Mailing]:
    """The edition's mailings, newest first, with who wrote them and the team they went to."""
    return Mailing.objects.filter(edition=edition).select_related("created_by", "team")


def mailing_get(*, edition, pk: int) -> Mailing | None:
    return mailings_of(edition).filter(pk=pk).first()
