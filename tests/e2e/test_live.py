"""The live dashboard and the replay in a real browser, against a real ASGI server (uvicorn in a
subprocess: pytest-django's live_server speaks WSGI and cannot hold an SSE stream open).

- A viewer's open dashboard shows an idea within a second of a participant submitting it in
  another browser context (measured with the browser's clock), in its lists and as a graph node,
  and tells screen readers about it in one polite summary.
- The replay loads a recorded edition, plays it at full speed to the end, and its slider seeks
  back to the middle of the recording, where only the earlier ideas exist.
- axe-core finds no serious or critical violation on either page, in German and English, on a
  desktop and a phone, also in projector mode; neither page is wider than a phone.
- The fixtures fail a test on any console error or uncaught exception.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpathon.editions.services import announcement_create, phase_set
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live.models import LiveEvent
from helpathon.registrations.models import Registration
from helpathon.teams import services as team_services
from tests.e2e.conftest import log_in, serving
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_ideas_journey import horizontal_overflow
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "live-quartier"
PHONE = {"width": 390, "height": 844}
NEW_TITLE = "Sitzbänke mit Schatten am Marktplatz"
EARLY = ["Mehr Fahrradständer am Bahnhof", "Lastenräder zum Ausleihen", "Ein Repair-Café im Quartier"]
LATE = ["Nachbarschaftsgarten auf dem Parkdeck", "Kiezkasse für kleine Projekte"]


def participant(edition, email: str, name: str):
    user = make_user(email, display_name=name)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="business", role="founder",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def cast():
    """An edition running now, held in its ideation phase by its organizer; two participants."""
    edition = make_edition(slug=SLUG, title="Live im Quartier", starts_in=timedelta(hours=-2), duration=timedelta(hours=10))
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    edition.refresh_from_db()
    anna = participant(edition, "anna@example.org", "Anna Anfang")
    ben = participant(edition, "ben@example.org", "Ben Baustein")
    first, second = edition.challenges.order_by("order")
    return {"edition": edition, "organizer": organizer, "anna": anna, "ben": ben, "first": first, "second": second}


def fresh(row):
    return type(row).objects.get(pk=row.pk)


def record_an_edition(cast) -> None:
    """Ideas, comments, supports, a team and an announcement, written through the services; then
    the log's clock is spread over a day, as a real edition's would be: the EARLY ideas and
    everything about them in the morning, the LATE ideas in the afternoon."""
    edition, organizer, anna, ben = cast["edition"], cast["organizer"], cast["anna"], cast["ben"]
    early = [idea_services.idea_create(actor=anna, challenge=cast["first"], title=EARLY[0], body="Stellplätze fehlen.")]
    early.append(idea_services.idea_create(actor=ben, challenge=cast["first"], title=EARLY[1], body="Für den Einkauf.",
                                           builds_on=[early[0]]))
    early.append(idea_services.idea_create(actor=anna, challenge=cast["second"], title=EARLY[2], body="Reparieren statt wegwerfen."))
    idea_services.comment_create(actor=ben, idea=early[0], body="Überdacht, bitte!")
    announcement_create(actor=organizer, edition=edition, text="Um 12 Uhr gibt es Mittagessen im Foyer.")
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="evaluation"))
    # Fresh rows: the permission checks read the phase from the idea's own edition instance.
    evaluation_services.support_add(actor=ben, idea=fresh(early[0]))
    evaluation_services.support_add(actor=anna, idea=fresh(early[1]))
    evaluation_services.support_add(actor=ben, idea=fresh(early[2]))
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="team_building"))
    team_services.team_found(actor=anna, challenge=fresh(cast["first"]), name="Radstation", ideas=[fresh(early[0])])
    morning = set(LiveEvent.objects.filter(edition=edition).values_list("pk", flat=True))
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    for title in LATE:
        idea_services.idea_create(actor=ben, challenge=fresh(cast["second"]), title=title, body="Später am Tag.")
    start = timezone.now() - timedelta(days=1)
    for position, pk in enumerate(LiveEvent.objects.filter(edition=edition).order_by("seq").values_list("pk", flat=True)):
        afternoon = pk not in morning
        LiveEvent.objects.filter(pk=pk).update(
            created_at=start + timedelta(minutes=7 * position) + (timedelta(hours=6) if afternoon else timedelta())
        )


def wait_ready(page) -> None:
    page.locator("#live[data-ready='true']").wait_for(state="attached")


def group_titles(page) -> list[str]:
    """The idea titles of the twin's lists by challenge (present whether or not they are open)."""
    return page.locator("[data-live='group-ideas'] li[data-key] a").all_text_contents()


