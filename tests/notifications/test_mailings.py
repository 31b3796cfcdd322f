"""Mail to many: organizers write to participants, the waitlist, a team or all teams; a task
sends it in the background and records its progress."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from helpathon.notifications import services
from helpathon.notifications.models import Mailing
from helpathon.notifications.selectors import audience_user_ids
from helpathon.notifications.tasks import send_mailing
from helpathon.registrations.models import Registration
from helpathon.teams.models import Membership, Team
from tests.factories import make_edition, make_user

Audience = Mailing.Audience
EN = {"django_language": "en"}


@pytest.fixture(autouse=True)
def _english():
    # Services speak the active language; these tests read the English source messages.
    with translation.override("en"):
        yield


def register(edition, user, status=Registration.Status.CONFIRMED):
    now = timezone.now()
    return Registration.objects.create(
        edition=edition, user=user, status=status, sector="business", role="founder", consent_at=now,
        confirmed_at=now if status == Registration.Status.CONFIRMED else None,
        queued_at=now if status == Registration.Status.WAITLISTED else None,
    )


def person(email, edition=None, status=Registration.Status.CONFIRMED, **extra):
    user = make_user(email, **extra)
    if edition is not None:
        register(edition, user, status)
    return user


def make_team(edition, name, members):
    """A team with the first person as lead and the others as members."""
    now = timezone.now()
    team = Team.objects.create(
        edition=edition, challenge=edition.challenges.first(), name=name, created_by=members[0], created_at=now
    )
    for index, user in enumerate(members):
        role = Membership.Role.LEAD if index == 0 else Membership.Role.MEMBER
        Membership.objects.create(team=team, user=user, role=role, joined_at=now)
    return team


def create(organizer, edition, **kwargs):
    values = {"audience": Audience.PARTICIPANTS, "subject": "Morgen geht es los", "body": "Bis morgen!"}
    values.update(kwargs)
    return services.mailing_create(actor=organizer, edition=edition, **values)


class RecordingBackend(EmailBackend):
    """The test outbox, which also fails for addresses at bounce.example and writes down what
    the mailing's progress in the database was when each message went out."""

    progress = []

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@bounce.example") for address in message.to):
                raise OSError("mailbox unavailable")
            RecordingBackend.progress.append(Mailing.objects.values_list("sent", "skipped", "failed").get())
        return super().send_messages(messages)


@pytest.fixture
def recording_backend(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_mailings.RecordingBackend"
    RecordingBackend.progress = []
    return RecordingBackend


# --- Who gets it ----------------------------------------------------------------------------


def test_it_sends_participants_to_confirmed_places_only(edition, organizer, participant):
    other = person("confirmed2@example.org", edition)
    person("pending@example.org", edition, Registration.Status.PENDING)
    person("waiting@example.org", edition, Registration.Status.WAITLISTED)
    person("cancelled@example.org", edition, Registration.Status.CANCELLED)
    person("elsewhere@example.org", make_edition(slug="elsewhere"))

    mailing = create(organizer, edition)

    assert sorted(mailing.recipient_ids) == sorted([participant.pk, other.pk])
    assert mailing.total == 2
    assert mailing.status == Mailing.Status.QUEUED


def test_it_sends_the_waitlist_to_the_waitlist_only(edition, organizer, participant):
    waiting = person("waiting@example.org", edition, Registration.Status.WAITLISTED)

    mailing = create(organizer, edition, audience=Audience.WAITLIST)

    assert mailing.recipient_ids == [waiting.pk]


def test_it_sends_one_team_to_its_members_only(edition, organizer, participant):
    mate, mentor, outsider = (person(f"{n}@example.org", edition) for n in ("mate", "mentor", "outsider"))
    team = make_team(edition, "Die Radler", [participant, mate])
    Membership.objects.create(team=team, user=mentor, role=Membership.Role.MENTOR, joined_at=timezone.now())
    make_team(edition, "Andere", [outsider])

    mailing = create(organizer, edition, audience=Audience.TEAM, team=team)

    assert sorted(mailing.recipient_ids) == sorted([participant.pk, mate.pk, mentor.pk])
    assert mailing.team == team


def test_it_names_everyone_in_all_teams_once(edition, organizer, participant):
    mate = person("mate@example.org", edition)
    person("teamless@example.org", edition)
    make_team(edition, "Eins", [participant, mate])
    make_team(edition, "Zwei", [mate, participant])  # both are in both teams
    make_team(make_edition(slug="elsewhere"), "Fremd", [person("stranger-team@example.org")])

    mailing = create(organizer, edition, audience=Audience.TEAMS)

    assert mailing.recipient_ids == sorted([participant.pk, mate.pk])
    assert mailing.total == 2


def test_it_leaves_out_deleted_and_inactive_accounts(edition, organizer, participant):
    person("gone@example.org", edition, deleted_at=timezone.now())
    person("inactive@example.org", edition, is_active=False)

    assert audience_user_ids(edition=edition, audience=Audience.PARTICIPANTS) == [participant.pk]


# --- Who may, and what is checked -------------------------------------------------------------


@pytest.mark.parametrize("who", ["participant", "stranger_organizer", "citizen"])
def test_it_lets_only_the_editions_organizers_write(request, edition, participant, who):
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(who), edition)
    assert not Mailing.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": "   "}, "subject", "This field is required."),
        ({"subject": "x" * 151}, "subject", "Please write at most 150 characters."),
        ({"body": ""}, "body", "This field is required."),
        ({"body": "x" * 10_001}, "body", "Please write at most 10000 characters."),
        ({"body": "Hallo\x00"}, "body", "The text contains a character that cannot be sent (NUL)."),
        ({"audience": "everyone"}, "audience", "Please choose who gets the message."),
        ({"audience": Audience.TEAM}, "team", "Please choose a team of this edition."),
    ],
)
def test_it_rejects_bad_input(edition, organizer, participant, changes, field, message):
    with pytest.raises(ValidationError) as error:
        create(organizer, edition, **changes)
    assert error.value.message_dict == {field: [message]}
    assert not Mailing.objects.exists()


