"""A newcomer signs up, confirms the email from the captured mail, registers for the demo
edition, and sees the waitlist when it is full.

The site speaks German by default; the tests select elements by role, CSS and URL so that they
do not depend on the state of the translations.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from helpathon.registrations import selectors
from helpathon.registrations.models import Registration
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, make_edition, make_user

pytestmark = pytest.mark.e2e

SLUG = "comeback-stronger"
CONFIRM_EMAIL_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")
OPT_IN_LINK = re.compile(r"https?://\S+/registrations/confirm/[^/\s]+/")


def last_mail_to(address: str):
    mails = [message for message in mail.outbox if address in message.to]
    assert mails, f"no mail to {address}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    return mails[-1]


def link_in(message, pattern: re.Pattern) -> str:
    match = pattern.search(message.body)
    assert match, f"no link matching {pattern.pattern} in mail {message.subject!r}:\n{message.body}"
    return match.group(0)


def registration_button(page):
    """The call to action in the edition page's registration box ("Registrieren"/"Warteliste")."""
    return page.locator("#registration a.button[href$='/register/']")


def submit_button(page):
    return page.locator("main form.stacked-form [type=submit]")


def confirm_registration(page, url, address: str, screenshot, step: str):
    """Open the opt-in link of the last mail to `address` and press its confirm button."""
    link = link_in(last_mail_to(address), OPT_IN_LINK)
    page.goto(url(link))
    screenshot(page, f"{step}-confirm-page")
    assert page.locator("h1").is_visible()
    with page.expect_navigation() as navigation:
        page.locator("main form [type=submit]").click()
    assert navigation.value.status == 200
    screenshot(page, f"{step}-confirmed")


def public_figures(page) -> dict[str, str]:
    """The numbers in the registration box: first is 'registered', second 'places left'."""
    values = page.locator("#registration .figures dd").all_inner_texts()
    return {"registered": values[0].strip(), "places_left": values[1].strip(), "rest": values[2:]}


