"""The registrations table: filters, search, emails for organizers, paging, CSV, query count."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpathon.console.selectors import REGISTRATIONS_PER_PAGE
from helpathon.registrations.models import Registration
from tests.console.conftest import register

pytestmark = pytest.mark.django_db


def _url(edition, query=""):
    return reverse("console:registrations", kwargs={"slug": edition.slug}) + query


@pytest.fixture
def people(edition, participant):
    register(edition, "wanda@example.org", display_name="Wanda Wartend", status=Registration.Status.WAITLISTED)
    register(edition, "petra@example.org", display_name="Petra Pending", status=Registration.Status.PENDING)
    register(edition, "carl@example.org", display_name="Carl Cancelled", status=Registration.Status.CANCELLED)
    return edition


def test_it_lists_everyone_with_their_email(organizer_client, people):
    response = organizer_client.get(_url(people))
    for name, email in [("Paul Participant", "participant@example.org"), ("Wanda Wartend", "wanda@example.org"),
                        ("Petra Pending", "petra@example.org"), ("Carl Cancelled", "carl@example.org")]:
        assert name in response.text and email in response.text
    assert '<th scope="col">' in response.text


def test_it_filters_by_status_and_searches_name_and_email(organizer_client, people):
    response = organizer_client.get(_url(people, "?status=waitlisted"))
    assert "Wanda Wartend" in response.text and "Paul Participant" not in response.text
    response = organizer_client.get(_url(people, "?q=PETRA"))
    assert "Petra Pending" in response.text and "Wanda Wartend" not in response.text
    response = organizer_client.get(_url(people, "?q=participant@example"))
    assert "Paul Participant" in response.text and "Petra Pending" not in response.text


@pytest.mark.parametrize("query", ["?status=bogus", "?q=" + "x" * 500, "?page=abc", "?page=-1", "?q=%00", "?page=99999"])
def test_odd_filters_never_fail(organizer_client, people, query):
    assert organizer_client.get(_url(people, query)).status_code == 200


def test_only_confirmed_rows_offer_a_check_in(organizer_client, people):
    response = organizer_client.get(_url(people))
    assert response.text.count('name="checked_in" value="1"') == 1


def test_it_pages_and_keeps_the_filter(organizer_client, edition):
    for index in range(REGISTRATIONS_PER_PAGE + 3):
        register(edition, f"p{index}@example.org", display_name=f"Person {index:03d}")
    first = organizer_client.get(_url(edition, "?status=confirmed"))
    assert "Person 000" in first.text and f"Person {REGISTRATIONS_PER_PAGE + 2:03d}" not in first.text
    assert "status=confirmed&amp;page=2" in first.text
    second = organizer_client.get(_url(edition, "?status=confirmed&page=2"))
    assert f"Person {REGISTRATIONS_PER_PAGE + 2:03d}" in second.text


def test_the_query_count_does_not_grow_with_the_registrations(organizer_client, edition, django_assert_max_num_queries):
    register(edition, "one@example.org")
    organizer_client.get(_url(edition))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as few:
        organizer_client.get(_url(edition))
    for index in range(40):
        register(edition, f"many{index}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = organizer_client.get(_url(edition))
    assert response.text.count("<tr id=\"registration-") == 41


def test_the_csv_holds_the_filtered_registrations_with_their_check_in(organizer_client, people):
    response = organizer_client.get(_url(people, "?status=confirmed&format=csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["edition", "display_name", "email"] and rows[0][-1] == "checked_in_at"
    assert [row[2] for row in rows[1:]] == ["participant@example.org"]


def test_the_csv_is_for_organizers_only(client, people, participant):
    client.force_login(participant)
    assert client.get(_url(people, "?format=csv")).status_code == 403
