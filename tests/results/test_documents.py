"""An innovation template as Markdown, JSON and PDF: the same content as the page, downloads
with the right type and name, and no personal data."""

import io
import json

import pytest
from django.urls import reverse

from helpathon.results import documents
from helpathon.results.models import FollowUp
from helpathon.results.services import template_comment, template_status_set, template_support

SEEDED_EMAILS = (
    "participant@example.org", "mia.member@example.org", "ida.author@example.org", "organizer@example.org",
    "citizen@example.org",
)


def _url(template, name):
    return reverse(f"results:{name}", kwargs={"slug": template.edition.slug, "pk": template.pk})


@pytest.fixture
def followed_up(template, organizer, citizen):
    """The template with a citizen's support and comment and a new status."""
    template_support(actor=citizen, template=template)
    template_comment(actor=citizen, template=template, body="Bitte auch am Hafen!")
    return template_status_set(actor=organizer, template=template, status=FollowUp.BEING_IMPLEMENTED,
                               statement="Der erste Hub öffnet im Frühjahr.")


def test_the_json_holds_the_template(followed_up, lineage):
    data = documents.template_json(followed_up)
    assert data["title"] == "Die Radler"
    assert data["licence"] == "CC-BY-4.0"
    assert data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["status"] == "being_implemented"
    assert data["statement"] == "Der erste Hub öffnet im Frühjahr."
    assert [c["status"] for c in data["status_history"]] == ["received", "being_implemented"]
    assert [s["key"] for s in data["sections"]] == ["problem", "target_group", "solution", "future_scenario",
                                                     "next_steps"]
    assert data["sections"][0]["markdown"] == "Lieferverkehr verstopft die Innenstadt."
    assert {idea["title"] for idea in data["lineage"]} == {"Lastenräder leihen", "Lastenrad-Hubs am Markt"}
    assert data["team"] == {"name": "Die Radler", "members": ["Mia Member"], "more_members": 1, "mentors": [],
                            "more_mentors": 0}
    assert data["feedback"]["citizen"] == {"supports": 1, "comments": 1}
    assert data["feedback"]["supports_total"] == 1 and data["feedback"]["comments_total"] == 1
    assert data["links"]["pdf"].endswith(_url(followed_up, "template_pdf"))


def test_the_json_download(client, followed_up):
    response = client.get(_url(followed_up, "template_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 'attachment; filename="' in response["Content-Disposition"]
    assert "die-radler.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["title"] == "Die Radler"


def test_the_markdown_download(client, followed_up):
    response = client.get(_url(followed_up, "template_markdown"), HTTP_COOKIE="django_language=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "die-radler.md" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# Die Radler\n")
    assert "## Problem\n\nLieferverkehr verstopft die Innenstadt." in text
    assert "## Next steps" in text
    assert "[Lastenräder leihen](" in text
    assert "Mia Member" in text and "Paul Participant" not in text
    assert "and 1 more member" in text
    assert "Being implemented" in text
    assert "> Der erste Hub öffnet im Frühjahr." in text
    assert "| Citizens | 1 | 1 |" in text
    assert "Creative Commons Attribution 4.0" in text


def test_the_markdown_in_german(client, followed_up):
    text = client.get(_url(followed_up, "template_markdown"), HTTP_COOKIE="django_language=de").content.decode()
    assert text.startswith("# Die Radler\n")
    assert "Lieferverkehr verstopft die Innenstadt." in text


def test_the_pdf_contains_the_title(client, followed_up):
    from pypdf import PdfReader

    response = client.get(_url(followed_up, "template_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "die-radler.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Die Radler" in text
    assert "Lieferverkehr verstopft die Innenstadt." in text
    assert "Mia Member" in text and "Paul Participant" not in text
    for email in SEEDED_EMAILS:
        assert email not in text


def test_no_document_holds_an_email_or_a_user_id(client, followed_up, participant, member):
    texts = [
        client.get(_url(followed_up, "template")).content.decode(),
        client.get(_url(followed_up, "template_markdown")).content.decode(),
        client.get(_url(followed_up, "template_json")).content.decode(),
    ]
    for text in texts:
        for email in SEEDED_EMAILS:
            assert email not in text
        assert "@example.org" not in text
    data = documents.template_json(followed_up)
    dumped = json.dumps(data)
    assert '"user' not in dumped and '"email' not in dumped and "author_id" not in dumped


def test_a_statement_cannot_break_the_markdown(followed_up, organizer):
    template = template_status_set(actor=organizer, template=followed_up, status=FollowUp.UNDER_REVIEW,
                                   statement="Zeile eins\n# keine Überschrift")
    text = documents.template_markdown(template)
    assert "> Zeile eins\n> # keine Überschrift" in text
    assert "\n# keine" not in text
