"""Evaluation in the browser: a participant spends a budget of three supports on the hub
(htmx, no page reload), meets the budget's end, withdraws one, and compares pairs until ten
comparisons count (a skip does not); a visitor reads the three rankings with their intervals
once evaluation has ended, also on a phone; a juror scores an item and sees the progress.

The site speaks German by default. The tests compare text with what the server renders in
German (`de()` below translates the template's source string), so they keep passing when the
translations arrive and fail when a count is wrong.
"""

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from helpathon.editions.services import phase_set
from helpathon.evaluation import services
from helpathon.evaluation.models import Comparison, IdeaScore, Rating, Support, VoterReliability
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.registrations.models import Registration
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import Audit
from tests.e2e.test_ideas_journey import horizontal_overflow
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = pytest.mark.e2e

SLUG = "bewertungs-sprint"
PHONE = {"width": 390, "height": 844}
TITLES = [
    "Trinkwasserbrunnen in allen Parks",
    "Schattendächer für Bushaltestellen",
    "Sprechstunde der Verwaltung im Stadtteilzentrum",
    "Offene Schulhöfe am Wochenende",
    "Reparaturcafé in der Stadtbibliothek",
    "Grüne Welle für den Radverkehr",
    "Mitfahrbänke in den Ortsteilen",
    "Kältebus für wohnungslose Menschen",
]
# Eleven answers, one of them a skip: ten comparisons count.
OUTCOMES = ["left", "right", "left", "tie", "right", "left", "skip", "right", "left", "right", "left"]


# --- Setup ------------------------------------------------------------------------------------


def de(message: str, **params) -> str:
    """The German text the server renders for a template's (English) source string."""
    with translation.override("de"):
        return translation.gettext(message) % params


def de_plural(singular: str, plural: str, count: int, **params) -> str:
    with translation.override("de"):
        return translation.ngettext(singular, plural, count) % {"counter": count, **params}


def _participant(edition, email: str, name: str):
    user = make_user(email, display_name=name)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="civil_society", role="citizen",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def cast(db):
    """An edition with eight ideas by Ida in its first challenge, written in ideation; a budget
    of three supports per challenge; the edition now in its evaluation phase. Paula evaluates."""
    edition = make_edition(slug=SLUG, title="Bewertungs-Sprint Stadtklima")
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    ida = _participant(edition, "ida@example.org", "Ida Ideenreich")
    paula = _participant(edition, "paula@example.org", "Paula Prüfend")
    challenge = edition.challenges.order_by("order").first()
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    ideas = [
        idea_services.idea_create(actor=ida, challenge=challenge, title=title,
                                  body=f"Worum es geht: {title}. Wer hilft mit, und was kostet es?")
        for title in TITLES
    ]
    services.settings_update(actor=organizer, edition=edition, support_budget=3, budget_scope="challenge")
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="evaluation"))
    edition.refresh_from_db()
    return {"edition": edition, "organizer": organizer, "ida": ida, "paula": paula, "challenge": challenge,
            "ideas": ideas}


def budget_text(left: int, total: int = 3) -> str:
    return de("%(left)s of %(total)s supports left", left=left, total=total)


def click_support(page, idea) -> None:
    """Press the idea's support button and wait until htmx has swapped in the answer."""
    button = page.locator(f"#support-button-{idea.pk}")
    with page.expect_response(lambda r: r.url.endswith(f"/ideas/{idea.pk}/support/") and r.request.method == "POST"):
        button.click()
    # The answer replaces the whole control (and the budget box, out of band): wait until htmx
    # has swapped and settled.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def assert_still_the_same_page(page, url_before: str) -> None:
    assert page.evaluate("window.__samePage") == 1, "the page was reloaded (htmx should have swapped a fragment)"
    assert page.url == url_before


def answer(page, outcome: str) -> Comparison:
    """Answer the pair on screen with `outcome`; returns the pair (as answered) after htmx has
    shown the next one."""
    action = page.locator("#compare-region form").get_attribute("action")
    pk = int(re.search(r"/compare/(\d+)/$", action).group(1))
    with page.expect_response(lambda r: r.url.endswith(action) and r.request.method == "POST"):
        page.locator(f"#pick-{outcome}").click()
    page.locator(f"#compare-region form[action='{action}']").wait_for(state="detached")
    page.locator("#compare-region").wait_for(state="visible")
    return Comparison.objects.get(pk=pk)


