"""The lean path for the public live stream, mounted in front of Django in `helpathon.asgi`.

Ten thousand viewers need a stream that costs little per connection: this path skips Django's
middleware, session and URL resolution (a public stream needs none of them) and sends the
channel's bytes straight to the ASGI server. Anything else — a draft edition, a bad position,
another path — goes to Django, whose `live.views.stream` serves the same `event_stream`.
"""

import re
from urllib.parse import parse_qs

from django.conf import settings

from helpathon.live.broker import Direct, body_message, get_hub
from helpathon.live.stream import SSE_HEADERS, BadPosition, parse_after, stream_start

STREAM_PATH = re.compile(r"/editions/([-a-zA-Z0-9_]{1,80})/live/stream")
_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SSE_HEADERS.items()]


def mount(django_app):
    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and getattr(settings, "LIVE_FAST_PATH", True):
            match = STREAM_PATH.fullmatch(scope["path"])
            if match:
                edition_id = await get_hub().edition_id(match[1])
                if edition_id is not None:
                    try:
                        after = parse_after(_header(scope, b"last-event-id"), _query(scope, "after"))
                    except BadPosition:
                        pass  # Django answers with a proper error page
                    else:
                        return await _serve(receive, send, edition_id, after)
        return await django_app(scope, receive, send)

    return application


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _query(scope, name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[0] if values else None


async def _serve(receive, send, edition_id: int, after: int | None) -> None:
    """Serve one connection: catch it up, then hand it to its channel, which sends it every
    tick directly (`Channel._fan_out`); this coroutine only waits for the client to leave."""
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    hub = get_hub()
    channel = await hub.join(edition_id)
    connection = Direct(send, channel.tick_no, channel.sent_seq if after is None else after)
    try:
        await send(body_message(stream_start(channel)))
        connection.busy = True  # until caught up, the fan-out leaves it to us
        if connection.pos != channel.sent_seq:
            connection.tick = -1  # not up to date: let `bring_up_to_date` decide what it lacks
        await channel.bring_up_to_date(connection)
        connection.busy = False
        channel.direct.add(connection)
        while (await receive())["type"] != "http.disconnect":
            pass
    finally:
        channel.direct.discard(connection)
        hub.leave(channel)
