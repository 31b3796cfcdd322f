"""Registration services: register, double opt-in, waitlist, cancel, lapse; the public summary
and the calendar file.

Mails go out on commit. Each service call here runs inside `act`, which executes the on-commit
callbacks the way a real commit would (and drops those of a rolled-back block).
"""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from icalendar import Calendar

from helpathon.accounts.models import Sector
from helpathon.editions.models import Edition
from helpathon.registrations.calendar import edition_ics
from helpathon.registrations.models import Registration
from helpathon.registrations.selectors import registration_summary, waitlist_position
from helpathon.registrations.services import (
    TOKEN_SALT,
    AlreadyRegistered,
    EditionFull,
    LinkExpired,
    LinkInvalid,
    RegistrationClosed,
    make_token,
    places_taken,
    registration_cancel,
    registration_confirm,
    registration_create,
    registration_resend_opt_in,
    registrations_lapse_expired,
)
from tests.factories import make_edition, make_user

Status = Registration.Status
CONFIRM_LINK = re.compile(r"/registrations/confirm/([^/\s]+)/")


class Act:
    """The services, each call committed as a request would commit it (mails included)."""

    def __init__(self, capture):
        self._capture = capture

    def _run(self, service, **kwargs):
        with self._capture(execute=True):
            return service(**kwargs)

    def register(self, user, edition, **kwargs):
        kwargs = {"sector": Sector.SCIENCE, "role": "student", "consent": True, **kwargs}
        return self._run(registration_create, user=user, edition=edition, **kwargs)

    def confirm(self, token):
        return self._run(registration_confirm, token=token)

    def cancel(self, user, registration):
        return self._run(registration_cancel, user=user, registration=registration)

    def resend(self, user, registration):
        return self._run(registration_resend_opt_in, user=user, registration=registration)

    def lapse(self, edition):
        return self._run(registrations_lapse_expired, edition=edition)

    def register_confirmed(self, user, edition, **kwargs):
        return self.confirm(make_token(self.register(user, edition, **kwargs)))


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    return Act(django_capture_on_commit_callbacks)


@pytest.fixture
def person(db):
    def person(name: str):
        return make_user(f"{name}@example.org", display_name=f"{name.title()} Person")

    return person


@pytest.fixture
def tiny(db):
    """An edition with a single place."""
    return make_edition(slug="tiny", capacity=1)


def _reload(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def _mails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def _token_in(message) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _expire_hold(registration: Registration) -> None:
    Registration.objects.filter(pk=registration.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def _token_made_ago(registration: Registration, age: timedelta) -> str:
    then = int(time.time() - age.total_seconds())
    with mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then)):
        return make_token(registration)


# --- registration_create ------------------------------------------------------------------


def test_it_holds_a_place_pending_confirmation(act, edition, citizen):
    registration = act.register(citizen, edition)

    assert _reload(registration).status == Status.PENDING


def test_it_holds_the_place_for_the_configured_hours(act, edition, citizen, settings):
    settings.REGISTRATION_CONFIRM_HOURS = 5
    before = timezone.now()

    registration = act.register(citizen, edition)

    expires_at = _reload(registration).expires_at
    assert before + timedelta(hours=5) <= expires_at <= timezone.now() + timedelta(hours=5)


def test_it_stores_what_the_person_told_us(act, edition, citizen):
    challenge = edition.challenges.first()

    registration = act.register(
        citizen, edition, sector=Sector.CIVIL_SOCIETY, role="founder", preferred_challenges=[challenge]
    )

    registration = _reload(registration)
    assert (registration.sector, registration.role, list(registration.preferred_challenges.all())) == (
        Sector.CIVIL_SOCIETY,
        "founder",
        [challenge],
    )


def test_it_records_when_consent_was_given(act, edition, citizen):
    before = timezone.now()

    registration = act.register(citizen, edition)

    assert before <= _reload(registration).consent_at <= timezone.now()


def test_it_mails_an_opt_in_link(act, edition, citizen):
    act.register(citizen, edition)

    [message] = _mails_to(citizen)
    assert CONFIRM_LINK.search(message.body)


