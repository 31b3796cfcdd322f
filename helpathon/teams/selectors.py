"""Team reads: teams with their members, a person's teams and roles, the room link (private),
the board of teams and people looking for each other, and matching suggestions."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from helpathon.editions.models import Challenge, Edition
from helpathon.editions.rules import is_organizer
from helpathon.teams.models import JoinRequest, Membership, Team, TeamSeeker, TeamSettings

Role = Membership.Role


def team_settings(edition: Edition) -> TeamSettings:
    return TeamSettings.objects.filter(edition=edition).first() or TeamSettings(edition=edition)


def teams_of(edition: Edition, *, challenge: Challenge | None = None) -> QuerySet[Team]:
    """The edition's teams with their challenge, ideas and members (users joined): three
    queries however many teams."""
    qs = Team.objects.filter(edition=edition).select_related("challenge", "edition").prefetch_related(
        "ideas", Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    )
    if challenge is not None:
        qs = qs.filter(challenge=challenge)
    return qs


def team_get(*, edition: Edition, pk: int) -> Team:
    team = teams_of(edition).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def team_size(team: Team) -> int:
    """Leads and members (mentors do not count)."""
    return Membership.objects.filter(team=team).exclude(role=Role.MENTOR).count()


def teams_joined(user, edition: Edition) -> int:
    """In how many of the edition's teams the person is lead or member."""
    if not user.is_authenticated:
        return 0
    return Membership.objects.filter(user=user, team__edition=edition).exclude(role=Role.MENTOR).count()


def role_in(user, team: Team) -> str | None:
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_helpathon_team_roles", {})
    if team.pk not in cache:
        cache[team.pk] = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    return cache[team.pk]


def is_lead(user, team: Team) -> bool:
    return role_in(user, team) == Role.LEAD


def is_member(user, team: Team) -> bool:
    """Lead or member (not a mentor)."""
    return role_in(user, team) in (Role.LEAD, Role.MEMBER)


def may_see_private(user, team: Team) -> bool:
    """The room link and the notes: members, mentors and the edition's organizers."""
    return role_in(user, team) is not None or is_organizer(user, team.edition)


def room_name(team: Team) -> str:
    """Derived from the team's secret with the site's key: unguessable, stable, and not the
    secret itself."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"room:{team.pk}:{team.room_secret}".encode(), hashlib.sha256)
    return f"helpathon-{digest.hexdigest()[:24]}"


def room_url(team: Team) -> str:
    """The team's video room. Call only after `may_see_private`."""
    if team.room_url:
        return team.room_url
    return team_settings(team.edition).room_url_pattern.replace("{room}", room_name(team))


def my_teams(user, edition: Edition) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(teams_of(edition).filter(memberships__user=user).distinct())


def open_requests(team: Team) -> list[JoinRequest]:
    return list(team.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user"))


def my_requests(user, edition: Edition) -> list[JoinRequest]:
    """A person's open requests to join and invitations, with their teams."""
    if not user.is_authenticated:
        return []
    return list(
        JoinRequest.objects.filter(user=user, team__edition=edition, status=JoinRequest.Status.PENDING)
        .select_related("team", "team__challenge")
    )


def seekers(edition: Edition) -> list[TeamSeeker]:
    return list(TeamSeeker.objects.filter(edition=edition).select_related("user").prefetch_related("challenges"))


@dataclass
class Board:
    teams: list[Team]  # looking for members, not full
    seekers: list[TeamSeeker]


def board(edition: Edition, *, challenge: Challenge | None = None, skill: str = "") -> Board:
    """Teams looking for people and people looking for a team, filtered by challenge and skill."""
    limit = team_settings(edition).max_team_size
    teams = (
        teams_of(edition, challenge=challenge)
        .filter(looking_for_members=True)
        .annotate(size=Count("memberships", filter=~Q(memberships__role=Role.MENTOR)))
        # A grouped query ignores Meta.ordering: without this, PostgreSQL returns any order.
        .order_by(*Team._meta.ordering)
        .filter(size__lt=limit)
    )
    people = TeamSeeker.objects.filter(edition=edition).select_related("user").prefetch_related("challenges")
    if challenge is not None:
        people = people.filter(Q(challenges=challenge) | Q(challenges__isnull=True)).distinct()
    skill = skill.strip().lower()
    if skill:
        teams = teams.filter(skills_needed__icontains=skill)
        people = people.filter(skills__icontains=skill)
    return Board(teams=list(teams), seekers=list(people))


def _skills(text: str) -> set[str]:
    return {s.strip().lower() for s in text.split(",") if s.strip()}


@dataclass
class Suggestion:
    team: Team
    shared_skills: list[str]
    same_challenge: bool


def suggestions_for(seeker: TeamSeeker, teams: list[Team], *, limit: int = 3) -> list[Suggestion]:
    """Teams that need what the person offers, best first: shared skills count most, a
    preferred challenge breaks ties."""
    offered = _skills(seeker.skills)
    preferred = {c.pk for c in seeker.challenges.all()}
    found = []
    for team in teams:
        shared = sorted(offered & _skills(team.skills_needed))
        same = team.challenge_id in preferred
        if shared or same:
            found.append(Suggestion(team, shared, same))
    found.sort(key=lambda s: (-len(s.shared_skills), not s.same_challenge, s.team.pk))
    return found[:limit]
