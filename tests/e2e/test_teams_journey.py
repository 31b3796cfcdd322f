"""Teams and prototypes in the browser (issue 5): Paula founds a team from an idea and accepts
Mia, who asked to join; in the prototyping phase both edit the prototype from their own browser
contexts, Mia meets the conflict, combines the texts and saves; Paula submits; the read view,
the team page and the gallery show the submitted prototype, and nobody can edit it any more.
The video room link is for the team only.

The site speaks German by default: texts are compared with the server's German translation of
the template's (English) source string (`de()`).
"""

import re

import pytest
from playwright.sync_api import expect

from helpathon.editions.services import phase_set
from helpathon.ideas import services as idea_services
from helpathon.teams.models import JoinRequest, Membership, Prototype, PrototypeDraft, PrototypeVersion, Team
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_evaluation_journey import _participant, de
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = pytest.mark.e2e

SLUG = "team-sprint"
TEAM_NAME = "Die Brunnenbauer"
PAULA_PROBLEM = "Im Sommer fehlt in den Parks kostenloses Trinkwasser."
PAULA_SOLUTION = "Zwölf Trinkbrunnen, die der Wasserversorger betreibt."
PAULA_FUTURE = "2030 findet jeder im Park in fünf Minuten Wasser."
MIA_PROBLEM = "Ältere Menschen und Kinder leiden an heißen Tagen am meisten."
COMBINED_PROBLEM = f"{PAULA_PROBLEM} {MIA_PROBLEM}"


@pytest.fixture
def cast(db):
    """An edition with two ideas by Ida in its first challenge, written in ideation; the edition
    now in its team-building phase. Paula and Mia take part; Olga organizes."""
    edition = make_edition(slug=SLUG, title="Team-Sprint Stadtklima")
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    ida = _participant(edition, "ida@example.org", "Ida Ideenreich")
    paula = _participant(edition, "paula@example.org", "Paula Planerin")
    mia = _participant(edition, "mia@example.org", "Mia Mitmacherin")
    challenge = edition.challenges.order_by("order").first()
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    ideas = [
        idea_services.idea_create(actor=ida, challenge=challenge, title=title,
                                  body=f"Worum es geht: {title}. Wer hilft mit?")
        for title in ("Trinkbrunnen in allen Parks", "Schattendächer für Bushaltestellen")
    ]
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="team_building"))
    edition.refresh_from_db()
    return {"edition": edition, "organizer": organizer, "paula": paula, "mia": mia, "challenge": challenge,
            "ideas": ideas}


