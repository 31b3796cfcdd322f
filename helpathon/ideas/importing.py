"""Ideas in and out of files, as CSV or JSON: the format, its checks, and the import loop that
the `import_ideas` and `export_ideas` commands call.

An import reads the whole file, checks every row and reports every problem as
"row N: field: message" before anything is written; only a clean file is imported, in one
transaction, through `idea_create`, so that versions and live events are recorded exactly as
for ideas submitted on the site. An export writes the same columns (and a few more, which an
import ignores), so that an export imports again.

Columns (CSV header or JSON keys): `title` (required), `body`, `author` (a public display name,
never an email address), `tags` (separated by "," ";" or "|"), `created_at` (ISO 8601; times
without an offset are read in the site's TIME_ZONE). Any other column is ignored unless named
by `tags_from` (its values become tags) or `source_column` (its URL is appended to the body as
attribution, which CC BY content such as the Bonn Raddialog requires).

CSV rows are numbered as a spreadsheet shows them: the header is row 1, the first idea row 2,
whatever line breaks the quoted fields hold. JSON objects are numbered from 1.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.models import Challenge, Edition
from helpathon.ideas.models import Idea
from helpathon.ideas.services import MAX_BODY, _clean_tags, _validate_text, idea_create

FORMATS = ("csv", "json")
COLUMNS = ("title", "body", "author", "tags", "created_at")
EXPORT_COLUMNS = (*COLUMNS, "status", "challenge", "version", "supports", "comments", "url")
DEFAULT_SOURCE_COLUMN = "source_url"
ATTRIBUTION_LABEL = "Quelle"

IMPORT_USER_EMAIL = "import@helpathon.invalid"
IMPORT_AUTHOR = "Import"

TITLE_MAX = Idea._meta.get_field("title").max_length
AUTHOR_MAX = Idea._meta.get_field("author_name").max_length

_TAG_SEPARATORS = re.compile(r"[,;|]")
_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
_validate_url = URLValidator(schemes=["http", "https"])


class ImportFileError(Exception):
    """The file cannot be imported; `messages` lists every reason, one line each."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Record:
    """One row of the file as read: its number in the file and its raw values by column."""

    number: int
    values: dict


@dataclass(frozen=True)
class IdeaRow:
    """One checked row, ready for `idea_create`."""

    number: int
    title: str
    body: str
    author: str
    tags: list[str]
    created_at: datetime | None


