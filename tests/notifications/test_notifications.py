"""Mail to one person: each kind in the recipient's language, with the link that switches it
off (in the body and as a List-Unsubscribe header), and none once the kind is switched off.
The opt-in link goes whatever the settings say: the person just asked for it."""

import re

import pytest
from django.core import mail
from django.utils import translation

from helpathon.accounts.models import EMAIL_KINDS, User
from helpathon.notifications.emails import read_unsubscribe_token
from helpathon.registrations.models import Registration
from helpathon.registrations.services import make_token, registration_cancel, registration_confirm, registration_create
from helpathon.teams import services as team_services
from helpathon.teams.models import JoinRequest
from tests.factories import make_edition, make_user
from tests.teams.conftest import author, ideas, make_participant, team, team_building  # noqa: F401 (fixtures)

GREETING = {"de": "Guten Tag", "en": "Hello"}


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def the_mail_to(user):
    found = mails_to(user)
    assert len(found) == 1, [m.subject for m in mail.outbox]
    return found[0]


def assert_switchable(message, user, kind):
    """The mail carries a working link that switches exactly `kind` off for `user`."""
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    url = header[1:-1]
    assert url in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert read_unsubscribe_token(token) == (user.pk, kind)


def switch_off(user, *kinds):
    User.objects.filter(pk=user.pk).update(**{kind: False for kind in kinds})
    user.refresh_from_db()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service and what it does after commit (the mail)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def register(commit):
    def register(user, edition, language):
        with translation.override(language):
            return commit(registration_create, user=user, edition=edition, sector="business", role="founder",
                          consent=True, join_waitlist=True)

    return register


# --- registrations -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_it_confirms_a_registration_in_the_language_registered_in(edition, citizen, register, commit, language):
    registration = register(citizen, edition, language)
    mail.outbox.clear()

    commit(registration_confirm, token=make_token(registration))

    message = the_mail_to(citizen)
    assert GREETING[language] in message.body
    assert_switchable(message, citizen, "email_registration")


def test_it_sends_no_confirmation_to_who_switched_registration_mails_off(edition, citizen, register, commit):
    registration = register(citizen, edition, "de")
    switch_off(citizen, "email_registration")
    mail.outbox.clear()

    registration = commit(registration_confirm, token=make_token(registration))

    assert registration.status == Registration.Status.CONFIRMED
    assert mails_to(citizen) == []


def test_it_sends_the_opt_in_link_even_with_every_kind_switched_off(edition, citizen, register):
    switch_off(citizen, *EMAIL_KINDS)

    register(citizen, edition, "en")

    message = the_mail_to(citizen)
    assert "/registrations/confirm/" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    assert GREETING["en"] in message.body


@pytest.fixture
def full_edition(db):
    return make_edition(slug="full", capacity=1)


@pytest.fixture
def waiting(full_edition, register, commit):
    """Anna holds the only place; Ben (English) waits with a confirmed address."""
    anna = make_user("anna@example.org", display_name="Anna")
    ben = make_user("ben@example.org", display_name="Ben", language="en")
    first = register(anna, full_edition, "de")
    commit(registration_confirm, token=make_token(first))
    queued = register(ben, full_edition, "en")
    commit(registration_confirm, token=make_token(queued))
    mail.outbox.clear()
    return anna, ben, first


def test_it_tells_of_a_place_from_the_waitlist_in_the_language_registered_in(waiting, commit):
    anna, ben, first = waiting

    commit(registration_cancel, user=anna, registration=first)

    message = the_mail_to(ben)
    assert GREETING["en"] in message.body
    assert_switchable(message, ben, "email_registration")


def test_it_keeps_quiet_about_a_confirmed_place_from_the_waitlist_when_switched_off(waiting, commit):
    anna, ben, first = waiting
    switch_off(ben, "email_registration")

    commit(registration_cancel, user=anna, registration=first)

    assert Registration.objects.get(user=ben).status == Registration.Status.CONFIRMED
    assert mails_to(ben) == []