def click_and_wait(page, locator) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def test_it_founds_a_team_accepts_a_member_resolves_a_conflict_and_submits(
    page, url, screenshot, new_page, console_errors, cast, request
):
    edition, idea, paula, mia = cast["edition"], cast["ideas"][0], cast["paula"], cast["mia"]
    audit = Audit(page, screenshot, request.node.name)

    # --- Paula founds a team from the idea's page ---------------------------------------------
    log_in(page, url, "paula@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/ideas/{idea.pk}/"))
    click_and_wait(page, page.get_by_role("link", name=de("Found a team around this idea")))
    assert page.locator("main h1").inner_text() == de("Found a team")
    # The idea she came from is already chosen.
    expect(page.get_by_label(f"#{idea.pk} {idea.title}")).to_be_checked()
    page.locator("#id_name").fill(TEAM_NAME)
    page.locator("#id_description").fill("Wir planen Trinkbrunnen mit dem Wasserversorger.")
    page.locator("#id_skills_needed").fill("Stadtplanung, Recht")
    click_and_wait(page, page.get_by_role("button", name=de("Found the team")))

    team = Team.objects.get(edition=edition, name=TEAM_NAME)
    team_url = url(f"/editions/{SLUG}/teams/{team.pk}/")
    assert page.url == team_url
    assert page.locator("main h1").inner_text() == TEAM_NAME
    assert list(team.ideas.values_list("pk", flat=True)) == [idea.pk]
    assert team.skill_list == ["stadtplanung", "recht"]
    expect(page.locator("main .tag")).to_have_text(["stadtplanung", "recht"])
    assert Membership.objects.get(team=team, user=paula).role == Membership.Role.LEAD

    # --- Mia asks to join; Paula accepts ----------------------------------------------------------
    mia_page = new_page()
    log_in(mia_page, url, "mia@example.org", PASSWORD)
    mia_page.goto(team_url)
    assert mia_page.locator("main .team-private").count() == 0  # not in the team (yet)
    join = mia_page.locator(f"main form[action='/editions/{SLUG}/teams/{team.pk}/join/']")
    join.locator("textarea, input[name=message]").fill("Ich kenne mich mit Fördermitteln aus.")
    click_and_wait(mia_page, join.get_by_role("button", name=de("Ask to join")))
    expect(mia_page.locator(".messages")).to_contain_text(de("Your request has been sent to the team's lead."))
    expect(mia_page.locator("#request-heading")).to_have_text(de("Your request is waiting for the lead's answer"))
    asked = JoinRequest.objects.get(team=team, user=mia)
    assert (asked.kind, asked.status) == (JoinRequest.Kind.REQUEST, JoinRequest.Status.PENDING)

    page.reload()
    pending = page.locator("main .team-requests li").filter(has_text="Mia Mitmacherin")
    expect(pending).to_contain_text("Ich kenne mich mit Fördermitteln aus.")
    click_and_wait(page, pending.get_by_role("button", name=re.compile(rf"^{de('Accept')}\W+Mia Mitmacherin$")))
    assert Membership.objects.get(team=team, user=mia).role == Membership.Role.MEMBER
    asked.refresh_from_db()
    assert asked.status == JoinRequest.Status.ACCEPTED
    members = page.locator("main .team-members li")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Mia Mitmacherin")).to_have_count(1)
    expect(page.locator("main .team-requests")).to_have_count(0)  # nothing open any more

    # The video room: a button for the team, absent for somebody signed out.
    room = page.locator("main .team-private a.button", has_text=de("Open the video room"))
    expect(room).to_be_visible()
    assert room.get_attribute("href").startswith("https://meet.jit.si/")
    room_href = room.get_attribute("href")
    audit("01-team-page")
    outsider = new_page()
    outsider.goto(team_url)
    assert outsider.locator("main h1").inner_text() == TEAM_NAME
    assert outsider.locator("main .team-private").count() == 0
    assert outsider.get_by_role("link", name=re.compile(de("Open the video room"))).count() == 0
    assert room_href not in outsider.content()

    # --- Prototyping: both open the editor at version 0 -------------------------------------------
    phase_set(actor=cast["organizer"], edition=edition, phase=edition.phases.get(kind="prototyping"))
    edit_url = url(f"/editions/{SLUG}/teams/{team.pk}/prototype/edit/")
    read_url = url(f"/editions/{SLUG}/teams/{team.pk}/prototype/")
    page.goto(team_url)
    click_and_wait(page, page.get_by_role("link", name=de("Work on the prototype")))
    assert page.url == read_url
    click_and_wait(page, page.locator("main .prototype-actions").get_by_role("link", name=de("Edit the prototype")))
    assert page.url == edit_url
    mia_page.goto(edit_url)
    for editor in (page, mia_page):
        assert editor.locator("input[name=base_version]").input_value() == "0"

    # Paula writes and saves: version 1.
    page.locator("#id_problem").fill(PAULA_PROBLEM)
    page.locator("#id_solution").fill(PAULA_SOLUTION)
    page.locator("#id_future_scenario").fill(PAULA_FUTURE)
    click_and_wait(page, page.get_by_role("button", name=de("Save"), exact=True))
    assert page.url == read_url
    expect(page.locator(".messages")).to_contain_text(de("The prototype has been saved (version %(n)d).", n=1))
    expect(page.locator("#section-problem + .prose")).to_have_text(PAULA_PROBLEM)

    # Mia, on her page from before, writes another problem and saves: the conflict view, her
    # text kept in her field, Paula's saved text beside it, the untouched sections Paula's.
    console_errors.allow(r"status of 409")  # the conflict page answers 409 Conflict
    mia_page.locator("#id_problem").fill(MIA_PROBLEM)
    click_and_wait(mia_page, mia_page.get_by_role("button", name=de("Save"), exact=True))
    assert mia_page.url == edit_url
    notice = mia_page.locator("main .conflict-notice[role=alert]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Paula Planerin")
    theirs = mia_page.locator("#id_problem_theirs")
    expect(theirs).to_be_visible()
    expect(theirs).to_have_text(PAULA_PROBLEM)
    expect(mia_page.locator("#id_problem")).to_be_visible()
    expect(mia_page.locator("#id_problem")).to_have_value(MIA_PROBLEM)
    expect(mia_page.get_by_label(re.compile(rf"^{re.escape(de('Your text'))}"))).to_have_value(MIA_PROBLEM)
    expect(mia_page.locator("#id_solution")).to_have_value(PAULA_SOLUTION)
    expect(mia_page.locator("#id_future_scenario")).to_have_value(PAULA_FUTURE)
    assert mia_page.locator("main fieldset.conflict").count() == 1  # only the problem clashed
    assert mia_page.locator("input[name=base_version]").input_value() == "1"
    prototype = Prototype.objects.get(team=team)
    assert (prototype.version, prototype.problem) == (1, PAULA_PROBLEM)  # nothing of Mia's written
    assert PrototypeDraft.objects.get(prototype=prototype, user=mia).sections["problem"] == MIA_PROBLEM  # nor lost
    audit_mia = Audit(mia_page, screenshot, f"{request.node.name}-mia")
    audit_mia("02-conflict")

    # She combines both texts and saves again: version 2 with her problem and Paula's solution.
    mia_page.locator("#id_problem").fill(COMBINED_PROBLEM)
    click_and_wait(mia_page, mia_page.get_by_role("button", name=de("Save my version")))
    assert mia_page.url == read_url
    expect(mia_page.locator(".messages")).to_contain_text(de("The prototype has been saved (version %(n)d).", n=2))
    expect(mia_page.locator("#section-problem + .prose")).to_have_text(COMBINED_PROBLEM)
    expect(mia_page.locator("#section-solution + .prose")).to_have_text(PAULA_SOLUTION)
    prototype.refresh_from_db()
    assert (prototype.version, prototype.problem, prototype.solution, prototype.future_scenario) == (
        2, COMBINED_PROBLEM, PAULA_SOLUTION, PAULA_FUTURE)
    versions = list(prototype.versions.order_by("number").values_list("number", "editor_id", "sections__problem"))
    assert versions == [(1, paula.pk, PAULA_PROBLEM), (2, mia.pk, COMBINED_PROBLEM)]
    assert PrototypeVersion.objects.get(prototype=prototype, number=2).sections["solution"] == PAULA_SOLUTION
    assert not PrototypeDraft.objects.filter(prototype=prototype, user=mia).exists()

    # --- Paula submits through the confirmation on the edit page ----------------------------------
    page.goto(edit_url)
    expect(page.locator("#id_problem")).to_have_value(COMBINED_PROBLEM)
    page.locator("main details.prototype-submit > summary").click()
    click_and_wait(page, page.get_by_role("button", name=de("Yes, submit the prototype")))
    assert page.url == read_url
    expect(page.locator(".messages")).to_contain_text(de("The prototype has been submitted. Thank you!"))
    expect(page.locator("main .badge-submitted")).to_have_text(de("Submitted"))
    expect(page.locator("main .notice-done")).to_have_text(de("This prototype has been submitted and is read-only."))
    assert page.get_by_role("link", name=de("Edit the prototype")).count() == 0
    prototype.refresh_from_db()
    assert (prototype.status, prototype.version) == (Prototype.Status.SUBMITTED, 2)
    assert prototype.submitted_at is not None
    audit("03-submitted")

    # The edit page sends her back to the read view; the team page offers reading only.
    page.goto(edit_url)
    assert page.url == read_url
    expect(page.locator(".messages")).to_contain_text(
        de("The prototype has been submitted and is read-only; organizers can reopen it."))
    page.goto(team_url)
    expect(page.get_by_role("link", name=de("Read the prototype"))).to_be_visible()
    assert page.get_by_role("link", name=de("Work on the prototype")).count() == 0

    # The gallery lists it for everybody, also signed out.
    outsider.goto(url(f"/editions/{SLUG}/prototypes/"))
    card = outsider.locator("main .prototype-card")
    expect(card).to_have_count(1)
    expect(card.locator("h3 a")).to_have_text(TEAM_NAME)
    expect(card).to_contain_text(PAULA_SOLUTION)
    click_and_wait(outsider, card.locator("h3 a"))
    assert outsider.url == read_url
    expect(outsider.locator("#section-problem + .prose")).to_have_text(COMBINED_PROBLEM)
    assert outsider.get_by_role("link", name=de("Edit the prototype")).count() == 0
    screenshot(outsider, "04-read-signed-out")

    audit.check()
    audit_mia.check()
