"""The organizers' evaluation settings page."""

import pytest

from helpathon.evaluation import selectors
from helpathon.evaluation.models import EvaluationSettings

pytestmark = pytest.mark.django_db

VALID = {"support_budget": "3", "budget_scope": "edition", "rankings_while_open": "on",
         "participants_rate": "idea", "jury_rates": "idea"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _url(edition):
    return f"/editions/{edition.slug}/evaluate/settings/"


def test_it_shows_the_defaults_to_organizers(client, edition, organizer):
    client.force_login(organizer)

    response = client.get(_url(edition))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="support_budget" value="5"' in html
    assert "Impact" in html and "Sustainability" in html


def test_it_saves_the_settings(client, edition, organizer):
    client.force_login(organizer)

    response = client.post(_url(edition), VALID, follow=True)

    assert "The evaluation settings have been saved." in response.content.decode()
    saved = EvaluationSettings.objects.get(edition=edition)
    assert (saved.support_budget, saved.budget_scope, saved.rankings_while_open) == (3, "edition", True)
    assert selectors.rankings_public(edition) is True


@pytest.mark.parametrize(("field", "value"), [("support_budget", "0"), ("support_budget", "101"),
                                              ("support_budget", "viele"), ("budget_scope", "world"),
                                              ("jury_rates", "teams")])
def test_it_names_what_is_wrong_and_saves_nothing(client, edition, organizer, field, value):
    client.force_login(organizer)

    response = client.post(_url(edition), {**VALID, field: value})

    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not EvaluationSettings.objects.filter(edition=edition).exists()


@pytest.mark.parametrize("who", ["citizen", "participant", "stranger_organizer"])
def test_it_does_not_exist_for_anyone_else(client, edition, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url(edition)).status_code == 404
    assert client.post(_url(edition), VALID).status_code == 404
    assert not EvaluationSettings.objects.filter(edition=edition).exists()


def test_it_sends_visitors_to_the_login(client, edition):
    response = client.get(_url(edition))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
