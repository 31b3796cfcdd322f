"""Send the event reminders that are due: run it from cron, say every 15 minutes. Safe to run
as often as you like; each person gets the reminder once."""

from django.core.management.base import BaseCommand

from helpathon.notifications.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Mail the event reminder (with the calendar file) to confirmed participants of editions starting within 24 hours."

    def handle(self, *args, **options):
        sent = reminders_send_due()
        self.stdout.write(f"{sent} reminder(s) sent.")
