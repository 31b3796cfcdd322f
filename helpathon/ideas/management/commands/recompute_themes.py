from django.core.management.base import BaseCommand, CommandError

from helpathon.editions.models import Edition
from helpathon.ideas.themes_service import themes_recompute


class Command(BaseCommand):
    help = "Recompute the automatic themes of one edition (--edition SLUG) or of all editions."

    def add_arguments(self, parser):
        parser.add_argument("--edition", help="the edition's slug; all editions when omitted")

    def handle(self, *args, **options):
        editions = Edition.objects.all()
        if options["edition"]:
            editions = editions.filter(slug=options["edition"])
            if not editions.exists():
                raise CommandError(f"No edition with the slug {options['edition']!r}.")
        for edition in editions:
            count = themes_recompute(edition_id=edition.pk)
            self.stdout.write(f"{edition.slug}: {count} themes")
