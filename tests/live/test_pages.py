"""The live dashboard and the replay pages (Django's test client; the browser tests are in
tests/e2e/test_live.py). Without JavaScript the dashboard shows the edition's state as lists and
tables; a draft edition is private; the dashboard's query count does not grow with its ideas."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions.models import Edition
from helpathon.editions.services import announcement_create, phase_set
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db


def live_url(edition, suffix=""):
    return f"/editions/{edition.slug}/live/{suffix}"


def embedded_snapshot(response) -> dict:
    match = re.search(r'<script id="live-snapshot" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "the page carries no snapshot"
    return json.loads(match[1])


@pytest.fixture
def ideation(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def ideas(ideation, participant):
    first, second = ideation.challenges.order_by("order")
    return [
        idea_services.idea_create(actor=participant, challenge=first, title="Mehr Fahrradständer am Bahnhof"),
        idea_services.idea_create(actor=participant, challenge=first, title="Lastenräder zum Ausleihen"),
        idea_services.idea_create(actor=participant, challenge=second, title="Ein Repair-Café im Quartier"),
    ]


def registered(edition, email: str, name: str):
    user = make_user(email, display_name=name)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


def rows(html: str) -> dict[str, list[str]]:
    """The challenges table as {challenge title: [ideas, comments, supports, teams, prototypes]}."""
    body = re.search(r'<tbody data-live="challenges">(.*?)</tbody>', html, re.S)[1]
    result = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        title = re.search(r"<a [^>]*>(.*?)</a>", row)[1]
        result[title] = re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)
    return result


# --- who may see it ----------------------------------------------------------------------------


def test_it_shows_the_dashboard_to_a_visitor(client, edition):
    response = client.get(live_url(edition))

    assert response.status_code == 200
    html = response.content.decode()
    assert edition.title in html
    assert 'src="/static/vendor/d3/d3.min.js"' in html
    assert 'src="/static/js/live/dashboard.js"' in html
    assert embedded_snapshot(response)["edition"]["slug"] == edition.slug


def test_it_shows_the_replay_to_a_visitor(client, edition):
    response = client.get(live_url(edition, "replay/"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/js/live/replay.js"' in html
    assert f'data-log-url="/editions/{edition.slug}/live/log"' in html
    assert 'type="range"' in html
    assert embedded_snapshot(response)["recent"] == []


@pytest.mark.parametrize("suffix", ["", "replay/"])
def test_it_hides_a_draft_edition_from_strangers(client, citizen, suffix):
    draft = make_edition(slug="entwurf", status=Edition.Status.DRAFT)

    assert client.get(live_url(draft, suffix)).status_code == 404
    client.force_login(citizen)
    assert client.get(live_url(draft, suffix)).status_code == 404


def test_it_answers_404_for_an_unknown_edition(client, db):
    assert client.get("/editions/gibt-es-nicht/live/").status_code == 404


# --- what it shows without JavaScript -----------------------------------------------------------


def test_it_renders_ideas_and_counters_without_javascript(client, ideas, participant, organizer):
    supporter_edition = ideas[0].edition
    supporter = registered(supporter_edition, "sofia@example.org", "Sofia Supporter")
    phase_set(actor=organizer, edition=supporter_edition, phase=supporter_edition.phases.get(kind="evaluation"))
    evaluation_services.support_add(actor=supporter, idea=ideas[1])
    idea_services.comment_create(actor=participant, idea=ideas[1], body="Gute Idee!")
    idea_services.comment_create(actor=participant, idea=ideas[2], body="Wo genau?")

    html = client.get(live_url(supporter_edition)).content.decode()

    first, second = supporter_edition.challenges.order_by("order")
    assert rows(html) == {first.title: ["2", "1", "1", "0", "0"], second.title: ["1", "1", "0", "0", "0"]}
    total = re.search(r'<tr data-live="total">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', total) == ["3", "2", "1", "0", "0"]
    # The top ideas: most supports first.
    top = re.search(r'<ol class="live-top-list" data-live="top">(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"<a [^>]*>(.*?)</a>", top)[0] == "Lastenräder zum Ausleihen"
    # Every idea is listed under its challenge, linked to its page.
    for idea in ideas:
        assert f'<a href="/editions/{supporter_edition.slug}/ideas/{idea.pk}/">{idea.title}</a>' in html
    # The recent activity, newest first, as sentences.
    ticker = re.search(r'<ol class="live-ticker" data-live="ticker">(.*?)</ol>', html, re.S)[1]
    sentences = re.findall(r'<span class="live-sentence">(.*?)</span>', ticker, re.S)
    assert len(sentences) >= 4
    assert "Ein Repair-Café im Quartier" in sentences[0]  # the last comment
    assert any("Mehr Fahrradständer am Bahnhof" in s and first.title in s for s in sentences)
    # The current phase.
    assert "data-live=\"phase\">" in html and supporter_edition.phases.get(kind="evaluation").display_title in html


def test_it_shows_the_organizers_announcements(client, edition, organizer):
    announcement_create(actor=organizer, edition=edition, text="Pause bis 14 Uhr, danach Pitches!")

    html = client.get(live_url(edition)).content.decode()

    box = re.search(r'<section class="live-announcements"[^>]*>(.*?)</section>', html, re.S)
    assert "hidden" not in box[0].split(">")[0]
    assert "Pause bis 14 Uhr, danach Pitches!" in box[1]


def test_it_shows_no_title_of_a_hidden_idea(client, ideas, organizer):
    content_hide(actor=organizer, idea=ideas[0], reason="Verstößt gegen die Regeln der Ausgabe.")

    html = client.get(live_url(ideas[0].edition)).content.decode()

    assert "Mehr Fahrradständer am Bahnhof" not in html
    assert "Lastenräder zum Ausleihen" in html


def test_it_escapes_what_people_wrote(client, ideation, participant):
    idea_services.idea_create(actor=participant, challenge=ideation.challenges.first(), title="<script>alert(1)</script> Idee")

    response = client.get(live_url(ideation))

    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Idee" in html
    assert embedded_snapshot(response)["ideas"][0]["title"] == "<script>alert(1)</script> Idee"


def test_it_opens_in_projector_mode_when_asked(client, edition):
    assert 'class="live is-projector"' in client.get(live_url(edition) + "?projector=1").content.decode()
    assert 'class="live"' in client.get(live_url(edition)).content.decode()


def test_it_gives_the_scripts_their_texts(client, edition):
    html = client.get(live_url(edition)).content.decode()

    messages = dict(re.findall(r'<li data-key="([\w.]+)">(.*?)</li>', re.search(r'<ul id="live-messages" hidden>(.*?)</ul>', html, re.S)[1], re.S))
    for key in ["idea.created", "support.changed", "summary.ideas.one", "summary.ideas.other", "connection.open",
                "replay.play", "hidden", "graph.label"]:
        assert messages.get(key, "").strip(), key
    assert "{title}" in messages["idea.created"] and "{challenge}" in messages["idea.created"]


# --- cost ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboards_queries_do_not_grow_with_its_ideas(client, ideation, participant):
    challenge = ideation.challenges.first()
    idea_services.idea_create(actor=participant, challenge=challenge, title="Die erste Idee")
    one = _queries(client, live_url(ideation))
    for number in range(29):
        idea_services.idea_create(actor=participant, challenge=challenge, title=f"Noch eine Idee Nummer {number}")

    thirty = _queries(client, live_url(ideation))

    # The session and the edition, its agenda and challenges, then one query per snapshot part
    # (ideas, links, themes, teams, memberships, prototypes, announcements, the cursor and the
    # recent events with the redaction of hidden titles): the same for 1 and for 30 ideas.
    assert thirty == one
    assert one <= 20