def test_it_rejects_a_team_of_another_edition(edition, organizer, participant):
    foreign = make_team(make_edition(slug="elsewhere"), "Fremd", [person("x@example.org")])
    with pytest.raises(ValidationError) as error:
        create(organizer, edition, audience=Audience.TEAM, team=foreign)
    assert "team" in error.value.message_dict


def test_it_keeps_the_subject_on_one_line(edition, organizer, participant):
    mailing = create(organizer, edition, subject="Morgen\r\nBcc: spam@example.org")
    assert mailing.subject == "Morgen Bcc: spam@example.org"


def test_it_sends_nothing_to_an_empty_group(edition, organizer, participant):
    with pytest.raises(ValidationError) as error:
        create(organizer, edition, audience=Audience.WAITLIST)
    assert error.value.messages == ["Nobody would get this message: the chosen group is empty."]


def test_it_asks_again_when_the_group_changed_since_it_was_confirmed(edition, organizer, participant):
    with pytest.raises(ValidationError) as error:
        create(organizer, edition, expected_total=5)
    assert "would now go to 1 people" in error.value.messages[0]
    assert not Mailing.objects.exists()


def test_it_allows_ten_mailings_an_hour_per_edition(edition, organizer, participant):
    for _ in range(services.MAILINGS_PER_HOUR):
        create(organizer, edition)
    with pytest.raises(ValidationError) as error:
        create(organizer, edition)
    assert "the most allowed" in error.value.messages[0]

    Mailing.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    create(organizer, edition)  # an hour later it goes again


# --- Sending ------------------------------------------------------------------------------------


def test_it_sends_to_everyone_in_their_language_with_an_unsubscribe_link(edition, organizer, participant):
    english = person("english@example.org", edition, display_name="Emma English", language="en")
    mailing = create(organizer, edition, subject="Morgen geht es los", body="Bitte seid um 9 Uhr da.")

    assert send_mailing.call(mailing.pk) == Mailing.Status.DONE

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {participant.email, english.email}
    german, other = by_address[participant.email], by_address[english.email]
    assert german.subject == other.subject == f"{edition.title}: Morgen geht es los"
    assert "Guten Tag Paul Participant," in german.body
    assert "Hello Emma English," in other.body
    for message in (german, other):
        assert "Bitte seid um 9 Uhr da." in message.body
        url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert url.startswith("http") and "/mail/unsubscribe/" in url
        assert url in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_sends_the_organizers_words_verbatim_never_as_a_template(edition, organizer, participant):
    body = "Eure Adresse: {{ user.email }}\n{% debug %}\n<b>Tom & Jerry</b> {{ site_url }}"
    mailing = create(organizer, edition, subject="{{ user.email }} & <Team>", body=body)

    send_mailing.call(mailing.pk)

    [message] = mail.outbox
    assert body in message.body
    assert message.subject.endswith(": {{ user.email }} & <Team>")
    assert participant.email not in message.body + message.subject
    assert "&amp;" not in message.body


def test_it_skips_and_counts_people_who_switched_organizers_mail_off(edition, organizer, participant):
    person("quiet@example.org", edition, email_organizers=False)
    mailing = create(organizer, edition)

    send_mailing.call(mailing.pk)

    mailing.refresh_from_db()
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert (mailing.total, mailing.sent, mailing.skipped, mailing.failed) == (2, 1, 1, 0)
    assert mailing.status == Mailing.Status.DONE
    assert mailing.finished_at is not None
    assert mailing.percent == 100


