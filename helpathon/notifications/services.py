"""Mail to many: organizers write to all participants of an edition, its waitlist, one team or
all teams; a background task (notifications.tasks.send_mailing) sends it and records progress.

Who gets a mailing is fixed when it is written (`recipient_ids`), so the number the organizer
confirmed is the number that goes out. Sending walks that list from the position
`sent + skipped + failed`: a task that stopped half way, or runs twice one after the other,
goes on where the last run left off instead of mailing people twice.
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.accounts.models import User
from helpathon.editions.models import Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.notifications import emails, selectors
from helpathon.notifications.models import Mailing

logger = logging.getLogger(__name__)

KIND = "email_organizers"
TEMPLATE = "notifications/email/mailing"
SUBJECT_MAX = Mailing._meta.get_field("subject").max_length
BODY_MAX = Mailing._meta.get_field("body").max_length
# A slip (or a stolen session) must not turn the platform into a spam cannon.
MAILINGS_PER_HOUR = 10
# Progress is written after each batch: often enough to watch, few enough writes.
BATCH_SIZE = 50


def _clean_text(value, *, field: str, limit: int, one_line: bool) -> str:
    text = value if isinstance(value, str) else ""
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a character that cannot be sent (NUL).")})
    # A subject is one line: a line break in a mail header would be an injection.
    text = " ".join(text.split()) if one_line else text.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Please write at most %(n)d characters.") % {"n": limit}})
    return text


def mailing_create(
    *, actor, edition: Edition, audience: str, team=None, subject: str, body: str, expected_total: int | None = None
) -> Mailing:
    """Write a mailing to `audience` of `edition` and queue it for sending (after commit).

    Only the edition's organizers may. `expected_total`, when given, is the number of people
    the organizer confirmed: if the audience has changed since, nothing is sent and they are
    asked again. Raises PermissionDenied or ValidationError."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if audience not in Mailing.Audience.values:
        raise ValidationError({"audience": _("Please choose who gets the message.")})
    if audience == Mailing.Audience.TEAM:
        if team is None or team.edition_id != edition.pk:
            raise ValidationError({"team": _("Please choose a team of this edition.")})
    else:
        team = None
    subject = _clean_text(subject, field="subject", limit=SUBJECT_MAX, one_line=True)
    body = _clean_text(body, field="body", limit=BODY_MAX, one_line=False)

    with transaction.atomic():
        # The lock makes the hourly limit hold under parallel requests.
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        now = timezone.now()
        recent = Mailing.objects.filter(edition=edition, created_at__gt=now - timedelta(hours=1)).count()
        if recent >= MAILINGS_PER_HOUR:
            raise ValidationError(
                _("This edition has sent %(n)d messages in the last hour, the most allowed. Please try again later.")
                % {"n": MAILINGS_PER_HOUR}
            )
        recipient_ids = selectors.audience_user_ids(edition=edition, audience=audience, team=team)
        if not recipient_ids:
            raise ValidationError(_("Nobody would get this message: the chosen group is empty."))
        if expected_total is not None and expected_total != len(recipient_ids):
            raise ValidationError(
                _("The group has changed: the message would now go to %(n)d people. Please check and confirm again.")
                % {"n": len(recipient_ids)}
            )
        mailing = Mailing(
            edition=edition, audience=audience, team=team, subject=subject, body=body,
            recipient_ids=recipient_ids, total=len(recipient_ids), created_by=actor, created_at=now,
        )
        mailing.full_clean(exclude=["created_by", "team"])
        mailing.save()
        transaction.on_commit(lambda: _enqueue(mailing.pk))
    return mailing


def _enqueue(mailing_id: int) -> None:
    from helpathon.notifications.tasks import send_mailing

    send_mailing.enqueue(mailing_id)


def _context(mailing: Mailing) -> dict:
    # The organizer's words go into the mail as values, never as template source: a body with
    # "{{ user.email }}" arrives as written.
    return {"edition": mailing.edition, "subject": mailing.subject, "body": mailing.body}


def _send_batch(mailing: Mailing, user_ids: list[int]) -> tuple[int, int, int]:
    """Mail `user_ids` over one connection; returns (sent, skipped, failed). One address that
    fails is counted and the rest still go out."""
    sent = skipped = failed = 0
    users = User.objects.in_bulk(user_ids)
    context = _context(mailing)
    connection = get_connection()
    try:
        for user_id in user_ids:
            user = users.get(user_id)
            # Gone, deactivated, deleted or switched off since the mailing was written.
            if user is None or not emails.wants(user, KIND):
                skipped += 1
                continue
            try:
                message = emails.render(user, TEMPLATE, context, kind=KIND)
                message.connection = connection
                message.send()
            except Exception:
                logger.exception("mailing %s: sending to user %s failed", mailing.pk, user_id)
                failed += 1
                # The connection may be broken; the next message opens a fresh one.
                connection.close()
            else:
                sent += 1
    finally:
        connection.close()
    return sent, skipped, failed


def mailing_send(*, mailing_id: int) -> str | None:
    """Send a queued mailing in batches, writing the counts after each batch so that progress
    can be watched; returns the final status (None if there is no such mailing). Runs in the
    task worker; safe to run again: it goes on from where the last run stopped."""
    mailing = Mailing.objects.select_related("edition").filter(pk=mailing_id).first()
    if mailing is None or mailing.status == Mailing.Status.DONE:
        return mailing and mailing.status
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    position = mailing.done
    try:
        while position < len(mailing.recipient_ids):
            batch = mailing.recipient_ids[position:position + BATCH_SIZE]
            sent, skipped, failed = _send_batch(mailing, batch)
            Mailing.objects.filter(pk=mailing.pk).update(
                sent=F("sent") + sent, skipped=F("skipped") + skipped, failed=F("failed") + failed
            )
            position += len(batch)
    except Exception:
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.FAILED, finished_at=timezone.now())
        raise
    mailing.refresh_from_db(fields=["sent", "skipped", "failed"])
    status = Mailing.Status.FAILED if mailing.failed else Mailing.Status.DONE
    Mailing.objects.filter(pk=mailing.pk).update(status=status, finished_at=timezone.now())
    return status
