"""`manage.py export_ideas --edition SLUG`: an edition's visible ideas as CSV or JSON, in the
format `import_ideas` reads. Public data only: display names, never email addresses."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpathon.ideas import importing


class _Stdout:
    """Lets csv and json write to the command's stdout as they would to a file."""

    def __init__(self, wrapper):
        self._wrapper = wrapper

    def write(self, text):
        self._wrapper.write(text, ending="")


class Command(BaseCommand):
    help = (
        "Export an edition's ideas (hidden ones excepted) as CSV or JSON: title, body, author (public "
        "display name), tags, created_at, status, challenge, version, supports, comments, url. "
        "The file imports again with import_ideas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--edition", required=True, metavar="SLUG")
        parser.add_argument("--challenge", metavar="SLUG", help="only this challenge's ideas")
        parser.add_argument(
            "--format", choices=importing.FORMATS,
            help="default: the output file's extension, else csv",
        )
        parser.add_argument("--output", "-o", default="-", metavar="FILE", help="a file, or - for stdout (default)")

    def handle(self, *args, **options):
        try:
            edition, challenge = importing.find_target(options["edition"], options["challenge"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        output = options["output"]
        fmt = options["format"]
        if fmt is None:
            suffix = Path(output).suffix.lower().lstrip(".")
            fmt = suffix if output != "-" and suffix in importing.FORMATS else "csv"

        records = (importing.export_record(idea) for idea in importing.ideas_for_export(edition, challenge))
        if output == "-":
            # Only the data goes to stdout, so that it can be piped.
            try:
                self._write(fmt, records, _Stdout(self.stdout), edition, challenge)
            except BrokenPipeError:
                # The reader stopped early (`| head`): not an error. Python's advice: point stdout
                # at devnull so that flushing at exit does not raise again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        # A byte order mark lets spreadsheet programs detect UTF-8 (as the registrations export does).
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        try:
            with open(output, "w", encoding=encoding, newline="") as out:
                count = self._write(fmt, records, out, edition, challenge)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(f"Exported {count} idea(s) to {output}.")

    def _write(self, fmt, records, out, edition, challenge) -> int:
        if fmt == "json":
            return importing.write_json(records, out, edition=edition, challenge=challenge)
        return importing.write_csv(records, out)
