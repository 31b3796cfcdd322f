"""Accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical violation
on the pages of the registration journey, in German and — switched with the header's language
switch — in English; no ARIA reference points to a missing or empty element; and the main
pages fit a phone's width.

Each language walks all pages in one browser session and reports every failing page at once.
All axe results (also moderate and minor violations, and what needs review) are written to
test-artifacts/axe/<test-name>.json for reading.
"""

import json
import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.e2e.conftest import BLOCKING_IMPACTS, ROOT, axe_run, broken_aria_references, format_violations, log_in
from tests.factories import PASSWORD, make_edition, make_user

pytestmark = pytest.mark.e2e

SLUG = "comeback-stronger"
OPT_IN_LINK = re.compile(r"https?://\S+/registrations/confirm/[^/\s]+/")
AXE_REPORTS = ROOT / "test-artifacts" / "axe"


class Audit:
    """Runs axe on the current page under a name, checks its ARIA id references, takes a
    screenshot, and collects the results."""

    def __init__(self, page, screenshot, test_name: str):
        self.page, self.screenshot, self.test_name = page, screenshot, test_name
        self.results: dict[str, dict] = {}

    def __call__(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        self.screenshot(self.page, name)
        result = axe_run(self.page)
        result["broken_aria_references"] = broken_aria_references(self.page)
        result["url"] = self.page.url
        self.results[name] = result

    def failures(self) -> str:
        reports = []
        for name, result in self.results.items():
            where = f"{name} ({result['url']})"
            blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
            if blocking:
                reports.append(format_violations(blocking, where=where))
            if result["broken_aria_references"]:
                reports.append(f"broken ARIA references on {where}:\n- " + "\n- ".join(result["broken_aria_references"]))
        return "\n\n".join(reports)

    def check(self) -> None:
        """Write the report and fail with every page's problems at once."""
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        path = AXE_REPORTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', self.test_name).strip('_')}.json"
        path.write_text(json.dumps(self.results, indent=2, ensure_ascii=False))
        failures = self.failures()
        assert not failures, f"{failures}\n\n(all results: {path.relative_to(ROOT)})"


@pytest.fixture
def cast(db):
    edition = make_edition(slug=SLUG, title="Comeback Stronger", capacity=30)
    citizen = make_user("cora@example.org", display_name="Cora Citizen")
    unverified = make_user("ulla@example.org", display_name="Ulla Unverified", verified=False)
    return {"edition": edition, "citizen": citizen, "unverified": unverified}


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_have_no_serious_accessibility_violations(page, url, screenshot, console_errors, cast, language, request):
    # The invalid confirmation link answers 400, which Chromium logs as a console error.
    console_errors.allow(r"status of 400")
    audit = Audit(page, screenshot, request.node.name)

    page.goto(url("/"))
    if language != "de":
        # Switch with the button in the header: a form posting to /i18n/setlang/.
        switch = page.locator(f"header form[action='/i18n/setlang/'] button[name=language][value={language}]")
        with page.expect_navigation():
            switch.click()
    assert page.evaluate("document.documentElement.lang") == language

    # --- As a visitor -----------------------------------------------------------------------
    audit("01-home")
    page.goto(url(f"/editions/{SLUG}/"))
    audit("02-edition-anonymous")
    page.goto(url(f"/editions/{SLUG}/challenges/challenge-1/"))
    audit("03-challenge")
    page.goto(url("/accounts/signup/"))
    audit("04-signup")
    # Pass the browser's own checks (the inputs are `required`) to get the server's errors.
    page.locator("#id_email").fill("cora@example.org")
    page.locator("#id_display_name").fill("Cora")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("different")
    submit(page, "main form[action^='/accounts/signup/']")
    audit("05-signup-with-errors")
    page.goto(url("/accounts/login/"))
    audit("06-login")
    page.locator("#id_login").fill("cora@example.org")
    page.locator("#id_password").fill("wrong-password")
    submit(page, "main form[action^='/accounts/login/']")
    audit("07-login-with-errors")
    page.goto(url("/accounts/password/reset/"))
    audit("08-password-reset")
    page.goto(url("/privacy/"))
    audit("09-privacy")
    key = EmailConfirmationHMAC(EmailAddress.objects.get(email="ulla@example.org")).key
    page.goto(url(f"/accounts/confirm-email/{key}/"))
    audit("10-confirm-email-address")
    page.goto(url("/registrations/confirm/not-a-valid-token/"))
    submit(page, "main form")
    audit("11-confirmation-failed")

    # --- As a citizen who registers ---------------------------------------------------------
    log_in(page, url, "cora@example.org", PASSWORD)
    assert page.evaluate("document.documentElement.lang") == language, "the language must survive logging in"
    page.goto(url("/profile/"))
    audit("12-profile")
    page.locator("#id_display_name").fill("")
    submit(page, "main form.stacked-form")
    assert page.locator("main .notice-error").count() == 1
    audit("12b-profile-with-errors")
    page.goto(url(f"/editions/{SLUG}/register/"))
    audit("13-register-form")
    submit(page, "main form.stacked-form")
    assert page.locator("main .notice-error").count() == 1
    audit("14-register-form-with-errors")
    page.locator("#id_sector").select_option("science")
    page.locator("#id_role").select_option("student")
    page.locator("#id_consent").check()
    submit(page, "main form.stacked-form")
    audit("15-check-your-email")
    opt_in = [m for m in mail.outbox if "cora@example.org" in m.to][-1]
    page.goto(url(OPT_IN_LINK.search(opt_in.body).group(0)))
    audit("16-confirm-registration")
    submit(page, "main form")
    audit("17-registration-confirmed")
    assert Registration.objects.get(user=cast["citizen"]).status == Registration.Status.CONFIRMED
    page.goto(url(f"/editions/{SLUG}/"))
    assert page.locator("#registration .status-ok").count() == 1
    audit("18-edition-registered")

    audit.check()


def test_waitlist_pages_have_no_serious_accessibility_violations(page, url, screenshot, request):
    edition = make_edition(slug="full-house", capacity=1)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=make_user("holder@example.org"), status=Registration.Status.CONFIRMED,
        sector="business", role="founder", consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    make_user("wanda@example.org", display_name="Wanda Waiting")
    audit = Audit(page, screenshot, request.node.name)

    log_in(page, url, "wanda@example.org", PASSWORD)
    page.goto(url("/editions/full-house/register/"))
    assert page.locator("main .notice-warning").count() == 1
    audit("01-register-fully-booked")
    page.locator("#id_sector").select_option("science")
    page.locator("#id_role").select_option("student")
    page.locator("#id_consent").check()
    submit(page, "main form.stacked-form")
    page.goto(url("/editions/full-house/"))
    audit("02-edition-waitlisted-unconfirmed")
    opt_in = [m for m in mail.outbox if "wanda@example.org" in m.to][-1]
    page.goto(url(OPT_IN_LINK.search(opt_in.body).group(0)))
    submit(page, "main form")
    audit("03-waitlist-email-confirmed")

    audit.check()


def _assert_no_horizontal_overflow(page, where: str) -> None:
    widths = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                  wide: [...document.querySelectorAll('body *')]
                      .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                      .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))})"""
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{where} is wider than a phone: scrollWidth {widths['scroll']} > innerWidth {widths['inner']}; "
        f"elements sticking out: {widths['wide']}"
    )


def test_main_pages_fit_a_phone(new_page, url, screenshot, cast):
    now = timezone.now()
    Registration.objects.create(
        edition=cast["edition"], user=cast["citizen"], status=Registration.Status.CONFIRMED,
        sector="civil_society", role="citizen", consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    phone = new_page(viewport={"width": 390, "height": 844})

    phone.goto(url("/"))
    screenshot(phone, "01-home")
    _assert_no_horizontal_overflow(phone, "the home page")
    phone.goto(url(f"/editions/{SLUG}/"))
    screenshot(phone, "02-edition-anonymous")
    _assert_no_horizontal_overflow(phone, "the edition page")

    log_in(phone, url, "cora@example.org", PASSWORD)
    phone.goto(url(f"/editions/{SLUG}/"))
    screenshot(phone, "03-edition-registered")
    _assert_no_horizontal_overflow(phone, "the edition page of a participant")
    phone.goto(url("/profile/"))
    screenshot(phone, "04-profile")
    _assert_no_horizontal_overflow(phone, "the profile page")