# --- Rating ------------------------------------------------------------------------------------


def test_it_lets_a_participant_rate_an_idea_in_place(page, url, screenshot, cast, request):
    idea = cast["ideas"][4]
    audit = Audit(page, screenshot, request.node.name)
    log_in(page, url, "paula@example.org", PASSWORD)
    page.goto(url(idea.get_absolute_url()))
    page.evaluate("window.__samePage = 1")
    before = page.url

    # Radios have visible labels ("4 hoch"); she picks by label, as a person would.
    page.locator("#rate fieldset").nth(0).get_by_label(re.compile(r"^4")).check()
    page.locator("#rate fieldset").nth(2).get_by_label(re.compile(r"^2")).check()
    with page.expect_response(lambda r: r.url.endswith(f"/ideas/{idea.pk}/rate/") and r.request.method == "POST"):
        page.locator(f"#rate-save-{idea.pk}").click()

    expect(page.locator("#rate-status")).to_have_text(de("Your rating has been saved."))
    assert_still_the_same_page(page, before)
    given = dict(Rating.objects.filter(rater=cast["paula"], target_id=idea.pk).values_list("criterion__key", "value"))
    assert given == {"impact": 4, "novelty": 2}
    audit("01-rated")


# --- Supports and pairs -------------------------------------------------------------------------


def test_it_lets_a_participant_spend_the_budget_and_compare_ten_pairs(page, url, screenshot, cast, request):
    challenge, ideas, paula = cast["challenge"], cast["ideas"], cast["paula"]
    audit = Audit(page, screenshot, request.node.name)

    # Paula finds the evaluation from the edition's page.
    log_in(page, url, "paula@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/"))
    with page.expect_navigation():
        page.locator(f"main a.button[href='/editions/{SLUG}/evaluate/']").click()
    assert page.locator("main h1").inner_text() == challenge.title
    assert page.locator("main .evaluate-list > li").count() == len(TITLES)
    budget = page.locator("#budget-box")
    assert budget.locator(".budget-count").inner_text() == budget_text(3)
    assert budget.locator("progress").get_attribute("value") == "0"
    screenshot(page, "01-hub")

    # She supports three ideas; each click swaps the control and the budget box in place.
    hub = page.url
    page.evaluate("window.__samePage = 1")
    for spent, idea in enumerate(ideas[:3], start=1):
        click_support(page, idea)
        expect(page.locator(f"#support-button-{idea.pk}")).to_have_attribute("aria-pressed", "true")
        expect(budget.locator(".budget-count")).to_have_text(budget_text(3 - spent))
        assert budget.locator("progress").get_attribute("value") == str(spent)
        count = page.locator(f"#support-{idea.pk} .support-count").inner_text()
        assert count.startswith(de_plural("%(counter)s support", "%(counter)s supports", 1)), count
    assert_still_the_same_page(page, hub)
    screenshot(page, "02-three-supports")

    # The fourth is refused with the budget's message next to the button; nothing changes.
    fourth = ideas[3]
    click_support(page, fourth)
    error = page.locator(f"#support-{fourth.pk} .support-error[role=alert]")
    expect(error).to_have_text(de(
        "You have used all %(n)d supports of this challenge. Withdraw one to support another idea.", n=3
    ))
    assert page.locator(f"#support-button-{fourth.pk}").get_attribute("aria-pressed") == "false"
    expect(budget.locator(".budget-count")).to_have_text(budget_text(0))
    assert not Support.objects.filter(idea=fourth).exists()
    screenshot(page, "03-budget-used-up")

    # She withdraws the second support: one is free again.
    withdrawn = ideas[1]
    click_support(page, withdrawn)
    expect(page.locator(f"#support-button-{withdrawn.pk}")).to_have_attribute("aria-pressed", "false")
    expect(budget.locator(".budget-count")).to_have_text(budget_text(1))
    assert budget.locator("progress").get_attribute("value") == "2"
    expect(error).to_be_empty()  # the refusal is out of date: a support is free again
    expect(error).to_be_hidden()
    expect(page.locator(f"#support-{withdrawn.pk} .support-hint")).to_have_count(0)
    expect(page.locator(f"#support-{ideas[0].pk} .support-hint")).to_have_text(de("Click again to withdraw."))
    assert_still_the_same_page(page, hub)
    audit("04-hub-after-withdrawing")

    # A reload shows the same state from the database.
    page.reload()
    assert budget.locator(".budget-count").inner_text() == budget_text(1)
    pressed = {int(b.get_attribute("id").removeprefix("support-button-"))
               for b in page.locator("main .support-button[aria-pressed=true]").all()}
    assert pressed == {ideas[0].pk, ideas[2].pk}

    # Compare in pairs: eleven answers by clicking, one of them a skip.
    with page.expect_navigation():
        page.locator(f"main a.button[href='/editions/{SLUG}/challenges/{challenge.slug}/compare/']").click()
    compare = page.url
    counter = page.locator("#compare-counter")
    assert counter.inner_text().strip() == de_plural("You have compared %(counter)s pair.",
                                                     "You have compared %(counter)s pairs.", 0)
    assert page.locator("#compare-region .pair-card").count() == 2
    audit("05-compare")
    page.evaluate("window.__samePage = 1")
    answered = []
    for outcome in OUTCOMES:
        answered.append(answer(page, outcome))
        counted = sum(1 for pair in answered if pair.outcome != "skip")
        expect(counter).to_contain_text(de_plural("You have compared %(counter)s pair.",
                                                  "You have compared %(counter)s pairs.", counted))
    assert_still_the_same_page(page, compare)
    assert page.locator("#compare-region .pair-card").count() == 2  # the twelfth pair waits
    audit("06-compare-after-ten")

    # The database: two supports; eleven answers in the order given, no pair twice; ten count.
    assert set(Support.objects.filter(user=paula).values_list("idea_id", flat=True)) == {ideas[0].pk, ideas[2].pk}
    counts = dict(Idea.objects.filter(pk__in=[i.pk for i in ideas[:4]]).values_list("pk", "support_count"))
    assert counts == {ideas[0].pk: 1, ideas[1].pk: 0, ideas[2].pk: 1, ideas[3].pk: 0}
    mine = Comparison.objects.filter(voter=paula, challenge=challenge)
    assert list(mine.exclude(outcome="").order_by("pk").values_list("outcome", flat=True)) == OUTCOMES
    assert mine.filter(outcome="").count() == 1
    assert len({frozenset((c.left_id, c.right_id)) for c in mine}) == len(OUTCOMES) + 1
    counted = [pair for pair in answered if pair.outcome != "skip"]
    assert len(counted) == 10
    expected = {}
    for pair in counted:
        for idea_id in (pair.left_id, pair.right_id):
            expected[idea_id] = expected.get(idea_id, 0) + 1
    assert dict(IdeaScore.objects.filter(challenge=challenge).values_list("idea_id", "comparisons")) == expected
    assert VoterReliability.objects.get(voter=paula).votes == OUTCOMES.count("left") + OUTCOMES.count("right")

    audit.check()


