"""Reads of the event log. Sync functions: the stream calls them on its own database thread."""

from django.db import connection
from django.db.models import QuerySet

from helpathon.editions.models import Edition
from helpathon.live.models import LiveCursor, LiveEvent
from helpathon.live.wire import event_dict

# Callables(edition_id, items) that blank, in place, what has become private since an event was
# written (the title of an idea hidden later). Domain apps register them; the log never changes.
_redactors: list = []


def on_replay(redactor) -> None:
    if redactor not in _redactors:
        _redactors.append(redactor)


def cursor_seq(edition_id: int) -> int:
    return LiveCursor.objects.filter(edition_id=edition_id).values_list("last_seq", flat=True).first() or 0


def cursors(edition_ids) -> dict[int, int]:
    return dict(LiveCursor.objects.filter(edition_id__in=list(edition_ids)).values_list("edition_id", "last_seq"))


def events_total() -> int:
    """The sum of every edition's last event number: it grows with every event anywhere. One
    plain query (the page cache asks it on every visitor's request without Redis)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(last_seq), 0) FROM {LiveCursor._meta.db_table}")
        return cursor.fetchone()[0]


def _events(edition_id: int) -> QuerySet[LiveEvent]:
    return LiveEvent.objects.filter(edition_id=edition_id).order_by("seq")


def events_after(edition_id: int, after: int, *, upto: int | None = None, limit: int | None = None) -> list[dict]:
    """The wire form of the edition's events numbered after `after` (up to `upto`), oldest
    first, redacted for what is private now."""
    qs = _events(edition_id).filter(seq__gt=after)
    if upto is not None:
        qs = qs.filter(seq__lte=upto)
    if limit is not None:
        qs = qs[:limit]
    return redact(edition_id, [event_dict(e) for e in qs.only("seq", "type", "payload", "created_at")])


def events_page(edition_id: int, after: int, *, limit: int) -> dict:
    """One page of the log for replays: the events after `after`, the number to ask from next
    (None at the end) and the newest number now."""
    events = events_after(edition_id, after, limit=limit)
    following = events[-1]["seq"] if len(events) == limit else None
    return {"events": events, "next": following, "last": cursor_seq(edition_id)}


def recent_events(edition_id: int, *, count: int) -> list[dict]:
    rows = list(_events(edition_id).order_by("-seq")[:count])
    return redact(edition_id, [event_dict(e) for e in reversed(rows)])


def redact(edition_id: int, items: list[dict]) -> list[dict]:
    """Blank, in place, what has become private since the events were written; `items` back."""
    for redactor in _redactors:
        redactor(edition_id, items)
    return items


def public_edition_id(slug: str) -> int | None:
    """The id of a published edition (the public stream serves no draft)."""
    return Edition.objects.filter(slug=slug, status=Edition.Status.PUBLISHED).values_list("pk", flat=True).first()
