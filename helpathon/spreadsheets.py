"""CSV downloads meant for spreadsheet programs (organizers' exports): UTF-8 with a byte order
mark, and cells that a spreadsheet will not run as formulas."""

import csv

from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text starting like a formula gets a leading apostrophe (OWASP's advice against CSV
    injection); dates become ISO 8601 in local time; numbers pass unchanged."""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvDownload:
    """`download = CsvDownload("name.csv")`, `download.row([...])`, then return `download.response`."""

    def __init__(self, filename: str):
        self.response = HttpResponse(content_type="text/csv; charset=utf-8")
        self.response["Content-Disposition"] = f'attachment; filename="{filename}"'
        self.response.write("\ufeff")  # lets spreadsheet programs detect UTF-8
        self._writer = csv.writer(self.response)

    def row(self, values) -> None:
        self._writer.writerow([safe_cell(value) for value in values])