def test_it_counts_a_failing_address_and_goes_on(edition, organizer, participant, recording_backend):
    person("nobody@bounce.example", edition)
    after = person("zz-after@example.org", edition)
    mailing = create(organizer, edition)

    assert send_mailing.call(mailing.pk) == Mailing.Status.FAILED

    mailing.refresh_from_db()
    assert (mailing.sent, mailing.skipped, mailing.failed) == (2, 0, 1)
    assert {m.to[0] for m in mail.outbox} == {participant.email, after.email}
    assert mailing.get_status_display() == "Stopped with errors"


def test_it_writes_progress_after_each_batch(edition, organizer, monkeypatch, recording_backend):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    for n in range(5):
        person(f"p{n}@example.org", edition)
    mailing = create(organizer, edition)

    send_mailing.call(mailing.pk)

    # What the database said while each message went out: the counts grow batch by batch.
    assert recording_backend.progress == [(0, 0, 0), (0, 0, 0), (2, 0, 0), (2, 0, 0), (4, 0, 0)]
    mailing.refresh_from_db()
    assert (mailing.sent, mailing.status) == (5, Mailing.Status.DONE)


def test_it_goes_on_where_an_interrupted_run_stopped_and_never_sends_twice(edition, organizer):
    people = [person(f"p{n}@example.org", edition) for n in range(4)]
    mailing = create(organizer, edition)
    # A worker sent to the first two, then died.
    Mailing.objects.filter(pk=mailing.pk).update(sent=2, status=Mailing.Status.SENDING)

    send_mailing.call(mailing.pk)
    send_mailing.call(mailing.pk)  # once more, after it is done

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[2:])
    mailing.refresh_from_db()
    assert (mailing.sent, mailing.status) == (4, Mailing.Status.DONE)


def test_it_does_nothing_for_a_mailing_that_is_gone(db):
    assert send_mailing.call(123456) is None


@pytest.mark.django_db(transaction=True)
def test_it_is_sent_by_the_database_task_worker(settings, edition, organizer, participant):
    # The project's default: django-tasks' database backend, and `manage.py db_worker`.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    mailing = create(organizer, edition)

    assert mail.outbox == []  # queued after commit, not sent by the request
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# --- Pages -------------------------------------------------------------------------------------


def url(name, edition, **kwargs):
    return reverse(f"console:{name}", kwargs={"slug": edition.slug, **kwargs})


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    client.cookies.load(EN)
    return client


@pytest.mark.parametrize("who", ["participant", "stranger_organizer", "citizen"])
def test_it_answers_403_to_everyone_but_organizers(client, request, edition, organizer, who):
    user = request.getfixturevalue(who)
    person("someone@example.org", edition)
    mailing = create(organizer, edition)
    client.force_login(user)
    assert client.get(url("mailings", edition)).status_code == 403
    assert client.post(url("mailings", edition), {"audience": "participants"}).status_code == 403
    assert client.get(url("mailing", edition, pk=mailing.pk)).status_code == 403
    assert client.get(url("mailing_progress", edition, pk=mailing.pk)).status_code == 403


def test_it_sends_visitors_to_the_login(client, edition):
    response = client.get(url("mailings", edition))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_answers_404_for_a_mailing_of_another_edition(organizer_client, edition, organizer, stranger_organizer):
    other = Mailing.objects.create(
        edition=make_edition(slug="third"), audience=Audience.PARTICIPANTS, subject="x", body="y",
        created_at=timezone.now(),
    )
    assert organizer_client.get(url("mailing", edition, pk=other.pk)).status_code == 404


def test_it_shows_the_form_and_the_mailings(organizer_client, edition, organizer, participant):
    create(organizer, edition, subject="Erste Nachricht")
    response = organizer_client.get(url("mailings", edition))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="audience"' in html and 'name="team"' in html and 'name="subject"' in html
    assert "Erste Nachricht" in html and "Queued" in html
    assert "This group is 1 person." in html  # all confirmed participants, chosen at first


def test_it_lists_mailings_in_a_fixed_number_of_queries(
    organizer_client, edition, organizer, participant, django_assert_max_num_queries
):
    team = make_team(edition, "Die Radler", [participant])
    for n in range(8):
        audience = Audience.TEAM if n % 2 else Audience.PARTICIPANTS
        create(organizer, edition, subject=f"Nachricht {n}", audience=audience, team=team)
    # session, user, edition + challenges + phases + partners, organizer?, announcement banner,
    # the participants' count, the team choices, the mailings with their authors and teams:
    # 11, however many mailings.
    with django_assert_max_num_queries(11):
        response = organizer_client.get(url("mailings", edition))
    assert response.content.decode().count("Nachricht ") == 8


