"""Organizers' announcements: the services, the organizer panel's forms, and the live banner
that shows current announcements on every page of an edition."""

import re

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from helpathon.editions.models import Announcement, Edition
from helpathon.editions.services import announcement_create, announcement_withdraw, phase_set
from helpathon.live import services as live_services
from helpathon.live.models import LiveEvent
from helpathon.live.selectors import cursor_seq
from helpathon.live.services import on_published
from tests.factories import make_edition

pytestmark = pytest.mark.django_db

TEXT = "Um 14 Uhr beginnt die Bewertung. Bitte speichert eure Ideen bis dahin."


@pytest.fixture
def hooks(monkeypatch):
    """What reaches the after-commit hooks (the brokers) of the live events."""
    monkeypatch.setattr(live_services, "_after_commit_hooks", [])
    seen = []
    on_published(seen.append)
    return seen


def _events(edition, type_=None) -> list[LiveEvent]:
    qs = LiveEvent.objects.filter(edition=edition).order_by("seq")
    return list(qs.filter(type=type_) if type_ else qs)


def _create_url(edition) -> str:
    return f"/editions/{edition.slug}/announcements/"


def _withdraw_url(edition, announcement) -> str:
    return f"/editions/{edition.slug}/announcements/{announcement.pk}/withdraw/"


def _asgi_get(async_client, url: str):
    """A page as an ASGI server serves it (the banner offers its stream only there)."""
    return async_to_sync(async_client.get)(url)


def _banner(html: str) -> str:
    match = re.search(r'<div class="live-banner".*?</div>', html, re.S)
    assert match, "no live banner on the page"
    return match.group(0)


# --- announcement_create ---------------------------------------------------------------------


def test_it_lets_an_organizer_announce(edition, organizer):
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)

    assert Announcement.objects.get() == announcement
    assert (announcement.edition, announcement.text, announcement.created_by) == (edition, TEXT, organizer)
    assert announcement.withdrawn_at is None


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "stranger_organizer"])
def test_it_refuses_everyone_else(edition, who, request, hooks, django_capture_on_commit_callbacks):
    actor = request.getfixturevalue(who)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        announcement_create(actor=actor, edition=edition, text=TEXT)

    assert not Announcement.objects.exists()
    assert (_events(edition), hooks) == ([], [])


def test_it_collapses_whitespace(edition, organizer):
    announcement = announcement_create(actor=organizer, edition=edition, text="  Pause\n\n bis   15 Uhr.\t ")

    assert announcement.text == "Pause bis 15 Uhr."


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n", None])
def test_it_refuses_an_empty_announcement_in_german(edition, organizer, text):
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        announcement_create(actor=organizer, edition=edition, text=text)

    [message] = caught.value.message_dict["text"]
    assert "Ankündigung" in message, message
    assert not Announcement.objects.exists()
    assert _events(edition) == []


def test_it_refuses_a_long_announcement_naming_limit_and_length_in_german(edition, organizer):
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        announcement_create(actor=organizer, edition=edition, text="x" * 612)

    [message] = caught.value.message_dict["text"]
    assert "Ankündigung" in message and "500" in message and "612" in message, message
    assert not Announcement.objects.exists()
    assert _events(edition) == []


def test_it_counts_the_length_after_collapsing_whitespace(edition, organizer):
    text = "a" + " " * 300 + "b" * 498  # 799 characters as typed, 500 as announced

    assert len(announcement_create(actor=organizer, edition=edition, text=text).text) == 500
    with pytest.raises(ValidationError):
        announcement_create(actor=organizer, edition=edition, text="c" * 501)


def test_it_publishes_one_public_event_after_commit(edition, organizer, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)
        assert hooks == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    [event] = _events(edition)
    assert hooks == [event]
    assert event.type == "announcement.created"
    # The text and its number only: not who wrote it, no address.
    assert event.payload == {"announcement": announcement.pk, "text": TEXT}
    assert organizer.email not in str(event.payload) and organizer.display_name not in str(event.payload)


