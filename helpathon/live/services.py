"""The outbox: services call `publish` inside their transaction; the event is stored with the
change and handed to the broker after commit (the broker and the stream come with the live
issue)."""

from django.db import transaction

from helpathon.live.events import EVENT_FIELDS
from helpathon.live.models import LiveCursor, LiveEvent

_after_commit_hooks: list = []


def on_published(hook) -> None:
    """Register a callable(event) run after the commit of every published event."""
    _after_commit_hooks.append(hook)


def publish(*, edition_id: int, type: str, payload: dict) -> LiveEvent:
    """Record a live event in the caller's transaction. Must run inside `transaction.atomic()`.

    The edition's cursor row is locked until commit, so events of one edition get numbers in
    commit order with no gap: a reader that has seen number n has seen everything before n.
    """
    if type not in EVENT_FIELDS:
        raise ValueError(f"unknown live event type {type!r}")
    extra = set(payload) - EVENT_FIELDS[type]
    if extra:
        raise ValueError(f"{type} may not carry {sorted(extra)}")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("publish() must run inside the transaction of the change it describes")
    cursor = LiveCursor.objects.select_for_update().filter(edition_id=edition_id).first()
    if cursor is None:
        LiveCursor.objects.get_or_create(edition_id=edition_id)
        cursor = LiveCursor.objects.select_for_update().get(edition_id=edition_id)
    cursor.last_seq += 1
    cursor.save(update_fields=["last_seq"])
    event = LiveEvent.objects.create(edition_id=edition_id, seq=cursor.last_seq, type=type, payload=payload)
    for hook in _after_commit_hooks:
        transaction.on_commit(lambda hook=hook: hook(event))
    return event
