"""The teams' part of the live snapshot: teams, their ideas, sizes and prototypes (public facts
only: never the room link or the notes)."""

from django.db.models import Count
from django.urls import reverse

from helpathon.live.snapshot import contributor
from helpathon.teams.models import Prototype, Team


@contributor
def teams_part(edition) -> dict:
    teams = list(
        Team.objects.filter(edition=edition).annotate(size=Count("memberships", distinct=True))
        .order_by("created_at", "pk").values_list("pk", "challenge_id", "name", "size")
    )
    ideas: dict[int, list[int]] = {}
    for team_id, idea_id in Team.ideas.through.objects.filter(team__edition=edition).values_list("team_id", "idea_id"):
        ideas.setdefault(team_id, []).append(idea_id)
    prototypes = {
        team_id: {"status": status, "version": version}
        for team_id, status, version in Prototype.objects.filter(edition=edition).values_list("team_id", "status", "version")
    }
    return {
        "teams": [
            {"id": pk, "challenge": challenge, "name": name, "ideas": sorted(ideas.get(pk, [])), "members": size,
             "prototype": prototypes.get(pk), "url": reverse("teams:detail", kwargs={"slug": edition.slug, "pk": pk})}
            for pk, challenge, name, size in teams
        ]
    }
