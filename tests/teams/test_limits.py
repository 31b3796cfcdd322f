"""Per-person write limits on teams (pages and API draw on one budget)."""

import pytest
from django.test import Client

from helpathon.ideas.limits import RATE_TEAMS
from helpathon.teams.models import Team

pytestmark = pytest.mark.django_db
LIMIT = int(RATE_TEAMS.split("/")[0])
# Well-formed, refused for its content (no name, no ideas): counted like a page's attempt.
BAD = {"challenge": "challenge-1", "name": "", "ideas": []}


def test_it_limits_founding_on_pages_and_api_together(team_building, participant, settings):
    client = Client()
    client.force_login(participant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = f"/editions/{team_building.slug}/teams/new/?challenge=challenge-1"
    for _ in range(LIMIT // 2):  # refused for their content, but counted
        assert client.post(page, {"name": ""}).status_code in (200, 400)
        refused = client.post(f"/api/v1/editions/{team_building.slug}/teams", BAD, content_type="application/json")
        assert refused.status_code == 422

    over_page = client.post(page, {"name": "Noch ein Team"})
    over_api = client.post(f"/api/v1/editions/{team_building.slug}/teams", BAD, content_type="application/json")

    assert over_page.status_code == 429
    assert "You have done this very often in a short time." in over_page.content.decode()
    assert over_api.status_code == 429
    assert over_api.json() == {"detail": "You have done this very often in a short time. Please wait a few minutes."}
    assert not Team.objects.exists()