# --- announcement_withdraw -------------------------------------------------------------------


def test_it_withdraws_an_announcement_once(edition, organizer, hooks, django_capture_on_commit_callbacks):
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)
    hooks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = announcement_withdraw(actor=organizer, announcement=announcement)
    with django_capture_on_commit_callbacks(execute=True):
        second = announcement_withdraw(actor=organizer, announcement=announcement)

    assert first.withdrawn_at is not None and first.withdrawn_by == organizer
    assert second.withdrawn_at == first.withdrawn_at
    [event] = _events(edition, "announcement.withdrawn")
    assert hooks == [event]
    assert event.payload == {"announcement": announcement.pk}


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "stranger_organizer"])
def test_it_lets_only_organizers_withdraw(edition, organizer, who, request):
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)

    with pytest.raises(PermissionDenied):
        announcement_withdraw(actor=request.getfixturevalue(who), announcement=announcement)

    assert Announcement.objects.get().withdrawn_at is None
    assert _events(edition, "announcement.withdrawn") == []


# --- the organizer panel ---------------------------------------------------------------------


def test_it_offers_the_form_to_organizers_only(client, edition, organizer, participant):
    client.force_login(participant)
    assert 'id="announcement_text"' not in client.get(edition.get_absolute_url()).content.decode()

    client.force_login(organizer)
    html = client.get(edition.get_absolute_url()).content.decode()
    assert 'id="announcement_text"' in html
    assert f'action="{_create_url(edition)}"' in html
    assert 'data-count-for="announcement_text" data-max="500"' in html


def test_it_sends_an_announcement_through_the_form(client, edition, organizer):
    client.force_login(organizer)

    response = client.post(_create_url(edition), {"text": TEXT}, follow=True)

    assert response.redirect_chain == [(f"{edition.get_absolute_url()}#announcement-control", 302)]
    assert Announcement.objects.get().text == TEXT
    html = response.content.decode()
    assert "message-success" in html
    assert TEXT in _banner(html)


@pytest.mark.parametrize(("text", "error"), [("   ", "Please write the announcement."),
                                             ("Zu lang! " * 60, "Please keep the announcement to 500 characters")])
def test_it_shows_the_form_again_with_the_text_kept(client, edition, organizer, text, error):
    client.force_login(organizer)
    client.cookies["django_language"] = "en"  # German first: only the switch gives English

    response = client.post(_create_url(edition), {"text": text})

    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'id="announcement_text_error"' in html and 'aria-invalid="true"' in html
    field = re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert field.strip() == text.strip()
    assert not Announcement.objects.exists()


def test_it_shows_errors_in_the_users_language(client, edition, organizer):
    client.force_login(organizer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.post(_create_url(edition), {"text": ""}).content.decode()

    assert "Please write the announcement." in html


def test_it_refuses_text_no_database_takes(client, edition, organizer):
    client.force_login(organizer)

    response = client.post(_create_url(edition), {"text": "Hallo\x00"})

    assert response.status_code == 200
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("citizen", 403), ("participant", 403), ("stranger_organizer", 403)])
@pytest.mark.parametrize("text", [TEXT, "", "x" * 600])
def test_it_refuses_others_whatever_they_send(client, edition, who, status, text, request):
    client.force_login(request.getfixturevalue(who))

    assert client.post(_create_url(edition), {"text": text}).status_code == status
    assert not Announcement.objects.exists()


def test_it_sends_visitors_to_the_login(client, edition):
    response = client.post(_create_url(edition), {"text": TEXT})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Announcement.objects.exists()


def test_it_hides_a_draft_from_strangers(client, stranger_organizer):
    draft = make_edition(slug="entwurf", status=Edition.Status.DRAFT)
    client.force_login(stranger_organizer)

    assert client.post(_create_url(draft), {"text": TEXT}).status_code == 404


