"""Signed-in participants that write through the JSON API of a real server, for the
reliability tests: each with a session made in the database and a CSRF token, talking HTTP/1.1
over a raw asyncio stream (no client library: a keep-alive connection per writer, and a broken
connection is an error the test sees, not something a library retries behind its back).

Every write is logged as acknowledged (a 2xx answer with its body), refused (another answer) or
in doubt (the connection broke before an answer came: the write may or may not have committed).
"""

import asyncio
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.registrations.models import Registration
from tests.asgi_server import asgi_server

# The servers' secret: the sessions made here must be theirs to read.
SERVER_SECRET = "reliability-test-secret-" + "r" * 40
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tests.reliability.server_settings",  # write limits off
    "DISABLE_RATE_LIMITS": "1",
    "SECRET_KEY": SERVER_SECRET,
}


def server(**kwargs):
    """`asgi_server` with the reliability tests' settings (write limits off)."""
    return asgi_server(**{**kwargs, "env": {**SERVER_ENV, **kwargs.get("env", {})}})


@dataclass
class Writer:
    user_id: int
    cookie: str
    csrf: str
    acked: list = field(default_factory=list)  # (what, request body, answer)
    refused: list = field(default_factory=list)  # (what, status, answer)
    in_doubt: list = field(default_factory=list)  # (what, request body, how it broke)


def make_writers(edition, count: int, *, prefix: str = "writer") -> list[Writer]:
    """`count` participants with confirmed places in `edition`, each signed in (a session in the
    database, made with the servers' secret) and with a CSRF token."""
    now = timezone.now()
    users = User.objects.bulk_create([
        User(email=f"{prefix}-{i}@example.org", display_name=f"Schreibende {i}", password="!") for i in range(count)
    ])
    Registration.objects.bulk_create([
        Registration(edition=edition, user=u, status=Registration.Status.CONFIRMED, sector="science", role="student",
                     consent_at=now, confirmed_at=now, email_confirmed_at=now)
        for u in users
    ])
    assert settings.SECRET_KEY == SERVER_SECRET, "set settings.SECRET_KEY = SERVER_SECRET first"
    sessions, writers = [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=SessionStore().encode(data),
                                expire_date=now + timedelta(hours=2)))
        token = secrets.token_hex(16)  # 32 characters: Django's form of an unmasked CSRF secret
        writers.append(Writer(user.pk, f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={token}",
                              token))
    Session.objects.bulk_create(sessions)
    return writers


# uvicorn closes a keep-alive connection idle for 5 seconds; a request sent just then is lost
# before the server reads it. Browsers send on a fresh connection after a pause; so do we.
IDLE_SECONDS = 2


class Broken(Exception):
    """The connection broke before the whole answer came: the write is in doubt."""


class Unreachable(Exception):
    """No connection to the server: nothing was sent."""


class Connection:
    """One keep-alive HTTP/1.1 connection of a writer to a server."""

    def __init__(self, writer: Writer, port: int):
        self.writer, self.port = writer, port
        self.stream = None
        self.used = 0.0

    async def request(self, method: str, path: str, payload=None, *, timeout=60) -> tuple[int, object]:
        """(status, decoded JSON answer); raises Broken when the connection fails."""
        body = json.dumps(payload).encode() if payload is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nCookie: {self.writer.cookie}\r\n"
            f"X-CSRFToken: {self.writer.csrf}\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n"
            + ("Content-Type: application/json\r\n" if payload is not None else "") + "\r\n"
        )
        if self.stream is not None and time.monotonic() - self.used > IDLE_SECONDS:
            self.close()  # as browsers do: the server may be closing a connection idle this long
        if self.stream is None:
            try:
                self.stream = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), timeout)
            except (OSError, asyncio.TimeoutError) as error:
                raise Unreachable(repr(error)) from None
        try:
            reader, stream_writer = self.stream
            stream_writer.write(head.encode("latin-1") + body)
            await stream_writer.drain()
            status, answer, keep = await asyncio.wait_for(_read_response(reader), timeout)
            self.used = time.monotonic()
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            self.close()
            raise Broken(repr(error)) from None
        if not keep:
            self.close()
        try:
            return status, json.loads(answer) if answer else None
        except ValueError:
            return status, answer.decode(errors="replace")

    async def write(self, what: str, method: str, path: str, payload=None) -> tuple[int, object] | None:
        """A write, logged on the writer as acknowledged, refused or in doubt (Unreachable is
        raised: nothing was sent, the caller may try again)."""
        try:
            status, answer = await self.request(method, path, payload)
        except Broken as error:
            self.writer.in_doubt.append((what, payload, f"port {self.port}: {error}"))
            return None
        if 200 <= status < 300:
            self.writer.acked.append((what, payload, answer))
        else:
            self.writer.refused.append((what, status, answer))
        return status, answer

    def close(self) -> None:
        if self.stream is not None:
            self.stream[1].close()
            self.stream = None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.read()
        return status, body, False
    return status, body, headers.get("connection", "").lower() != "close"


# --- A steady load of comments, across a server's death --------------------------------------


def comment_load(writers: list[Writer], target: dict, slug: str, ideas: list[int], stop: threading.Event) -> None:
    """Every writer posts comments, one after another, to the server on `target["port"]` (which
    the test may change: a new server) until `stop` is set. Each comment's text is unique. A
    connection that cannot be made is tried again after a moment, on the current port; nothing
    was sent on it."""

    async def write(writer: Writer) -> None:
        n = 0
        connection = Connection(writer, target["port"])
        while not stop.is_set():
            if connection.port != target["port"]:
                connection.close()
                connection = Connection(writer, target["port"])
            idea = ideas[(writer.user_id + n) % len(ideas)]
            try:
                await connection.write("comment", "POST", f"/api/v1/editions/{slug}/ideas/{idea}/comments",
                                       {"body": f"Kommentar {n} von Person {writer.user_id}"})
                n += 1
            except Unreachable:
                await asyncio.sleep(0.05)
        connection.close()

    async def all_writers() -> None:
        await asyncio.gather(*(write(w) for w in writers))

    asyncio.run(all_writers())


def in_thread(function, *args) -> threading.Thread:
    thread = threading.Thread(target=function, args=args, daemon=True)
    thread.start()
    return thread


def check_comments(writers: list[Writer]) -> dict:
    """Every acknowledged comment in the database exactly once, with its text; of the writes in
    doubt (the server died before answering), at most once. Returns the figures."""
    from collections import Counter

    from helpathon.ideas.models import Comment

    stored = list(Comment.objects.filter(author_id__in=[w.user_id for w in writers]).values_list("pk", "body"))
    by_body = Counter(body for _, body in stored)
    ids = dict(stored)
    acked = [(payload, answer) for w in writers for what, payload, answer in w.acked]
    doubt = [payload for w in writers for _, payload, _ in w.in_doubt]
    figures = {
        "writes": len(acked) + len(doubt) + sum(len(w.refused) for w in writers),
        "acknowledged": len(acked),
        "refused": sum(len(w.refused) for w in writers),
        "in_doubt": len(doubt),
        "in_doubt_committed": sum(1 for payload in doubt if by_body[payload["body"]]),
        "lost": sum(1 for payload, answer in acked if ids.get(answer["id"]) != payload["body"]),
        "duplicates": sum(n - 1 for n in by_body.values()),
    }
    # Nothing in the database that nobody wrote (every row is an acknowledged or doubtful write).
    written = {payload["body"] for payload, _ in acked} | {payload["body"] for payload in doubt}
    figures["unexplained"] = sum(1 for body in by_body if body not in written)
    return figures