def graph_ideas(page) -> int:
    return page.locator("svg.live-svg g.node-idea").count()


# --- The live dashboard follows what happens ------------------------------------------------------


def test_an_idea_appears_on_an_open_dashboard_within_a_second(pages, cast, screenshot):
    edition = cast["edition"]
    idea_services.idea_create(actor=cast["ben"], challenge=cast["first"], title=EARLY[0], body="Stellplätze fehlen.")
    with serving(pages) as server:
        def url(path):
            return server.url + path

        # A viewer opens the dashboard; it shows the idea that exists and connects to the stream.
        viewer = pages()
        viewer.goto(url(f"/editions/{SLUG}/live/"))
        wait_ready(viewer)
        viewer.locator("[data-live='connection'][data-state='open']").wait_for()
        assert EARLY[0] in group_titles(viewer)
        assert graph_ideas(viewer) == 1
        assert viewer.locator("[data-live='total-ideas']").inner_text() == "1"
        # Note, in the viewer's browser, when the new idea's title first shows in its lists.
        viewer.evaluate(
            """(title) => {
                window.__seenAt = null;
                const seen = () => [...document.querySelectorAll("[data-live='ticker'] li, [data-live='group-ideas'] li")]
                    .some((li) => li.textContent.includes(title));
                new MutationObserver(() => { if (window.__seenAt === null && seen()) window.__seenAt = Date.now(); })
                    .observe(document.getElementById("live"), {childList: true, subtree: true, characterData: true});
            }""",
            NEW_TITLE,
        )

        # Anna submits an idea through the form, in a browser context of her own.
        author = pages()
        log_in(author, url, "anna@example.org", PASSWORD)
        author.goto(url(f"/editions/{SLUG}/ideas/new/"))
        author.locator("#id_challenge").select_option(str(cast["second"].pk))
        author.locator("#id_title").fill(NEW_TITLE)
        author.locator("#id_body").fill("Im Sommer ist der Platz zu heiß, es gibt keine Bank im Schatten.")
        submitted_at = author.evaluate("Date.now()")
        with author.expect_navigation():
            author.locator("main form.stacked-form [type=submit]").first.click()

        # The viewer's dashboard shows it: in the activity list, under its challenge, in the graph.
        viewer.locator("[data-live='ticker'] li", has_text=NEW_TITLE).wait_for(timeout=10_000)
        seen_at = viewer.evaluate("window.__seenAt")
        idea = Idea.objects.get(title=NEW_TITLE)
        viewer.locator(f"svg.live-svg g.node-idea[data-id='i:{idea.pk}']").wait_for(state="attached")
        assert seen_at is not None
        latency = seen_at - submitted_at
        assert latency < 1000, f"the dashboard showed the new idea {latency} ms after it was submitted"
        assert NEW_TITLE in group_titles(viewer)
        assert viewer.locator("[data-live='total-ideas']").inner_text() == "2"
        row = viewer.locator(f"[data-live='challenges'] tr[data-key='{cast['second'].pk}'] td").first
        assert row.inner_text() == "1"
        screenshot(viewer, "dashboard-after-new-idea")

        # Screen readers hear one short summary (polite, at most every ten seconds).
        viewer.wait_for_function(
            "() => document.querySelector(\"[data-live='announcer']\").textContent.trim() !== ''", timeout=12_000
        )
        summary = viewer.locator("[data-live='announcer']").inner_text()
        assert "1" in summary, summary
        assert viewer.locator("[data-live='announcer']").get_attribute("aria-live") == "polite"


# --- The replay -------------------------------------------------------------------------------------