def test_newcomer_signs_up_confirms_email_and_registers(page, url, screenshot, new_page):
    edition = make_edition(slug=SLUG, capacity=50, title="Comeback Stronger")
    email = "nora.newcomer@example.org"

    # The home page lists the edition; the newcomer opens it.
    page.goto(url("/"))
    assert page.evaluate("document.documentElement.lang") == "de"
    screenshot(page, "01-home")
    page.locator(f"main a[href='/editions/{SLUG}/']").first.click()
    page.wait_for_url(url(f"/editions/{SLUG}/"))
    screenshot(page, "02-edition")
    assert page.locator("h1").inner_text() == "Comeback Stronger"
    assert public_figures(page)["registered"] == "0"

    # Registering needs an account: the button leads to the login page, which links to sign-up.
    registration_button(page).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=.*register"))
    screenshot(page, "03-login-required")
    page.locator("main a[href^='/accounts/signup/']").first.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))

    # Sign up with display name, sector and role.
    page.locator("#id_email").fill(email)
    page.locator("#id_display_name").fill("Nora Newcomer")
    page.locator("#id_sector").select_option("science")
    page.locator("#id_role").select_option("student")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    screenshot(page, "04-signup-filled")
    with page.expect_navigation():
        page.locator("form[action^='/accounts/signup/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    screenshot(page, "05-verification-sent")

    # The verification mail carries the link; the link shows a confirm button (no confirm on GET).
    link = link_in(last_mail_to(email), CONFIRM_EMAIL_LINK)
    page.goto(url(link))
    screenshot(page, "06-confirm-email")
    with page.expect_navigation():
        page.locator("main form[action*='/accounts/confirm-email/'] [type=submit]").click()
    # Logged in now: the header offers log-out instead of log-in.
    assert page.locator("header form[action='/accounts/logout/']").count() == 1
    assert page.locator("header a[href='/accounts/login/']").count() == 0
    screenshot(page, "07-logged-in")

    # Back to the edition, and register.
    page.goto(url(f"/editions/{SLUG}/"))
    registration_button(page).click()
    page.wait_for_url(url(f"/editions/{SLUG}/register/"))
    # The profile's sector and role are filled in already; the newcomer changes them.
    assert page.locator("#id_sector").input_value() == "science"
    assert page.locator("#id_role").input_value() == "student"
    page.locator("#id_sector").select_option("civil_society")
    page.locator("#id_role").select_option("citizen")
    page.locator("input[name=preferred_challenges]").first.check()
    page.locator("#id_consent").check()
    screenshot(page, "08-register-filled")
    with page.expect_navigation():
        submit_button(page).click()
    screenshot(page, "09-check-your-email")
    registration = Registration.objects.get(edition=edition, user__email=email)
    assert registration.status == Registration.Status.PENDING
    assert (registration.sector, registration.role) == ("civil_society", "citizen")
    assert registration.preferred_challenges.count() == 1
    assert registration.language == "de"

    # Double opt-in from the mail.
    confirm_registration(page, url, email, screenshot, "10")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    page.locator(f"main a.button[href='/editions/{SLUG}/']").click()
    page.wait_for_url(url(f"/editions/{SLUG}/"))
    screenshot(page, "11-edition-registered")

    # The edition page shows the person as registered, offers the calendar file and counts them.
    assert page.locator("#registration .status-ok").is_visible()
    assert registration_button(page).count() == 0
    calendar_link = page.locator("#registration a[href$='/calendar.ics']")
    assert calendar_link.is_visible()
    response = page.request.get(url(calendar_link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text() and "Comeback Stronger" in response.text()
    assert public_figures(page)["registered"] == "1"
    assert public_figures(page)["places_left"].replace(" ", "") == "49/50"

    # Anyone sees the count, never who registered.
    visitor = new_page()
    visitor.goto(url(f"/editions/{SLUG}/"))
    assert public_figures(visitor)["registered"] == "1"
    assert email not in visitor.content() and "Nora Newcomer" not in visitor.content()
    screenshot(visitor, "12-edition-visitor")


def test_full_edition_offers_the_waitlist(page, url, screenshot):
    edition = make_edition(slug="full-house", capacity=1, title="Full House")
    holder = make_user("holder@example.org", display_name="Holger Holder")
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=holder, status=Registration.Status.CONFIRMED, sector="business", role="founder",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    email = "wanda.waiting@example.org"
    make_user(email, display_name="Wanda Waiting")

    log_in(page, url, email, PASSWORD)
    page.goto(url("/editions/full-house/"))
    figures = public_figures(page)
    assert (figures["registered"], figures["places_left"].replace(" ", "")) == ("1", "0/1")
    screenshot(page, "01-edition-full")
    registration_button(page).click()
    page.wait_for_url(url("/editions/full-house/register/"))

    # The form says the edition is fully booked and offers the waitlist.
    notice = page.locator("main .notice-warning")
    assert notice.is_visible()
    assert notice.get_attribute("role") in {"alert", "status"}
    assert page.locator("main form input[name=join_waitlist]").get_attribute("value") == "1"
    page.locator("#id_sector").select_option("administration")
    page.locator("#id_role").select_option("employee")
    page.locator("#id_consent").check()
    screenshot(page, "02-register-full")
    with page.expect_navigation():
        submit_button(page).click()
    screenshot(page, "03-waitlisted-check-email")
    registration = Registration.objects.get(edition=edition, user__email=email)
    assert registration.status == Registration.Status.WAITLISTED
    assert registration.email_confirmed_at is None

    # Confirming the email keeps the waitlist place.
    confirm_registration(page, url, email, screenshot, "04")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED
    assert registration.email_confirmed_at is not None
    page.locator("main a.button[href='/editions/full-house/']").click()
    page.wait_for_url(url("/editions/full-house/"))
    screenshot(page, "05-edition-waitlist-position")

    assert selectors.waitlist_position(registration) == 1
    status = page.locator("#registration .status-wait")
    assert status.is_visible()
    assert re.search(r"\b1\b", status.inner_text()), status.inner_text()
    # No more "please confirm your email" once it is confirmed; the public waitlist count is 1.
    assert page.locator("#registration form[action$='/register/resend/']").count() == 0
    figures = public_figures(page)
    assert figures["registered"] == "1"
    assert [value.strip() for value in figures["rest"]] == ["1"]


def test_registration_without_consent_shows_the_error_and_keeps_the_choices(page, url, screenshot):
    edition = make_edition(slug=SLUG)
    email = "forgetful@example.org"
    make_user(email, display_name="Fritz Forgetful")

    log_in(page, url, email, PASSWORD)
    page.goto(url(f"/editions/{SLUG}/register/"))
    page.locator("#id_sector").select_option("administration")
    page.locator("#id_role").select_option("employee")
    page.locator("input[name=preferred_challenges]").nth(1).check()
    with page.expect_navigation() as navigation:
        submit_button(page).click()
    assert navigation.value.status == 200
    screenshot(page, "01-consent-missing")

    # The error summary and the consent field's own error are shown...
    assert page.locator("main .notice-error[role=alert]").is_visible()
    consent_field = page.locator("main .field.has-error:has(#id_consent)")
    assert consent_field.is_visible()
    assert consent_field.locator(".field-error").inner_text().strip()
    # ... and screen readers announce it with the checkbox (in its label or its description) ...
    consent = page.locator("#id_consent")
    assert consent.get_attribute("aria-invalid") == "true"
    error_text = " ".join(consent_field.locator(".field-error").inner_text().split())
    announced = page.evaluate(
        """(el) => [...el.labels].map(l => l.textContent)
            .concat((el.getAttribute("aria-describedby") || "").split(/\\s+/)
                .map(id => document.getElementById(id)?.textContent || ""))
            .join(" ").replace(/\\s+/g, " ")""",
        consent.element_handle(),
    )
    assert error_text in announced, f"the consent error {error_text!r} is not tied to the checkbox: {announced!r}"
    # ... and nothing the person chose is lost.
    assert page.locator("#id_sector").input_value() == "administration"
    assert page.locator("#id_role").input_value() == "employee"
    assert page.locator("input[name=preferred_challenges]").nth(1).is_checked()
    assert not page.locator("input[name=preferred_challenges]").nth(0).is_checked()
    assert not Registration.objects.filter(edition=edition).exists()

    # Ticking the box is all it takes now.
    page.locator("#id_consent").check()
    with page.expect_navigation():
        submit_button(page).click()
    screenshot(page, "02-registered")
    registration = Registration.objects.get(edition=edition, user__email=email)
    assert (registration.status, registration.sector, registration.role) == ("pending", "administration", "employee")


def test_invalid_confirmation_link_shows_an_error_page(page, url, screenshot, console_errors):
    # Chromium logs the 400 of the document as a console error; that one is expected here.
    console_errors.allow(r"status of 400")
    page.goto(url("/registrations/confirm/not-a-valid-token/"))
    screenshot(page, "01-confirm-page")
    with page.expect_navigation() as navigation:
        page.locator("main form [type=submit]").click()
    assert navigation.value.status == 400
    screenshot(page, "02-error")
    error = page.locator("main .notice-error[role=alert]")
    assert error.is_visible()
    assert len(error.inner_text().strip()) > 20
    assert page.locator("main a[href='/']").is_visible()
