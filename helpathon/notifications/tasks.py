"""Background work of the notifications app (django-tasks)."""

from django_tasks import task


@task()
def send_mailing(mailing_id: int) -> str | None:
    """Send an organizers' mailing, recording progress as it goes (see services.mailing_send)."""
    from helpathon.notifications.services import mailing_send

    return mailing_send(mailing_id=mailing_id)


@task()
def send_edition_reminders(edition_id: int) -> int:
    """The event reminders of one edition (see reminders.py); safe to run more than once."""
    from helpathon.editions.models import Edition
    from helpathon.notifications.reminders import reminders_send

    edition = Edition.objects.filter(pk=edition_id).first()
    return 0 if edition is None else reminders_send(edition=edition)
