"""`manage.py import_ideas FILE --edition SLUG --challenge SLUG`: ideas from a CSV or JSON file
into one challenge, all or nothing. The format and its checks live in `ideas.importing`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from helpathon.accounts.models import User
from helpathon.ideas import importing


class _ProgressStream:
    """Hands tqdm's output to the command's stderr unchanged: no added newline, no colour."""

    def __init__(self, wrapper):
        self._wrapper = wrapper

    def write(self, text):
        self._wrapper.write(text, style_func=lambda x: x, ending="")

    def flush(self):
        self._wrapper.flush()

    def isatty(self):
        return self._wrapper.isatty()


class Command(BaseCommand):
    help = (
        "Import ideas from a CSV or JSON file into a challenge. Columns: title (required), body, author "
        "(public display name), tags (separated by , ; or |), created_at (ISO 8601; without an offset, "
        "the site's TIME_ZONE). Other columns are ignored. Every row is checked first; any error is "
        "reported as 'row N: field: message' and nothing is imported. CSV rows count as in a "
        "spreadsheet: the header is row 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .json file")
        parser.add_argument("--edition", required=True, metavar="SLUG")
        parser.add_argument("--challenge", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=importing.FORMATS, help="instead of the file's extension")
        parser.add_argument("--encoding", default="utf-8-sig", help="of the file (default UTF-8; e.g. cp1252)")
        parser.add_argument(
            "--tags-from", action="append", default=[], metavar="COLUMN",
            help="also make tags of this column's values (repeatable), e.g. --tags-from category",
        )
        parser.add_argument(
            "--source-column", metavar="COLUMN",
            help=f"append 'Quelle: <URL>' from this column to each body, as CC BY attribution "
                 f"(default: {importing.DEFAULT_SOURCE_COLUMN!r} when the file has it)",
        )
        parser.add_argument("--no-source", action="store_true", help="append no attribution URL")
        parser.add_argument(
            "--as", dest="actor", metavar="EMAIL",
            help=f"the existing user the ideas belong to (default: {importing.IMPORT_USER_EMAIL}, "
                 "created if missing, who cannot log in). The public author is the file's author "
                 f"column, else {importing.IMPORT_AUTHOR!r}; never an email address.",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file only; import nothing")
        parser.add_argument("--no-progress", action="store_true", help="show no progress bar")

    def handle(self, *args, **options):
        try:
            edition, challenge = importing.find_target(options["edition"], options["challenge"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if options["no_source"] and options["source_column"]:
            raise CommandError("--no-source and --source-column exclude each other.")
        actor = self._actor(options["actor"]) if options["actor"] else None

        try:
            # The service's messages in the same language as ours: this is a console for admins.
            with translation.override("en"):
                checked = importing.check_file(
                    options["file"], fmt=options["format"], tags_from=options["tags_from"],
                    source_column=options["source_column"], attribution=not options["no_source"],
                    encoding=options["encoding"],
                )
        except importing.ImportFileError as exc:
            raise CommandError(f"Nothing was imported:\n{exc}") from None
        for warning in checked.warnings:
            self.stderr.write(warning, style_func=self.style.WARNING)
        if checked.errors:
            raise CommandError(
                f"{len(checked.errors)} error(s); nothing was imported:\n" + "\n".join(checked.errors)
            )
        target = f"{edition.slug}/{challenge.slug}"
        if options["dry_run"]:
            count = len(checked.rows)
            self.stdout.write(f"{count} idea(s) checked, no errors; nothing imported into {target} (dry run).")
            return

        actor = actor or importing.import_user()
        bar = {"desc": "Importing", "unit": "idea", "file": _ProgressStream(self.stderr), "leave": False}
        # disable=None lets tqdm switch itself off when stderr is not a terminal.
        bar["disable"] = True if options["no_progress"] else None
        try:
            count = importing.import_rows(
                checked.rows, challenge=challenge, actor=actor, progress=lambda rows: tqdm(rows, **bar),
            )
        except importing.ImportFileError as exc:
            raise CommandError(f"Nothing was imported:\n{exc}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported {count} idea(s) into {target} as {actor.public_name}."),
        )

    def _actor(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no user with the email address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {email!r} is not active.")
        return user
