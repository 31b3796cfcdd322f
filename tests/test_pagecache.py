"""Public pages served from the cache to visitors who are not signed in (helpathon/pagecache.py):
served again until the site changes, by an event, any other write or the clock; never to
anyone signed in; each response with the visitor's own CSRF token."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions.models import Challenge, PhaseKind
from helpathon.editions.services import announcement_create, phase_set
from helpathon.ideas import services as ideas
from helpathon.ideas.models import Theme
from helpathon.live.services import publish
from helpathon.pagecache import PLACEHOLDER, shared

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _without_tokens(response) -> str:
    return ANY_TOKEN.sub(r"\1", response.content.decode())


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, len(ctx.captured_queries)


@pytest.fixture
def ideation(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=PhaseKind.IDEATION))
    return edition


@pytest.fixture
def idea(ideation, participant):
    return ideas.idea_create(actor=participant, challenge=ideation.challenges.first(), title="Bänke am Ufer",
                             body="Mehr **Bänke**.")


def _pages(edition, idea):
    challenge = edition.challenges.first()
    return [
        "/", edition.get_absolute_url(), f"/editions/{edition.slug}/challenges/{challenge.slug}/",
        f"/editions/{edition.slug}/challenges/{challenge.slug}/ideas/", f"/editions/{edition.slug}/ideas/?sort=supported",
        idea.get_absolute_url(), f"/editions/{edition.slug}/live/", f"/editions/{edition.slug}/live/snapshot",
    ]


def test_it_serves_every_public_page_again_with_one_query_and_the_same_content(ideation, idea):
    for url in _pages(ideation, idea):
        first, cold = _get(Client(), url)
        again, warm = _get(Client(), url)
        # Without Redis the event numbers (one query); with Redis everything comes from the cache.
        assert warm == (0 if shared() else 1), (url, warm)
        assert cold > warm
        assert _without_tokens(again) == _without_tokens(first), url
        assert PLACEHOLDER not in again.content.decode()
        assert again["Content-Type"] == first["Content-Type"]


def test_each_visitor_gets_a_working_csrf_token_of_their_own(ideation, idea):
    url = idea.get_absolute_url()
    Client().get(url)  # fills the cache
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(url)
        token = TOKEN.search(response.content.decode()).group(1)
        tokens.append(token)
        # The language switch is a POST: the token from the cached page passes Django's check.
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
        assert Client(enforce_csrf_checks=True).post(
            "/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token}
        ).status_code == 403  # and it is this visitor's: without their cookie it fails
    assert tokens[0] != tokens[1]


def test_a_new_idea_shows_at_once(ideation, idea, participant):
    url = f"/editions/{ideation.slug}/ideas/"
    Client().get(url)
    ideas.idea_create(actor=participant, challenge=ideation.challenges.first(), title="Trinkbrunnen", body="Wasser.")
    assert "Trinkbrunnen" in Client().get(url).content.decode()


def test_an_event_without_a_model_save_shows_at_once(ideation, idea, django_capture_on_commit_callbacks):
    # Such as the themes, which the background worker writes in bulk (no signal).
    url = f"/editions/{ideation.slug}/live/snapshot"
    assert Client().get(url).json()["themes"] == []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Theme.objects.bulk_create([Theme(edition=ideation, label="Wasser am Ufer", size=1, computed_at=timezone.now())])
        publish(edition_id=ideation.pk, type="themes.updated", payload={"themes": 1})
    body = Client().get(url).json()
    assert [t["label"] for t in body["themes"]] == ["Wasser am Ufer"]
    assert body["recent"][-1]["type"] == "themes.updated"


def test_a_change_without_an_event_shows_at_once(ideation, idea):
    url = ideation.get_absolute_url()
    challenge = ideation.challenges.first()
    assert challenge.title in Client().get(url).content.decode()
    Challenge.objects.filter(pk=challenge.pk).update(title="ignored by signals")  # bulk: no signal, no event
    challenge.refresh_from_db()
    challenge.title = "Grüne Innenstadt"
    challenge.save()  # an organizer's edit in the console writes no event
    assert "Grüne Innenstadt" in Client().get(url).content.decode()


def test_the_clock_changes_the_page_without_a_write(edition, monkeypatch):
    url = edition.get_absolute_url()
    before = Client().get(url).content.decode()
    # The edition starts in 7 days; then its first phase (registration) is current.
    later = timezone.now() + timedelta(days=7, minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after = Client().get(url).content.decode()
    assert after != before
    first = edition.phases.order_by("starts_at").first()
    assert 'aria-current="step"' in after and 'aria-current="step"' not in before, first.kind


def test_an_announcement_shows_at_once(ideation, organizer):
    url = ideation.get_absolute_url()
    Client().get(url)
    announcement_create(actor=organizer, edition=ideation, text="Pitches um 16 Uhr")
    assert "Pitches um 16 Uhr" in Client().get(url).content.decode()


def test_signed_in_users_always_get_their_own_page(ideation, idea, participant):
    url = idea.get_absolute_url()
    anonymous = Client().get(url).content.decode()
    member = Client()
    member.force_login(participant)
    mine, queries = _get(member, url)
    assert queries > 1
    page = mine.content.decode()
    assert "Paul Participant" in page and page != anonymous
    assert 'name="body"' in page  # the comment form, which visitors do not get
    # And a visitor after them still gets the visitor's page.
    assert "Paul Participant" not in _without_tokens(Client().get(url)).split("<main")[0]


def test_htmx_requests_and_errors_are_not_cached(ideation, idea):
    url = f"/editions/{ideation.slug}/ideas/"
    _get(Client(), url)
    fragment, queries = _get(Client(headers={"HX-Request": "true"}), url)
    assert queries > 1
    assert "<html" not in fragment.content.decode()
    assert Client().get(f"/editions/{ideation.slug}/ideas/999999/").status_code == 404
    assert Client().get(f"/editions/{ideation.slug}/ideas/999999/").status_code == 404


def test_the_process_memo_keeps_to_its_budget_and_its_time():
    from helpathon import pagecache

    memo = pagecache._Memo(budget=4000)
    for n in range(10):
        memo.set(f"k{n}", b"x" * 900, 900)
    assert memo.used <= 4000
    assert memo.get("k9") == b"x" * 900 and memo.get("k0") is None  # the oldest went first
    memo.set("big", b"x" * 3000, 3000)  # more than a quarter of the budget: not kept
    assert memo.get("big") is None
    memo._items["k9"] = (time.monotonic() - 1, 900, b"old")  # expired
    assert memo.get("k9") is None
