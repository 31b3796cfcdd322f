"""Announcements and phase changes reach every open page of an edition, live.

A participant has the idea list open (on a phone); an organizer, in a browser of their own,
sends an announcement from the edition page and then moves the agenda on. The participant's
page shows both without a reload, and the messages can be dismissed (an announcement stays
dismissed after a reload). The page with the banner showing has no serious accessibility
violation.

The live stream needs a real ASGI server (`tests/asgi_server.py`); Django's live server speaks
WSGI, on which the pages offer no stream.
"""

import pytest
from django.utils import timezone

from helpathon.editions.models import Announcement
from helpathon.editions.services import phase_set
from helpathon.registrations.models import Registration
from tests.e2e.conftest import assert_accessible, log_in, serving
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "live-hinweise"
PHONE = {"width": 390, "height": 844}
TEXT = "Um 14 Uhr beginnt die Bewertung – bitte speichert eure Ideen bis dahin."
LIVE = 8_000  # ms to wait for something the stream brings (it flushes every quarter second)


@pytest.fixture
def cast():
    organizers_group()
    edition = make_edition(slug=SLUG, title="Live-Hinweise")
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    participant = make_user("paula@example.org", display_name="Paula Participant")
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=participant, status=Registration.Status.CONFIRMED, sector="business",
        role="founder", consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return {"edition": edition, "organizer": organizer, "participant": participant}


@pytest.fixture
def server(pages):
    with serving(pages) as running:
        yield running


def test_announcements_and_phase_changes_reach_open_pages(cast, server, pages, screenshot):
    def url(path: str) -> str:
        return server.url + path

    participant = pages(viewport=PHONE)
    log_in(participant, url, cast["participant"].email, PASSWORD)
    participant.goto(url(f"/editions/{SLUG}/ideas/"))
    banner = participant.locator(".live-banner")
    assert banner.get_attribute("data-stream").startswith(f"/editions/{SLUG}/live/stream?after=")
    assert banner.get_attribute("aria-live") == "polite"
    assert participant.locator(".live-banner-item").count() == 0

    organizer = pages()
    log_in(organizer, url, cast["organizer"].email, PASSWORD)
    organizer.goto(url(f"/editions/{SLUG}/"))
    organizer.locator("#announcement_text").fill(TEXT)
    with organizer.expect_navigation():
        organizer.locator("#announcement-control button[type=submit]").first.click()
    assert organizer.url.endswith("#announcement-control")
    assert Announcement.objects.get().text == TEXT

    # The participant's open page shows it, without a reload.
    item = participant.locator(".live-banner-item[data-announcement]")
    item.wait_for(timeout=LIVE)
    assert TEXT in item.inner_text()
    assert item.locator("time").count() == 1
    assert participant.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    screenshot(participant, "announcement")

    # The organizer moves the agenda on; the participant is told to reload.
    with organizer.expect_navigation():
        organizer.locator("button[name=command][value=next]").click()
    notice = participant.locator(".live-banner-phase")
    notice.wait_for(timeout=LIVE)
    evaluation = cast["edition"].phases.get(kind="evaluation").display_title
    assert evaluation in notice.inner_text()
    assert notice.get_by_role("button", name="Reload page").count() + notice.get_by_role(
        "button", name="Seite neu laden").count() == 1
    screenshot(participant, "phase-changed")

    assert_accessible(participant, "idea list with the live banner")

    # Dismissing: the phase notice goes; the announcement goes and stays gone.
    notice.locator(".live-banner-dismiss").click()
    assert participant.locator(".live-banner-phase").count() == 0
    item.locator(".live-banner-dismiss").click()
    assert participant.locator(".live-banner-item").count() == 0
    participant.reload()
    assert participant.locator(".live-banner-item").count() == 0
    # The organizer, who dismissed nothing, still sees it after the reload.
    organizer.reload()
    assert TEXT in organizer.locator(".live-banner").inner_text()

    # Withdrawn, it leaves the open pages too.
    second = pages()
    second.goto(url(f"/editions/{SLUG}/challenges/{cast['edition'].challenges.first().slug}/"))
    assert TEXT in second.locator(".live-banner").inner_text()
    with organizer.expect_navigation():
        organizer.locator("#announcement-control .announcement-log button[type=submit]").first.click()
    second.locator(".live-banner-item[data-announcement]").wait_for(state="detached", timeout=LIVE)
