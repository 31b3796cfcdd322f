"""The organizers' console, in a browser (issue 7's journey): an organizer copies a past
edition into a new draft, broadcasts an announcement from the control room that appears on a
participant's already open edition page without a reload, checks a participant in, and hides a
reported comment from the moderation queue, after which the idea page no longer shows it.

The live banner needs a real ASGI server (`tests/asgi_server.py`), as in test_announcements.py.
"""

import pytest
from django.utils import timezone

from helpathon.editions.models import Announcement, Edition
from helpathon.editions.services import phase_set
from helpathon.ideas.models import Comment
from helpathon.ideas.services import comment_create, idea_create
from helpathon.moderation.models import Report
from helpathon.moderation.services import report_create
from helpathon.registrations.models import Registration
from tests.e2e.conftest import assert_accessible, log_in, serving
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "stadtteil-2030"
PHONE = {"width": 390, "height": 844}
ANNOUNCEMENT = "Die Pitches beginnen in zehn Minuten im großen Raum."
RUDE = "Was für eine dumme Idee, typisch für euch Idioten."
LIVE = 8_000  # ms to wait for something the stream brings


def _confirm(edition, user):
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="civil_society",
        role="citizen", consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )


@pytest.fixture
def cast():
    organizers_group()
    edition = make_edition(slug=SLUG, title="Stadtteil-Helpathon 2030")
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    participant = make_user("paula@example.org", display_name="Paula Participant")
    _confirm(edition, participant)
    rude = make_user("rudi@example.org", display_name="Rudi Rüde")
    _confirm(edition, rude)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    idea = idea_create(actor=participant, challenge=edition.challenges.first(), title="Ein Garten auf dem Dach")
    comment = comment_create(actor=rude, idea=idea, body=RUDE)
    report_create(actor=participant, comment=comment, reason="Beleidigt die Autorin.")
    return {"edition": edition, "organizer": organizer, "participant": participant, "idea": idea, "comment": comment}


@pytest.fixture
def server(pages):
    with serving(pages) as running:
        yield running


def test_an_organizer_runs_the_day_from_the_console(cast, server, pages, screenshot):
    def url(path: str) -> str:
        return server.url + path

    edition, idea, comment = cast["edition"], cast["idea"], cast["comment"]
    console = f"/editions/{SLUG}/console/"

    # The participant has the edition page open, on a phone.
    participant = pages(viewport=PHONE)
    log_in(participant, url, cast["participant"].email, PASSWORD)
    participant.goto(url(f"/editions/{SLUG}/"))
    assert participant.locator(".live-banner-item").count() == 0

    organizer = pages()
    log_in(organizer, url, cast["organizer"].email, PASSWORD)

    # 1. From the console's home, copy the edition into a new draft.
    organizer.locator(".site-nav a[href='/console/']").click()
    organizer.wait_for_url(url("/console/"))
    assert edition.title in organizer.locator("table").inner_text()
    assert_accessible(organizer, "console home")
    organizer.locator(f"a[href='{console}copy/']").click()
    organizer.wait_for_url(url(f"{console}copy/"))
    organizer.locator("#id_title").fill("Stadtteil-Helpathon 2031")
    organizer.locator("#id_starts_at").fill("2031-09-05T09:00")
    assert_accessible(organizer, "copy form")
    with organizer.expect_navigation():
        organizer.locator("main form button[type=submit]").click()
    copy = Edition.objects.get(slug="stadtteil-helpathon-2031")
    assert organizer.url == url(f"/editions/{copy.slug}/console/edit/")
    assert copy.status == Edition.Status.DRAFT
    assert copy.challenges.count() == edition.challenges.count()
    assert copy.phases.count() == edition.phases.count()
    assert not copy.registrations.exists() and not copy.ideas.exists()
    assert "Stadtteil-Helpathon 2031" in organizer.locator("h1").inner_text()
    screenshot(organizer, "copied")

    # 2. In the source edition's control room, broadcast an announcement.
    organizer.goto(url(console))
    assert_accessible(organizer, "control room")
    screenshot(organizer, "control-room")
    organizer.locator("#announcement_text").fill(ANNOUNCEMENT)
    with organizer.expect_navigation():
        organizer.locator("#announcement-control button[type=submit]").first.click()
    assert organizer.url == url(console + "#announcement-control")  # back in the console
    assert Announcement.objects.get(edition=edition).text == ANNOUNCEMENT

    # It appears on the participant's open page, without a reload.
    item = participant.locator(".live-banner-item[data-announcement]")
    item.wait_for(timeout=LIVE)
    assert ANNOUNCEMENT in item.inner_text()
    assert participant.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    screenshot(participant, "announcement")

    # 3. Check the participant in at the (virtual) door: the row changes in place.
    organizer.locator(f"a[href='{console}registrations/']").first.click()
    organizer.wait_for_url(url(f"{console}registrations/"))
    assert_accessible(organizer, "registrations")
    organizer.locator("#filter_q").fill("paula")
    with organizer.expect_navigation():
        organizer.locator(".console-filters button[type=submit]").click()
    row = organizer.locator("tbody tr", has_text="paula@example.org")
    assert organizer.locator("tbody tr").count() == 1
    row.locator("button[type=submit]").click()
    row.locator(".badge-checked-in").wait_for()
    assert Registration.objects.get(user=cast["participant"]).checked_in_at is not None
    assert organizer.evaluate("() => performance.getEntriesByType('navigation')[0].type") == "navigate"
    screenshot(organizer, "checked-in")

    # 4. Work the moderation queue: hide the reported comment.
    organizer.goto(url(console))
    organizer.locator(f".console-counts a[href='/editions/{SLUG}/moderation/']").click()
    organizer.wait_for_url(url(f"/editions/{SLUG}/moderation/"))
    assert RUDE in organizer.locator("main").inner_text()
    organizer.locator(f"a[href='/editions/{SLUG}/moderation/comments/{comment.pk}/hide/']").click()
    organizer.locator("#id_reason").fill("Beleidigend gegenüber anderen Teilnehmenden.")
    with organizer.expect_navigation():
        organizer.locator("main form button[type=submit]").first.click()
    assert organizer.url == url(f"/editions/{SLUG}/moderation/")
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert Report.objects.get().status == Report.Status.HIDDEN
    assert Comment.objects.filter(pk=comment.pk).exists()  # hidden, not deleted

    # The idea page no longer shows it.
    participant.goto(url(idea.get_absolute_url()))
    assert idea.title in participant.locator("h1").inner_text()
    assert RUDE not in participant.locator("main").inner_text()
    assert participant.locator(f"#comment-{comment.pk} .comment-placeholder").count() == 1
    screenshot(participant, "comment-hidden")
