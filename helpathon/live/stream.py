"""One SSE connection: catch up from `after`, then send the channel's ticks as they come.

`event_stream` is shared by the Django view (`views.stream`) and the lean ASGI path
(`live.asgi`), which serves the public stream without Django's request machinery.
"""

import asyncio
import re

from django.conf import settings

from helpathon.live.broker import get_hub
from helpathon.live.wire import sse_control, sse_retry

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: pass each chunk on at once
}
MAX_SEQ = 2**63 - 1
_NUMBER = re.compile(r"[0-9]{1,19}")  # not \d, which takes any script's digits ("٣")


class BadPosition(ValueError):
    pass


def parse_after(last_event_id: str | None, after: str | None) -> int | None:
    """The position to resume from: `Last-Event-ID` (a browser's reconnect) wins over `?after=`
    (a page that loaded a snapshot). None means "from now on"."""
    value = last_event_id if last_event_id not in (None, "") else after
    if value in (None, ""):
        return None
    value = value.strip(" \t")
    if not _NUMBER.fullmatch(value) or int(value) > MAX_SEQ:
        raise BadPosition(value)
    return int(value)


def stream_start(channel) -> bytes:
    """The first bytes of every stream: the reconnect delay, and the viewer count now (it goes
    out again only when it changes)."""
    start = sse_retry(getattr(settings, "LIVE_RETRY_MILLISECONDS", 3000))
    # The last count (it may predate this viewer: count it in at least), or this process's own
    # viewers while no count has been made yet.
    start += sse_control("online", {"online": max(channel.online, channel.connections)})
    return start


async def event_stream(edition_id: int, after: int | None):
    hub = get_hub()
    channel = await hub.join(edition_id)
    try:
        yield stream_start(channel)
        pos = channel.sent_seq if after is None else after
        tick = channel.tick_no
        ahead = False  # the client knows newer events than the channel has sent (see `catch_up`)
        while True:
            if tick == channel.tick_no and (pos == channel.sent_seq or ahead):
                await channel.wakeup.wait()
            ticks = channel.ticks_after(tick)
            if ticks and ticks[0][1] == pos:
                # The common case: hand on the bytes every connection gets.
                tick, pos = ticks[-1][0], ticks[-1][2]
                yield ticks[0][3] if len(ticks) == 1 else b"".join(t[3] for t in ticks)
            else:
                # Resuming, or so far behind that the ticks are gone: send the events themselves.
                chunk, pos = await channel.catch_up(pos)
                tick = channel.tick_no
                ahead = pos > channel.sent_seq
                if chunk:
                    yield chunk
    except asyncio.CancelledError:
        raise
    finally:
        hub.leave(channel)
