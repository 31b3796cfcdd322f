"""Checking people in on the day: the service and the registrations page's toggle."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from helpathon.live.models import LiveEvent
from helpathon.registrations.models import Registration
from helpathon.registrations.services import registration_check_in
from tests.console.conftest import register
from tests.factories import make_edition

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(edition, participant):
    return edition.registrations.get(user=participant)


def _url(registration):
    return reverse("console:check_in", kwargs={"slug": registration.edition.slug, "pk": registration.pk})


def test_it_checks_a_confirmed_participant_in_and_undoes_it(place, organizer):
    registration_check_in(actor=organizer, registration=place)
    place.refresh_from_db()
    first = place.checked_in_at
    assert first is not None
    registration_check_in(actor=organizer, registration=place)  # twice: the first time stands
    place.refresh_from_db()
    assert place.checked_in_at == first
    registration_check_in(actor=organizer, registration=place, checked_in=False)
    place.refresh_from_db()
    assert place.checked_in_at is None


@pytest.mark.parametrize("status", ["pending", "waitlisted", "cancelled", "lapsed"])
def test_only_confirmed_places_are_checked_in(edition, organizer, status):
    registration = register(edition, "x@example.org", status=status)
    with pytest.raises(ValidationError):
        registration_check_in(actor=organizer, registration=registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


@pytest.mark.parametrize("who", ["participant", "citizen", "stranger_organizer"])
def test_only_organizers_check_in(place, request, who):
    with pytest.raises(PermissionDenied):
        registration_check_in(actor=request.getfixturevalue(who), registration=place)
    place.refresh_from_db()
    assert place.checked_in_at is None


def test_checking_in_publishes_nothing(place, organizer):
    before = LiveEvent.objects.count()
    registration_check_in(actor=organizer, registration=place)
    assert LiveEvent.objects.count() == before


def test_the_toggle_answers_htmx_with_the_new_row(client, place, organizer):
    client.force_login(organizer)
    response = client.post(_url(place), {"checked_in": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="registration-{place.pk}"')
    assert 'name="checked_in" value="0"' in response.text  # now offers the undo
    place.refresh_from_db()
    assert place.checked_in_at is not None
    response = client.post(_url(place), {"checked_in": "0"}, HTTP_HX_REQUEST="true")
    place.refresh_from_db()
    assert place.checked_in_at is None
    assert 'name="checked_in" value="1"' in response.text


def test_without_javascript_it_goes_back_to_the_filtered_page(client, place, organizer):
    client.force_login(organizer)
    back = reverse("console:registrations", kwargs={"slug": place.edition.slug}) + "?status=confirmed&page=1"
    response = client.post(_url(place), {"checked_in": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    # Anywhere else is not followed.
    response = client.post(_url(place), {"checked_in": "0", "next": "https://evil.example/"})
    assert response["Location"] == reverse("console:registrations", kwargs={"slug": place.edition.slug})


def test_a_refused_check_in_says_why(client, edition, organizer):
    registration = register(edition, "wait@example.org", status=Registration.Status.WAITLISTED)
    client.force_login(organizer)
    response = client.post(_url(registration), {"checked_in": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    response = client.post(_url(registration), {"checked_in": "1"}, follow=True)
    assert "bestätigtem Platz" in response.text or "confirmed place" in response.text


def test_a_registration_of_another_edition_is_not_found(client, organizer):
    other = make_edition(slug="fremd")
    registration = register(other, "fremd@example.org")
    client.force_login(organizer)
    url = reverse("console:check_in", kwargs={"slug": "test-edition", "pk": registration.pk})
    assert client.post(url, {"checked_in": "1"}).status_code == 404
    url = reverse("console:check_in", kwargs={"slug": "test-edition", "pk": 2**63})
    assert client.post(url, {"checked_in": "1"}).status_code == 404


def test_the_toggle_takes_only_post(client, place, organizer):
    client.force_login(organizer)
    assert client.get(_url(place)).status_code == 405
