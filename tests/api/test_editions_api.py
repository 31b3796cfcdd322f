"""The editions API: /api/v1/editions and /api/v1/editions/<slug>."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions import services
from helpathon.editions.models import Edition, PhaseKind
from helpathon.registrations.models import Registration
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/editions"


def detail_url(slug: str) -> str:
    return f"/api/v1/editions/{slug}"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


@pytest.fixture
def draft(db):
    return make_edition(slug="draft-edition", status=Edition.Status.DRAFT, starts_in=timedelta(days=30))


# --- list ---------------------------------------------------------------------------------------


def test_it_lists_published_editions_to_visitors(client, edition, draft):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert slugs(response) == [edition.slug]
    assert response.json()["count"] == 1


def test_it_hides_drafts_from_citizens_and_other_organizers(client, edition, draft, citizen, stranger_organizer):
    for user in (citizen, stranger_organizer):
        client.force_login(user)
        assert draft.slug not in slugs(client.get(LIST_URL))


def test_it_shows_drafts_to_their_organizers(client, edition, draft, organizer):
    draft.organizers.add(organizer)
    client.force_login(organizer)

    response = client.get(LIST_URL)

    # Latest start first: the draft starts in 30 days, the edition in 7.
    assert slugs(response) == [draft.slug, edition.slug]
    assert response.json()["count"] == 2


def test_it_describes_each_edition(client):
    running = make_edition(
        slug="running", starts_in=-timedelta(hours=1), duration=timedelta(days=1), challenges=3,
        phase_kinds=[PhaseKind.KICKOFF, PhaseKind.IDEATION],
    )
    past = make_edition(slug="past", starts_in=-timedelta(days=40), registration_open=False, phase_kinds=[])

    items = {item["slug"]: item for item in client.get(LIST_URL).json()["items"]}

    item = items["running"]
    assert item["title"] == running.title
    assert item["motto"] == "Comeback stronger"
    assert item["timing"] == "running"
    assert item["registration_open"] is True
    assert item["current_phase"]["kind"] == "kickoff"
    # German is the default language; the API speaks it too.
    assert item["current_phase"]["title"] == "Auftakt"
    assert item["challenge_count"] == 3
    assert item["url"] == running.get_absolute_url()
    # Typed datetimes in ISO 8601, to the millisecond.
    assert abs(timezone.datetime.fromisoformat(item["starts_at"]) - running.starts_at) < timedelta(milliseconds=1)
    assert items["past"]["timing"] == "past"
    assert items["past"]["registration_open"] is False
    assert items["past"]["current_phase"] is None
    assert items["past"]["url"] == past.get_absolute_url()


def test_it_counts_challenges_once_with_several_organizers(client, edition, organizer):
    # The organizer join of `editions_visible` must not multiply the challenge count.
    edition.organizers.add(make_user("second@example.org"))
    client.force_login(organizer)

    (item,) = client.get(LIST_URL).json()["items"]

    assert item["challenge_count"] == 2


def test_it_paginates(client):
    for index in range(5):
        make_edition(slug=f"edition-{index}", starts_in=timedelta(days=index + 1))

    response = client.get(LIST_URL, {"limit": 2, "offset": 1})

    assert response.json()["count"] == 5
    assert slugs(response) == ["edition-3", "edition-2"]


@pytest.mark.parametrize("as_organizer", [False, True])
def test_it_lists_with_a_constant_number_of_queries(client, organizer, as_organizer):
    if as_organizer:
        client.force_login(organizer)

    def queries_for(total: int) -> int:
        for index in range(Edition.objects.count(), total):
            created = make_edition(slug=f"bulk-{index}", starts_in=timedelta(days=index - 10))
            created.organizers.add(organizer)
        assert Edition.objects.count() == total
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL, {"limit": 100})
        assert response.status_code == 200
        assert len(response.json()["items"]) == total
        return len(captured)

    few, many = queries_for(3), queries_for(30)

    # The count, the page (with its challenge count), the page's phases; a session and its user
    # when signed in.
    assert few == many == (5 if as_organizer else 3)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "abc"},
        {"limit": -5},
        {"limit": 0},
        {"limit": 101},
        {"limit": 10**30},
        {"offset": "x"},
        {"offset": -1},
        {"offset": 10**30},
        {"offset": 2**63},
    ],
)
def test_it_rejects_bad_paging_with_a_json_error(client, edition, params):
    response = client.get(LIST_URL, params)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


# --- detail -------------------------------------------------------------------------------------


def test_it_shows_an_edition_with_its_program(client, edition):
    response = client.get(detail_url(edition.slug))

    assert response.status_code == 200
    data = response.json()
    assert data["slug"] == edition.slug
    assert data["description"] == "Eine Testausgabe."
    assert data["capacity"] == 50
    assert data["partners"] == [{"name": "Wirtschaftsförderung Test", "url": ""}]
    assert [c["slug"] for c in data["challenges"]] == ["challenge-1", "challenge-2"]
    challenge = data["challenges"][0]
    assert challenge["guiding_questions"] == ["Wie kann es gelingen?", "Was brauchen wir dafür?"]
    assert challenge["partner"] is None
    assert challenge["url"] == edition.challenges.get(slug="challenge-1").get_absolute_url()


def test_it_names_the_partner_of_a_challenge(client, edition):
    challenge = edition.challenges.first()
    challenge.partner = edition.partners.get()
    challenge.save()

    data = client.get(detail_url(edition.slug)).json()

    assert data["challenges"][0]["partner"] == "Wirtschaftsförderung Test"


def test_it_lists_the_phases_in_order(client, edition):
    data = client.get(detail_url(edition.slug)).json()

    phases = data["phases"]
    assert [p["kind"] for p in phases] == list(PhaseKind.values)
    starts = [timezone.datetime.fromisoformat(p["starts_at"]) for p in phases]
    assert starts == sorted(starts)
    assert all(p["title"] and p["kind_label"] for p in phases)
    assert not any(p["is_current"] for p in phases)
    # The edition starts in a week: nothing is current, the first phase comes next.
    assert data["timing"] == "upcoming"
    assert data["current_phase"] is None
    assert data["next_phase"]["kind"] == PhaseKind.REGISTRATION
    assert data["manual_phase"] is False


def test_it_shows_the_phase_an_organizer_set_by_hand(client, edition, organizer):
    ideation = edition.phases.get(kind=PhaseKind.IDEATION)
    services.phase_set(actor=organizer, edition=edition, phase=ideation)

    data = client.get(detail_url(edition.slug)).json()

    assert data["manual_phase"] is True
    assert data["current_phase"]["kind"] == "ideation"
    assert data["next_phase"]["kind"] == "evaluation"
    assert [p["kind"] for p in data["phases"] if p["is_current"]] == ["ideation"]


def test_it_counts_registrations(client, edition, participant):
    now = timezone.now()
    for index, sector in enumerate(["science", "business"]):
        Registration.objects.create(
            edition=edition, user=make_user(f"waiting{index}@example.org"), status=Registration.Status.WAITLISTED,
            sector=sector, role="citizen", consent_at=now, queued_at=now,
        )
    Registration.objects.create(
        edition=edition, user=make_user("gone@example.org"), status=Registration.Status.CANCELLED,
        sector="science", role="citizen", consent_at=now, cancelled_at=now,
    )

    counts = client.get(detail_url(edition.slug)).json()["registrations"]

    assert counts["confirmed"] == 1
    assert counts["waitlisted"] == 2
    assert counts["capacity"] == 50
    assert counts["places_left"] == 49
    assert [row["sector"] for row in counts["by_sector"]] == ["science", "business", "administration", "civil_society"]
    assert {row["sector"]: row["count"] for row in counts["by_sector"]} == {
        "science": 0, "business": 1, "administration": 0, "civil_society": 0,
    }
    assert all(row["label"] for row in counts["by_sector"])


def test_it_shows_a_draft_to_its_organizers(client, draft, organizer):
    draft.organizers.add(organizer)
    client.force_login(organizer)

    assert client.get(detail_url(draft.slug)).status_code == 200


@pytest.mark.parametrize("slug", ["no-such-edition", "draft-edition", "%C3%A4%20x", "a" * 300])
def test_it_answers_404_for_unknown_slugs_and_hidden_drafts(client, draft, citizen, slug):
    client.force_login(citizen)

    response = client.get(detail_url(slug))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}


def test_it_gives_the_same_404_with_debug_on(client, draft, settings):
    settings.DEBUG = True

    assert client.get(detail_url(draft.slug)).json() == {"detail": "Not Found"}


def test_it_shows_the_detail_with_a_constant_number_of_queries(client):
    def queries_for(slug: str, challenges: int, phases: list[str]) -> int:
        make_edition(slug=slug, challenges=challenges, phase_kinds=phases)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(detail_url(slug))
        assert len(response.json()["challenges"]) == challenges
        return len(captured)

    small = queries_for("small", 1, [PhaseKind.IDEATION])
    large = queries_for("large", 12, list(PhaseKind.values))

    # The edition, its challenges (with partners), phases, partners; the registrations by
    # status and sector, then confirmed and held places.
    # Edition (+ visibility), challenges, phases, partners, registration numbers.
    assert small == large == 5


# --- privacy and the schema ---------------------------------------------------------------------


def test_it_never_shows_personal_data(client, edition, participant, organizer, draft):
    draft.organizers.add(organizer)
    challenge = edition.challenges.first()
    challenge.partner = edition.partners.get()
    challenge.save()
    client.force_login(organizer)

    bodies = [
        client.get(LIST_URL).content.decode(),
        client.get(detail_url(edition.slug)).content.decode(),
        client.get(detail_url(draft.slug)).content.decode(),
    ]

    for body in bodies:
        json.loads(body)
        assert "@" not in body
        for person in (participant, organizer):
            assert person.email not in body
            assert person.display_name not in body
            assert f'"id": {person.pk}' not in body


def test_it_publishes_an_openapi_document(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["info"]["title"] == "Helpathon API"
    assert {"/api/v1/editions", "/api/v1/editions/{slug}"} <= set(document["paths"])


def test_it_serves_the_docs_page_from_our_own_static_files(client):
    import re

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url