# --- Rankings ---------------------------------------------------------------------------------


def test_it_shows_rankings_with_intervals_after_evaluation(page, url, screenshot, new_page, cast, request):
    edition, challenge, ideas = cast["edition"], cast["challenge"], cast["ideas"]
    voters = [_participant(edition, f"voter{n}@example.org", f"Voter {n}") for n in range(1, 5)]
    # Everybody supports the first idea, half of them the second; ratings and a few pairs.
    for n, voter in enumerate(voters):
        services.support_add(actor=voter, idea=ideas[0])
        if n % 2 == 0:
            services.support_add(actor=voter, idea=ideas[1])
        services.rating_set(actor=voter, kind="idea", target=ideas[0], panel="participants",
                            values={"impact": 5, "feasibility": 4})
        services.rating_set(actor=voter, kind="idea", target=ideas[2], panel="participants",
                            values={"impact": 2 + n % 2, "feasibility": 3})
        for _ in range(3):
            pair = services.pair_next(actor=voter, challenge=challenge)
            services.comparison_answer(actor=voter, pk=pair.pk, outcome="left")
    phase_set(actor=cast["organizer"], edition=edition, phase=edition.phases.get(kind="team_building"))
    audit = Audit(page, screenshot, request.node.name)

    page.goto(url(f"/editions/{SLUG}/rankings/"))
    assert page.locator("main h1").inner_text() == challenge.title
    tables = page.locator("main table.ranking-table")
    assert tables.count() == 3
    supports, rating, pairs = (tables.nth(i) for i in range(3))
    # By supports: the idea all four voters support leads, with its share and its interval.
    first = supports.locator("tbody tr").first
    assert first.locator("th a").get_attribute("href") == f"/editions/{SLUG}/ideas/{ideas[0].pk}/"
    assert re.fullmatch(r"\d+\s%\s\(\d+–\d+\s%\)", first.locator(".value-text").inner_text().replace("\xa0", " ")), \
        first.locator(".value-text").inner_text()
    assert supports.locator("tbody tr").count() == len(TITLES)
    # By rating: the rated ideas carry a score with a range, the others "not rated yet".
    top = rating.locator("tbody tr").first
    assert top.locator("th a").get_attribute("href") == f"/editions/{SLUG}/ideas/{ideas[0].pk}/"
    score, low, high = (float(n.replace(",", ".")) for n in re.fullmatch(
        r"(\d+[,.]\d) \((\d+[,.]\d)–(\d+[,.]\d)\)", top.locator(".value-text").inner_text()).groups())
    # Four raters who agree (4.5 each) do not make the score certain: the range stays open.
    assert (score, low < score < high) == (4.5, True), top.locator(".value-text").inner_text()
    assert rating.locator("tbody .value .muted").count() == len(TITLES) - 2
    # By pairs: every idea with a chance in percent and its interval; the bar is drawn.
    assert pairs.locator("tbody tr .value-text").count() == len(TITLES)
    for text in pairs.locator("tbody .value-text").all_inner_texts():
        assert re.fullmatch(r"\d+\s%\s\(\d+–\d+\s%\)", text.replace("\xa0", " ")), text
    assert page.locator("main svg.interval").count() == len(TITLES) * 2 + 2
    page.locator("main details.explain > summary").click()
    audit("01-rankings")

    phone = new_page(viewport=PHONE)
    phone.goto(url(f"/editions/{SLUG}/rankings/"))
    screenshot(phone, "02-rankings-phone")
    result = horizontal_overflow(phone)
    assert result["scrollWidth"] <= result["width"], (
        f"the rankings are {result['scrollWidth']}px wide on a {result['width']}px screen; sticking out:\n  "
        + "\n  ".join(result["culprits"])
    )

    audit.check()


