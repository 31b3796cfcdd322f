import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db


def _register_url(edition):
    return f"/editions/{edition.slug}/register/"


def _form(**overrides):
    return {"sector": "science", "role": "student", "consent": "on", **overrides}


def _token_from_last_mail() -> str:
    return re.search(r"/registrations/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)


def test_it_sends_visitors_to_the_login_first(client, edition):
    response = client.get(_register_url(edition))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_registers_and_confirms_through_the_emailed_link(client, edition, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    challenge = edition.challenges.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_register_url(edition), _form(preferred_challenges=[challenge.pk]))
    assert response.status_code == 200
    registration = Registration.objects.get(user=citizen, edition=edition)
    assert registration.status == "pending"
    assert list(registration.preferred_challenges.all()) == [challenge]
    assert mail.outbox[-1].to == [citizen.email]
    token = _token_from_last_mail()
    # Following the link only shows a button: mail scanners must not confirm.
    assert client.get(f"/registrations/confirm/{token}/").status_code == 200
    registration.refresh_from_db()
    assert registration.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registrations/confirm/{token}/")
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    page = client.get(edition.get_absolute_url()).content.decode()
    assert f"/editions/{edition.slug}/calendar.ics" in page


def test_it_keeps_the_input_and_explains_what_is_missing(client, edition, citizen):
    client.force_login(citizen)
    response = client.post(_register_url(edition), {"sector": "business", "role": "founder"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte stimmen Sie den Datenschutzhinweisen zu" in html or "privacy notice" in html
    assert 'value="business" selected' in html
    assert 'value="founder" selected' in html
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"sector": "aliens", "role": "student", "consent": "on"},
        {"sector": "science", "role": "", "consent": "on"},
        {"sector": "science", "role": "student", "consent": "on", "preferred_challenges": ["999999"]},
        {"sector": "science", "role": "student", "consent": "on", "preferred_challenges": ["x"]},
        {},
    ],
)
def test_it_answers_bad_input_with_a_form_error_never_a_server_error(client, edition, citizen, data):
    client.force_login(citizen)
    response = client.post(_register_url(edition), data)
    assert response.status_code == 200
    assert b"notice-error" in response.content
    assert not Registration.objects.exists()


def test_it_rejects_a_challenge_of_another_edition(client, edition, citizen):
    other = make_edition(slug="elsewhere")
    client.force_login(citizen)
    response = client.post(_register_url(edition), _form(preferred_challenges=[other.challenges.first().pk]))
    assert b"notice-error" in response.content
    assert not Registration.objects.exists()


def test_it_offers_the_waitlist_when_full(client, citizen, django_capture_on_commit_callbacks):
    edition = make_edition(slug="tiny", capacity=1)
    taken_by = make_user("first@example.org")
    Registration.objects.create(
        edition=edition, user=taken_by, status="confirmed", sector="science", role="student", consent_at=timezone.now()
    )
    client.force_login(citizen)
    page = client.get(_register_url(edition)).content.decode()
    assert "notice-warning" in page and 'name="join_waitlist"' in page
    # Submitting without the waitlist choice (e.g. the last place went meanwhile) shows the offer.
    response = client.post(_register_url(edition), _form())
    assert b"notice-warning" in response.content
    assert not Registration.objects.filter(user=citizen).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form(join_waitlist="1"))
    registration = Registration.objects.get(user=citizen)
    assert registration.status == "waitlisted"
    page = client.get(edition.get_absolute_url()).content.decode()
    assert "Warteliste" in page and "1" in page


def test_it_says_when_registration_is_closed(client, citizen):
    edition = make_edition(slug="closed", registration_open=False)
    client.force_login(citizen)
    response = client.get(_register_url(edition), follow=True)
    assert b"message-error" in response.content
    response = client.post(_register_url(edition), _form(), follow=True)
    assert b"message-error" in response.content
    assert not Registration.objects.exists()


def test_it_says_when_already_registered(client, edition, participant):
    client.force_login(participant)
    response = client.get(_register_url(edition), follow=True)
    assert b"message-info" in response.content
    assert Registration.objects.filter(user=participant).count() == 1


@pytest.mark.parametrize("token", ["garbage", "a" * 300, "eyJyIjoxfQ:1abc:def"])
def test_it_explains_an_invalid_link(client, token):
    response = client.post(f"/registrations/confirm/{token}/")
    assert response.status_code == 400
    assert b"notice-error" in response.content


def test_it_explains_an_expired_link(client, edition, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    token = _token_from_last_mail()
    Registration.objects.filter(user=citizen).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/registrations/confirm/{token}/")
    assert response.status_code == 410
    assert Registration.objects.get(user=citizen).status == "lapsed"
    # The person can register again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    assert Registration.objects.get(user=citizen).status == "pending"


def test_it_cancels_and_gives_the_place_to_the_waitlist(client, citizen, django_capture_on_commit_callbacks):
    edition = make_edition(slug="tiny", capacity=1)
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    waiting = make_user("waiting@example.org")
    client.force_login(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form(join_waitlist="1"))
    assert Registration.objects.get(user=waiting).status == "waitlisted"
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/editions/{edition.slug}/register/cancel/", follow=True)
    assert b"message-success" in response.content
    assert Registration.objects.get(user=citizen).status == "cancelled"
    assert Registration.objects.get(user=waiting).status == "pending"
    assert mail.outbox[-1].to == [waiting.email]


def test_it_serves_the_calendar_only_to_confirmed_participants(client, edition, participant, citizen):
    url = f"/editions/{edition.slug}/calendar.ics"
    client.force_login(participant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    client.force_login(citizen)
    assert client.get(url).status_code == 404


def test_it_resends_the_link_and_voids_the_old_one(client, edition, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    old = _token_from_last_mail()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/editions/{edition.slug}/register/resend/")
    new = _token_from_last_mail()
    assert new != old
    assert client.post(f"/registrations/confirm/{old}/").status_code == 400
    assert client.post(f"/registrations/confirm/{new}/").status_code == 200


def test_it_shows_counts_by_sector_but_no_names(client, edition, participant):
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "sector-bars" in html
    assert participant.display_name not in html
    assert participant.email not in html


def test_it_writes_mails_in_the_language_of_the_registration(client, edition, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    assert "Please confirm your registration" in mail.outbox[-1].subject
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    other = make_user("zweite@example.org")
    client.force_login(other)
    client.cookies.pop("django_language", None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_register_url(edition), _form())
    assert "Bitte bestätigen" in mail.outbox[-1].subject
