"""The event reminder: about a day before an edition starts, each confirmed participant gets it
once, in their language, with the edition's calendar file, unless they switched reminders off."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone, translation
from icalendar import Calendar

from helpathon.notifications.emails import read_unsubscribe_token
from helpathon.notifications.models import ReminderSent
from helpathon.notifications.reminders import REMINDER_BEFORE, reminder_schedule, reminders_send
from helpathon.notifications.tasks import send_edition_reminders
from helpathon.registrations.models import Registration
from helpathon.registrations.services import make_token, registration_confirm, registration_create
from tests.factories import make_edition, make_user

Status = Registration.Status


def place(edition, user, status=Status.CONFIRMED):
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=status, sector="business", role="founder", consent_at=now,
        confirmed_at=now if status == Status.CONFIRMED else None, email_confirmed_at=now,
        queued_at=now if status == Status.WAITLISTED else None,
        expires_at=now + timedelta(hours=2) if status == Status.PENDING else None,
    )
    return user


@pytest.fixture
def soon(db):
    """An edition that starts in 12 hours."""
    return make_edition(slug="soon", starts_in=timedelta(hours=12), title="Helpathon Bald")


@pytest.fixture
def greta(soon):
    return place(soon, make_user("greta@example.org", display_name="Greta", language="de"))


@pytest.fixture
def emma(soon):
    return place(soon, make_user("emma@example.org", display_name="Emma", language="en"))


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def send():
    call_command("send_reminders", stdout=open("/dev/null", "w"))


def test_it_reminds_each_participant_in_their_language_with_the_calendar_file(soon, greta, emma):
    send()

    german, english = mails_to(greta), mails_to(emma)
    assert len(german) == len(english) == 1
    assert german[0].body.startswith("Guten Tag Greta,")
    assert english[0].body.startswith("Hello Emma,")
    # The start in each language's own format and month names.
    local = timezone.localtime(soon.starts_at)
    for message, language in ((german[0], "de"), (english[0], "en")):
        with translation.override(language):
            assert formats.date_format(local, "DATETIME_FORMAT") in message.subject
    with translation.override("de"):
        assert formats.date_format(local, "F") in german[0].subject
    assert "Helpathon Bald" in german[0].subject


@pytest.mark.parametrize("who", ["greta", "emma"])
def test_the_calendar_file_is_attached_and_parses(soon, greta, emma, who):
    send()

    message = mails_to(greta if who == "greta" else emma)[0]
    (name, content, mimetype), = message.attachments
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    event, = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == soon.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == soon.ends_at.replace(microsecond=0)
    assert "Helpathon Bald" in str(event.get("summary"))
    # And in the wire format, as a text/calendar part.
    assert "Content-Type: text/calendar" in message.message().as_string()


def test_it_carries_the_link_that_switches_reminders_off(soon, greta):
    send()

    message = mails_to(greta)[0]
    url = message.extra_headers["List-Unsubscribe"][1:-1]
    assert url in message.body
    assert read_unsubscribe_token(url.rstrip("/").rsplit("/", 1)[-1]) == (greta.pk, "email_reminders")


def test_it_reminds_once_however_often_it_runs(soon, greta, emma):
    send()
    send()
    send_edition_reminders.call(soon.pk)

    assert len(mails_to(greta)) == len(mails_to(emma)) == 1
    assert ReminderSent.objects.filter(edition=soon).count() == 2


def test_a_participant_confirmed_later_still_gets_theirs(soon, greta):
    send()
    late = place(soon, make_user("lena@example.org", display_name="Lena"))
    send()
    assert len(mails_to(greta)) == 1
    assert len(mails_to(late)) == 1


def test_it_does_not_remind_who_switched_reminders_off(soon, greta, emma):
    greta.email_reminders = False
    greta.save(update_fields=["email_reminders"])

    send()

    assert mails_to(greta) == []
    assert len(mails_to(emma)) == 1
    # No record: should Greta switch reminders on again in time, she still gets hers.
    assert not ReminderSent.objects.filter(user=greta).exists()


def test_it_reminds_confirmed_participants_only(soon):
    waiting = place(soon, make_user("wait@example.org"), Status.WAITLISTED)
    pending = place(soon, make_user("pend@example.org"), Status.PENDING)
    gone = place(soon, make_user("gone@example.org"), Status.CANCELLED)

    send()

    assert mail.outbox == []
    assert not ReminderSent.objects.filter(user__in=[waiting, pending, gone]).exists()


@pytest.mark.parametrize("starts_in", [timedelta(days=3), timedelta(hours=24, minutes=5), -timedelta(hours=1)])
def test_it_waits_until_a_day_before_and_stops_once_started(db, starts_in):
    edition = make_edition(slug="later", starts_in=starts_in, registration_open=False)
    place(edition, make_user("early@example.org"))

    send()

    assert mail.outbox == []


def test_a_draft_edition_gets_no_reminders(db):
    edition = make_edition(slug="draft", starts_in=timedelta(hours=3), status="draft")
    place(edition, make_user("draft@example.org"))
    send()
    assert mail.outbox == []


def test_a_failed_mail_is_tried_again_on_the_next_run(soon, greta, emma, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def fail_for_greta(self, messages):
        if any(greta.email in m.to for m in messages):
            raise OSError("mail server down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_for_greta)
    assert reminders_send(edition=soon) == 1
    assert not ReminderSent.objects.filter(user=greta).exists()

    monkeypatch.setattr(EmailBackend, "send_messages", real)
    assert reminders_send(edition=soon) == 1
    assert len(mails_to(greta)) == len(mails_to(emma)) == 1


# --- scheduling --------------------------------------------------------------------------------


@pytest.fixture
def deferring(settings):
    """A task backend that can defer work (as the database backend in production) and keeps
    what was queued."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert backend.supports_defer
    return backend


def test_confirming_a_place_queues_the_reminder_for_a_day_before(db, citizen, deferring, django_capture_on_commit_callbacks):
    edition = make_edition(slug="week", starts_in=timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(user=citizen, edition=edition, sector="business", role="founder",
                                           consent=True)
    assert deferring.results == []

    with django_capture_on_commit_callbacks(execute=True):
        registration_confirm(token=make_token(registration))

    queued, = deferring.results
    assert queued.task.name == send_edition_reminders.name
    assert queued.args == [edition.pk]
    assert queued.task.run_after == edition.starts_at - REMINDER_BEFORE


def test_a_place_confirmed_within_the_last_day_is_queued_at_once(soon, deferring):
    before = timezone.now()
    assert reminder_schedule(edition=soon) is True
    queued, = deferring.results
    assert before <= queued.task.run_after <= timezone.now()


def test_nothing_is_queued_once_the_edition_started_or_without_deferral(db, deferring, settings):
    started = make_edition(slug="started", starts_in=-timedelta(hours=1), registration_open=False)
    assert reminder_schedule(edition=started) is False
    assert deferring.results == []

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    week = make_edition(slug="week", starts_in=timedelta(days=7))
    assert reminder_schedule(edition=week) is False


def test_the_queued_task_sends_the_reminders(soon, greta):
    assert send_edition_reminders.call(soon.pk) == 1
    assert len(mails_to(greta)) == 1
    assert send_edition_reminders.call(soon.pk) == 0
    assert send_edition_reminders.call(999_999) == 0
