from django.core.management.base import BaseCommand

from helpathon.editions.models import Edition
from helpathon.registrations.services import registrations_lapse_expired


class Command(BaseCommand):
    help = "Release unconfirmed places whose hold ran out and promote the waitlist (run from cron)."

    def handle(self, *args, **options):
        total = 0
        for edition in Edition.objects.all():
            total += registrations_lapse_expired(edition=edition)
        self.stdout.write(f"{total} unconfirmed place(s) lapsed")
