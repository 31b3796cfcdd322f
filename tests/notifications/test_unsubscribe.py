"""The link in every mail that switches its kind off: GET asks (and changes nothing, as mail
scanners follow links), POST switches off, RFC 8058 one-click works without a session or CSRF
token, and a broken link says so with a 400."""

import pytest
from django.test import Client
from django.urls import reverse

from helpathon.accounts.models import User
from helpathon.notifications.emails import unsubscribe_token, unsubscribe_url

EN = {"django_language": "en"}


def url_for(user, kind):
    return reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})


def reload(user):
    return User.objects.get(pk=user.pk)


def test_it_asks_first_and_changes_nothing_on_get(client, citizen):
    client.cookies.load(EN)

    response = client.get(url_for(citizen, "email_reminders"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Stop mails about “event reminders”?" in page
    assert '<button type="submit" class="button">Stop these mails</button>' in page
    assert reload(citizen).email_reminders is True


def test_it_asks_in_german_by_default(client, citizen):
    response = client.get(url_for(citizen, "email_reminders"))
    assert response.status_code == 200
    assert '<html lang="de"' in response.content.decode()


def test_a_post_switches_only_that_kind_off_and_links_to_the_settings(client, citizen):
    client.cookies.load(EN)

    response = client.post(url_for(citizen, "email_teams"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You will get no more mails about “team requests and invitations”." in page
    assert reverse("accounts:profile") + "#emails" in page
    citizen = reload(citizen)
    assert citizen.email_teams is False
    assert (citizen.email_registration, citizen.email_reminders, citizen.email_template_status,
            citizen.email_organizers) == (True, True, True, True)


def test_one_click_works_without_a_session_or_csrf_token(citizen):
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        url_for(citizen, "email_organizers"), data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert reload(citizen).email_organizers is False


def test_the_mails_header_url_is_the_one_click_address(citizen, settings):
    url = unsubscribe_url(citizen, "email_registration")
    path = url.removeprefix(settings.SITE_URL)

    response = Client(enforce_csrf_checks=True).post(path, data="List-Unsubscribe=One-Click",
                                                       content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert reload(citizen).email_registration is False


def test_switching_off_twice_is_fine(client, citizen):
    url = url_for(citizen, "email_reminders")
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    client.cookies.load(EN)
    page = client.get(url).content.decode()
    assert "These mails are switched off already." in page
    assert reload(citizen).email_reminders is False


def test_it_works_for_the_person_whoever_is_signed_in(client, citizen, participant):
    client.force_login(participant)
    client.post(url_for(citizen, "email_teams"))
    assert reload(citizen).email_teams is False
    assert reload(participant).email_teams is True


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("token", [
    "nonsense",
    "eyJ1IjoxLCJrIjoiZW1haWxfdGVhbXMifQ:1abcde:forged-signature",
    "",
])
def test_a_broken_link_gets_a_clear_400(client, citizen, method, token):
    client.cookies.load(EN)
    path = f"/mail/unsubscribe/{token}/" if token else "/mail/unsubscribe/x/"

    response = getattr(client, method)(path)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert reload(citizen).email_teams is True


def test_a_tampered_token_does_not_reach_another_person(client, citizen, participant):
    token = unsubscribe_token(citizen, "email_teams")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": tampered}))
    assert response.status_code == 400
    assert reload(citizen).email_teams is True


def test_a_link_of_a_kind_that_cannot_be_switched_off_is_refused(client, citizen):
    from django.core import signing

    from helpathon.notifications.emails import UNSUBSCRIBE_SALT

    token = signing.dumps({"u": citizen.pk, "k": "is_staff"}, salt=UNSUBSCRIBE_SALT, compress=True)
    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400


def test_a_link_of_a_removed_account_gets_a_400(client, citizen):
    url = url_for(citizen, "email_teams")
    citizen.delete()
    assert client.post(url).status_code == 400
    assert client.get(url).status_code == 400


def test_other_methods_are_not_allowed(client, citizen):
    assert client.put(url_for(citizen, "email_teams")).status_code == 405