def test_it_mails_only_on_commit(edition, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        registration_create(user=citizen, edition=edition, sector=Sector.SCIENCE, role="student", consent=True)
    assert callbacks and mail.outbox == []

    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[citizen.email]]


def test_it_confirms_with_the_link_from_the_mail(act, edition, citizen):
    act.register(citizen, edition)
    [message] = _mails_to(citizen)

    registration = act.confirm(_token_in(message))

    assert _reload(registration).status == Status.CONFIRMED


def test_it_refuses_a_full_edition(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    with pytest.raises(EditionFull):
        act.register(citizen, tiny)


def test_it_writes_nothing_when_the_edition_is_full(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    with pytest.raises(EditionFull):
        act.register(citizen, tiny)

    assert (Registration.objects.filter(user=citizen).exists(), _mails_to(citizen)) == (False, [])


def test_it_puts_people_on_the_waitlist_when_they_ask(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    registration = act.register(citizen, tiny, join_waitlist=True)

    assert _reload(registration).status == Status.WAITLISTED


def test_it_queues_the_waitlist_by_time(act, tiny, person):
    act.register(person("anna"), tiny)
    first = act.register(person("bert"), tiny, join_waitlist=True)
    second = act.register(person("cleo"), tiny, join_waitlist=True)

    assert (waitlist_position(_reload(first)), waitlist_position(_reload(second))) == (1, 2)


def test_it_tells_each_waitlisted_person_the_place_they_will_be_promoted_in(act, tiny, person):
    # Promotion goes by (queued_at, pk); two entries queued in the same microsecond must still
    # get distinct positions in that order.
    act.register(person("anna"), tiny)
    first = act.register(person("bert"), tiny, join_waitlist=True)
    second = act.register(person("cleo"), tiny, join_waitlist=True)
    Registration.objects.filter(pk=second.pk).update(queued_at=_reload(first).queued_at)

    assert (waitlist_position(_reload(first)), waitlist_position(_reload(second))) == (1, 2)


def test_it_holds_no_place_for_the_waitlist(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    registration = act.register(citizen, tiny, join_waitlist=True)

    assert _reload(registration).expires_at is None


def test_it_gives_a_place_rather_than_the_waitlist_when_one_is_free(act, tiny, citizen):
    registration = act.register(citizen, tiny, join_waitlist=True)

    assert _reload(registration).status == Status.PENDING


def test_it_counts_an_unconfirmed_hold_as_taken(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    assert places_taken(tiny) == 1


def test_it_gives_the_place_of_an_expired_hold_to_the_next_person(act, tiny, citizen, person):
    anna = act.register(person("anna"), tiny)
    _expire_hold(anna)

    registration = act.register(citizen, tiny)

    assert (_reload(anna).status, _reload(registration).status) == (Status.LAPSED, Status.PENDING)


def test_it_mails_a_waitlist_opt_in_link(act, tiny, citizen, person):
    act.register(person("anna"), tiny)

    with translation.override("en"):
        act.register(citizen, tiny, join_waitlist=True)

    [message] = _mails_to(citizen)
    assert "waitlist" in message.subject.lower() and CONFIRM_LINK.search(message.body)


@pytest.mark.parametrize(
    "window",
    [(timedelta(days=-10), timedelta(days=-1)), (timedelta(days=1), timedelta(days=10))],
    ids=["closed", "not-yet-open"],
)
def test_it_refuses_registrations_outside_the_window(window, act, edition, citizen):
    now = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(
        registration_opens_at=now + window[0], registration_closes_at=now + window[1]
    )

    with pytest.raises(RegistrationClosed):
        act.register(citizen, Edition.objects.get(pk=edition.pk))


@pytest.mark.parametrize("join_waitlist", [False, True], ids=["place", "waitlist"])
def test_it_refuses_a_second_registration(join_waitlist, act, tiny, citizen, person):
    if join_waitlist:
        act.register(person("anna"), tiny)
    act.register(citizen, tiny, join_waitlist=join_waitlist)

    with pytest.raises(AlreadyRegistered):
        act.register(citizen, tiny, join_waitlist=True)


def test_it_refuses_a_second_registration_after_confirming(act, edition, citizen):
    act.register_confirmed(citizen, edition)

    with pytest.raises(AlreadyRegistered):
        act.register(citizen, edition)


def test_it_names_the_existing_registration_when_refusing_a_second(act, edition, citizen):
    first = act.register(citizen, edition)

    with pytest.raises(AlreadyRegistered) as refused:
        act.register(citizen, edition)

    assert refused.value.registration.pk == first.pk


def test_it_refuses_a_citizen_with_an_unverified_email(act, edition):
    unverified = make_user("unverified@example.org", display_name="Udo Unverified", verified=False)

    with pytest.raises(PermissionDenied):
        act.register(unverified, edition)


def test_it_refuses_a_visitor(act, edition, visitor):
    with pytest.raises(PermissionDenied):
        act.register(visitor, edition)


def _bad_input(edition):
    foreign = make_edition(slug="foreign").challenges.first()
    return {
        "consent": {"consent": False},
        "sector": {"sector": "astrology"},
        "role": {"role": "king"},
        "preferred_challenges": {"preferred_challenges": [edition.challenges.first(), foreign]},
    }


@pytest.mark.parametrize("field", ["consent", "sector", "role", "preferred_challenges"])
def test_it_names_the_field_of_bad_input(field, act, edition, citizen):
    with pytest.raises(ValidationError) as invalid:
        act.register(citizen, edition, **_bad_input(edition)[field])

    assert set(invalid.value.message_dict) == {field}


@pytest.mark.parametrize("field", ["consent", "sector", "role", "preferred_challenges"])
def test_it_writes_nothing_for_bad_input(field, act, edition, citizen):
    with pytest.raises(ValidationError):
        act.register(citizen, edition, **_bad_input(edition)[field])

    assert (Registration.objects.filter(user=citizen).exists(), _mails_to(citizen)) == (False, [])


def test_it_names_every_bad_field_at_once(act, edition, citizen):
    with pytest.raises(ValidationError) as invalid:
        act.register(citizen, edition, sector="astrology", role="king", consent=False)

    assert set(invalid.value.message_dict) == {"sector", "role", "consent"}


def test_it_reuses_the_row_when_registering_again_after_cancelling(act, edition, citizen):
    first = act.register(citizen, edition)
    act.cancel(citizen, first)

    again = act.register(citizen, edition)

    assert (again.pk, _reload(again).status, Registration.objects.filter(user=citizen).count()) == (
        first.pk,
        Status.PENDING,
        1,
    )


def test_it_voids_old_links_when_registering_again(act, edition, citizen):
    first = act.register(citizen, edition)
    old_token = make_token(first)
    act.cancel(citizen, first)
    act.register(citizen, edition)

    with pytest.raises(LinkInvalid):
        act.confirm(old_token)


def test_it_lets_the_database_hold_one_registration_per_person_and_edition(edition, citizen):
    now = timezone.now()
    fields = {"edition": edition, "user": citizen, "sector": Sector.SCIENCE, "role": "student", "consent_at": now}
    Registration.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(**fields)


# --- registration_confirm -----------------------------------------------------------------


def test_it_confirms_a_held_place(act, edition, citizen):
    registration = act.register(citizen, edition)

    act.confirm(make_token(registration))

    registration = _reload(registration)
    assert (registration.status, registration.expires_at) == (Status.CONFIRMED, None)


def test_it_records_when_the_place_was_confirmed(act, edition, citizen):
    registration = act.register(citizen, edition)
    before = timezone.now()

    act.confirm(make_token(registration))

    registration = _reload(registration)
    assert before <= registration.confirmed_at == registration.email_confirmed_at <= timezone.now()


def test_it_mails_the_confirmation(act, edition, citizen):
    registration = act.register(citizen, edition)

    act.confirm(make_token(registration))

    assert len(_mails_to(citizen)) == 2  # the opt-in link, then the confirmation


def test_it_accepts_the_same_link_twice(act, edition, citizen):
    registration = act.register(citizen, edition)
    token = make_token(registration)
    act.confirm(token)

    again = act.confirm(token)

    assert again.status == Status.CONFIRMED


def test_it_mails_the_confirmation_only_once(act, edition, citizen):
    registration = act.register(citizen, edition)
    token = make_token(registration)
    act.confirm(token)

    act.confirm(token)

    assert len(_mails_to(citizen)) == 2


def test_it_refuses_a_link_superseded_by_a_resent_one(act, edition, citizen):
    registration = act.register(citizen, edition)
    [first_mail] = _mails_to(citizen)
    act.resend(citizen, registration)

    with pytest.raises(LinkInvalid):
        act.confirm(_token_in(first_mail))


def test_it_accepts_the_resent_link(act, edition, citizen):
    registration = act.register(citizen, edition)
    act.resend(citizen, registration)
    resent = _mails_to(citizen)[-1]

    act.confirm(_token_in(resent))

    assert _reload(registration).status == Status.CONFIRMED


def test_it_refuses_a_tampered_link(act, edition, citizen):
    act.register(citizen, edition)
    token = _token_in(_mails_to(citizen)[0])
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    with pytest.raises(LinkInvalid):
        act.confirm(tampered)


def test_it_refuses_a_token_signed_for_something_else(act, edition, citizen):
    registration = act.register(citizen, edition)
    token = signing.dumps({"r": registration.pk, "v": registration.token_version}, salt="something-else")

    with pytest.raises(LinkInvalid):
        act.confirm(token)


def test_it_refuses_a_signed_token_of_the_wrong_shape(act, edition, citizen):
    act.register(citizen, edition)

    with pytest.raises(LinkInvalid):
        act.confirm(signing.dumps(["not", "a", "registration"], salt=TOKEN_SALT))


def test_it_refuses_a_link_to_a_registration_that_is_gone(act, edition, citizen):
    registration = act.register(citizen, edition)
    token = make_token(registration)
    Registration.objects.filter(pk=registration.pk).delete()

    with pytest.raises(LinkInvalid):
        act.confirm(token)


def test_it_refuses_a_link_older_than_the_hold(act, edition, citizen, settings):
    # The hold, not the token's age, decides: a link followed after the hold ran out is expired.
    registration = act.register(citizen, edition)
    token = _token_made_ago(registration, timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS, minutes=1))
    Registration.objects.filter(pk=registration.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(LinkExpired):
        act.confirm(token)


def test_it_accepts_a_waitlist_link_older_than_the_hold(act, tiny, citizen, person, settings):
    # A waitlist entry holds no place, so its link has no deadline to keep: the waitlist mail
    # promises none, and "register again" (what LinkExpired tells people) would only answer
    # AlreadyRegistered.
    act.register(person("anna"), tiny)
    registration = act.register(citizen, tiny, join_waitlist=True)
    token = _token_made_ago(registration, timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS + 24))

    act.confirm(token)

    assert _reload(registration).email_confirmed_at is not None


def test_it_refuses_the_link_of_an_expired_hold(act, tiny, citizen):
    registration = act.register(citizen, tiny)
    _expire_hold(registration)

    with pytest.raises(LinkExpired):
        act.confirm(make_token(registration))


def test_it_lets_an_expired_hold_lapse_when_its_link_is_followed(act, tiny, citizen):
    registration = act.register(citizen, tiny)
    _expire_hold(registration)

    with pytest.raises(LinkExpired):
        act.confirm(make_token(registration))

    assert _reload(registration).status == Status.LAPSED


def test_it_gives_an_expired_hold_to_the_next_on_the_waitlist_when_its_link_is_followed(act, tiny, citizen, person):
    registration = act.register(citizen, tiny)
    waiting = act.register(person("anna"), tiny, join_waitlist=True)
    _expire_hold(registration)

    with pytest.raises(LinkExpired):
        act.confirm(make_token(registration))

    assert _reload(waiting).status == Status.PENDING


def test_it_mails_the_next_on_the_waitlist_when_an_expired_link_is_followed(act, tiny, citizen, person):
    anna = person("anna")
    registration = act.register(citizen, tiny)
    act.register(anna, tiny, join_waitlist=True)
    _expire_hold(registration)

    with pytest.raises(LinkExpired):
        act.confirm(make_token(registration))

    assert len(_mails_to(anna)) == 2  # the waitlist opt-in, then the free place


def test_it_refuses_the_link_of_a_lapsed_registration(act, tiny, citizen):
    registration = act.register(citizen, tiny)
    _expire_hold(registration)
    act.lapse(tiny)

    with pytest.raises(LinkExpired):
        act.confirm(make_token(registration))


def test_it_refuses_the_link_of_a_cancelled_registration(act, edition, citizen):
    registration = act.register(citizen, edition)
    token = make_token(registration)
    act.cancel(citizen, registration)

    with pytest.raises(LinkInvalid):
        act.confirm(token)


def test_it_keeps_a_confirmed_waitlist_entry_on_the_waitlist(act, tiny, citizen, person):
    act.register(person("anna"), tiny)
    act.register(citizen, tiny, join_waitlist=True)

    registration = act.confirm(_token_in(_mails_to(citizen)[0]))

    registration = _reload(registration)
    assert (registration.status, registration.email_confirmed_at is not None) == (Status.WAITLISTED, True)


def test_it_keeps_the_waitlist_position_when_confirming(act, tiny, citizen, person):
    act.register(person("anna"), tiny)
    act.register(person("bert"), tiny, join_waitlist=True)
    registration = act.register(citizen, tiny, join_waitlist=True)

    act.confirm(make_token(registration))

    assert waitlist_position(_reload(registration)) == 2


# --- registration_cancel ------------------------------------------------------------------


def test_it_cancels_a_place(act, edition, citizen):
    registration = act.register_confirmed(citizen, edition)

    act.cancel(citizen, registration)

    registration = _reload(registration)
    assert (registration.status, registration.cancelled_at is not None) == (Status.CANCELLED, True)


def test_it_frees_the_place_when_cancelling(act, tiny, citizen):
    registration = act.register_confirmed(citizen, tiny)

    act.cancel(citizen, registration)

    assert places_taken(tiny) == 0


def test_it_gives_a_freed_place_to_the_first_on_the_waitlist(act, tiny, citizen, person):
    registration = act.register_confirmed(citizen, tiny)
    first = act.register(person("anna"), tiny, join_waitlist=True)
    second = act.register(person("bert"), tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    assert (_reload(first).status, _reload(second).status) == (Status.PENDING, Status.WAITLISTED)


def test_it_holds_a_freed_place_for_the_promoted_person(act, tiny, citizen, person):
    registration = act.register_confirmed(citizen, tiny)
    waiting = act.register(person("anna"), tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    assert _reload(waiting).expires_at > timezone.now()


def test_it_mails_a_fresh_link_to_a_promoted_person(act, tiny, citizen, person):
    anna = person("anna")
    registration = act.register_confirmed(citizen, tiny)
    waiting = act.register(anna, tiny, join_waitlist=True)
    act.cancel(citizen, registration)

    act.confirm(_token_in(_mails_to(anna)[-1]))

    assert _reload(waiting).status == Status.CONFIRMED


def test_it_voids_the_waitlist_link_of_a_promoted_person(act, tiny, citizen, person):
    anna = person("anna")
    registration = act.register_confirmed(citizen, tiny)
    act.register(anna, tiny, join_waitlist=True)
    waitlist_token = _token_in(_mails_to(anna)[0])

    act.cancel(citizen, registration)

    with pytest.raises(LinkInvalid):
        act.confirm(waitlist_token)


def test_it_confirms_a_promoted_person_whose_email_is_confirmed(act, tiny, citizen, person):
    registration = act.register_confirmed(citizen, tiny)
    waiting = act.register_confirmed(person("anna"), tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    assert _reload(waiting).status == Status.CONFIRMED


def test_it_mails_a_directly_promoted_person_without_a_link(act, tiny, citizen, person):
    anna = person("anna")
    registration = act.register_confirmed(citizen, tiny)
    act.register_confirmed(anna, tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    promoted = _mails_to(anna)[-1]
    assert len(_mails_to(anna)) == 2 and not CONFIRM_LINK.search(promoted.body)


def test_it_promotes_in_queue_order_even_if_a_later_person_confirmed_their_email(act, tiny, citizen, person):
    registration = act.register_confirmed(citizen, tiny)
    first = act.register(person("anna"), tiny, join_waitlist=True)
    second = act.register_confirmed(person("bert"), tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    assert (_reload(first).status, _reload(second).status) == (Status.PENDING, Status.WAITLISTED)


def test_it_promotes_nobody_when_a_waitlist_entry_is_cancelled(act, tiny, citizen, person):
    act.register_confirmed(person("anna"), tiny)
    registration = act.register(citizen, tiny, join_waitlist=True)
    later = act.register(person("bert"), tiny, join_waitlist=True)

    act.cancel(citizen, registration)

    assert (_reload(later).status, places_taken(tiny)) == (Status.WAITLISTED, 1)


def test_it_moves_the_waitlist_up_when_someone_ahead_cancels(act, tiny, citizen, person):
    act.register_confirmed(person("anna"), tiny)
    ahead = act.register(person("bert"), tiny, join_waitlist=True)
    registration = act.register(citizen, tiny, join_waitlist=True)

    act.cancel(ahead.user, ahead)

    assert waitlist_position(_reload(registration)) == 1


def test_it_puts_a_returning_person_at_the_end_of_the_waitlist(act, tiny, citizen, person):
    act.register_confirmed(person("anna"), tiny)
    registration = act.register(citizen, tiny, join_waitlist=True)
    act.register(person("bert"), tiny, join_waitlist=True)
    act.cancel(citizen, registration)

    again = act.register(citizen, tiny, join_waitlist=True)

    assert waitlist_position(_reload(again)) == 2


def test_it_cancels_only_once(act, edition, citizen):
    registration = act.register_confirmed(citizen, edition)
    act.cancel(citizen, registration)
    cancelled_at = _reload(registration).cancelled_at

    act.cancel(citizen, registration)

    assert _reload(registration).cancelled_at == cancelled_at


def test_it_lets_the_organizer_cancel_someones_place(act, edition, citizen, organizer):
    registration = act.register_confirmed(citizen, edition)

    act.cancel(organizer, registration)

    assert _reload(registration).status == Status.CANCELLED


@pytest.mark.parametrize("role", ["participant", "stranger_organizer"])
def test_it_lets_nobody_else_cancel_someones_place(role, request, act, edition, citizen):
    registration = act.register_confirmed(citizen, edition)

    with pytest.raises(PermissionDenied):
        act.cancel(request.getfixturevalue(role), registration)


# --- registration_resend_opt_in -----------------------------------------------------------


def test_it_resends_the_opt_in_link(act, edition, citizen):
    registration = act.register(citizen, edition)

    act.resend(citizen, registration)

    first, second = _mails_to(citizen)
    assert _token_in(first) != _token_in(second)


def test_it_keeps_the_deadline_when_resending(act, edition, citizen):
    registration = act.register(citizen, edition)
    expires_at = _reload(registration).expires_at

    act.resend(citizen, registration)

    assert _reload(registration).expires_at == expires_at


def test_it_resends_nothing_once_confirmed(act, edition, citizen):
    registration = act.register_confirmed(citizen, edition)

    act.resend(citizen, registration)

    assert len(_mails_to(citizen)) == 2  # the opt-in link and the confirmation only


def test_it_resends_only_to_the_person_themselves(act, edition, citizen, organizer):
    registration = act.register(citizen, edition)

    with pytest.raises(PermissionDenied):
        act.resend(organizer, registration)


# --- registrations_lapse_expired ----------------------------------------------------------


def test_it_lets_expired_holds_lapse(act, edition, citizen):
    registration = act.register(citizen, edition)
    _expire_hold(registration)

    act.lapse(edition)

    assert _reload(registration).status == Status.LAPSED


def test_it_counts_the_lapsed_holds(act, edition, citizen, person):
    expiring = [act.register(user, edition) for user in (citizen, person("anna"))]
    act.register(person("bert"), edition)
    for registration in expiring:
        _expire_hold(registration)

    assert act.lapse(edition) == 2


def test_it_leaves_running_holds_alone(act, edition, citizen):
    registration = act.register(citizen, edition)

    act.lapse(edition)

    assert _reload(registration).status == Status.PENDING


def test_it_gives_lapsed_places_to_the_waitlist(act, tiny, citizen, person):
    registration = act.register(citizen, tiny)
    waiting = act.register(person("anna"), tiny, join_waitlist=True)
    _expire_hold(registration)

    act.lapse(tiny)

    assert _reload(waiting).status == Status.PENDING


def test_it_mails_a_link_to_whoever_gets_a_lapsed_place(act, tiny, citizen, person):
    anna = person("anna")
    registration = act.register(citizen, tiny)
    act.register(anna, tiny, join_waitlist=True)
    _expire_hold(registration)

    act.lapse(tiny)

    assert CONFIRM_LINK.search(_mails_to(anna)[-1].body) and len(_mails_to(anna)) == 2


# --- registration_summary -----------------------------------------------------------------


def test_it_counts_confirmed_people_by_sector(act, edition, citizen, person):
    act.register_confirmed(citizen, edition, sector=Sector.SCIENCE)
    act.register_confirmed(person("anna"), edition, sector=Sector.SCIENCE)
    act.register_confirmed(person("bert"), edition, sector=Sector.ADMINISTRATION)
    act.register(person("cleo"), edition, sector=Sector.BUSINESS)  # pending, so not counted

    summary = registration_summary(edition)

    assert {row["sector"]: row["count"] for row in summary["by_sector"]} == {
        Sector.SCIENCE: 2,
        Sector.BUSINESS: 0,
        Sector.ADMINISTRATION: 1,
        Sector.CIVIL_SOCIETY: 0,
    }


def test_it_labels_the_sectors(edition):
    summary = registration_summary(edition)

    assert [row["label"] for row in summary["by_sector"]] == [str(label) for label in Sector.labels]


def test_it_sums_up_places_and_waitlist(act, citizen, person):
    small = make_edition(slug="small", capacity=2)
    act.register_confirmed(citizen, small)
    act.register(person("anna"), small)
    act.register(person("bert"), small, join_waitlist=True)

    summary = registration_summary(small)

    assert {key: summary[key] for key in ("confirmed", "waitlisted", "capacity", "places_left")} == {
        "confirmed": 1,
        "waitlisted": 1,
        "capacity": 2,
        "places_left": 0,
    }


def test_it_never_names_anyone_in_the_summary(act, edition, citizen, person):
    anna = person("anna")
    act.register_confirmed(citizen, edition)
    act.register_confirmed(anna, edition)

    text = repr(registration_summary(edition))

    for user in (citizen, anna):
        assert user.display_name not in text and user.email not in text


# --- calendar -----------------------------------------------------------------------------


def test_it_exports_the_edition_as_a_calendar(edition):
    calendar = Calendar.from_ical(edition_ics(edition))

    assert calendar.name == "VCALENDAR" and calendar["version"] == "2.0"


def test_it_exports_the_editions_dates(edition):
    [event] = Calendar.from_ical(edition_ics(edition)).walk("VEVENT")

    # iCalendar times have whole seconds.
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (
        edition.starts_at.replace(microsecond=0),
        edition.ends_at.replace(microsecond=0),
    )


def test_it_exports_the_editions_title(edition):
    [event] = Calendar.from_ical(edition_ics(edition)).walk("VEVENT")

    assert edition.title in str(event["summary"])