def test_it_still_sends_a_held_place_its_confirmation_link_when_switched_off(full_edition, register, commit):
    """A place held for someone whose address is unconfirmed lapses without the link: it goes
    like the opt-in it stands for."""
    anna = make_user("anna@example.org", display_name="Anna")
    ben = make_user("ben@example.org", display_name="Ben")
    first = register(anna, full_edition, "de")
    register(ben, full_edition, "de")
    switch_off(ben, *EMAIL_KINDS)
    mail.outbox.clear()

    commit(registration_cancel, user=anna, registration=first)

    message = the_mail_to(ben)
    assert Registration.objects.get(user=ben).status == Registration.Status.PENDING
    assert "/registrations/confirm/" in message.body


# --- teams -------------------------------------------------------------------------------------


@pytest.fixture
def lead(team, participant):
    """The team's lead (the cast's participant), who reads English."""
    User.objects.filter(pk=participant.pk).update(language="en")
    participant.refresh_from_db()
    return participant


@pytest.fixture
def asker(make_participant):
    """Wants to join; reads German."""
    return make_participant("Gerd Gast")


@pytest.mark.parametrize("lead_language", ["de", "en"])
def test_it_tells_the_lead_of_a_request_in_the_leads_language(team, lead, asker, commit, lead_language):
    User.objects.filter(pk=lead.pk).update(language=lead_language)

    commit(team_services.join_request_create, actor=asker, team=team, message="Ich kann Karten zeichnen.")

    message = the_mail_to(lead)
    assert GREETING[lead_language] in message.body
    assert "Gerd Gast" in message.subject and "Die Radler" in message.subject
    assert "Ich kann Karten zeichnen." in message.body
    assert team.get_absolute_url() in message.body
    assert_switchable(message, lead, "email_teams")
    assert mails_to(asker) == []


def test_it_tells_the_asker_of_the_answer_in_their_language(team, lead, asker, commit):
    request = commit(team_services.join_request_create, actor=asker, team=team)
    mail.outbox.clear()

    commit(team_services.join_request_decide, actor=lead, request=request, accept=True)

    message = the_mail_to(asker)
    assert GREETING["de"] in message.body
    assert "Die Radler" in message.body
    assert_switchable(message, asker, "email_teams")
    assert mails_to(lead) == []


def test_it_tells_the_asker_of_a_declined_request(team, lead, asker, commit):
    request = commit(team_services.join_request_create, actor=asker, team=team)
    User.objects.filter(pk=asker.pk).update(language="en")
    mail.outbox.clear()

    commit(team_services.join_request_decide, actor=lead, request=request, accept=False)

    message = the_mail_to(asker)
    assert "declined" in message.subject
    assert GREETING["en"] in message.body


def test_it_tells_nobody_when_someone_withdraws_their_own_request(team, lead, asker, commit):
    request = commit(team_services.join_request_create, actor=asker, team=team)
    mail.outbox.clear()

    request = commit(team_services.join_request_decide, actor=asker, request=request, accept=False)

    assert request.status == JoinRequest.Status.WITHDRAWN
    assert mail.outbox == []


def test_it_tells_an_invited_person_and_the_lead_of_their_answer(team, lead, asker, commit):
    invitation = commit(team_services.team_invite, actor=lead, team=team, user=asker, message="Komm zu uns!")

    message = the_mail_to(asker)
    assert GREETING["de"] in message.body
    assert "Komm zu uns!" in message.body
    assert_switchable(message, asker, "email_teams")
    mail.outbox.clear()

    commit(team_services.join_request_decide, actor=asker, request=invitation, accept=True)

    message = the_mail_to(lead)
    assert GREETING["en"] in message.body
    assert "Gerd Gast accepted your invitation" in message.subject


