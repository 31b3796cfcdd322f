"""The live API: /api/v1/editions/<slug>/live/snapshot and /live/events."""

import pytest
from django.test import Client

from helpathon.editions.models import Edition
from helpathon.live.models import LiveEvent
from helpathon.moderation.services import content_hide
from tests.ideas import conftest as ideas_fixtures

ideation = ideas_fixtures.ideation
make_idea = ideas_fixtures.make_idea

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    c = Client()
    c.cookies["django_language"] = "en"
    return c


def test_it_serves_the_snapshot_of_an_edition(client, make_idea, ideation):
    first = make_idea("Fahrradständer am Bahnhof")
    second = make_idea("Mehr Bänke im Park", builds_on=[first])
    response = client.get(f"/api/v1/editions/{ideation.slug}/live/snapshot")
    assert response.status_code == 200
    body = response.json()
    assert body["seq"] == LiveEvent.objects.filter(edition=ideation).count()
    assert [i["title"] for i in body["ideas"]] == ["Fahrradständer am Bahnhof", "Mehr Bänke im Park"]
    assert body["links"] == [{"source": second.pk, "target": first.pk, "kind": "builds_on"}]
    assert body["phase"]["kind"] == "ideation"
    assert {c["id"] for c in body["challenges"]} == set(ideation.challenges.values_list("pk", flat=True))
    assert "@" not in response.content.decode()  # no email address of anyone


def test_it_pages_through_the_events(client, make_idea, ideation):
    for n in range(5):
        make_idea(f"Idee Nummer {n}")
    last = LiveEvent.objects.filter(edition=ideation).order_by("-seq").first().seq
    page = client.get(f"/api/v1/editions/{ideation.slug}/live/events?after=0&limit=2").json()
    assert [e["seq"] for e in page["events"]] == [1, 2]
    assert page["next"] == 2 and page["last"] == last
    rest = client.get(f"/api/v1/editions/{ideation.slug}/live/events?after=2").json()
    assert [e["seq"] for e in rest["events"]] == list(range(3, last + 1))
    assert rest["next"] is None


def test_it_blanks_the_titles_of_ideas_hidden_since(client, make_idea, ideation, organizer):
    idea = make_idea("Etwas, das gegen die Regeln verstößt", tags=["regelbruch"])
    content_hide(actor=organizer, idea=idea, reason="Verstößt gegen die Regeln der Ausgabe.")
    events = client.get(f"/api/v1/editions/{ideation.slug}/live/events").json()["events"]
    created = next(e for e in events if e["type"] == "idea.created")
    assert created["data"]["title"] is None and created["data"]["hidden"] is True
    assert "gegen die Regeln" not in str(events) and "regelbruch" not in str(events)


def test_it_blanks_the_text_of_announcements_withdrawn_since(client, ideation, organizer):
    from helpathon.editions.services import announcement_create, announcement_withdraw

    kept = announcement_create(actor=organizer, edition=ideation, text="Mittagspause um 12 Uhr")
    gone = announcement_create(actor=organizer, edition=ideation, text="Raum: https://meet.example/geheim")
    announcement_withdraw(actor=organizer, announcement=gone)
    events = client.get(f"/api/v1/editions/{ideation.slug}/live/events").json()["events"]
    texts = {e["data"]["announcement"]: e["data"]["text"] for e in events if e["type"] == "announcement.created"}
    assert texts == {kept.pk: "Mittagspause um 12 Uhr", gone.pk: None}
    snapshot = client.get(f"/api/v1/editions/{ideation.slug}/live/snapshot").json()
    assert "geheim" not in str(snapshot)


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "limit=0", "limit=1001", "after=99999999999999999999"])
def test_it_refuses_bad_positions_with_422(client, ideation, query):
    response = client.get(f"/api/v1/editions/{ideation.slug}/live/events?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_it_hides_drafts(client, edition):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.DRAFT)
    assert client.get(f"/api/v1/editions/{edition.slug}/live/snapshot").status_code == 404
    assert client.get(f"/api/v1/editions/{edition.slug}/live/events").status_code == 404