def test_the_replay_plays_a_recorded_edition_and_seeks(pages, cast, screenshot):
    record_an_edition(cast)
    with serving(pages) as server:
        page = pages()
        page.goto(server.url + f"/editions/{SLUG}/live/replay/")
        wait_ready(page)
        events = LiveEvent.objects.filter(edition=cast["edition"]).count()
        assert page.locator("[data-live='replay-status']").get_attribute("data-state") == "ready"
        assert str(events) in page.locator("[data-live='replay-status']").inner_text()
        # It starts from the challenges only.
        assert group_titles(page) == []
        assert graph_ideas(page) == 0
        assert page.locator("[data-live='challenges'] tr").count() == 2

        # Played as fast as possible, it ends with every idea, the team and the supports.
        page.locator("[data-live='speed']").select_option("max")
        page.locator("[data-live='play']").click()
        page.locator("[data-live='replay-status'][data-state='ended']").wait_for(timeout=15_000)
        assert sorted(group_titles(page)) == sorted(EARLY + LATE)
        assert graph_ideas(page) == 5
        assert page.locator("svg.live-svg g.node-team").count() == 1
        assert page.locator("[data-live='total-supports']").inner_text() == "3"
        assert page.locator("[data-live='total-teams']").inner_text() == "1"
        assert page.locator("[data-live='total-comments']").inner_text() == "1"
        screenshot(page, "replay-end")

        # The slider seeks: its middle lies in the quiet stretch between morning and afternoon.
        slider = page.locator("[data-live='position']")
        slider.click()
        page.wait_for_function(
            "() => document.querySelectorAll(\"[data-live='group-ideas'] li[data-key]\").length === 3"
        )
        assert sorted(group_titles(page)) == sorted(EARLY)
        assert graph_ideas(page) == 3
        assert "Radstation" in page.locator("[data-live='groups']").text_content()
        screenshot(page, "replay-middle")

        # From the keyboard: Home goes back to the start, before the first idea.
        slider.focus()
        slider.press("Home")
        page.wait_for_function("() => document.querySelectorAll(\"[data-live='group-ideas'] li[data-key]\").length === 0")
        assert graph_ideas(page) == 0


def test_the_replay_of_an_edition_without_events_says_so(pages):
    make_edition(slug="still", title="Noch nichts passiert")
    with serving(pages) as server:
        page = pages()
        page.goto(server.url + "/editions/still/live/replay/")
        wait_ready(page)
        assert page.locator("[data-live='replay-status']").get_attribute("data-state") == "empty"
        assert page.locator("[data-live='play']").is_disabled()
        assert page.locator("[data-live='position']").is_disabled()


# --- Accessibility, languages, phone, projector -------------------------------------------------------


def switch_to_english(page) -> None:
    with page.expect_navigation():
        page.locator("header form[action='/i18n/setlang/'] button[name=language][value=en]").click()
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_live_pages_have_no_serious_accessibility_violations(pages, cast, screenshot, request, language):
    record_an_edition(cast)
    with serving(pages) as server:
        desktop = pages()
        audit = Audit(desktop, screenshot, request.node.name)
        desktop.goto(server.url + f"/editions/{SLUG}/live/")
        if language == "en":
            switch_to_english(desktop)
        wait_ready(desktop)
        desktop.locator("[data-live='connection'][data-state='open']").wait_for()
        desktop.locator("details.live-all-details summary").click()
        audit("live-desktop")

        # Projector mode: the button (full screen may be refused headless; the mode works anyway).
        desktop.locator("[data-live='projector']").click()
        assert desktop.locator("#live.is-projector").count() == 1
        assert "projector=1" in desktop.url
        assert not desktop.locator("header.site-header").is_visible()
        desktop.wait_for_timeout(300)
        audit("live-projector")
        desktop.keyboard.press("Escape")
        desktop.locator("#live:not(.is-projector)").wait_for(state="attached")
        assert desktop.locator("header.site-header").is_visible()

        desktop.goto(server.url + f"/editions/{SLUG}/live/replay/")
        wait_ready(desktop)
        desktop.locator("[data-live='speed']").select_option("max")
        desktop.locator("[data-live='play']").click()
        desktop.locator("[data-live='replay-status'][data-state='ended']").wait_for(timeout=15_000)
        audit("replay-desktop")

        phone = pages(viewport=PHONE)
        phone_audit = Audit(phone, screenshot, request.node.name)
        phone.goto(server.url + f"/editions/{SLUG}/live/")
        if language == "en":
            switch_to_english(phone)
        wait_ready(phone)
        phone.locator("details.live-all-details summary").click()
        phone_audit("live-phone")
        overflow = horizontal_overflow(phone)
        assert overflow["scrollWidth"] <= overflow["width"], overflow
        phone.goto(server.url + f"/editions/{SLUG}/live/?projector=1")
        wait_ready(phone)
        phone_audit("live-phone-projector")
        phone.goto(server.url + f"/editions/{SLUG}/live/replay/")
        wait_ready(phone)
        phone_audit("replay-phone")
        overflow = horizontal_overflow(phone)
        assert overflow["scrollWidth"] <= overflow["width"], overflow

        audit.results.update({f"phone-{k}": v for k, v in phone_audit.results.items()})
        audit.check()
