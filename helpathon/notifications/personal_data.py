"""The event reminders sent to a person and the mailings they sent as an organizer, for their
data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.notifications.models import Mailing, ReminderSent


@contributor("notifications")
def notifications_part(user) -> dict:
    return {
        "reminders_sent": list(
            ReminderSent.objects.filter(user=user).order_by("sent_at", "pk").values("edition__slug", "sent_at")
        ),
        "mailings_sent": list(
            Mailing.objects.filter(created_by=user).order_by("created_at", "pk")
            .values("edition__slug", "audience", "subject", "body", "created_at")
        ),
    }
