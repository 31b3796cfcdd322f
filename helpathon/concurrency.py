"""At most `REQUEST_CONCURRENCY` requests at a time run in Django in one server process; the
others wait their turn, in order of arrival, in the event loop.

Under ASGI Django runs each synchronous request in a thread of its own, and each thread opens
its own database connection: two hundred people clicking at once meant two hundred connections
(PostgreSQL refuses beyond `max_connections`, 100 by default: "too many clients", a 500) or two
hundred SQLite writers spinning on the busy timeout ("database is locked"). Waiting here costs a
coroutine, not a thread or a connection. The live stream (long-lived, async, no connection held)
and the health endpoints (a probe must answer while requests queue) do not wait.
"""

import asyncio
import re

from django.conf import settings

EXEMPT = re.compile(r"/health/|/editions/[-a-zA-Z0-9_]{1,80}/live/stream$")


def limit_concurrency(app):
    limit = getattr(settings, "REQUEST_CONCURRENCY", 0)
    if not limit:
        return app
    semaphore = None  # made in the server's event loop, on the first request

    async def application(scope, receive, send):
        nonlocal semaphore
        if scope["type"] != "http" or EXEMPT.match(scope["path"]):
            return await app(scope, receive, send)
        if semaphore is None:
            semaphore = asyncio.Semaphore(limit)
        async with semaphore:
            return await app(scope, receive, send)

    return application