# --- The jury ---------------------------------------------------------------------------------


def test_it_lets_a_juror_score_with_progress(page, url, screenshot, cast, request):
    edition, ideas = cast["edition"], cast["ideas"]
    juror = make_user("julia@example.org", display_name="Julia Juror")
    services.jury_appoint(actor=cast["organizer"], edition=edition, user=juror)
    phase_set(actor=cast["organizer"], edition=edition, phase=edition.phases.get(kind="jury"))
    audit = Audit(page, screenshot, request.node.name)
    total = len(ideas)

    log_in(page, url, "julia@example.org", PASSWORD)
    page.goto(url(f"/editions/{SLUG}/"))
    with page.expect_navigation():
        page.locator(f"main a[href='/editions/{SLUG}/jury/score/']").click()
    progress = page.locator("main .jury-progress strong")
    assert progress.inner_text() == de("%(done)s of %(total)s scored", done=0, total=total)
    items = page.locator("main article.jury-item")
    assert items.count() == total
    audit("01-jury-score")

    # She scores the first item on every criterion.
    item = ideas[0]
    anchor = f"item-idea-{item.pk}"
    article = page.locator(f"#{anchor}")
    fieldsets = article.locator("fieldset.criterion")
    criteria = fieldsets.count()
    assert criteria >= 1
    for i in range(criteria):
        fieldsets.nth(i).locator("input[type=radio][value='4']").check()
    page.evaluate("window.__samePage = 1")
    with page.expect_response(lambda r: r.url.endswith(f"/jury/score/idea/{item.pk}/") and r.request.method == "POST"):
        page.locator(f"#{anchor}-save").click()
    page.locator(f"#{anchor} .message-success[role=status]").wait_for(state="visible")
    assert page.evaluate("window.__samePage") == 1
    assert page.locator(f"#{anchor} input[type=radio][value='4']:checked").count() == criteria
    expect(progress).to_have_text(de("%(done)s of %(total)s scored", done=1, total=total))
    assert page.locator("main .jury-progress progress").get_attribute("value") == "1"
    audit("02-one-scored")

    assert Rating.objects.filter(rater=juror, panel="jury", target_id=item.pk).count() == criteria
    assert set(Rating.objects.filter(rater=juror).values_list("value", flat=True)) == {4}
    page.reload()
    assert progress.inner_text() == de("%(done)s of %(total)s scored", done=1, total=total)

    audit.check()
