"""Teams: the list and one team, founding, requests to join and invitations, answering them,
leaving, and the team's description and private notes.

The endpoints do what the pages do: read through `teams.selectors`, write through
`teams.services` (which ask `may()` and the team role again), and refuse up front what `may()`
refuses. Members appear by their public name and role only; the room link and the notes only
for the team's members, its mentors and the edition's organizers (null for everyone else).
No answer carries an email address, not even the invitation's.

Errors have the shapes of the other routers (`api.errors`).
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import django_auth

from helpathon.accounts.models import User
from helpathon.api.errors import BODY, WRITE_AUTH, WRITE_ERRORS, invalid, service_errors
from helpathon.ideas.limits import (
    RATE_TEAM_REQUESTS, RATE_TEAMS, TEAM_REQUESTS_GROUP, TEAMS_GROUP, TOO_MANY_TEAM_WRITES, limited,
)
from helpathon.api.schemas import (
    ErrorOut,
    InvitationIn,
    JoinDecisionIn,
    JoinRequestIn,
    JoinRequestOut,
    TeamCreateIn,
    TeamDetailOut,
    TeamNotesIn,
    TeamNotesOut,
    TeamOut,
    TeamUpdateIn,
    ValidationErrorOut,
)
from helpathon.editions.models import Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import challenge_get, edition_get
from helpathon.ideas.selectors import ideas_by_ids
from helpathon.teams import selectors, services
from helpathon.teams.models import JoinRequest, Team

router = Router(tags=["teams"])

TEAM_ANSWER = " The answer is the team as `teams_detail` shows it to you."


def _with_size(edition: Edition, teams: list[Team]) -> list[Team]:
    limit = selectors.team_settings(edition).max_team_size
    for team in teams:
        team.max_size = limit
        team.edition = edition  # the one loaded with its program: `may()` asks no further query
    return teams


def _detail(request: HttpRequest, edition: Edition, pk: int) -> Team:
    """The team with its private fields filled for those who may see them, null otherwise."""
    team = _with_size(edition, [selectors.team_get(edition=edition, pk=pk)])[0]
    private = selectors.may_see_private(request.user, team)
    team.private_room_url = selectors.room_url(team) if private else None
    team.private_notes = team.notes if private else None
    return team


def _team(request: HttpRequest, slug: str, pk: int) -> tuple[Edition, Team]:
    edition = edition_get(slug=slug, user=request.user)
    return edition, _with_size(edition, [selectors.team_get(edition=edition, pk=pk)])[0]


@router.get(
    "/editions/{slug}/teams",
    response={200: list[TeamOut], 404: ErrorOut},
    operation_id="teams_list",
)
def teams_list(request: HttpRequest, slug: str):
    """The edition's teams by challenge, each with its ideas, its members by public name and
    role, and the skills it still needs. Never the room link or the notes."""
    edition = edition_get(slug=slug, user=request.user)
    return _with_size(edition, list(selectors.teams_of(edition)))


@router.get(
    "/editions/{slug}/teams/{id}",
    response={200: TeamDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="teams_detail",
)
def teams_detail(request: HttpRequest, slug: str, id: int):
    """One team as in the list, plus its video room link and private notes: for its members,
    its mentors and the edition's organizers (with their session); null for everyone else."""
    edition = edition_get(slug=slug, user=request.user)
    return _detail(request, edition, id)


