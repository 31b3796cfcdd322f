"""The SSE stream through real servers: uvicorn subprocesses on the test database (see
tests/asgi_server.py), read over a socket as a browser would.

The test process writes through the real services. Its events reach a server the way another
process's do: through Redis when the run has one (CI's PostgreSQL run), else through the server's
poll of the log. The test of two server processes gives them a Redis either way.
"""

import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.utils.translation import gettext, override

from helpathon.editions.models import Edition
from helpathon.editions.services import announcement_create, phase_set
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live.models import LiveEvent
from helpathon.live.selectors import cursor_seq
from helpathon.live.services import publish
from helpathon.moderation.services import content_hide
from tests.asgi_server import ROOT, asgi_server, database_url
from tests.factories import make_edition
from tests.live.sse import SSEClient, controls, events

pytestmark = pytest.mark.django_db(transaction=True)

# Quick heartbeats and polls, and a small replay limit, so that each shows within seconds.
FAST = {"LIVE_HEARTBEAT_SECONDS": "1", "LIVE_POLL_SECONDS": "0.5", "LIVE_REPLAY_LIMIT": "5"}
# A Redis database of these tests' own for the servers' cache and online counts (pub/sub spans
# all databases; its channel names carry the test database's name, which differs per pytest-xdist
# worker).
REDIS = "redis://127.0.0.1:6379/13"
SERVER_SECRET = "live-stream-test-secret-" + "y" * 40
POSITION_ERROR = "The event number must be a whole number of zero or more."


def stream_path(edition, query: str = "") -> str:
    return f"/editions/{edition.slug}/live/stream" + (f"?{query}" if query else "")


def announce(organizer, edition, count: int, label: str = "Ansage") -> list[str]:
    texts = [f"{label} {i}" for i in range(1, count + 1)]
    for text in texts:
        announcement_create(actor=organizer, edition=edition, text=text)
    return texts


def connected(server, path, **kwargs) -> SSEClient:
    """A client whose stream has started: the server joined the edition's channel (later events
    reach it), and its first message is the retry interval."""
    client = SSEClient(server.url, path, **kwargs)
    assert client.status == 200, client.read_body()
    assert client.headers["content-type"].startswith("text/event-stream")
    assert client.next().retry == 3000
    return client


def wait_online(client: SSEClient, count: int, timeout=15) -> None:
    """Read until the newest online count the client has heard is `count` (counts go out every
    few seconds, and only when they change)."""
    deadline = time.monotonic() + timeout
    while (controls(client.log, "online") or [{}])[-1].get("online") != count:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"online counts heard: {controls(client.log, 'online')}"
        client.messages(timeout=min(remaining, 0.5))


def summary(messages):
    return [(m.seq, m.json["type"], m.json["data"].get("text")) for m in events(messages)]


