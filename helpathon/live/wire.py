"""How live events travel: one plain dict per event, encoded once into Server-Sent Events bytes.

The same bytes go to every connection; a client reads `id:` (the event's number in its edition)
and `data:` (JSON: seq, type, at, data).
"""

import json


def event_dict(event) -> dict:
    """The wire form of a LiveEvent row."""
    return {"seq": event.seq, "type": event.type, "at": event.created_at.isoformat(), "data": event.payload}


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sse_event(item: dict) -> bytes:
    """One event as an SSE message. JSON never holds a raw newline, so one `data:` line does."""
    return f"id: {item['seq']}\ndata: {dumps(item)}\n\n".encode()


def sse_control(name: str, data: dict) -> bytes:
    """A message without an id (reload, online): a client handles it, its position stays."""
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


SSE_HEARTBEAT = b": heartbeat\n\n"


def sse_retry(milliseconds: int) -> bytes:
    return f"retry: {milliseconds}\n\n".encode()


class Item:
    """A decoded event for `events.coalesce` (which reads `.type` and `.payload`)."""

    __slots__ = ("seq", "type", "payload", "raw")

    def __init__(self, raw: dict):
        self.raw = raw
        self.seq = raw["seq"]
        self.type = raw["type"]
        self.payload = raw["data"]
