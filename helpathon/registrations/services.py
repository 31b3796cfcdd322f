"""All writes to registrations: register, confirm (double opt-in), cancel, lapse, promote.

Capacity holds under concurrency because every change that takes or frees a place runs in a
transaction that first locks the edition row (PostgreSQL), or holds SQLite's write lock from
its first statement (IMMEDIATE transactions).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpathon.accounts.models import Role, Sector
from helpathon.accounts.services import language_remember
from helpathon.editions.agenda import registration_is_open
from helpathon.editions.models import Challenge, Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.notifications.reminders import reminder_schedule
from helpathon.registrations import emails
from helpathon.registrations.models import Registration

Status = Registration.Status
TOKEN_SALT = "helpathon.registrations.confirm"


class RegistrationError(Exception):
    """A registration request that cannot be fulfilled; `code` names the case for the UI."""

    code = "error"

    def __init__(self, registration: Registration | None = None):
        super().__init__(self.code)
        self.registration = registration


class RegistrationClosed(RegistrationError):
    code = "closed"


class AlreadyRegistered(RegistrationError):
    code = "already_registered"


class EditionFull(RegistrationError):
    code = "full"


class LinkExpired(RegistrationError):
    code = "expired"


class LinkInvalid(RegistrationError):
    code = "invalid"


def confirmed_place_lock(*, edition_id: int, user) -> Registration:
    """Lock the person's confirmed registration for the rest of the transaction: their writes in
    the edition (supports, joining teams…) queue up behind it, so per-person limits hold under
    parallel requests. PermissionDenied without a confirmed place."""
    registration = (
        Registration.objects.select_for_update()
        .filter(edition_id=edition_id, user=user, status=Registration.Status.CONFIRMED)
        .first()
    )
    if registration is None:
        raise PermissionDenied
    return registration


def _hold_duration() -> timedelta:
    return timedelta(hours=settings.REGISTRATION_CONFIRM_HOURS)


def _lock_edition(edition: Edition) -> Edition:
    return Edition.objects.select_for_update().get(pk=edition.pk)


def places_taken(edition: Edition, *, now=None) -> int:
    """Confirmed places plus pending ones whose hold has not run out."""
    now = now or timezone.now()
    return (
        edition.registrations.filter(status=Status.CONFIRMED).count()
        + edition.registrations.filter(status=Status.PENDING, expires_at__gt=now).count()
    )


def make_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "v": registration.token_version}, salt=TOKEN_SALT, compress=True)


def _hold_place(registration: Registration, now) -> None:
    registration.status = Status.PENDING
    registration.expires_at = now + _hold_duration()
    registration.token_version += 1


def _validate(*, edition: Edition, sector: str, role: str, challenges, consent: bool) -> None:
    errors = {}
    if sector not in Sector.values:
        errors["sector"] = _("Please choose your sector.")
    if role not in Role.values:
        errors["role"] = _("Please choose your role.")
    if not consent:
        errors["consent"] = _("Please agree to the privacy notice to register.")
    if any(challenge.edition_id != edition.pk for challenge in challenges):
        errors["preferred_challenges"] = _("Choose challenges of this edition only.")
    if errors:
        raise ValidationError(errors)


def registration_create(
    *,
    user,
    edition: Edition,
    sector: str,
    role: str,
    preferred_challenges: list[Challenge] = (),
    consent: bool,
    join_waitlist: bool = False,
) -> Registration:
    """Register `user` for `edition`: a held place (pending opt-in) or, if the edition is full
    and the person asked for it, a place on the waitlist.

    Raises ValidationError for bad input, RegistrationClosed outside the window,
    AlreadyRegistered for a second active registration and EditionFull when no place is left
    and `join_waitlist` is false.
    """
    challenges = list(preferred_challenges)
    _validate(edition=edition, sector=sector, role=role, challenges=challenges, consent=consent)
    if not registration_is_open(edition):
        raise RegistrationClosed()
    if not may(user, Action.REGISTER, edition):
        raise PermissionDenied
    # Release lapsed holds first, in a transaction of its own, so that the release stands even
    # when this request is refused below.
    registrations_lapse_expired(edition=edition)
    try:
        with transaction.atomic():
            edition = _lock_edition(edition)
            now = timezone.now()
            registration = Registration.objects.filter(edition=edition, user=user).first()
            if registration is not None and registration.is_active:
                raise AlreadyRegistered(registration)
            if registration is None:
                registration = Registration(edition=edition, user=user)
            registration.sector, registration.role = sector, role
            registration.consent_at = now
            registration.language = translation.get_language() or settings.LANGUAGE_CODE
            registration.email_confirmed_at = registration.confirmed_at = registration.cancelled_at = None
            if places_taken(edition, now=now) < edition.capacity:
                _hold_place(registration, now)
            elif join_waitlist:
                registration.status = Status.WAITLISTED
                registration.queued_at = now
                registration.expires_at = None
                registration.token_version += 1
            else:
                raise EditionFull()
            registration.full_clean(exclude=["preferred_challenges", "user", "edition"])
            registration.save()
            registration.preferred_challenges.set(challenges)
            language_remember(user=user, language=registration.language)
            transaction.on_commit(lambda: emails.send_opt_in(registration, make_token(registration)))
    except IntegrityError:
        # A second request of the same person won the race for the unique constraint.
        raise AlreadyRegistered(Registration.objects.filter(edition=edition, user=user).first())
    return registration


def registration_confirm(*, token: str) -> Registration:
    """Follow the emailed opt-in link: a held place becomes confirmed, a waitlist entry is
    marked as confirmed and keeps its position."""
    try:
        # No max_age: a held place runs out by `expires_at`, a waitlist entry's link stays good
        # while the entry waits, and `token_version` voids superseded links.
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise LinkInvalid()
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise LinkInvalid()
    with transaction.atomic():
        registration = Registration.objects.select_related("edition", "user").filter(pk=data["r"]).first()
        if registration is None:
            raise LinkInvalid()
        edition = _lock_edition(registration.edition)
        registration.refresh_from_db()
        if registration.token_version != data.get("v"):
            raise LinkInvalid()
        now = timezone.now()
        status = registration.status
        if status == Status.PENDING and registration.expires_at and registration.expires_at <= now:
            # Release the place here and raise after the block: raising inside it would roll
            # the release back.
            _lapse_expired(edition, now)
            status = Status.LAPSED
        elif status == Status.PENDING:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = registration.email_confirmed_at = now
            registration.expires_at = None
            registration.save()
            transaction.on_commit(lambda: emails.send_confirmed(registration))
            transaction.on_commit(lambda: reminder_schedule(edition=edition))
            return registration
        elif status == Status.WAITLISTED:
            registration.email_confirmed_at = now
            registration.save(update_fields=["email_confirmed_at"])
            return registration
        elif status == Status.CONFIRMED:
            return registration
    registration.refresh_from_db()
    raise LinkExpired(registration) if status == Status.LAPSED else LinkInvalid(registration)


def registration_cancel(*, user, registration: Registration) -> Registration:
    """The person gives up their place (or waitlist entry); the next in line moves up."""
    if registration.user_id != user.pk and not may(user, Action.MANAGE_EDITION, registration.edition):
        raise PermissionDenied
    with transaction.atomic():
        edition = _lock_edition(registration.edition)
        registration.refresh_from_db()
        if not registration.is_active:
            return registration
        now = timezone.now()
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.expires_at = None
        registration.save()
        _promote_waitlist(edition, now)
    return registration


def registration_resend_opt_in(*, user, registration: Registration) -> Registration:
    """Send a fresh opt-in link; the old one stops working. A held place keeps its deadline."""
    if registration.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        _lock_edition(registration.edition)
        registration.refresh_from_db()
        if registration.status not in {Status.PENDING, Status.WAITLISTED} or registration.email_confirmed_at:
            return registration
        registration.token_version += 1
        registration.save(update_fields=["token_version"])
        transaction.on_commit(lambda: emails.send_opt_in(registration, make_token(registration)))
    return registration


def registrations_lapse_expired(*, edition: Edition) -> int:
    """Let unconfirmed places whose hold ran out lapse, and promote the waitlist. Run it from
    cron (`manage.py lapse_registrations`); registering and confirming also run it."""
    with transaction.atomic():
        edition = _lock_edition(edition)
        return _lapse_expired(edition, timezone.now())


def _lapse_expired(edition: Edition, now) -> int:
    lapsed = edition.registrations.filter(status=Status.PENDING, expires_at__lte=now).update(
        status=Status.LAPSED
    )
    if lapsed:
        _promote_waitlist(edition, now)
    return lapsed


def _promote_waitlist(edition: Edition, now) -> None:
    """Fill free places from the waitlist in order. People who already confirmed their email
    get the place straight away; the others get a held place and a fresh opt-in link."""
    free = edition.capacity - places_taken(edition, now=now)
    if free <= 0:
        return
    queue = edition.registrations.filter(status=Status.WAITLISTED).select_related("user", "edition")
    for registration in queue.order_by("queued_at", "pk")[:free]:
        if registration.email_confirmed_at:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            registration.expires_at = None
            registration.save()
            transaction.on_commit(lambda r=registration: emails.send_promoted(r, token=None))
            transaction.on_commit(lambda: reminder_schedule(edition=edition))
        else:
            _hold_place(registration, now)
            registration.save()
            transaction.on_commit(lambda r=registration: emails.send_promoted(r, token=make_token(r)))


def registration_check_in(*, actor, registration: Registration, checked_in: bool = True) -> Registration:
    """Mark a confirmed participant as arrived (organizers, on the day), or undo it. Only
    confirmed places can be checked in; undoing works whatever the status. Nothing public
    changes, so no live event."""
    if not may(actor, Action.MANAGE_EDITION, registration.edition):
        raise PermissionDenied
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if checked_in and current.checked_in_at is None:
            if current.status != Status.CONFIRMED:
                raise ValidationError(_("Only people with a confirmed place can be checked in."))
            current.checked_in_at = timezone.now()
            current.save(update_fields=["checked_in_at"])
        elif not checked_in and current.checked_in_at is not None:
            current.checked_in_at = None
            current.save(update_fields=["checked_in_at"])
    registration.checked_in_at, registration.status = current.checked_in_at, current.status
    return registration