@pytest.fixture
def ideation(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    return edition


# --- the stream, on the lean path and on Django's ------------------------------------------------------


@pytest.mark.parametrize("fast_path", ["1", "0"], ids=["lean-path", "django-view"])
def test_it_streams_resumes_reloads_and_refuses_bad_positions(fast_path, edition, organizer):
    draft = make_edition(slug="entwurf", status=Edition.Status.DRAFT)
    announce(organizer, edition, 2, "Vorher")
    start = cursor_seq(edition.pk)

    with asgi_server(env={**FAST, "LIVE_FAST_PATH": fast_path}) as server, \
            connected(server, stream_path(edition)) as live:
        texts = announce(organizer, edition, 3)
        got = live.until_seq(start + 3)
        assert summary(got) == [(start + i, "announcement.created", text) for i, text in enumerate(texts, 1)]
        first = events(got)[0].json
        assert set(first) == {"seq", "type", "at", "data"}
        assert first["data"] == {"announcement": first["data"]["announcement"], "text": "Ansage 1"}
        live.until(lambda m: "heartbeat" in m.comments)

        # Resuming: from Last-Event-ID (a browser's reconnect), from ?after= (a page that loaded a
        # snapshot), the header winning over the query; every missed event once, in order.
        for path, last_event_id, expected in [
            (stream_path(edition), start, [start + 1, start + 2, start + 3]),
            (stream_path(edition, f"after={start + 1}"), None, [start + 2, start + 3]),
            (stream_path(edition, "after=0"), start + 2, [start + 3]),
            (stream_path(edition, "after="), start + 3, []),
        ]:
            with connected(server, path, last_event_id=last_event_id) as client:
                got = client.until_seq(expected[-1]) if expected else []
                got += client.messages(timeout=0.5)  # and nothing more
                assert ([m.seq for m in events(got)], controls(got, "reload")) == (expected, []), path

        # More than LIVE_REPLAY_LIMIT (5) behind: reload, then live from the newest number. Ahead
        # of the newest number the log has: reload too.
        announce(organizer, edition, 4, "Mehr")
        newest = start + 7
        live.until_seq(newest)
        with connected(server, stream_path(edition, f"after={newest - 6}")) as behind, \
                connected(server, stream_path(edition), last_event_id=newest - 5) as at_limit, \
                connected(server, stream_path(edition), last_event_id=newest + 50) as beyond:
            assert controls(behind.until(lambda m: m.event == "reload"), "reload") == [{"seq": newest}]
            assert [m.seq for m in events(at_limit.until_seq(newest))] == list(range(newest - 4, newest + 1))
            assert controls(beyond.until(lambda m: m.event == "reload"), "reload") == [{"seq": newest}]
            announce(organizer, edition, 1, "Danach")
            for client in (behind, at_limit, beyond, live):
                assert [m.seq for m in events(client.until_seq(newest + 1))] == [newest + 1]

        # A bad position is refused with a message (the lean path hands it to Django), not a 500.
        with override("de"):
            message = gettext(POSITION_ERROR)
        for path, last_event_id in [
            (stream_path(edition), "abc"), (stream_path(edition), "-1"), (stream_path(edition), "1.5"),
            (stream_path(edition), "99999999999999999999"), (stream_path(edition, "after=x"), None),
            (stream_path(edition, "after=%D9%A3"), None), (stream_path(edition, "after=1e3"), ""),
            (stream_path(edition, "after=%1F5"), None), (stream_path(edition, "after=5%1C"), None),
        ]:
            with SSEClient(server.url, path, last_event_id=last_event_id) as client:
                assert (client.status, client.read_body()) == (400, message), (path, last_event_id)

        # A draft's stream does not exist for visitors, whatever the position.
        for last_event_id in (None, "abc"):
            with SSEClient(server.url, stream_path(draft), last_event_id=last_event_id) as client:
                assert client.status == 404
        with SSEClient(server.url, "/editions/gibt-es-nicht/live/stream") as client:
            assert client.status == 404

        # Viewers now: `live` and one more. A newcomer hears the count at once, itself counted
        # in (the count goes out again only when it changes).
        with connected(server, stream_path(edition)):
            wait_online(live, 2)
            with connected(server, stream_path(edition)) as newcomer:
                assert controls([newcomer.next(timeout=1)], "online") == [{"online": 3}]


def test_a_burst_reaches_a_client_coalesced_and_every_new_idea_once(ideation, participant):
    challenge = ideation.challenges.first()
    idea = idea_services.idea_create(actor=participant, challenge=challenge, title="Mehr Bänke")

    coalesce_seconds = 0.5
    with asgi_server(env={**FAST, "LIVE_COALESCE_SECONDS": str(coalesce_seconds)}) as server, \
            connected(server, stream_path(ideation)) as client:
        created, began = [], time.monotonic()
        for n in range(1, 301):
            with transaction.atomic():  # as evaluation.services records a support
                Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
                publish(edition_id=idea.edition_id, type="support.changed",
                        payload={"idea": idea.pk, "challenge": challenge.pk, "supports": n})
            if n % 50 == 0:
                created.append(idea_services.idea_create(actor=participant, challenge=challenge, title=f"Idee {n}").pk)
        last = cursor_seq(ideation.pk)
        got = events(client.until_seq(last, timeout=20))
        took = time.monotonic() - began
        got += events(client.messages(timeout=0.5))

    supports = [m.json["data"]["supports"] for m in got if m.json["type"] == "support.changed"]
    # At most one message per flush, and a channel flushes at most once per LIVE_COALESCE_SECONDS.
    assert len(supports) <= took / coalesce_seconds + 2, (len(supports), took)
    assert len(supports) < 300 / 3
    assert supports == sorted(set(supports)) and supports[-1] == 300
    assert [m.json["data"]["idea"] for m in got if m.json["type"] == "idea.created"] == created
    assert [m.seq for m in got] == sorted({m.seq for m in got})
    assert got[-1].seq == last


def test_a_page_that_reads_the_snapshot_first_is_not_told_to_reload(edition, organizer):
    # The dashboard reads the snapshot (from the database), then opens the stream after its
    # number. This server's channel hears of new events later (here: from a poll every two
    # seconds; with Redis, or for a flush, a little later): the stream must wait for them, not
    # answer "reload", which sends the page back to the same snapshot, again and again.
    with asgi_server(redis_url="", env={"LIVE_POLL_SECONDS": "2"}) as server, \
            connected(server, stream_path(edition)) as watching:  # the channel exists and lags
        announce(organizer, edition, 2)
        with urllib.request.urlopen(f"{server.url}/editions/{edition.slug}/live/snapshot", timeout=10) as response:
            seq = json.load(response)["seq"]
        with connected(server, stream_path(edition, f"after={seq}")) as page:
            announce(organizer, edition, 1, "Neu")
            got = page.until_seq(seq + 1)
        assert (summary(got), controls(got, "reload")) == ([(seq + 1, "announcement.created", "Neu 1")], [])
        assert [m.seq for m in events(watching.until_seq(seq + 1))] == [seq - 1, seq, seq + 1]


# --- exactly once, in order, committed only -------------------------------------------------------


WRITERS = 8
TRANSACTIONS_PER_WRITER = 25


class Boom(Exception):
    pass


class Reconnects:
    """How often the client has connected; writers may wait for it."""

    def __init__(self):
        self.count = 0
        self._changed = threading.Condition()

    def add(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.count >= count, timeout=30)


def _write(edition, participant, organizer, writer: int, start: threading.Barrier, reconnects, committed, rolled_back,
           errors):
    """One writer: ideas and announcements through the services; every fifth transaction rolls
    back after its event was recorded. A third and two thirds of the way, it waits until the
    client has reconnected (on a fast machine the writers would otherwise be done first)."""
    challenge = edition.challenges.first()
    try:
        start.wait()
        for i in range(TRANSACTIONS_PER_WRITER):
            if i in (8, 16):
                reconnects.wait_for(i // 4)
            text = f"w{writer}-t{i}"
            try:
                with transaction.atomic():
                    if i % 2:
                        idea_services.idea_create(actor=participant, challenge=challenge, title=text)
                    else:
                        announcement_create(actor=organizer, edition=edition, text=text)
                    if i % 5 == 4:
                        raise Boom
                committed.append(text)
            except Boom:
                rolled_back.append(text)
            time.sleep(random.uniform(0, 0.04))  # a little air, so that the client reconnects mid-way
    except Exception as error:  # noqa: BLE001 - handed to the test thread
        errors.append(error)
    finally:
        connection.close()


def test_every_committed_event_reaches_a_reconnecting_client_once_and_in_order(ideation, participant, organizer):
    start = cursor_seq(ideation.pk)
    committed, rolled_back, errors = [], [], []
    barrier, reconnects = threading.Barrier(WRITERS), Reconnects()
    writers = [
        threading.Thread(target=_write, args=(ideation, participant, organizer, n, barrier, reconnects, committed,
                                              rolled_back, errors))
        for n in range(WRITERS)
    ]
    seen, reloads, while_writing = [], [], 0

    with asgi_server(env={"LIVE_POLL_SECONDS": "0.5"}) as server:
        for writer in writers:
            writer.start()
        last, deadline = start, time.monotonic() + 90
        while time.monotonic() < deadline:
            done = not any(w.is_alive() for w in writers)  # before reading: the last round sees all
            with connected(server, stream_path(ideation), last_event_id=last) as client:
                while_writing += not done
                # Read a few events, then drop the connection, as a flaky network does: often
                # in the middle of a batch the server sent.
                got, wanted = [], random.randint(1, 30)
                until = time.monotonic() + (random.uniform(0.1, 0.4) if not done else 2)
                while len(events(got)) < wanted and time.monotonic() < until:
                    for message in client.messages(timeout=0.05):
                        if len(events(got)) == wanted:
                            break  # the rest is dropped unread, as with a broken connection
                        got.append(message)
            reconnects.add()
            reloads += controls(got, "reload")
            for message in events(got):
                data = message.json["data"]
                seen.append((message.seq, message.json["type"], data.get("text") or data.get("title")))
                last = message.seq
            if done and last == cursor_seq(ideation.pk):
                break

    assert errors == [] and reloads == []
    assert while_writing >= 4
    logged = [
        (e.seq, e.type, e.payload.get("text") or e.payload.get("title"))
        for e in LiveEvent.objects.filter(edition=ideation, seq__gt=start).order_by("seq")
    ]
    assert len(logged) == len(committed) == WRITERS * TRANSACTIONS_PER_WRITER * 4 // 5
    assert seen == logged  # each once, in order, with what was committed under that number
    assert {text for _, _, text in seen} == set(committed)
    assert not {text for _, _, text in seen} & set(rolled_back)


def test_no_event_reaches_a_client_before_commit(edition, organizer):
    with asgi_server(env=FAST) as server, connected(server, stream_path(edition)) as client:
        start = cursor_seq(edition.pk)
        with transaction.atomic():
            announcement_create(actor=organizer, edition=edition, text="Noch nicht")
            # The server polls every half second (or hears from Redis): neither sees this yet.
            assert events(client.messages(timeout=2)) == []
        assert summary(client.until_seq(start + 1)) == [(start + 1, "announcement.created", "Noch nicht")]

        with pytest.raises(Boom), transaction.atomic():
            announcement_create(actor=organizer, edition=edition, text="Nie")
            raise Boom
        announcement_create(actor=organizer, edition=edition, text="Doch")
        got = client.until_seq(start + 2)
        got += client.messages(timeout=1)
    assert summary(got) == [(start + 2, "announcement.created", "Doch")]


def test_a_replay_blanks_the_titles_of_ideas_hidden_since(ideation, participant, organizer):
    challenge = ideation.challenges.first()
    with asgi_server(env=FAST) as server, connected(server, stream_path(ideation)) as live:
        start = cursor_seq(ideation.pk)
        rude = idea_services.idea_create(actor=participant, challenge=challenge, title="Ein unflätiger Titel")
        idea_services.idea_create(actor=participant, challenge=challenge, title="Bänke im Park")
        heard = events(live.until_seq(start + 2))
        assert heard[0].json["data"]["title"] == "Ein unflätiger Titel"  # live, it was visible
        content_hide(actor=organizer, idea=rude, reason="Beleidigender Inhalt im Titel")
        live.until_seq(start + 3)

        # The server's channel has these events in memory since it sent them; a replay still
        # blanks what moderation has taken down since.
        for last_event_id in (start, 0):
            with connected(server, stream_path(ideation), last_event_id=last_event_id) as client:
                replay = events(client.until_seq(start + 3))
            assert [(m.json["type"], m.json["data"].get("title")) for m in replay[-3:]] == [
                ("idea.created", None), ("idea.created", "Bänke im Park"), ("idea.hidden", None)
            ], last_event_id
            assert "unflätig" not in json.dumps([m.json for m in replay], ensure_ascii=False)


# --- other processes -----------------------------------------------------------------------------------


def import_ideas(tmp_path, edition, titles, *, redis_url: str) -> None:
    """`manage.py import_ideas` in a process of its own, on the test database."""
    csv = tmp_path / "ideas.csv"
    csv.write_text("title,body\n" + "".join(f"{t},Text\n" for t in titles), encoding="utf-8")
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "tests.server_settings", "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url, "SECRET_KEY": SERVER_SECRET, "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_ideas", str(csv), "--edition", edition.slug,
         "--challenge", edition.challenges.first().slug, "--no-progress"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_an_event_from_a_command_reaches_every_stream_through_the_log_without_redis(ideation, tmp_path):
    without_redis = {**FAST, "LIVE_POLL_SECONDS": "0.5"}
    with asgi_server(redis_url="", env=without_redis) as one, \
            asgi_server(redis_url="", env={**without_redis, "LIVE_FAST_PATH": "0"}) as two, \
            connected(one, stream_path(ideation)) as first, connected(two, stream_path(ideation)) as second:
        start = cursor_seq(ideation.pk)
        import_ideas(tmp_path, ideation, ["Importierte Idee A", "Importierte Idee B"], redis_url="")
        for client in (first, second):
            got = events(client.until_seq(start + 2))
            assert [(m.seq, m.json["data"]["title"]) for m in got] == [
                (start + 1, "Importierte Idee A"), (start + 2, "Importierte Idee B")
            ]


def test_two_server_processes_share_events_and_viewers_through_redis(ideation, participant, tmp_path, settings):
    import redis

    # Servers that poll the log too rarely to matter here: what arrives came through Redis.
    env = {**FAST, "LIVE_POLL_SECONDS": "600", "SECRET_KEY": SERVER_SECRET}
    # The servers' cache and online counts: clear what an earlier run left (rate-limit counters
    # of the same user ids, online counts of the same edition id).
    redis.Redis.from_url(REDIS).flushdb()
    with asgi_server(redis_url=REDIS, env=env) as one, asgi_server(redis_url=REDIS, env=env) as two, \
            connected(one, stream_path(ideation)) as first, connected(two, stream_path(ideation)) as second:
        start = cursor_seq(ideation.pk)

        # Written through one server (its API, as the participant) ...
        settings.SECRET_KEY = SERVER_SECRET  # the session is the server's to read
        browser = Client()
        browser.force_login(participant)
        token = secrets.token_hex(16)
        status, body = post_json(one, f"/api/v1/editions/{ideation.slug}/ideas",
                                 {"challenge": ideation.challenges.first().slug, "title": "Über Server eins"},
                                 cookies={"sessionid": browser.cookies["sessionid"].value, "csrftoken": token},
                                 headers={"X-CSRFToken": token})
        assert status == 201, body
        # ... reaches the clients of both.
        for client in (first, second):
            got = events(client.until_seq(start + 1))
            assert [(m.seq, m.json["type"], m.json["data"]["title"]) for m in got] == [
                (start + 1, "idea.created", "Über Server eins")
            ]

        # Written by a command in a process of its own, with Redis: both again.
        import_ideas(tmp_path, ideation, ["Aus der Kommandozeile"], redis_url=REDIS)
        for client in (first, second):
            assert [m.json["data"]["title"] for m in events(client.until_seq(start + 2))] == ["Aus der Kommandozeile"]

        # Viewers now: one per server, counted together.
        wait_online(first, 2)


def post_json(server, path, data, *, cookies, headers):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", path, body=json.dumps(data), headers={
            "Content-Type": "application/json", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **headers,
        })
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_a_client_that_stops_reading_holds_up_nobody_and_loses_nothing(edition):
    """A slow reader's transport fills up; the channel finishes its send in a task of its own,
    while the other viewers get every event at once; when it reads again, it gets every event
    once and in order."""
    text = "Bitte beachten Sie die geänderten Zeiten im Programm. " * 9
    with asgi_server(env=FAST) as server, \
            connected(server, stream_path(edition), receive_buffer=4096) as slow, \
            connected(server, stream_path(edition)) as fast:
        for batch in range(20):  # about 5 MB of events: more than the kernel buffers hold
            with transaction.atomic():
                for n in range(400):
                    publish(edition_id=edition.pk, type="announcement.created",
                            payload={"announcement": batch * 400 + n, "text": text})
        last = cursor_seq(edition.pk)
        assert events(fast.until_seq(last, timeout=30))[-1].seq == last
        got = events(slow.until_seq(last, timeout=60))

    assert [m.seq for m in got] == list(range(1, last + 1))
    assert {m.json["data"]["text"] for m in got} == {text}
