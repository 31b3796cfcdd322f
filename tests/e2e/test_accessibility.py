"""Accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical violation
on the pages of the registration journey, in German and — switched with the header's language
switch — in English; no ARIA reference points to a missing or empty element; and the main
pages fit a phone's width. Beyond that journey, every page type of the site is audited as a
visitor, a participant and (its pages) an organizer, in German and English, at desktop (1280)
and phone (390) width; a further test fails when a named URL is neither audited nor exempt with
a reason (downloads, JSON, fragments, POST-only actions).

Each language walks all pages in one browser session and reports every failing page at once.
All axe results (also moderate and minor violations, and what needs review) are written to
test-artifacts/axe/<test-name>.json for reading.
"""

import json
import re
import time
from dataclasses import dataclass
from io import StringIO
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.e2e.conftest import (
    AXE_JS, AXE_TAGS, BLOCKING_IMPACTS, ROOT, _new_page, axe_run, broken_aria_references, format_violations, log_in,
)
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


# --- Every page type ---------------------------------------------------------------------------
#
# One world (the demo data of `make run` and three small editions, one per phase the forms need)
# is built once; one browser page per width then visits every page type for each role that sees
# it, in German and in English. A page counts as audited only when it answers 200 (a 403 or 404
# page would hide the page type behind an error page). The route list below must cover every
# named URL: a new page route fails `test_every_page_route_is_audited_or_exempt` until it is
# audited here or exempted with a reason.

VISITOR, PARTICIPANT, ORGANIZER = "visitor", "participant", "organizer"
PUBLIC = (VISITOR, PARTICIPANT)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("de", "en")
PAST, COMEBACK = "leben-und-wirtschaft-im-quartier", "comeback-stronger"
IDEATION, EVALUATION, TEAMING, PROTOTYPING, SIGNUP = (
    "ideenwerkstatt", "stadtklima", "teamfindung", "prototypen", "anmeldung-offen")

# Named routes that are no page of their own, each with the reason.
EXEMPT = {
    "health-live": "JSON health check",
    "health-ready": "JSON health check",
    "set_language": "POST only: the language switch redirects back",
    "account_confirm_login_code": "login by code is switched off",
    "account_set_password": "every account has a password: redirects to the password change page",
    "accounts:data_export": "download (JSON)",
    "registrations:calendar": "download (iCalendar)",
    "results:template_markdown": "download (Markdown)",
    "results:template_json": "download (JSON)",
    "results:template_pdf": "download (PDF)",
    "results:report_pdf": "download (PDF)",
    "results:open_data_json": "download (JSON)",
    "results:open_data_csv": "download (ZIP of CSV files)",
    "evaluation:jury_export": "download (CSV)",
    "teams:prototype_image": "download (image file)",
    "teams:prototype_pitch": "download (PDF)",
    "live:snapshot": "JSON for the live dashboard",
    "live:log": "JSON for the live dashboard",
    "live:stream": "event stream for the live dashboard",
    "ideas:similar": "htmx fragment inside the idea form (audited there)",
    "console:mailing_progress": "htmx fragment inside the mailing page (audited there)",
}
# Routes that only accept POST (buttons inside audited pages): the test checks they answer 405 to GET.
POST_ONLY = {
    "registrations:cancel", "registrations:resend", "console:check_in", "editions:phase_control",
    "editions:announcement_create", "editions:announcement_withdraw", "evaluation:support",
    "evaluation:compare_answer", "evaluation:jury_assign", "evaluation:jury_dismiss", "evaluation:jury_score_item",
    "ideas:status", "ideas:comment", "ideas:comment_delete", "results:support", "results:comment",
    "results:comment_hide", "results:status", "teams:join", "teams:invite", "teams:decide", "teams:leave",
    "teams:hand_over", "teams:notes", "teams:mentor", "teams:room", "teams:prototype_draft",
    "teams:prototype_reopen", "teams:prototype_image_add", "teams:prototype_image_remove",
    "teams:prototype_pitch_set",
}
# The JSON API (and its generated documentation) is checked by tests/api; the admin is Django's.
EXEMPT_NAMESPACES = {"api": "JSON API (tests/api), its docs page is django-ninja's", "admin": "Django's admin"}