@router.post(
    "/editions/{slug}/teams",
    auth=django_auth,
    response={201: TeamDetailOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="teams_create",
    description=(
        "Found a team around one or more ideas of a challenge: participants, during team building, in no more"
        " teams than the edition allows. You lead it; its ideas move to “in prototyping”. Hidden or merged"
        " ideas, ideas of another challenge and a name another team of the edition has are a 422."
        + TEAM_ANSWER + WRITE_AUTH
    ),
)
def teams_create(request: HttpRequest, slug: str, payload: TeamCreateIn):
    edition = edition_get(slug=slug, user=request.user)
    if limited(request, TEAMS_GROUP, RATE_TEAMS):
        raise HttpError(429, str(TOO_MANY_TEAM_WRITES))
    forbidden = _("Only participants can found teams, during team building.")
    if not may(request.user, Action.CREATE_TEAM, edition):
        raise HttpError(403, forbidden)
    try:
        challenge = challenge_get(edition=edition, slug=payload.challenge)
    except Http404:
        raise invalid(
            (*BODY, "challenge"), _("There is no challenge “%(slug)s” in this edition.") % {"slug": payload.challenge}
        ) from None
    ideas = ideas_by_ids(edition, payload.ideas)
    missing = sorted(set(payload.ideas) - {idea.pk for idea in ideas})
    if missing:
        numbers = ", ".join(f"#{n}" for n in missing)
        raise invalid((*BODY, "ideas"), _("There is no idea %(numbers)s in this edition.") % {"numbers": numbers})
    with service_errors(forbidden):
        team = services.team_found(
            actor=request.user, challenge=challenge, name=payload.name, description=payload.description,
            ideas=ideas, skills_needed=payload.skills_needed,
        )
    return Status(201, _detail(request, edition, team.pk))


@router.post(
    "/editions/{slug}/teams/{id}/requests",
    auth=django_auth,
    response={200: JoinRequestOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="teams_request",
    description=(
        "Ask to join a team; its lead decides (`teams_decide`). Participants, during team building and"
        " prototyping, while in fewer teams than the edition allows. Asking again returns the same open"
        " request; if the lead invited you already, asking accepts the invitation. A full team is a 422."
        + WRITE_AUTH
    ),
)
def teams_request(request: HttpRequest, slug: str, id: int, payload: JoinRequestIn):
    if limited(request, TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS):
        raise HttpError(429, str(TOO_MANY_TEAM_WRITES))
    _edition, team = _team(request, slug, id)
    forbidden = _("Only participants can ask to join a team, during team building and prototyping.")
    if not may(request.user, Action.JOIN_TEAM, team):
        raise HttpError(403, forbidden)
    with service_errors(forbidden):
        return services.join_request_create(actor=request.user, team=team, message=payload.message)


@router.post(
    "/editions/{slug}/teams/{id}/invitations",
    auth=django_auth,
    response={200: JoinRequestOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="teams_invite",
    description=(
        "The team's lead invites a confirmed participant of the edition by the email address they registered"
        " with; they accept or decline (`teams_decide`). An address of nobody, or of someone who is not a"
        " participant, is the same 422, so that nothing tells whether an address has an account. Inviting"
        " someone who asked to join accepts their request. The answer never repeats the address." + WRITE_AUTH
    ),
)
def teams_invite(request: HttpRequest, slug: str, id: int, payload: InvitationIn):
    if limited(request, TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS):
        raise HttpError(429, str(TOO_MANY_TEAM_WRITES))
    _edition, team = _team(request, slug, id)
    forbidden = _("Only the team's lead can invite, during team building and prototyping.")
    if not selectors.is_lead(request.user, team) or not may(request.user, Action.JOIN_TEAM, team):
        raise HttpError(403, forbidden)
    not_invitable = _("Only confirmed participants of this edition can be invited.")
    person = User.objects.filter(email__iexact=payload.email.strip()).first()
    if person is None:
        raise invalid((*BODY, "email"), not_invitable)
    with service_errors(forbidden):
        try:
            return services.team_invite(actor=request.user, team=team, user=person, message=payload.message)
        except ValidationError as error:
            # The service names the person `user`; here they were given as `email`.
            if hasattr(error, "error_dict") and "user" in error.error_dict:
                raise ValidationError({"email": error.error_dict["user"]}) from None
            raise


@router.post(
    "/editions/{slug}/join-requests/{id}",
    auth=django_auth,
    response={200: JoinRequestOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="teams_decide",
    description=(
        "Answer a request to join (the team's lead) or an invitation (the invited person): `accept` true or"
        " false. Whoever sent it may withdraw it with `accept` false. Accepting needs room in the team and in"
        " the person's number of teams (else 422); when they reach the number, their other open requests"
        " and invitations lapse. A request that is not yours to see is a 404, like a missing one."
        + WRITE_AUTH
    ),
)
def teams_decide(request: HttpRequest, slug: str, id: int, payload: JoinDecisionIn):
    if limited(request, TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS):
        raise HttpError(429, str(TOO_MANY_TEAM_WRITES))
    edition = edition_get(slug=slug, user=request.user)
    join_request = JoinRequest.objects.filter(pk=id, team__edition=edition).select_related("team").first()
    if join_request is None:
        raise Http404
    join_request.team.edition = edition
    user = request.user
    involved = user.pk in (join_request.user_id, join_request.created_by_id) or selectors.is_lead(user, join_request.team)
    if not involved:
        raise Http404
    forbidden = _("You cannot answer this, or not at the moment.")
    with service_errors(forbidden):
        return services.join_request_decide(actor=user, request=join_request, accept=payload.accept)


@router.delete(
    "/editions/{slug}/teams/{id}/membership",
    auth=django_auth,
    response={204: None, **WRITE_ERRORS},
    operation_id="teams_leave",
    description=(
        "Leave a team. A leaving lead hands the lead to the longest-standing member; the last member cannot"
        " leave (422). Mentors leave freely. Not being in the team is a 422." + WRITE_AUTH
    ),
)
def teams_leave(request: HttpRequest, slug: str, id: int):
    _edition, team = _team(request, slug, id)
    with service_errors(_("You cannot leave this team.")):
        services.membership_leave(actor=request.user, team=team)
    return Status(204, None)


@router.patch(
    "/editions/{slug}/teams/{id}",
    auth=django_auth,
    response={200: TeamDetailOut, **WRITE_ERRORS},
    operation_id="teams_update",
    description=(
        "Change the team's name, description, the skills it still needs (separated by commas) and whether it"
        " looks for members: its lead and members. Fields left out keep their value." + TEAM_ANSWER + WRITE_AUTH
    ),
)
def teams_update(request: HttpRequest, slug: str, id: int, payload: TeamUpdateIn):
    edition, team = _team(request, slug, id)
    forbidden = _("Only the team's members can change it.")
    if not selectors.is_member(request.user, team):
        raise HttpError(403, forbidden)

    def keep(value, current):
        return current if value is None else value

    with service_errors(forbidden):
        services.team_update(
            actor=request.user, team=team,
            name=keep(payload.name, team.name),
            description=keep(payload.description, team.description),
            skills_needed=keep(payload.skills_needed, team.skills_needed),
            looking_for_members=keep(payload.looking_for_members, team.looking_for_members),
        )
    return _detail(request, edition, team.pk)


@router.put(
    "/editions/{slug}/teams/{id}/notes",
    auth=django_auth,
    response={200: TeamNotesOut, **WRITE_ERRORS},
    operation_id="teams_notes",
    description=(
        "Replace the team's private notes: its members, its mentors and the edition's organizers. At most"
        " 20,000 characters." + WRITE_AUTH
    ),
)
def teams_notes(request: HttpRequest, slug: str, id: int, payload: TeamNotesIn):
    _edition, team = _team(request, slug, id)
    forbidden = _("Only the team's members, mentors and the organizers can write its notes.")
    if not selectors.may_see_private(request.user, team):
        raise HttpError(403, forbidden)
    with service_errors(forbidden):
        team = services.notes_update(actor=request.user, team=team, notes=payload.notes)
    return {"notes": team.notes}