@dataclass
class CheckResult:
    rows: list[IdeaRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------


def detect_format(path: str | Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError([f"file: cannot tell the format from {Path(path).name!r}; use --format csv or json"])
    return suffix


def read_records(path: str | Path, fmt: str, *, encoding: str = "utf-8-sig") -> tuple[list[str], list[Record]]:
    """The file's column names (lower case) and its rows. Raises ImportFileError when the file
    cannot be read at all."""
    try:
        text = Path(path).read_text(encoding=encoding)
    except FileNotFoundError:
        raise ImportFileError([f"file: {path} does not exist"]) from None
    except UnicodeDecodeError as exc:
        message = f"file: not readable as {encoding} ({exc.reason} at byte {exc.start}); try --encoding cp1252"
        raise ImportFileError([message]) from None
    return _read_csv(text) if fmt == "csv" else _read_json(text)


def _read_csv(text: str) -> tuple[list[str], list[Record]]:
    # Spreadsheets in German locales write ";" between fields; the header line tells which.
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows, None)
        if not header:
            raise ImportFileError(["row 1: the file is empty; it needs a header row with at least 'title'"])
        columns = [name.strip().lower() for name in header]
        records = []
        for number, values in enumerate(rows, start=2):
            if not any(value.strip() for value in values):
                continue  # blank lines keep their number but hold no idea
            records.append(Record(number, dict(zip(columns, values))))
    except csv.Error as exc:
        raise ImportFileError([f"line {rows.line_num}: file: {exc}"]) from None
    return columns, records


def _read_json(text: str) -> tuple[list[str], list[Record]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError([f"file: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"]) from None
    if isinstance(data, dict) and isinstance(data.get("ideas"), list):
        data = data["ideas"]
    if not isinstance(data, list):
        raise ImportFileError(['file: expected a list of objects, or {"ideas": [...]}'])
    columns: dict[str, None] = {}
    records = []
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict):
            values = {str(key).strip().lower(): value for key, value in item.items()}
            columns.update(dict.fromkeys(values))
        else:
            values = None  # reported by check_records
        records.append(Record(number, values))
    return list(columns), records


# --- Checking ---------------------------------------------------------------------------------


def check_records(
    columns: list[str], records: list[Record], *, tags_from: Iterable[str] = (), source_column: str | None = None,
    header_row: str = "row 1",
) -> CheckResult:
    """Check every row and collect every problem. `source_column` names a column of URLs
    appended to the body as attribution; `tags_from` names columns whose values become tags."""
    result = CheckResult()
    tags_from = [name.strip().lower() for name in tags_from]
    source_column = source_column.strip().lower() if source_column else None
    if not records:
        return result  # an empty file (an export of an empty challenge) imports nothing
    if "title" not in columns:
        result.errors.append(f"{header_row}: title: there is no 'title' column")
    for name in tags_from:
        if name not in columns:
            result.errors.append(f"{header_row}: {name}: there is no such column for --tags-from")
    if source_column and source_column not in columns:
        result.errors.append(f"{header_row}: {source_column}: there is no such column for --source-column")
    if result.errors:
        return result
    for record in records:
        errors, row = _check_record(record, tags_from=tags_from, source_column=source_column,
                                    warnings=result.warnings)
        if errors:
            result.errors.extend(f"row {record.number}: {name}: {message}" for name, message in errors)
        else:
            result.rows.append(row)
    return result


def _check_record(record: Record, *, tags_from, source_column, warnings: list[str]):
    """(errors as (field, message) pairs, the IdeaRow or None)."""
    if record.values is None:
        return [("item", "expected an object with at least a 'title'")], None
    errors = []
    text = {}
    for name in ("title", "body", "author", "created_at", *([source_column] if source_column else [])):
        value = record.values.get(name)
        if value is not None and not isinstance(value, str):
            errors.append((name, "must be text"))
            value = None
        text[name] = value or ""

    title = " ".join(text["title"].split())
    body = text["body"].strip()
    if not title:
        if not errors or errors[0][0] != "title":
            errors.append(("title", "is required"))
    elif len(title) > TITLE_MAX:
        # Real citizens write long titles. Keep their words: a shortened title, and the full one
        # opening the description.
        body = f"{title}\n\n{body}" if body else title
        title = _shorten(title, TITLE_MAX)
        warnings.append(f"row {record.number}: title: longer than {TITLE_MAX} characters; shortened, "
                        "the full title opens the description")
    if len(text["body"].strip()) > MAX_BODY:
        errors.append(("body", f"may have at most {MAX_BODY} characters (has {len(text['body'].strip())})"))

    author = " ".join(text["author"].split())
    if len(author) > AUTHOR_MAX:
        errors.append(("author", f"may have at most {AUTHOR_MAX} characters"))
    elif _EMAIL.search(author):
        errors.append(("author", "looks like an email address; only a public display name may be given"))

    created_at = None
    if text["created_at"].strip():
        try:
            created_at = parse_timestamp(text["created_at"])
        except ValueError:
            errors.append(("created_at", f"is not an ISO 8601 date and time: {text['created_at'].strip()!r}"))

    tags, tag_errors = _tags(record.values, tags_from)
    errors.extend(tag_errors)

    if source_column and text[source_column].strip():
        url = text[source_column].strip()
        try:
            _validate_url(url)
            if "<" in url or ">" in url:  # would end the Markdown autolink early
                raise ValidationError("angle bracket")
        except ValidationError:
            errors.append((source_column, f"is not an http(s) URL: {url!r}"))
        else:
            body = f"{body}\n\n{ATTRIBUTION_LABEL}: <{url}>" if body else f"{ATTRIBUTION_LABEL}: <{url}>"

    if title and not errors:
        # The service's own rules, so that the import cannot pass what the site would refuse.
        try:
            title, body = _validate_text(title, body)
        except ValidationError as exc:
            errors.extend(_pairs(exc))
    if errors:
        return errors, None
    return [], IdeaRow(record.number, title, body, author, tags, created_at)


def _tags(values: dict, tags_from: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    raw, errors = [], []
    for name in ["tags", *tags_from]:
        value = values.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            raw.extend(_TAG_SEPARATORS.split(value))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            raw.extend(value)
        else:
            errors.append((name, "must be text or a list of texts"))
    if errors:
        return [], errors
    try:
        return _clean_tags(raw), []
    except ValidationError as exc:
        return [], _pairs(exc)


def _pairs(error: ValidationError) -> list[tuple[str, str]]:
    """A service's ValidationError as (field, message) pairs."""
    if hasattr(error, "error_dict"):
        return [(name, message) for name, messages in error.message_dict.items() for message in messages]
    return [("idea", message) for message in error.messages]


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary where one is near, ending in "…"."""
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 date or date and time; one without an offset is read in the site's time
    zone (Europe/Berlin unless TIME_ZONE says otherwise). Raises ValueError."""
    moment = datetime.fromisoformat(value.strip())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def check_file(
    path: str | Path, *, fmt: str | None = None, tags_from: Iterable[str] = (), source_column: str | None = None,
    attribution: bool = True, encoding: str = "utf-8-sig",
) -> CheckResult:
    """Read and check a whole file. Without an explicit `source_column`, a `source_url` column
    is used for attribution when present, unless `attribution` is False."""
    fmt = detect_format(path, fmt)
    columns, records = read_records(path, fmt, encoding=encoding)
    if source_column is None and attribution and DEFAULT_SOURCE_COLUMN in columns:
        source_column = DEFAULT_SOURCE_COLUMN
    if not attribution:
        source_column = None
    header_row = "row 1" if fmt == "csv" else "file"
    return check_records(columns, records, tags_from=tags_from, source_column=source_column, header_row=header_row)


# --- Importing --------------------------------------------------------------------------------


def find_target(edition_slug: str, challenge_slug: str | None = None) -> tuple[Edition, Challenge | None]:
    """The edition and, if a slug is given, its challenge. Raises LookupError with a message that
    names what exists, for a person typing slugs on the command line."""
    edition = Edition.objects.filter(slug=edition_slug).first()
    if edition is None:
        known = ", ".join(Edition.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise LookupError(f"There is no edition {edition_slug!r}. Editions: {known}.")
    if challenge_slug is None:
        return edition, None
    challenge = edition.challenges.filter(slug=challenge_slug).first()
    if challenge is None:
        known = ", ".join(edition.challenges.order_by("order", "pk").values_list("slug", flat=True)) or "none"
        raise LookupError(f"Edition {edition.slug!r} has no challenge {challenge_slug!r}. Its challenges: {known}.")
    return edition, challenge



def import_user() -> User:
    """The account that imported ideas belong to when no person is named: it cannot log in
    (no usable password) and appears as "Import"."""
    user = User.objects.filter(email=IMPORT_USER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=IMPORT_USER_EMAIL, password=None, display_name=IMPORT_AUTHOR)
    return user


def import_rows(
    rows: list[IdeaRow], *, challenge: Challenge, actor, progress: Callable[[Iterable], Iterable] = iter,
) -> int:
    """Create one idea per row, all or none. Precondition: the rows passed `check_records`.
    The public author is the row's display name, else "Import": never the actor's email."""
    with transaction.atomic():
        for row in progress(rows):
            try:
                idea_create(
                    actor=actor, challenge=challenge, title=row.title, body=row.body, tags=row.tags,
                    author_name=row.author or IMPORT_AUTHOR, created_at=row.created_at, check_permission=False,
                )
            except ValidationError as exc:
                # Checked before, so this means the service's rules changed; nothing is kept.
                raise ImportFileError([f"row {row.number}: {name}: {message}" for name, message in _pairs(exc)]) from exc
    return len(rows)


# --- Exporting --------------------------------------------------------------------------------


def ideas_for_export(edition: Edition, challenge: Challenge | None = None):
    """The edition's visible ideas (hidden ones stay out), oldest first."""
    ideas = Idea.objects.filter(edition=edition, hidden_at__isnull=True)
    if challenge is not None:
        ideas = ideas.filter(challenge=challenge)
    return (
        ideas.select_related("challenge", "edition", "author")
        .prefetch_related("tags")
        .order_by("created_at", "pk")
    )


def export_record(idea: Idea) -> dict:
    """One idea as an export row. Public data only: the author is the public display name."""
    return {
        "title": idea.title,
        "body": idea.body,
        "author": idea.public_author,
        "tags": [tag.name for tag in idea.tags.all()],
        "created_at": timezone.localtime(idea.created_at).isoformat(),
        "status": idea.status,
        "challenge": idea.challenge.slug,
        "version": idea.version,
        "supports": idea.support_count,
        "comments": idea.comment_count,
        "url": settings.SITE_URL + idea.get_absolute_url(),
    }


def write_csv(records: Iterable[dict], out) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({**record, "tags": ", ".join(record["tags"])})
        count += 1
    return count


def write_json(records: Iterable[dict], out, *, edition: Edition, challenge: Challenge | None = None) -> int:
    ideas = list(records)
    document = {
        "edition": edition.slug,
        "challenge": challenge.slug if challenge else None,
        "exported_at": timezone.localtime().isoformat(),
        "ideas": ideas,
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(ideas)