@dataclass
class PageType:
    route: str  # the URL name
    path: str
    roles: tuple[str, ...]
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.route


def named_routes() -> dict[str, str]:
    """Every named URL of the site: name -> route pattern."""
    found = {}

    def walk(resolver, prefix="", namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = prefix + str(entry.pattern)

    walk(get_resolver())
    return found


def _participant_of(edition, user):
    now = timezone.now()
    Registration.objects.get_or_create(
        edition=edition, user=user,
        defaults=dict(status=Registration.Status.CONFIRMED, sector="civil_society", role="citizen",
                      consent_at=now, confirmed_at=now, email_confirmed_at=now),
    )


def build_world() -> dict:
    """The demo data (a past edition with ideas, teams, prototypes, templates and follow-up; an
    upcoming one open for registration) plus an edition in ideation, one in evaluation, one in
    team building and one nobody registered for. Returns the users and the pages to audit."""
    from helpathon.accounts.models import User
    from helpathon.editions.models import Edition
    from helpathon.editions.services import phase_set
    from helpathon.evaluation import services as evaluation
    from helpathon.ideas import services as ideas
    from helpathon.ideas.models import Comment, Idea
    from helpathon.moderation.services import report_create
    from helpathon.notifications.emails import unsubscribe_token
    from helpathon.notifications.services import mailing_create
    from helpathon.registrations.services import make_token, registration_create
    from helpathon.results.models import InnovationTemplate
    from helpathon.teams import services as teams
    from helpathon.teams.models import Team
    from tests.factories import organizers_group

    organizers_group()
    for command in ("seed_demo", "seed_demo_ideas", "seed_demo_results"):
        call_command(command, stdout=StringIO())
    organizer = User.objects.get(email="organisation@helpathon.localhost")
    lea = User.objects.get(email="teilnehmerin@helpathon.localhost")
    ida = make_user("ida@example.org", display_name="Ida Ideenreich")
    past = Edition.objects.get(slug=PAST)

    made = {}
    for slug, title, phase in [(IDEATION, "Ideenwerkstatt Nordstadt", "ideation"),
                               (EVALUATION, "Stadtklima", "evaluation"),
                               (TEAMING, "Teamfindung Hafen", "team_building"),
                               (PROTOTYPING, "Prototypen Phoenix-See", "team_building"),
                               (SIGNUP, "Anmeldung offen", None)]:
        edition = make_edition(slug=slug, title=title)
        edition.organizers.add(organizer)
        edition.moderators.add(organizer)
        if phase:
            for person in (lea, ida):
                _participant_of(edition, person)
            phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
            challenge = edition.challenges.order_by("order").first()
            made[slug] = [ideas.idea_create(actor=author, challenge=challenge, title=f"{title}: {what}",
                                            body=f"Worum es geht: {what}.")
                          for author, what in [(ida, "Trinkwasserbrunnen"), (lea, "Schattendächer"),
                                               (ida, "Offene Schulhöfe")]]
            if phase != "ideation":
                phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=phase))

    ideation_ideas = made[IDEATION]
    lea_comment = ideas.comment_create(actor=lea, idea=ideation_ideas[0], body="Gute Idee, ich helfe mit.")
    ida_comment = ideas.comment_create(actor=ida, idea=ideation_ideas[1], body="Wer bezahlt das?")
    report = report_create(actor=lea, comment=ida_comment, reason="Unfreundlich.")
    report_create(actor=lea, idea=ideation_ideas[2], reason="Doppelt.")
    # A hidden idea and a hidden comment for the moderators' restore pages.
    hidden_idea = ideas.idea_create(actor=ida, challenge=ideation_ideas[0].challenge, title="Werbung für meinen Laden")
    hidden_comment = ideas.comment_create(actor=ida, idea=ideation_ideas[1], body="Kauft bei mir!")
    Idea.objects.filter(pk=hidden_idea.pk).update(hidden_at=timezone.now(), hidden_reason="Werbung")
    Comment.objects.filter(pk=hidden_comment.pk).update(hidden_at=timezone.now(), hidden_reason="Werbung")

    evaluation_edition = Edition.objects.get(slug=EVALUATION)
    evaluation.jury_appoint(actor=organizer, edition=evaluation_edition, user=organizer)
    teaming = Edition.objects.get(slug=TEAMING)
    lea_team = teams.team_found(actor=lea, challenge=made[TEAMING][1].challenge, ideas=[made[TEAMING][1]],
                                name="Schattenbauer", description="Wir bauen Schatten.")
    prototyping = Edition.objects.get(slug=PROTOTYPING)
    building_team = teams.team_found(actor=lea, challenge=made[PROTOTYPING][1].challenge, ideas=[made[PROTOTYPING][1]],
                                     name="Sonnensegel", description="Wir bauen Sonnensegel.")
    phase_set(actor=organizer, edition=prototyping, phase=prototyping.phases.get(kind="prototyping"))
    comeback = Edition.objects.get(slug=COMEBACK)
    mailing = mailing_create(actor=organizer, edition=comeback, audience="participants",
                             subject="Bald geht es los", body="Wir freuen uns auf euch.")
    pending = registration_create(user=ida, edition=Edition.objects.get(slug=SIGNUP), sector="science",
                                  role="student", consent=True)

    past_team = Team.objects.filter(edition=past, memberships__user=lea).first()
    markt = Idea.objects.get(edition=past, title="Digitaler Wochenmarkt fürs Quartier")
    template = InnovationTemplate.objects.filter(edition=past).first()
    past_challenge = past.challenges.order_by("order").first()
    evaluation_challenge = evaluation_edition.challenges.order_by("order").first()
    unsubscribe = unsubscribe_token(lea, "email_reminders")
    E = "/editions"
    pages = [
        # Public pages, as a visitor and as a participant.
        PageType("home", "/", PUBLIC),
        PageType("editions:detail", f"{E}/{COMEBACK}/", PUBLIC + (ORGANIZER,), "edition (upcoming)"),
        PageType("editions:detail", f"{E}/{PAST}/", PUBLIC, "edition (past)"),
        PageType("editions:challenge", f"{E}/{PAST}/challenges/{past_challenge.slug}/", PUBLIC),
        PageType("ideas:list", f"{E}/{PAST}/ideas/", PUBLIC),
        PageType("ideas:challenge_list", f"{E}/{PAST}/challenges/{past_challenge.slug}/ideas/", PUBLIC),
        PageType("ideas:detail", f"{E}/{PAST}/ideas/{markt.pk}/", PUBLIC),
        PageType("ideas:detail", f"{E}/{IDEATION}/ideas/{ideation_ideas[0].pk}/", PUBLIC, "idea (ideation)"),
        PageType("ideas:history", f"{E}/{PAST}/ideas/{markt.pk}/history/", PUBLIC),
        PageType("ideas:themes", f"{E}/{PAST}/themes/", PUBLIC),
        PageType("evaluation:hub", f"{E}/{EVALUATION}/evaluate/", PUBLIC),
        PageType("evaluation:challenge_hub", f"{E}/{EVALUATION}/challenges/{evaluation_challenge.slug}/evaluate/",
                 PUBLIC),
        PageType("evaluation:rankings", f"{E}/{PAST}/rankings/", PUBLIC),
        PageType("evaluation:challenge_rankings", f"{E}/{PAST}/challenges/{past_challenge.slug}/rankings/", PUBLIC),
        PageType("teams:board", f"{E}/{PAST}/teams/", PUBLIC),
        PageType("teams:detail", f"{E}/{PAST}/teams/{past_team.pk}/", PUBLIC),
        PageType("teams:gallery", f"{E}/{PAST}/prototypes/", PUBLIC),
        PageType("teams:prototype", f"{E}/{PAST}/teams/{past_team.pk}/prototype/", PUBLIC),
        PageType("teams:prototype_history", f"{E}/{PAST}/teams/{past_team.pk}/prototype/history/", PUBLIC),
        PageType("live:dashboard", f"{E}/{PAST}/live/", PUBLIC),
        PageType("live:replay", f"{E}/{PAST}/live/replay/", PUBLIC),
        PageType("results:list", f"{E}/{PAST}/results/", PUBLIC),
        PageType("results:template", f"{E}/{PAST}/results/templates/{template.pk}/", PUBLIC),
        PageType("results:report", f"{E}/{PAST}/report/", PUBLIC),
        PageType("results:open_data", f"{E}/{PAST}/open-data/", PUBLIC),
        PageType("accounts:privacy", "/privacy/", PUBLIC),
        # Visitors only (a signed-in person is sent on).
        PageType("account_login", "/accounts/login/", (VISITOR,)),
        PageType("account_signup", "/accounts/signup/", (VISITOR,)),
        PageType("account_inactive", "/accounts/inactive/", (VISITOR,)),
        PageType("account_email_verification_sent", "/accounts/confirm-email/", (VISITOR,)),
        PageType("account_confirm_email", "/accounts/confirm-email/not-a-key/", (VISITOR,), "confirm e-mail (bad key)"),
        PageType("account_reset_password", "/accounts/password/reset/", (VISITOR,)),
        PageType("account_reset_password_done", "/accounts/password/reset/done/", (VISITOR,)),
        PageType("account_reset_password_from_key", "/accounts/password/reset/key/1-not-a-key/", (VISITOR,),
                 "new password (bad key)"),
        PageType("account_reset_password_from_key_done", "/accounts/password/reset/key/done/", (VISITOR,)),
        PageType("registrations:confirm", f"/registrations/confirm/{make_token(pending)}/", (VISITOR,)),
        PageType("notifications:unsubscribe", f"/mail/unsubscribe/{unsubscribe}/", (VISITOR,)),
        # Signed-in participants.
        PageType("account_logout", "/accounts/logout/", (PARTICIPANT,)),
        PageType("account_email", "/accounts/email/", (PARTICIPANT,)),
        PageType("account_change_password", "/accounts/password/change/", (PARTICIPANT,)),
        PageType("account_reauthenticate", "/accounts/reauthenticate/", (PARTICIPANT,)),
        PageType("accounts:profile", "/profile/", (PARTICIPANT,)),
        PageType("accounts:delete", "/profile/delete/", (PARTICIPANT,)),
        PageType("registrations:register", f"{E}/{SIGNUP}/register/", (PARTICIPANT,)),
        PageType("ideas:create", f"{E}/{IDEATION}/ideas/new/", (PARTICIPANT,)),
        PageType("ideas:edit", f"{E}/{IDEATION}/ideas/{ideation_ideas[1].pk}/edit/", (PARTICIPANT,)),
        PageType("ideas:comment_edit", f"{E}/{IDEATION}/comments/{lea_comment.pk}/edit/", (PARTICIPANT,)),
        PageType("moderation:report_idea", f"{E}/{IDEATION}/ideas/{ideation_ideas[0].pk}/report/", (PARTICIPANT,)),
        PageType("moderation:report_comment", f"{E}/{IDEATION}/comments/{lea_comment.pk}/report/",
                 (PARTICIPANT,)),
        PageType("evaluation:rate", f"{E}/{EVALUATION}/ideas/{made[EVALUATION][0].pk}/rate/", (PARTICIPANT,)),
        PageType("evaluation:compare", f"{E}/{EVALUATION}/challenges/{evaluation_challenge.slug}/compare/",
                 (PARTICIPANT,)),
        PageType("teams:new", f"{E}/{TEAMING}/teams/new/", (PARTICIPANT,)),
        PageType("teams:looking", f"{E}/{TEAMING}/teams/looking/", (PARTICIPANT,)),
        PageType("teams:detail", f"{E}/{TEAMING}/teams/{lea_team.pk}/", (PARTICIPANT,), "team (own, lead)"),
        PageType("teams:edit", f"{E}/{TEAMING}/teams/{lea_team.pk}/edit/", (PARTICIPANT,)),
        PageType("teams:prototype_edit", f"{E}/{PROTOTYPING}/teams/{building_team.pk}/prototype/edit/", (PARTICIPANT,)),
        PageType("teams:prototype_submit", f"{E}/{PROTOTYPING}/teams/{building_team.pk}/prototype/submit/",
                 (PARTICIPANT,)),
        # Organizers.
        PageType("console:home", "/console/", (ORGANIZER,)),
        PageType("console:edition_create", "/console/editions/new/", (ORGANIZER,)),
        PageType("console:overview", f"{E}/{COMEBACK}/console/", (ORGANIZER,)),
        PageType("console:edition_copy", f"{E}/{PAST}/console/copy/", (ORGANIZER,)),
        PageType("console:edition_edit", f"{E}/{COMEBACK}/console/edit/", (ORGANIZER,)),
        PageType("console:registrations", f"{E}/{COMEBACK}/console/registrations/", (ORGANIZER,)),
        PageType("console:downloads", f"{E}/{PAST}/console/downloads/", (ORGANIZER,)),
        PageType("console:mailings", f"{E}/{COMEBACK}/console/mail/", (ORGANIZER,)),
        PageType("console:mailing", f"{E}/{COMEBACK}/console/mail/{mailing.pk}/", (ORGANIZER,)),
        PageType("moderation:queue", f"{E}/{IDEATION}/moderation/", (ORGANIZER,)),
        PageType("moderation:hide_idea", f"{E}/{IDEATION}/moderation/ideas/{ideation_ideas[2].pk}/hide/",
                 (ORGANIZER,)),
        PageType("moderation:restore_idea", f"{E}/{IDEATION}/moderation/ideas/{hidden_idea.pk}/restore/",
                 (ORGANIZER,)),
        PageType("moderation:hide_comment", f"{E}/{IDEATION}/moderation/comments/{ida_comment.pk}/hide/",
                 (ORGANIZER,)),
        PageType("moderation:restore_comment", f"{E}/{IDEATION}/moderation/comments/{hidden_comment.pk}/restore/",
                 (ORGANIZER,)),
        PageType("moderation:dismiss_report", f"{E}/{IDEATION}/moderation/reports/{report.pk}/dismiss/",
                 (ORGANIZER,)),
        PageType("ideas:merge", f"{E}/{IDEATION}/ideas/{ideation_ideas[2].pk}/merge/", (ORGANIZER,)),
        PageType("evaluation:settings", f"{E}/{EVALUATION}/evaluate/settings/", (ORGANIZER,)),
        PageType("evaluation:jury", f"{E}/{EVALUATION}/jury/", (ORGANIZER,)),
        PageType("evaluation:jury_score", f"{E}/{EVALUATION}/jury/score/", (ORGANIZER,), "jury scoring (as juror)"),
        PageType("evaluation:jury_results", f"{E}/{EVALUATION}/jury/results/", (ORGANIZER,)),
        PageType("teams:settings", f"{E}/{TEAMING}/teams/settings/", (ORGANIZER,)),
        PageType("results:follow_up", f"{E}/{PAST}/results/follow-up/", (ORGANIZER,)),
    ]
    return {"users": {PARTICIPANT: lea, ORGANIZER: organizer}, "pages": pages}


