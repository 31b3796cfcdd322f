"""Mails about joining a team, each to its recipient in their language (kind `email_teams`):
the lead hears of a request, an invited person of the invitation, and whoever asked or invited
of the answer. Called after commit by the services."""

from django.conf import settings

from helpathon.notifications.emails import notify
from helpathon.teams.models import JoinRequest, Membership

KIND = "email_teams"
TEMPLATES = "teams/email/"


def _context(join_request: JoinRequest) -> dict:
    team = join_request.team
    return {
        "join_request": join_request,
        "team": team,
        "edition": team.edition,
        "team_url": settings.SITE_URL + team.get_absolute_url(),
    }


def send_request(join_request: JoinRequest) -> None:
    """A person asks to join: the team's lead decides."""
    lead = Membership.objects.filter(team_id=join_request.team_id, role=Membership.Role.LEAD).select_related("user").first()
    if lead is not None:
        notify(lead.user, KIND, TEMPLATES + "join_request", _context(join_request))


def send_invitation(join_request: JoinRequest) -> None:
    """The lead invites a person: they accept or decline."""
    notify(join_request.user, KIND, TEMPLATES + "invitation", _context(join_request))


def send_decision(join_request: JoinRequest) -> None:
    """A request or invitation was accepted or declined: tell whoever made it (not when they
    withdrew it themselves)."""
    if join_request.status not in (JoinRequest.Status.ACCEPTED, JoinRequest.Status.DECLINED):
        return
    if join_request.decided_by_id == join_request.created_by_id:
        return
    notify(join_request.created_by, KIND, TEMPLATES + "decision", _context(join_request))