def test_asking_when_invited_tells_the_lead_it_is_accepted(team, lead, asker, commit):
    commit(team_services.team_invite, actor=lead, team=team, user=asker)
    mail.outbox.clear()

    request = commit(team_services.join_request_create, actor=asker, team=team)

    assert request.status == JoinRequest.Status.ACCEPTED
    assert [m.subject for m in mails_to(lead)] == ["Gerd Gast accepted your invitation to “Die Radler”"]


def test_it_sends_no_team_mails_to_who_switched_them_off(team, lead, asker, commit):
    switch_off(lead, "email_teams")
    switch_off(asker, "email_teams")

    request = commit(team_services.join_request_create, actor=asker, team=team)
    commit(team_services.join_request_decide, actor=lead, request=request, accept=True)
    other = make_user("ola@example.org", display_name="Ola")
    Registration.objects.create(
        edition=team.edition, user=other, status=Registration.Status.CONFIRMED, sector="business", role="founder",
        consent_at=request.created_at, confirmed_at=request.created_at,
    )
    switch_off(other, "email_teams")
    commit(team_services.team_invite, actor=lead, team=team, user=other)

    assert Registration.objects.filter(user=asker, edition=team.edition).exists()
    assert team.memberships.filter(user=asker).exists()
    assert mail.outbox == []


def test_no_mail_leaves_before_the_commit(team, lead, asker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        team_services.join_request_create(actor=asker, team=team)
    assert mail.outbox == []
    assert callbacks


# --- the person's settings: mail language and kinds ---------------------------------------------

EN = {"django_language": "en"}
PROFILE = {"display_name": "Cora Citizen", "sector": "science", "role": "student"}


def test_the_profile_shows_the_mail_settings_in_a_fieldset(client, citizen):
    client.force_login(citizen)
    client.cookies.load(EN)

    page = client.get("/profile/").content.decode()

    assert "<legend>Emails</legend>" in page
    for kind in EMAIL_KINDS:
        # On by default, each with its label.
        assert re.search(rf'<input type="checkbox" name="{kind}"[^>]*\schecked>', page), kind
        assert f'<label for="id_{kind}">' in page
    assert 'name="language"' in page
    assert "Name me in results" in page
    assert 'aria-describedby="id_named_in_results_helptext"' in page


def test_the_profile_saves_the_mail_settings(client, citizen):
    client.force_login(citizen)
    data = {**PROFILE, "language": "en", "named_in_results": "on", "email_registration": "on", "email_teams": "on"}

    response = client.post("/profile/", data)

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    assert citizen.named_in_results is True
    assert (citizen.email_registration, citizen.email_teams) == (True, True)
    assert (citizen.email_reminders, citizen.email_template_status, citizen.email_organizers) == (False, False, False)


def test_the_profile_rejects_an_unknown_language(client, citizen):
    client.force_login(citizen)

    response = client.post("/profile/", {**PROFILE, "language": "xx"})

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    citizen.refresh_from_db()
    assert citizen.language == "de"


def test_a_profile_sent_without_a_language_keeps_the_pages_language(client, citizen):
    client.force_login(citizen)
    client.cookies.load(EN)

    client.post("/profile/", PROFILE)

    citizen.refresh_from_db()
    assert citizen.language == "en"


@pytest.mark.parametrize("cookie, language", [({}, "de"), (EN, "en")])
def test_signing_up_sets_the_mail_language(db, client, cookie, language):
    client.cookies.load(cookie)
    client.post("/accounts/signup/", {
        "email": "neu@example.org", "display_name": "Nora Neu", "sector": "science", "role": "student",
        "password1": "ein-sicheres-Passwort-42", "password2": "ein-sicheres-Passwort-42",
    })
    assert User.objects.get(email="neu@example.org").language == language


def test_the_language_switch_sets_the_mail_language_of_a_signed_in_person(client, citizen):
    client.force_login(citizen)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.language == "en"
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    citizen.refresh_from_db()
    assert citizen.language == "de"


def test_the_language_switch_still_works_signed_out(db, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_registering_sets_the_mail_language(edition, citizen, register):
    register(citizen, edition, "en")
    citizen.refresh_from_db()
    assert citizen.language == "en"