def _axe_violations(page) -> list[dict]:
    """axe's violations only (resultTypes keeps the passes short: the run is several times faster)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def _session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


def _quiet_stream(route):
    route.fulfill(status=200, content_type="text/event-stream", body="retry: 3600000\n\n")


def test_every_page_type_has_no_serious_accessibility_violations(browser, live_server, console_errors):
    """Every page type, as each role that sees it, in German and English, at desktop and phone
    width: no serious or critical axe violation, and every audited page answers 200.

    Each page is loaded once and audited at both widths (the viewport is resized in between,
    which re-applies the style sheet's media queries); axe comes with every document through an
    init script instead of being sent into each page."""
    world = build_world()
    pages = world["pages"]
    sessions = {role: _session_cookie(user, live_server) for role, user in world["users"].items()}
    results, failures, audits = {}, [], 0
    began = time.perf_counter()
    widths = list(WIDTHS.items())
    for role in (VISITOR, PARTICIPANT, ORGANIZER):
        context, page = _new_page(browser, console_errors, viewport=widths[0][1])
        context.add_init_script(path=str(AXE_JS))
        # pytest-django's live server speaks WSGI and cannot hold the live pages' event stream
        # open (tests/e2e/test_live.py audits those on a real ASGI server): answer it with an
        # empty stream that asks the browser to come back in an hour.
        context.route("**/live/stream*", _quiet_stream)
        if role in sessions:
            context.add_cookies([sessions[role]])
        try:
            for language in LANGUAGES:
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                for page_type in pages:
                    if role not in page_type.roles:
                        continue
                    where = f"{page_type.label} as {role}, {language} ({page_type.path})"
                    response = page.goto(live_server.url + page_type.path, wait_until="load")
                    if response.status != 200 or urlsplit(page.url).path != page_type.path:
                        failures.append(f"{where}: answered {response.status} at {page.url}, not the page")
                        continue
                    assert page.evaluate("document.documentElement.lang") == language, where
                    # Alternate the order, so that each page needs one resize.
                    for width_name, viewport in widths:
                        if page.viewport_size != viewport:
                            page.set_viewport_size(viewport)
                        violations = _axe_violations(page)
                        audits += 1
                        results[f"{where}, {width_name}"] = violations
                        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
                        if blocking:
                            failures.append(format_violations(blocking, where=f"{where}, {width_name}"))
                    widths.reverse()
        finally:
            context.close()
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    report = AXE_REPORTS / "every_page_type.json"
    report.write_text(json.dumps({"audits": audits, "results": results}, indent=2, ensure_ascii=False))
    page_types = len({p.label for p in pages})
    print(f"\n{audits} page audits of {page_types} page types (roles × languages × widths) "
          f"in {time.perf_counter() - began:.0f}s")
    assert not failures, "\n\n".join(failures) + f"\n\n(all results: {report.relative_to(ROOT)})"
    assert audits >= 4 * page_types
    unexpected = console_errors.unexpected()
    assert not unexpected, "The browser reported errors:\n" + "\n".join(unexpected)


def test_every_page_route_is_audited_or_exempt(db, client):
    """Each named URL is audited above, exempt with a reason, or only takes POST (checked: GET
    answers 405), so a new page cannot slip past the audit."""
    import inspect

    source = inspect.getsource(build_world)
    audited = set(re.findall(r'PageType\("([^"]+)"', source))
    routes = named_routes()
    unknown = sorted(audited - routes.keys()) + sorted(set(EXEMPT) - routes.keys()) + sorted(POST_ONLY - routes.keys())
    assert not unknown, f"audited or exempt names that are no route: {unknown}"
    uncovered = [
        f"{name} ({route})" for name, route in sorted(routes.items())
        if name not in audited and name not in EXEMPT and name not in POST_ONLY
        and name.split(":")[0] not in EXEMPT_NAMESPACES
    ]
    assert not uncovered, (
        "page routes neither audited in build_world() nor exempt (EXEMPT/POST_ONLY in "
        "tests/e2e/test_accessibility.py):\n- " + "\n- ".join(uncovered)
    )
    client.force_login(make_user("poster@example.org"))
    answers = {}
    for name in sorted(POST_ONLY):
        route = routes[name]
        kwargs = {key: ("x" if converter in ("slug", "str") else 1)
                  for converter, key in re.findall(r"<(?:(\w+):)?(\w+)>", route) for converter in [converter or "str"]}
        answers[name] = client.get(reverse(name, kwargs=kwargs)).status_code
    not_post_only = {name: status for name, status in answers.items() if status != 405}
    assert not not_post_only, f"listed as POST only, but GET does not answer 405: {not_post_only}"