def test_it_answers_only_posts(client, edition, organizer):
    client.force_login(organizer)
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)

    assert client.get(_create_url(edition)).status_code == 405
    assert client.get(_withdraw_url(edition, announcement)).status_code == 405


def test_it_needs_the_csrf_token(edition, organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)

    assert client.post(_create_url(edition), {"text": TEXT}).status_code == 403
    assert not Announcement.objects.exists()

    html = client.get(edition.get_absolute_url()).content.decode()
    form = html[html.index(f'action="{_create_url(edition)}"'):]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert client.post(_create_url(edition), {"text": TEXT, "csrfmiddlewaretoken": token}).status_code == 302
    assert Announcement.objects.get().text == TEXT


def test_it_lists_recent_announcements_with_a_withdraw_button(client, edition, organizer):
    kept = announcement_create(actor=organizer, edition=edition, text="Noch aktuell.")
    gone = announcement_create(actor=organizer, edition=edition, text="Schon zurückgezogen.")
    announcement_withdraw(actor=organizer, announcement=gone)
    client.force_login(organizer)

    html = client.get(edition.get_absolute_url()).content.decode()
    panel = html[html.index('id="announcement-control"'):]

    assert panel.index("Schon zurückgezogen.") < panel.index("Noch aktuell.")  # newest first
    assert f'action="{_withdraw_url(edition, kept)}"' in panel
    assert f'action="{_withdraw_url(edition, gone)}"' not in panel
    assert 'class="is-withdrawn"' in panel


def test_it_withdraws_through_the_form(client, edition, organizer):
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)
    client.force_login(organizer)

    response = client.post(_withdraw_url(edition, announcement))

    assert response.status_code == 302
    assert response["Location"] == f"{edition.get_absolute_url()}#announcement-control"
    assert Announcement.objects.get().withdrawn_at is not None
    assert TEXT not in _banner(client.get(edition.get_absolute_url()).content.decode())
    assert client.post(_withdraw_url(edition, announcement)).status_code == 302  # again: no harm
    assert len(_events(edition, "announcement.withdrawn")) == 1


@pytest.mark.parametrize("who", ["citizen", "participant", "stranger_organizer"])
def test_it_lets_no_one_else_withdraw(client, edition, organizer, who, request):
    announcement = announcement_create(actor=organizer, edition=edition, text=TEXT)
    client.force_login(request.getfixturevalue(who))

    assert client.post(_withdraw_url(edition, announcement)).status_code == 403
    assert Announcement.objects.get().withdrawn_at is None


def test_it_does_not_withdraw_across_editions(client, edition, organizer):
    other = make_edition(slug="andere")
    other.organizers.add(organizer)
    elsewhere = announcement_create(actor=organizer, edition=other, text=TEXT)
    client.force_login(organizer)

    assert client.post(_withdraw_url(edition, elsewhere)).status_code == 404
    for pk in ("0", "99999999999999999999"):
        assert client.post(f"/editions/{edition.slug}/announcements/{pk}/withdraw/").status_code == 404
    assert Announcement.objects.get().withdrawn_at is None


# --- the live banner -------------------------------------------------------------------------


def test_it_shows_current_announcements_on_every_edition_page(client, edition, organizer, participant):
    texts = [f"Ankündigung Nummer {n}." for n in range(5)]
    made = [announcement_create(actor=organizer, edition=edition, text=text) for text in texts]
    announcement_withdraw(actor=organizer, announcement=made[4])
    challenge = edition.challenges.first()
    client.force_login(participant)

    for url in (edition.get_absolute_url(), challenge.get_absolute_url(), f"/editions/{edition.slug}/ideas/",
                f"/editions/{edition.slug}/teams/"):
        banner = _banner(client.get(url).content.decode())
        # Not withdrawn, newest first, at most three.
        shown = re.findall(r"Ankündigung Nummer (\d)", banner)
        assert shown == ["3", "2", "1"], (url, shown)
        assert 'role="region"' in banner and 'aria-live="polite"' in banner


