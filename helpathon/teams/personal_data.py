"""A person's teams, requests, team-seeker profile and prototype versions, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.teams.models import JoinRequest, Membership, PrototypeVersion, TeamSeeker


@contributor("teams")
def teams_part(user) -> dict:
    return {
        "memberships": list(
            Membership.objects.filter(user=user).order_by("joined_at").values("team_id", "team__name", "role", "joined_at")
        ),
        "join_requests": list(
            JoinRequest.objects.filter(user=user).order_by("created_at")
            .values("team_id", "kind", "message", "status", "created_at", "decided_at")
        ),
        "looking_for_a_team": list(
            TeamSeeker.objects.filter(user=user).values("edition__slug", "skills", "message", "created_at")
        ),
        "prototype_versions_edited": list(
            PrototypeVersion.objects.filter(editor=user).order_by("created_at")
            .values("prototype__team_id", "number", "sections", "note", "created_at")
        ),
    }
