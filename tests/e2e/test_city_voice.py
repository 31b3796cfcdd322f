"""The city's voice in the browser: a citizen with a verified account, who never took part in
the event, supports an innovation template during public feedback and comments on it — with
htmx, no page reload — and sees their voice beside the participants' and the jury's. A
visitor sees how to take part instead of the controls. The page has no serious accessibility
violation.

The state (an edition whose team submitted its prototype, now in public feedback) is built by
the results tests' fixtures, through the app's services."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from helpathon.results.models import TemplateComment, TemplateSupport, Voice
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import PASSWORD
from tests.results.conftest import go_to, idea_author, lineage, member, submitted_team, template  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = "Bitte auch einen Hub am Bahnhof – dort fehlt Platz für Lieferungen."


def de(message: str) -> str:
    """The German text the server renders for a template's (English) source string."""
    with translation.override("de"):
        return translation.gettext(message)


def test_a_citizen_supports_and_comments_on_a_template(page, url, template, citizen, screenshot):  # noqa: F811
    path = template.get_absolute_url()

    # A visitor learns how to take part; there is nothing to click yet.
    page.goto(url(path))
    voice = page.locator("#city-voice")
    expect(voice.locator("#city-voice-gate")).to_be_visible()
    expect(voice.locator("#city-voice-gate a[href^='/accounts/signup/']")).to_be_visible()
    expect(page.locator("#template-support-button")).to_have_count(0)

    log_in(page, url, citizen.email, PASSWORD)
    page.goto(url(path))
    button = page.locator("#template-support-button")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    # htmx swaps the block in place: the button is pressed now and the count went up.
    expect(page.locator("#template-support-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#template-support-count")).to_contain_text("1")
    assert TemplateSupport.objects.get(template=template).voice == Voice.CITIZEN

    box = page.locator("#template-comment-body")
    box.fill(COMMENT)
    page.locator("#template-comment-submit").click()
    comment = page.locator(".template-comment").filter(has_text=COMMENT)
    expect(comment).to_be_visible()
    expect(comment.locator(".badge-voice-citizen")).to_have_text(de("Citizen"))
    expect(comment).to_contain_text("Cora Citizen")
    expect(page.locator("#template-comment-body")).to_have_value("")
    assert TemplateComment.objects.get(template=template).voice == Voice.CITIZEN

    # The voices side by side: the citizens' row counts one support and one comment.
    citizens = page.locator("#voices-table tbody tr").first
    expect(citizens.locator("td").nth(0)).to_have_text("1")
    expect(citizens.locator("td").nth(1)).to_have_text("1")
    assert page.url.endswith(path)  # never left the page
    screenshot(page, "city-voice")
    assert_accessible(page, "innovation template with the city's voice")

    # Withdrawn with a second click.
    page.locator("#template-support-button").click()
    expect(page.locator("#template-support-button")).to_have_attribute("aria-pressed", "false")
    assert not TemplateSupport.objects.filter(template=template).exists()


def test_an_organizer_records_what_became_of_it(page, url, template, organizer, screenshot):  # noqa: F811
    log_in(page, url, organizer.email, PASSWORD)
    page.goto(url(template.get_absolute_url()))
    status = page.locator("#template-status")
    status.locator("summary").click()
    status.locator("#template-status-status").select_option("being_implemented")
    status.locator("#template-status-statement").fill("Die Stadt baut zwei Hubs bis 2026.")
    page.locator("#template-status-submit").click()
    expect(page.locator("#template-status .status-statement")).to_contain_text("Die Stadt baut zwei Hubs")
    expect(page.locator("#template-status .status-history li")).to_have_count(2)
    assert_accessible(page, "innovation template, organizer's view")

    page.goto(url(f"/editions/{template.edition.slug}/results/follow-up/"))
    expect(page.locator("#follow-up-being_implemented")).to_be_visible()
    expect(page.locator(f"#follow-up-template-{template.pk}")).to_contain_text("Die Stadt baut zwei Hubs")
    screenshot(page, "follow-up")
    assert_accessible(page, "what became of it")