def test_it_previews_the_number_of_recipients(organizer_client, edition, participant):
    person("p2@example.org", edition)
    response = organizer_client.get(url("mailings", edition), {"audience": "participants"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().strip() == "This group is 2 people."


@pytest.mark.parametrize("team", ["²", "٣x", "-1", "abc", "99999999999999999999"])
def test_the_preview_answers_an_odd_team_without_an_error(organizer_client, edition, participant, team):
    # "²".isdigit() is True but int("²") fails: such a team is no team, never a 500.
    response = organizer_client.get(url("mailings", edition), {"audience": "team", "team": team}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_it_asks_to_confirm_before_it_sends(organizer_client, edition, participant, django_capture_on_commit_callbacks):
    person("p2@example.org", edition)
    data = {"audience": "participants", "subject": "Morgen", "body": "Bis morgen!"}

    response = organizer_client.post(url("mailings", edition), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This goes to 2 people." in html
    assert "Yes, send this message to 2 people." in html
    assert not Mailing.objects.exists()

    # Sent without ticking the box: asked again, nothing sent.
    response = organizer_client.post(url("mailings", edition), {**data, "expected": "2"})
    assert "Please confirm that the message should go to these people." in response.content.decode()
    assert not Mailing.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(url("mailings", edition), {**data, "expected": "2", "confirm": "on"})

    mailing = Mailing.objects.get()
    assert response.status_code == 302 and response["Location"] == url("mailing", edition, pk=mailing.pk)
    assert len(mail.outbox) == 2  # the test settings run tasks on the spot
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE


def test_it_shows_the_count_again_when_the_group_changed(organizer_client, edition, participant):
    data = {"audience": "participants", "subject": "Morgen", "body": "Bis morgen!", "expected": "3", "confirm": "on"}
    response = organizer_client.post(url("mailings", edition), data)
    html = response.content.decode()
    assert "The group has changed" in html
    assert "This goes to 1 person." in html
    assert not Mailing.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audience": "participants", "subject": "", "body": "x"}, "This field is required."),
        ({"audience": "team", "subject": "s", "body": "x"}, "Please choose a team of this edition."),
        ({"audience": "participants", "subject": "s", "body": "a\x00b"}, "Null characters are not allowed."),
        ({"audience": "nobody", "subject": "s", "body": "x"}, "Select a valid choice."),
        ({"audience": "waitlist", "subject": "s", "body": "x"}, "Nobody would get this message"),
    ],
)
def test_it_shows_what_is_wrong_with_the_form(organizer_client, edition, participant, data, message):
    response = organizer_client.post(url("mailings", edition), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Please correct the marked fields." in html
    assert not Mailing.objects.exists()


def test_it_shows_the_rate_limit_on_the_page(organizer_client, edition, organizer, participant):
    for _ in range(services.MAILINGS_PER_HOUR):
        create(organizer, edition)
    data = {"audience": "participants", "subject": "s", "body": "x", "expected": "1", "confirm": "on"}
    response = organizer_client.post(url("mailings", edition), data)
    assert "the most allowed" in response.content.decode()
    assert Mailing.objects.count() == services.MAILINGS_PER_HOUR


def test_it_polls_the_progress_while_sending(organizer_client, edition, organizer, participant):
    mailing = create(organizer, edition, body="Hallo <script>x</script>")
    html = organizer_client.get(url("mailing", edition, pk=mailing.pk)).content.decode()
    progress_url = url("mailing_progress", edition, pk=mailing.pk)
    assert f'hx-get="{progress_url}" hx-trigger="every 2s"' in html
    assert '<progress id="mailing-progress-bar"' in html and 'for="mailing-progress-bar"' in html
    assert 'aria-live="polite"' in html and "Waiting to be sent" in html
    assert "&lt;script&gt;" in html  # the body is shown as text

    send_mailing.call(mailing.pk)
    html = organizer_client.get(url("mailing", edition, pk=mailing.pk)).content.decode()
    assert progress_url not in html
    assert "Finished: sent to 1 person." in html


def test_the_progress_partial_shows_the_numbers(organizer_client, edition, organizer, participant):
    for n in range(3):
        person(f"p{n}@example.org", edition)
    mailing = create(organizer, edition)
    Mailing.objects.filter(pk=mailing.pk).update(sent=2, skipped=1, status=Mailing.Status.SENDING)

    response = organizer_client.get(url("mailing_progress", edition, pk=mailing.pk), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="mailing-progress-bar" class="mailing-progress-bar" max="4" value="3">' in html
    assert "<dd>4</dd>" in html and "<dd>2</dd>" in html and "<dd>1</dd>" in html
    assert "Sending: 3 of 4 done." in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "<html" not in html

    send_mailing.call(mailing.pk)
    response = organizer_client.get(url("mailing_progress", edition, pk=mailing.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 286  # htmx stops polling
    assert "Finished: sent to 3 people." in response.content.decode()
