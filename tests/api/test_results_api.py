"""The templates in the API: the edition's list and one template, the same JSON as the page's
download; drafts are a 404 and no email leaves."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpathon.results import documents
from tests.results.conftest import (  # noqa: F401 - the results fixtures
    _english, go_to, idea_author, lineage, member, submitted_team, template,
)

SEEDED_EMAILS = ("participant@example.org", "mia.member@example.org", "ida.author@example.org",
                 "organizer@example.org")


def test_it_lists_the_editions_templates(client, template):
    response = client.get(f"/api/v1/editions/{template.edition.slug}/templates")
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == template.pk
    assert item["title"] == "Die Radler"
    assert item["status"] == "received"
    assert item["excerpt"] == "Lieferverkehr verstopft die Innenstadt."
    assert item["links"]["json"].endswith(f"/results/templates/{template.pk}/template.json")


def test_one_template_is_the_json_document(client, template):
    response = client.get(f"/api/v1/templates/{template.pk}")
    assert response.status_code == 200
    data = response.json()
    expected = documents.template_json(template)
    assert data["title"] == expected["title"] == "Die Radler"
    assert data["sections"] == expected["sections"]
    assert data["lineage"] == expected["lineage"]
    assert data["team"]["members"] == ["Mia Member"] and data["team"]["more_members"] == 1
    assert data["licence"] == "CC-BY-4.0"


def test_no_email_in_the_api(client, template):
    text = client.get(f"/api/v1/editions/{template.edition.slug}/templates").content.decode()
    text += client.get(f"/api/v1/templates/{template.pk}").content.decode()
    for email in SEEDED_EMAILS:
        assert email not in text
    assert "Paul Participant" not in text


@pytest.mark.parametrize("pk", ["0", "999999", str(2**63), "x"])
def test_missing_templates_are_404_or_422(client, template, pk):
    response = client.get(f"/api/v1/templates/{pk}")
    assert response.status_code in (404, 422)


def test_draft_editions_are_404(client, template, organizer):
    edition = template.edition
    edition.status = "draft"
    edition.save(update_fields=["status"])
    assert client.get(f"/api/v1/editions/{edition.slug}/templates").status_code == 404
    assert client.get(f"/api/v1/templates/{template.pk}").status_code == 404
    client.force_login(organizer)
    assert client.get(f"/api/v1/templates/{template.pk}").status_code == 200


def test_the_list_takes_constant_queries(client, template, django_assert_max_num_queries):
    from tests.results.test_templates import _more_templates

    url = f"/api/v1/editions/{template.edition.slug}/templates"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _more_templates(template.edition, 4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(url).json()) == 5
