"""The event reminder: about a day before an edition starts, each confirmed participant gets
one mail with the edition's calendar file, in their language, unless they switched reminders
off. `ReminderSent` makes it once per person: a run claims the row before it sends, so that
runs at the same time (the scheduled task and the cron command) never mail anyone twice.

Two ways it goes out, both safe to repeat: a task queued for `starts_at - REMINDER_BEFORE`
when a place is confirmed (with a task backend that can defer work), and the management
command `send_reminders`, run from cron, which also catches editions whose dates moved.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpathon.editions.models import Edition
from helpathon.notifications.emails import notify, wants
from helpathon.notifications.models import ReminderSent
from helpathon.registrations.calendar import edition_ics
from helpathon.registrations.models import Registration

logger = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=24)
KIND = "email_reminders"


def is_due(edition: Edition, *, now=None) -> bool:
    """A published edition that starts within the next REMINDER_BEFORE."""
    now = now or timezone.now()
    return edition.status == Edition.Status.PUBLISHED and now < edition.starts_at <= now + REMINDER_BEFORE


def editions_due(*, now=None):
    now = now or timezone.now()
    return Edition.objects.filter(
        status=Edition.Status.PUBLISHED, starts_at__gt=now, starts_at__lte=now + REMINDER_BEFORE
    ).order_by("starts_at", "pk")


def reminders_send(*, edition: Edition, now=None) -> int:
    """Mail the reminder to every confirmed participant of a due edition who has not had it;
    returns how many went. Nothing happens before the edition is due or once it started."""
    now = now or timezone.now()
    if not is_due(edition, now=now):
        return 0
    already = ReminderSent.objects.filter(edition=edition).values("user_id")
    registrations = (
        Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED)
        .exclude(user_id__in=already)
        .select_related("user")
        .order_by("pk")
    )
    context = {
        "edition": edition,
        "edition_url": settings.SITE_URL + edition.get_absolute_url(),
    }
    attachment = (f"helpathon-{edition.slug}.ics", edition_ics(edition), "text/calendar")
    sent = 0
    for registration in registrations:
        user = registration.user
        if not wants(user, KIND):
            # No claim: should they switch reminders back on in time, a later run mails them.
            continue
        if not _claim(edition, user, now):
            continue
        try:
            notify(user, KIND, "notifications/email/reminder", context, attachments=[attachment])
        except Exception:
            # Give the claim back so that the next run tries again; go on with the others.
            ReminderSent.objects.filter(edition=edition, user=user).delete()
            logger.exception("Reminder for edition %s to user %s failed", edition.pk, user.pk)
            continue
        sent += 1
    return sent


def reminders_send_due(*, now=None) -> int:
    """The reminders of every due edition (the cron command)."""
    return sum(reminders_send(edition=edition, now=now) for edition in editions_due(now=now))


def _claim(edition: Edition, user, now) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(edition=edition, user=user, sent_at=now)
    except IntegrityError:
        return False
    return True


def reminder_schedule(*, edition: Edition) -> bool:
    """Queue the edition's reminders for REMINDER_BEFORE its start (at once, when that is
    past), if the task backend can defer work; call it after commit when a place is
    confirmed. Returns whether a task was queued. Without deferral the cron command sends."""
    from helpathon.notifications.tasks import send_edition_reminders

    now = timezone.now()
    if edition.starts_at <= now or not send_edition_reminders.get_backend().supports_defer:
        return False
    send_edition_reminders.using(run_after=max(edition.starts_at - REMINDER_BEFORE, now)).enqueue(edition.pk)
    return True
