"""The live view's JSON: the snapshot (`/editions/<slug>/live/snapshot`) and the event log
(`/editions/<slug>/live/log`). What they show, what they never show, what they cost."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override

from helpathon.accounts.models import User
from helpathon.editions.models import Edition
from helpathon.editions.services import announcement_create, phase_set
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.live import views
from helpathon.live.models import LiveEvent
from helpathon.pagecache import shared
from helpathon.live.selectors import cursor_seq
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from helpathon.teams import services as team_services
from tests.factories import make_user

ROOM = "https://meet.example.org/geheimer-raum-4711"
NOTES = "Geheime Notizen: der Schlüssel liegt unter der Matte"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def make_participant(edition):
    counter = iter(range(1, 10_000))

    def make(name: str):
        user = make_user(f"person{next(counter)}.{name.split()[0].lower()}@example.org", display_name=name)
        now = timezone.now()
        Registration.objects.create(
            edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
            consent_at=now, confirmed_at=now, email_confirmed_at=now,
        )
        return user

    return make


def fresh(obj):
    """The object as the next request loads it (no agenda cached on its edition)."""
    return type(obj).objects.get(pk=obj.pk)


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()


def snapshot(client, edition):
    response = client.get(f"/editions/{edition.slug}/live/snapshot")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    return response


def log(client, edition, query: str = ""):
    return client.get(f"/editions/{edition.slug}/live/log" + (f"?{query}" if query else ""))


@pytest.fixture
def busy(edition, organizer, participant, make_participant):
    """An edition in its prototyping phase, built through the services: ideas (one building on
    another, one hidden), a comment, supports, a team with a room link, notes and a prototype,
    an announcement."""
    ida, mia, voter = make_participant("Ida Author"), make_participant("Mia Member"), make_participant("Vera Voter")
    first, second = list(edition.challenges.all())[:2]
    move_to(edition, organizer, "ideation")
    bikes = idea_services.idea_create(actor=ida, challenge=first, title="Fahrradständer am Bahnhof", body="Mehr Platz")
    benches = idea_services.idea_create(actor=ida, challenge=first, title="Bänke im Park", builds_on=[bikes])
    rude = idea_services.idea_create(actor=ida, challenge=first, title="Ein unflätiger Titel")
    other = idea_services.idea_create(actor=voter, challenge=second, title="Digitale Sprechstunde")
    idea_services.comment_create(actor=voter, idea=bikes, body="Gute Idee, auch am Rathaus!")
    content_hide(actor=organizer, idea=rude, reason="Beleidigender Inhalt im Titel")
    move_to(edition, organizer, "evaluation")
    for person in (voter, mia):
        evaluation_services.support_add(actor=person, idea=fresh(bikes))
    evaluation_services.support_add(actor=voter, idea=fresh(benches))
    move_to(edition, organizer, "team_building")
    team = team_services.team_found(actor=participant, challenge=fresh(first), name="Die Radler", ideas=[fresh(bikes)])
    request = team_services.join_request_create(actor=mia, team=fresh(team))
    team_services.join_request_decide(actor=participant, request=request, accept=True)
    team_services.room_set(actor=organizer, team=fresh(team), url=ROOM)
    team_services.notes_update(actor=participant, team=fresh(team), notes=NOTES)
    move_to(edition, organizer, "prototyping")
    team_services.prototype_save(actor=participant, team=fresh(team), sections={"problem": "Zu wenig Stellplätze"},
                                 base_version=0)
    announcement_create(actor=organizer, edition=edition, text="Pitches um 15 Uhr im Saal")
    return {"bikes": bikes, "benches": benches, "rude": rude, "other": other, "team": team}


# --- the snapshot --------------------------------------------------------------------------------------


def test_it_shows_ideas_links_teams_and_counts(client, edition, busy):
    body = snapshot(client, edition).json()
    bikes, benches, other, team = busy["bikes"], busy["benches"], busy["other"], busy["team"]

    assert body["seq"] == cursor_seq(edition.pk) == LiveEvent.objects.filter(edition=edition).count()
    assert (body["edition"]["slug"], body["phase"]["kind"], body["manual"]) == (edition.slug, "prototyping", True)
    challenges = edition.challenges.order_by("order")
    assert [c["id"] for c in body["challenges"]] == list(challenges.values_list("pk", flat=True))
    ideas = {i["id"]: i for i in body["ideas"]}
    assert list(ideas) == [bikes.pk, benches.pk, other.pk]  # the hidden idea is not there
    assert {k: ideas[bikes.pk][k] for k in ("challenge", "title", "status", "supports", "comments", "merged_into")} == {
        "challenge": bikes.challenge_id, "title": "Fahrradständer am Bahnhof", "status": "in_prototyping",
        "supports": 2, "comments": 1, "merged_into": None,
    }
    assert (ideas[benches.pk]["supports"], ideas[other.pk]["supports"]) == (1, 0)
    assert ideas[bikes.pk]["url"] == f"/editions/{edition.slug}/ideas/{bikes.pk}/"
    assert body["links"] == [{"source": benches.pk, "target": bikes.pk, "kind": "builds_on"}]
    assert [(t["id"], t["name"], t["ideas"], t["members"], t["prototype"]) for t in body["teams"]] == [
        (team.pk, "Die Radler", [bikes.pk], 2, {"status": "draft", "version": 1})
    ]
    assert [a["text"] for a in body["announcements"]] == ["Pitches um 15 Uhr im Saal"]
    assert [e["seq"] for e in body["recent"]] == list(range(max(body["seq"] - 29, 1), body["seq"] + 1))


def test_it_shows_no_email_address_room_link_or_notes(client, edition, busy):
    emails = list(User.objects.values_list("email", flat=True))
    assert len(emails) == 5
    texts = {
        "snapshot": snapshot(client, edition).content.decode(),
        "log": log(client, edition).content.decode(),
    }
    for name, text in texts.items():
        assert not [e for e in emails if e in text] and "@" not in text, name
        assert ROOM not in text and "geheimer-raum" not in text, name
        assert "Schlüssel" not in text and "Schl\\u00fcssel" not in text, name
        assert "unflätig" not in text and "unfl\\u00e4tig" not in text, name  # hidden since


def test_it_blanks_the_titles_of_ideas_hidden_since_in_the_log_and_the_ticker(client, edition, busy):
    rude, bikes = busy["rude"], busy["bikes"]
    logged = log(client, edition).json()["events"]
    created = {e["data"]["idea"]: e["data"] for e in logged if e["type"] == "idea.created"}
    assert created[rude.pk] | {"idea": None} == {
        "idea": None, "challenge": rude.challenge_id, "title": None, "hidden": True, "author": "Ida Author",
        "status": "open", "builds_on": [], "tags": [],
    }
    assert created[bikes.pk]["title"] == "Fahrradständer am Bahnhof" and "hidden" not in created[bikes.pk]
    assert ("idea.hidden", {"idea": rude.pk}) in [(e["type"], e["data"]) for e in logged]
    # The stored log itself is never changed.
    stored = LiveEvent.objects.get(edition=edition, type="idea.created", payload__idea=rude.pk)
    assert stored.payload["title"] == "Ein unflätiger Titel"

    body = snapshot(client, edition).json()
    ticker = {e["data"]["idea"]: e["data"] for e in body["recent"] if e["type"] == "idea.created"}
    assert (ticker[rude.pk]["title"], ticker[bikes.pk]["title"]) == (None, "Fahrradständer am Bahnhof")


def test_its_queries_do_not_grow_with_the_ideas_and_teams(client, edition, organizer, participant, make_participant):
    challenge = edition.challenges.first()
    move_to(edition, organizer, "ideation")
    first = idea_services.idea_create(actor=participant, challenge=fresh(challenge), title="Die erste Idee")
    move_to(edition, organizer, "team_building")
    team_services.team_found(actor=participant, challenge=fresh(challenge), name="Team eins", ideas=[fresh(first)])
    snapshot(client, edition)  # warm caches (content types, translations)

    cache.clear()  # the cost of building it (a visitor's next request is served from the page cache)
    with CaptureQueriesContext(connection) as few:
        snapshot(client, edition)

    move_to(edition, organizer, "ideation")
    authors = [make_participant(f"Autorin {n}") for n in range(3)]
    ideas = [first]
    for n in range(29):
        ideas.append(idea_services.idea_create(
            actor=authors[n % 3], challenge=fresh(challenge), title=f"Idee Nummer {n}", builds_on=ideas[-1:],
        ))
        idea_services.comment_create(actor=authors[(n + 1) % 3], idea=ideas[-1], body="Dazu eine Frage")
    move_to(edition, organizer, "team_building")
    for n, author in enumerate(authors):
        team_services.team_found(actor=author, challenge=fresh(challenge), name=f"Team {n + 2}",
                                 ideas=[fresh(i) for i in ideas[5 * n + 1:5 * n + 3]])

    cache.clear()
    with CaptureQueriesContext(connection) as many:
        body = snapshot(client, edition).json()

    assert (len(body["ideas"]), len(body["teams"]), len(body["links"])) == (30, 4, 29)
    # The edition, its challenges, phases and partners (edition_get); the cursor; announcements;
    # ideas, links, themes; teams with their sizes, their ideas, prototypes; the recent events and
    # which of their ideas are hidden now.
    queries = "\n".join(q["sql"] for q in many.captured_queries)
    # And the page cache's key: the dates the clock changes pages on and, without Redis, the
    # event numbers.
    assert len(many) == len(few) == (15 if shared() else 16), queries


# --- the log -------------------------------------------------------------------------------------------


def test_the_log_comes_in_pages(client, edition, organizer, monkeypatch):
    monkeypatch.setattr(views, "LOG_PAGE", 5)
    for n in range(12):
        announcement_create(actor=organizer, edition=edition, text=f"Ansage {n}")

    pages, after = [], 0
    while after is not None:
        page = log(client, edition, f"after={after}").json()
        pages.append(([e["seq"] for e in page["events"]], page["next"], page["last"]))
        after = page["next"]

    assert pages == [([1, 2, 3, 4, 5], 5, 12), ([6, 7, 8, 9, 10], 10, 12), ([11, 12], None, 12)]
    first = LiveEvent.objects.get(edition=edition, seq=1)
    assert log(client, edition).json()["events"][0] == {
        "seq": 1, "type": "announcement.created", "at": first.created_at.isoformat(),
        "data": {"announcement": first.payload["announcement"], "text": "Ansage 0"},
    }
    assert log(client, edition, "after=12").json() == {"events": [], "next": None, "last": 12}
    assert log(client, edition, "after=500").json() == {"events": [], "next": None, "last": 12}


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "99999999999999999999", "%D9%A3", "%1F5", "5%1C"])
def test_the_log_refuses_a_bad_position_with_a_message(client, edition, after):
    response = log(client, edition, f"after={after}")
    with override("de"):
        message = gettext("The event number must be a whole number of zero or more.")
    assert (response.status_code, response.content.decode()) == (400, message)


def test_a_draft_is_not_there_for_visitors_but_is_for_its_organizers(client, edition, organizer):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.DRAFT)
    for path in ("live/snapshot", "live/log", "live/log?after=abc", "live/", "live/replay/"):
        assert client.get(f"/editions/{edition.slug}/{path}").status_code == 404, path

    client.force_login(organizer)
    assert snapshot(client, edition).json()["edition"]["slug"] == edition.slug
    assert log(client, edition).status_code == 200
