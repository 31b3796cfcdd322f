"""CSV downloads for spreadsheets: no cell runs as a formula."""

import csv
import io
from datetime import datetime, timezone as dt_timezone

import pytest

from helpathon.spreadsheets import CsvDownload, safe_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_it_defuses_text_that_starts_like_a_formula(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Idee", "a=b", 3, -3, 2.5, None, ""])
def test_it_leaves_other_values_alone(value):
    assert safe_cell(value) == value


def test_it_writes_dates_as_iso_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert safe_cell(datetime(2026, 6, 1, 10, 0, tzinfo=dt_timezone.utc)) == "2026-06-01T12:00:00+02:00"


def test_it_answers_a_utf8_attachment():
    download = CsvDownload("jury.csv")
    download.row(["title", "value"])
    download.row(["=1+1 Grüße", 4])

    content = download.response.content.decode("utf-8")
    assert download.response["Content-Disposition"] == 'attachment; filename="jury.csv"'
    assert content.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(content.lstrip("\ufeff")))) == [["title", "value"], ["'=1+1 Grüße", "4"]]