def test_it_shows_no_banner_outside_an_edition(client, edition, organizer):
    announcement_create(actor=organizer, edition=edition, text=TEXT)

    html = client.get("/").content.decode()

    assert "live-banner" not in html and TEXT not in html


def test_it_escapes_the_text(client, edition, organizer):
    announcement_create(actor=organizer, edition=edition, text='<script>alert("x")</script> & mehr')

    banner = _banner(client.get(edition.get_absolute_url()).content.decode())

    assert "<script>" not in banner
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mehr" in banner


def test_it_offers_the_stream_from_the_current_event(async_client, edition, organizer):
    announcement_create(actor=organizer, edition=edition, text=TEXT)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    seq = cursor_seq(edition.pk)
    assert seq == 2

    response = _asgi_get(async_client, edition.challenges.first().get_absolute_url())

    banner = _banner(response.content.decode())
    assert f'data-stream="/editions/{edition.slug}/live/stream?after={seq}"' in banner
    assert TEXT in banner
    # The page's script takes every text from the banner.
    for name in ("label-announcement", "label-phase", "text-phase", "text-phase-none", "label-reload",
                 "label-dismiss"):
        assert f'data-{name}="' in banner
    assert "{title}" in re.search(r'data-text-phase="([^"]*)"', banner).group(1)


def test_it_offers_no_stream_for_a_draft(async_client, organizer):
    draft = make_edition(slug="entwurf", status=Edition.Status.DRAFT)
    draft.organizers.add(organizer)
    announcement_create(actor=organizer, edition=draft, text=TEXT)
    async_client.force_login(organizer)

    banner = _banner(_asgi_get(async_client, draft.get_absolute_url()).content.decode())

    assert TEXT in banner
    assert "data-stream" not in banner


def test_it_offers_no_stream_under_wsgi(client, edition, organizer):
    # A WSGI server would hold a thread for as long as the page is open.
    announcement_create(actor=organizer, edition=edition, text=TEXT)

    banner = _banner(client.get(edition.get_absolute_url()).content.decode())

    assert TEXT in banner
    assert "data-stream" not in banner


def _count(get, url) -> int:
    cache.clear()  # what the page costs to build, not a visitor's copy from the page cache
    with CaptureQueriesContext(connection) as captured:
        response = get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["visitor", "organizer"])
def test_it_keeps_the_query_count_whatever_the_number_of_announcements(async_client, edition, organizer, who):
    if who == "organizer":
        async_client.force_login(organizer)
    url = edition.get_absolute_url()
    announcement_create(actor=organizer, edition=edition, text="Eine.")
    get = lambda u: _asgi_get(async_client, u)  # noqa: E731
    get(url)  # warm up the session
    few = _count(get, url)
    for n in range(8):
        made = announcement_create(actor=organizer, edition=edition, text=f"Noch eine, Nummer {n}.")
        if n % 3 == 0:
            announcement_withdraw(actor=organizer, announcement=made)

    assert _count(get, url) == few


def test_it_costs_a_page_two_queries(async_client, edition, organizer):
    url = edition.challenges.first().get_absolute_url()
    before = _count(lambda u: _asgi_get(async_client, u), url + "?")  # no announcement yet; warms up
    announcement_create(actor=organizer, edition=edition, text=TEXT)

    with CaptureQueriesContext(connection) as captured:
        _asgi_get(async_client, url)

    # (The page cache's key, the sum of every edition's event number, is not the banner's.)
    banner_queries = [q["sql"] for q in captured if ("live_livecursor" in q["sql"] and "SUM(" not in q["sql"])
                      or ("editions_announcement" in q["sql"] and "UNION" not in q["sql"])]
    assert len(banner_queries) == 2, banner_queries
    assert "live_livecursor" in banner_queries[0]  # the number first: nothing falls between the two
    assert len(captured) == before
