import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from helpathon.accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "neu@example.org",
    "display_name": "  Nora   Neu ",
    "sector": "civil_society",
    "role": "citizen",
    "password1": "ein-sicheres-Passwort-42",
    "password2": "ein-sicheres-Passwort-42",
}


def test_it_signs_up_verifies_the_email_and_logs_in(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert user.display_name == "Nora Neu"
    assert (user.sector, user.role) == ("civil_society", "citizen")
    assert not EmailAddress.objects.get(user=user).verified
    # Not signed in before the address is verified.
    assert "_auth_user_id" not in client.session
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_writes_the_signup_mail_in_german(client):
    client.post("/accounts/signup/", SIGNUP)
    assert "E-Mail" in mail.outbox[-1].subject or "E-Mail" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "someone@example.org"}, "display_name"),
        ({"sector": "aliens"}, "sector"),
        ({"email": "not-an-email"}, "email"),
        ({"password2": "different-Passwort-42"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_it_rejects_bad_sign_up_input_with_a_message(client, overrides, field):
    response = client.post("/accounts/signup/", {**SIGNUP, **overrides})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="neu@example.org").exists()


def test_it_refuses_a_second_account_for_the_same_address(client, citizen):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": citizen.email.upper()})
    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    assert response.status_code in {200, 302}


def test_it_logs_in_and_out(client, citizen, password):
    response = client.post("/accounts/login/", {"login": citizen.email, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_it_sends_a_password_reset_mail(client, citizen):
    response = client.post("/accounts/password/reset/", {"email": citizen.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [citizen.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_it_updates_the_profile(client, citizen):
    client.force_login(citizen)
    response = client.post("/profile/", {"display_name": "Cora C.", "sector": "science", "role": "student"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.display_name, citizen.sector, citizen.role) == ("Cora C.", "science", "student")


@pytest.mark.parametrize(
    "data",
    [{}, {"display_name": ""}, {"display_name": "x" * 81}, {"display_name": "ok", "sector": "nope"}],
)
def test_it_rejects_a_bad_profile_without_losing_the_old_one(client, citizen, data):
    client.force_login(citizen)
    response = client.post("/profile/", data)
    assert response.status_code == 200
    assert b"notice-error" in response.content
    citizen.refresh_from_db()
    assert citizen.display_name == "Cora Citizen"


def test_it_shows_the_email_only_to_its_owner(client, citizen):
    client.force_login(citizen)
    assert citizen.email in client.get("/profile/").content.decode()
    assert client.get("/privacy/").status_code == 200
