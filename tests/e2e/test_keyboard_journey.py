"""Keyboard only: a person with a verified account logs in, registers for an edition, submits an
idea in its ideation phase and, once it evaluates, supports another person's idea and rates it —
with Tab, Shift+Tab, Enter, Space, the arrow keys and typing, never a mouse click or a `fill`.

At every Tab the element that gets focus must show it (a focus outline or ring on it, or an
outline on the label around a radio button); the skip link is the first stop and moves focus
into the main content. Addresses are opened with `goto` only where a person follows a link in
an e-mail or types an address; everything on a page is reached with the keyboard.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.evaluation.models import Rating, Support
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.registrations.models import Registration
from tests.factories import PASSWORD, make_edition, make_user, organizers_group

pytestmark = pytest.mark.e2e

SLUG = "tastatur-sprint"
OPT_IN_LINK = re.compile(r"https?://\S+/registrations/confirm/[^/\s]+/")
MAX_TABS = 120

FOCUSED = """(selector) => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
        return {none: true, matches: false, visible: false, name: "body"};
    }
    const outlined = (node) => {
        const style = getComputedStyle(node);
        return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    };
    const style = getComputedStyle(el);
    // The element's own outline or focus ring; a radio button shows focus on its label.
    let visible = outlined(el) || (style.boxShadow && style.boxShadow !== "none");
    for (let node = el.parentElement, level = 0; !visible && node && level < 2; node = node.parentElement, level++) {
        visible = outlined(node);
    }
    const box = el.getBoundingClientRect();
    return {
        none: false, matches: el.matches(selector), visible: visible && box.width > 0 && box.height > 0,
        name: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " "
              + (el.innerText || el.value || el.name || "").trim().slice(0, 50),
        inMain: !!el.closest("main"),
    };
}"""


class Keyboard:
    """Moves focus with Tab / Shift+Tab and checks, at every stop, that focus is visible."""

    def __init__(self, page):
        self.page, self.stops = page, 0

    def focused(self, selector: str = "*") -> dict:
        return self.page.evaluate(FOCUSED, selector)

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        self.stops += 1
        info = self.focused()
        assert not info["none"], f"after {key} on {self.page.url} nothing has focus"
        assert info["visible"], f"focus is not visible on {info['name']!r} ({self.page.url})"
        return info

    def tab_to(self, selector: str, *, back: bool = False) -> dict:
        """Press Tab (Shift+Tab when `back`) until an element matching `selector` has focus."""
        key = "Shift+Tab" if back else "Tab"
        passed = []
        for _ in range(MAX_TABS):
            self.press(key)
            info = self.focused(selector)
            if info["matches"]:
                return info
            passed.append(info["name"])
        raise AssertionError(f"{selector} never got focus with {key} on {self.page.url}; passed: {passed[-15:]}")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)

    def activate(self, key: str = "Enter", *, navigates: bool = True) -> None:
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)


@pytest.fixture
def cast(db):
    organizers_group()
    edition = make_edition(slug=SLUG, title="Tastatur-Sprint Innenstadt", capacity=20)
    organizer = make_user("olga@example.org", display_name="Olga Organizer", is_staff=True)
    organizer.groups.add(organizers_group())
    edition.organizers.add(organizer)
    keya = make_user("keya@example.org", display_name="Keya Keyboard")
    ida = make_user("ida@example.org", display_name="Ida Ideenreich")
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=ida, status=Registration.Status.CONFIRMED, sector="science", role="student",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    other = idea_services.idea_create(
        actor=ida, challenge=edition.challenges.order_by("order").first(), title="Sitzbänke mit Schatten",
        body="Mehr Bänke unter Bäumen in der Fußgängerzone.",
    )
    return {"edition": edition, "organizer": organizer, "keya": keya, "other": other}


def test_a_person_registers_submits_an_idea_and_votes_with_the_keyboard_only(page, url, cast, screenshot):
    edition, keya, other = cast["edition"], cast["keya"], cast["other"]
    keys = Keyboard(page)

    # The skip link is the first stop and moves focus to the main content.
    page.goto(url("/"))
    info = keys.press("Tab")
    assert "skip-link" in page.evaluate("document.activeElement.className"), f"first Tab stop is {info['name']}"
    keys.activate(navigates=False)
    assert page.evaluate("document.activeElement.id") == "main"
    assert keys.press("Tab")["inMain"], "after the skip link, Tab must continue inside the main content"

    # Log in on the login form, reached from the header.
    keys.tab_to("header a[href^='/accounts/login/']", back=True)
    keys.activate()
    keys.type_into("#id_login", keya.email)
    keys.type_into("#id_password", PASSWORD)
    keys.tab_to("main form [type=submit]")
    keys.activate()
    assert "/accounts/login/" not in page.url, "logging in with the keyboard failed"

    # Register for the edition: from the home page to the edition and its registration form.
    keys.tab_to(f"main a[href='/editions/{SLUG}/']")
    keys.activate()
    keys.tab_to(f"main a[href='/editions/{SLUG}/register/']")
    keys.activate()
    keys.tab_to("#id_sector")
    page.keyboard.press("ArrowDown")
    keys.tab_to("#id_role")
    page.keyboard.press("ArrowDown")
    keys.tab_to("#id_consent")
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelector('#id_consent').checked")
    screenshot(page, "01-register-form")
    keys.tab_to("main form.stacked-form [type=submit]")
    keys.activate()
    registration = Registration.objects.get(edition=edition, user=keya)
    assert registration.sector and registration.role and registration.consent_at

    # The opt-in link in the e-mail, then the confirmation button.
    opt_in = [m for m in mail.outbox if keya.email in m.to][-1]
    page.goto(url(OPT_IN_LINK.search(opt_in.body).group(0)))
    keys.tab_to("main form [type=submit]")
    keys.activate()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    # Submit an idea in ideation: from the edition page to the ideas and the form.
    page.goto(url(f"/editions/{SLUG}/"))
    keys.tab_to(f"main a[href='/editions/{SLUG}/ideas/']")
    keys.activate()
    keys.tab_to(f"main a[href^='/editions/{SLUG}/ideas/new/']")
    keys.activate()
    if page.locator("#id_challenge").count():
        keys.tab_to("#id_challenge")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.querySelector('#id_challenge').value"), "no challenge chosen"
    # The body first, then back to the title with Shift+Tab.
    keys.type_into("#id_body", "Freies WLAN auf dem Marktplatz, betrieben von den Stadtwerken.")
    keys.tab_to("#id_title", back=True)
    page.keyboard.type("WLAN am Marktplatz")
    keys.tab_to("main form [type=submit]")
    screenshot(page, "02-idea-form")
    keys.activate()
    idea = Idea.objects.get(edition=edition, author=keya)
    assert idea.title == "WLAN am Marktplatz"
    assert page.url.endswith(f"/ideas/{idea.pk}/")

    # Evaluation: support Ida's idea on the hub, then rate it.
    phase_set(actor=cast["organizer"], edition=edition, phase=edition.phases.get(kind="evaluation"))
    page.goto(url(f"/editions/{SLUG}/evaluate/"))
    keys.tab_to(f"#support-button-{other.pk}")
    with page.expect_response(lambda r: r.url.endswith(f"/ideas/{other.pk}/support/") and r.request.method == "POST"):
        keys.activate("Space", navigates=False)
    page.locator(f"#support-button-{other.pk}[aria-pressed=true]").wait_for()
    assert Support.objects.filter(user=keya, idea=other).exists()
    keys.tab_to(f"main a[href$='/ideas/{other.pk}/#rate']")
    keys.activate()
    # Each criterion is a group of radio buttons: Tab enters the group, the arrows choose.
    criteria = page.locator("#rate .criterion").count()
    assert criteria >= 1
    for index in range(criteria):
        keys.tab_to(f"#rate .criterion:nth-of-type({index + 1}) input[type=radio]")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
    screenshot(page, "03-rating")
    keys.tab_to(f"#rate-save-{other.pk}")
    with page.expect_response(lambda r: r.url.endswith(f"/ideas/{other.pk}/rate/") and r.request.method == "POST"):
        keys.activate(navigates=False)
    page.locator("#rate-status .message-success").wait_for()
    ratings = Rating.objects.filter(rater=keya, target_id=other.pk)
    assert ratings.count() == criteria
    assert keys.stops > 20
