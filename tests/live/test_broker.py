"""The hub and its channels in this process, with the real database: events in number order
whatever order they arrive in, gaps filled from the log, duplicates dropped, bursts coalesced per
tick, catch-up from the ring or the log, nothing before commit.

The hub runs as it does in a server: on an event loop of its own (here a background thread),
with its database work on its own thread; writers commit on other threads (here the test's),
and `broker.deliver` hands their events over after commit.
"""

import asyncio
import json
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import F

from helpathon.editions.services import announcement_create, phase_set
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live import broker, selectors
from helpathon.live import services as live_services
from helpathon.live.models import LiveEvent
from helpathon.live.services import publish
from helpathon.live.stream import event_stream
from helpathon.moderation.services import content_hide
from tests.live.sse import parse_message

pytestmark = pytest.mark.django_db(transaction=True)


class HubThread:
    """An event loop in a background thread with this process's hub on it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-hub-loop", daemon=True)
        self.thread.start()
        self.hub = self.run(self._get_hub())

    @staticmethod
    async def _get_hub():
        return broker.get_hub()

    def run(self, coro, timeout=10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, function, *args):
        """Run a plain function on the loop's thread (where the channels live)."""

        async def call():
            return function(*args)

        return self.run(call())

    def channel(self, edition_id: int) -> broker.Channel:
        return self.run(self.hub.join(edition_id))

    def close(self):
        async def stop():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await broker.reset_hub()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Reader:
    """One connection's `event_stream`, read on the hub's loop; what it sent, parsed."""

    def __init__(self, hub_thread: HubThread, edition_id: int, after: int | None = None):
        self.chunks: list[bytes] = []
        self.hub_thread = hub_thread

        async def read():
            async for chunk in event_stream(edition_id, after):
                self.chunks.append(chunk)

        async def start():
            return asyncio.get_running_loop().create_task(read())

        self.task = hub_thread.run(start())

    def messages(self):
        blocks = b"".join(self.chunks).decode().split("\n\n")
        return [parse_message(block) for block in blocks if block]

    def events(self):
        return [m.json for m in self.messages() if m.id is not None]

    def seqs(self) -> list[int]:
        return [event["seq"] for event in self.events()]

    def reloads(self) -> list[dict]:
        return [m.json for m in self.messages() if m.event == "reload"]

    def close(self):
        self.hub_thread.loop.call_soon_threadsafe(self.task.cancel)


def wait_for(condition, timeout=10, message="the condition never held"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.01)


@pytest.fixture
def quiet(settings):
    """Settings for a hub that hears of nothing by itself (no Redis, no poll worth waiting for)
    and sends no tick of its own (heartbeats, online counts)."""
    settings.REDIS_URL = ""
    settings.LIVE_POLL_SECONDS = 600
    settings.LIVE_HEARTBEAT_SECONDS = 600
    settings.LIVE_ONLINE_SECONDS = 600
    settings.LIVE_COALESCE_SECONDS = 0.05
    return settings


@pytest.fixture
def unheard(monkeypatch):
    """Commits tell nobody: the test hands events to the channel itself, in any order."""
    monkeypatch.setattr(live_services, "_after_commit_hooks", [])


@pytest.fixture
def hub_thread():
    """This process's hub, on a loop of its own. Name it after the fixtures that change settings:
    the hub reads REDIS_URL when it starts."""
    hub_thread = HubThread()
    yield hub_thread
    hub_thread.close()


def write(edition_id: int, count: int, *, idea: int = 1) -> list[dict]:
    """`count` events, each in a transaction of its own; their wire form as the log has it."""
    before = selectors.cursor_seq(edition_id)
    for i in range(count):
        with transaction.atomic():
            publish(edition_id=edition_id, type="idea.status_changed", payload={"idea": idea + i, "status": "open"})
    return selectors.events_after(edition_id, before)


def support(idea: Idea) -> None:
    """One more support for `idea`, as `evaluation.services` records it: the count and its event."""
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
        count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).get()
        publish(edition_id=idea.edition_id, type="support.changed",
                payload={"idea": idea.pk, "challenge": idea.challenge_id, "supports": count})


# --- order, gaps, duplicates -----------------------------------------------------------------------


def test_it_takes_events_in_number_order_and_fills_a_gap_from_the_log(edition, quiet, unheard, hub_thread):
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    reader = Reader(hub_thread, edition.pk)
    items = write(edition.pk, 5)
    e1, e2, e3, e4, e5 = items

    def arrive():
        # e3 and e5 come early; e1 comes twice; e2 and e4 never come (a lost message).
        for item in (e3, e1, e1, e5, e3):
            channel.receive(item)
        return channel.seq, sorted(channel.pending), [i["seq"] for i in channel.queue]

    seq, pending, queued = hub_thread.call(arrive)
    assert (seq, pending, queued) == (start + 1, [start + 3, start + 5], [start + 1])  # e3, e5 wait

    wait_for(lambda: len(reader.seqs()) == 5, message=f"the reader got {reader.seqs()}")
    time.sleep(0.2)  # nothing more comes, no copy
    assert reader.seqs() == [e["seq"] for e in items]
    assert reader.events() == items  # the filled ones as the log has them
    assert (channel.seq, channel.pending) == (start + 5, {})
    reader.close()


def test_an_early_event_waits_for_the_one_before_it(edition, quiet, unheard, hub_thread, settings):
    settings.LIVE_GAP_GRACE_SECONDS = 5  # no reading of the log while the test looks
    channel = hub_thread.channel(edition.pk)
    reader = Reader(hub_thread, edition.pk)
    e1, e2 = write(edition.pk, 2)

    hub_thread.call(channel.receive, e2)
    time.sleep(0.2)
    assert (reader.seqs(), channel.seq) == ([], e1["seq"] - 1)  # e2 waits for e1

    hub_thread.call(channel.receive, e1)
    wait_for(lambda: len(reader.seqs()) == 2)
    assert reader.seqs() == [e1["seq"], e2["seq"]]
    reader.close()


def test_it_drops_events_it_has_and_events_before_it_started(edition, quiet, unheard, hub_thread):
    old = write(edition.pk, 2)
    channel = hub_thread.channel(edition.pk)
    reader = Reader(hub_thread, edition.pk)
    new = write(edition.pk, 2)

    def arrive():
        for item in (*old, new[0], new[0], old[1], new[1], new[0]):
            channel.receive(item)

    hub_thread.call(arrive)
    wait_for(lambda: len(reader.seqs()) == 2)
    time.sleep(0.2)
    assert reader.seqs() == [new[0]["seq"], new[1]["seq"]]
    reader.close()


def test_the_poll_finds_events_no_broker_told_about(edition, quiet, unheard, hub_thread, settings):
    # Another process without Redis (a management command): only the log knows.
    settings.LIVE_POLL_SECONDS = 0.2
    hub_thread.channel(edition.pk)
    reader = Reader(hub_thread, edition.pk)
    items = write(edition.pk, 3)

    wait_for(lambda: len(reader.seqs()) == 3)
    assert reader.events() == items
    reader.close()


def test_events_of_concurrent_writers_reach_a_reader_once_and_in_order(edition, settings, hub_thread):
    # Real after-commit delivery from eight threads: the hooks of later numbers often run first.
    settings.LIVE_COALESCE_SECONDS = 0.05
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    reader = Reader(hub_thread, edition.pk, after=start)
    errors = []

    def writer(n):
        try:
            write(edition.pk, 10, idea=n * 100)
        except Exception as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    logged = list(LiveEvent.objects.filter(edition=edition, seq__gt=start).values_list("seq", flat=True))
    wait_for(lambda: reader.seqs()[-1:] == logged[-1:], message=f"the reader got {reader.seqs()[-5:]}")
    assert errors == []
    assert len(logged) == 80
    assert reader.seqs() == logged
    reader.close()


# --- coalescing ----------------------------------------------------------------------------------------


def test_a_burst_goes_out_as_one_tick_with_the_newest_value_per_key(edition, organizer, participant, quiet, unheard,
                                                                     hub_thread, settings):
    settings.LIVE_COALESCE_SECONDS = 0.2
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    first, second = (idea_services.idea_create(actor=participant, challenge=edition.challenges.first(), title=t)
                     for t in ("Erste Idee", "Zweite Idee"))
    channel = hub_thread.channel(edition.pk)
    reader = Reader(hub_thread, edition.pk)
    start = channel.seq
    for _ in range(20):
        support(first)
    with transaction.atomic():
        publish(edition_id=edition.pk, type="idea.status_changed", payload={"idea": first.pk, "status": "shortlisted"})
    for _ in range(5):
        support(second)
    support(first)
    burst = selectors.events_after(edition.pk, start)
    ticks_before = channel.tick_no

    def arrive():
        for item in burst:
            channel.receive(item)

    hub_thread.call(arrive)
    wait_for(lambda: reader.seqs())
    time.sleep(0.3)

    sent = reader.events()
    assert [(e["type"], e["data"].get("supports")) for e in sent] == [
        ("idea.status_changed", None), ("support.changed", 5), ("support.changed", 21)
    ]
    assert [e["seq"] for e in sent] == [start + 21, start + 26, start + 27]  # newest of each key, in log order
    assert channel.tick_no == ticks_before + 1  # one tick for the burst
    assert channel.ticks[-1][1:3] == (start, start + 27)  # which moves a reader from start to the end

    # A later burst is a tick of its own: nothing coalesces across ticks already sent.
    support(first)
    hub_thread.call(channel.receive, selectors.events_after(edition.pk, start + 27)[0])
    wait_for(lambda: len(reader.events()) == 4)
    assert reader.events()[-1]["data"]["supports"] == 22
    reader.close()


# --- catching up -----------------------------------------------------------------------------------


def test_it_catches_up_from_the_ring_or_from_the_log(edition, quiet, unheard, hub_thread, settings):
    settings.LIVE_RING = 4
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    items = write(edition.pk, 10)

    def arrive():
        for item in items:
            channel.receive(item)
            channel.flush()  # a tick each: no coalescing, so the ring holds one event per number

    hub_thread.call(arrive)
    assert channel.ring_base == start + 6
    assert [entry[0] for entry in channel.ring] == [start + 7, start + 8, start + 9, start + 10]

    for after in (start + 8, start + 6, start + 5, start + 1, start):  # ring, ring, log, log, log
        chunk, position = hub_thread.run(channel.catch_up(after))
        got = [m.json for m in map(parse_message, chunk.decode().split("\n\n")) if m.id]
        assert (got, position) == (items[after - start:], start + 10), after

    # A reader that resumes anywhere gets the rest exactly once, then what comes live.
    readers = [Reader(hub_thread, edition.pk, after=after) for after in (start, start + 3, start + 7, start + 10)]
    more = write(edition.pk, 1)
    hub_thread.call(channel.receive, more[0])
    wait_for(lambda: all(r.seqs()[-1:] == [start + 11] for r in readers))
    for after, reader in zip((start, start + 3, start + 7, start + 10), readers, strict=True):
        assert reader.seqs() == list(range(after + 1, start + 12))
        reader.close()


def test_it_tells_a_client_too_far_behind_to_reload(edition, quiet, unheard, hub_thread, settings):
    settings.LIVE_REPLAY_LIMIT = 5
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    items = write(edition.pk, 8)
    hub_thread.call(lambda: [channel.receive(i) for i in items])
    wait_for(lambda: channel.sent_seq == start + 8)

    behind, at_limit = Reader(hub_thread, edition.pk, after=start + 2), Reader(hub_thread, edition.pk, after=start + 3)
    wait_for(lambda: behind.reloads() and at_limit.seqs())
    assert (behind.reloads(), behind.seqs()) == ([{"seq": start + 8}], [])
    assert (at_limit.reloads(), at_limit.seqs()) == ([], list(range(start + 4, start + 9)))

    # After the reload it goes on from the newest number.
    more = write(edition.pk, 1)
    hub_thread.call(channel.receive, more[0])
    wait_for(lambda: behind.seqs())
    assert behind.seqs() == [start + 9]
    behind.close()
    at_limit.close()


def test_a_client_ahead_of_this_process_waits_and_one_beyond_the_log_reloads(edition, quiet, unheard, hub_thread):
    # A page read its snapshot from the database (or was served by another process) before this
    # process's channel heard of the newest events: the client is ahead of the channel, not of
    # the log. It must get what follows, not a reload (which would read the same snapshot again).
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    items = write(edition.pk, 3)
    ahead = Reader(hub_thread, edition.pk, after=start + 3)
    beyond = Reader(hub_thread, edition.pk, after=start + 4)
    wait_for(lambda: beyond.reloads())
    time.sleep(0.2)
    assert (ahead.messages()[2:], beyond.reloads()) == ([], [{"seq": start}])  # after retry and online

    more = write(edition.pk, 1)
    hub_thread.call(lambda: [channel.receive(i) for i in (*items, *more)])
    wait_for(lambda: ahead.seqs())
    time.sleep(0.1)
    assert (ahead.seqs(), ahead.reloads()) == ([start + 4], [])
    assert beyond.seqs() == [start + 1, start + 2, start + 3, start + 4]  # from where the reload put it
    ahead.close()
    beyond.close()


def test_a_connection_whose_ticks_are_gone_catches_up_from_the_ring(edition, quiet, unheard, hub_thread, settings):
    settings.LIVE_TICKS = 2
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    reader = Reader(hub_thread, edition.pk)
    items = write(edition.pk, 5)

    def burst():
        # Five ticks before the reader's task runs again: three of them are gone from the ring.
        for item in items:
            channel.receive(item)
            channel.flush()
        return channel.ticks_after(0)

    assert hub_thread.call(burst) is None
    wait_for(lambda: len(reader.seqs()) == 5)
    assert reader.seqs() == list(range(start + 1, start + 6))
    reader.close()


@pytest.mark.django_db(transaction=False)  # no database work: nothing to flush afterwards
def test_ticks_after(settings):
    settings.LIVE_TICKS = 4
    channel = broker.Channel(hub=None, edition_id=1, seq=0)
    assert channel.ticks_after(0) == []

    for _ in range(3):
        channel.control(b": x\n\n")
    assert [t[0] for t in channel.ticks_after(0)] == [1, 2, 3]
    assert [t[0] for t in channel.ticks_after(2)] == [3]
    assert channel.ticks_after(3) == []

    for _ in range(3):
        channel.control(b": x\n\n")  # ticks 3 to 6 are kept
    assert [t[0] for t in channel.ticks_after(2)] == [3, 4, 5, 6]
    assert [t[0] for t in channel.ticks_after(5)] == [6]
    assert channel.ticks_after(6) == []
    assert channel.ticks_after(1) is None  # tick 2 is gone
    assert channel.ticks_after(0) is None


# --- after commit only -------------------------------------------------------------------------------


class Recorder:
    """Stands in for the Redis client `deliver` publishes with, and checks from a connection of
    its own that the event it is handed has committed."""

    def __init__(self):
        self.published = []

    def publish(self, name, data):
        item = json.loads(data)
        visible = []

        def look():
            try:
                visible.append(LiveEvent.objects.filter(seq=item["seq"], payload=item["data"]).exists())
            finally:
                connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(10)
        self.published.append((name, item["seq"], item["data"].get("text"), visible == [True]))


class Boom(Exception):
    pass


def test_nothing_leaves_before_commit_and_nothing_after_a_rollback(edition, organizer, hub_thread, settings,
                                                                   monkeypatch):
    settings.LIVE_COALESCE_SECONDS = 0.05
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    reader = Reader(hub_thread, edition.pk)
    recorder = Recorder()
    monkeypatch.setattr(broker, "_redis_publisher", lambda: recorder)
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"  # deliver publishes (to the recorder)
    name = broker.redis_channel(edition.pk)

    with transaction.atomic():
        announcement_create(actor=organizer, edition=edition, text="Gleich geht es los")
        time.sleep(0.3)  # flushes would have happened by now
        assert (recorder.published, channel.seq, reader.events()) == ([], start, [])

    wait_for(lambda: reader.events())
    assert recorder.published == [(name, start + 1, "Gleich geht es los", True)]  # committed when published

    with pytest.raises(Boom), transaction.atomic():
        announcement_create(actor=organizer, edition=edition, text="Das war nichts")
        raise Boom
    announcement_create(actor=organizer, edition=edition, text="Pause bis zwei")

    wait_for(lambda: len(reader.events()) == 2)
    time.sleep(0.2)
    assert [(e["seq"], e["data"]["text"]) for e in reader.events()] == [
        (start + 1, "Gleich geht es los"), (start + 2, "Pause bis zwei")  # the number came again
    ]
    assert [entry[2] for entry in recorder.published] == ["Gleich geht es los", "Pause bis zwei"]
    assert all(entry[3] for entry in recorder.published)
    reader.close()


# --- what a replay may show ----------------------------------------------------------------------------


def test_a_replay_blanks_the_titles_of_ideas_hidden_since(edition, organizer, participant, settings, hub_thread):
    settings.LIVE_COALESCE_SECONDS = 0.05
    settings.LIVE_RING_PRELOAD = 1  # the ring starts with one event of the log: older ones come from the log
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    write(edition.pk, 2)
    channel = hub_thread.channel(edition.pk)
    start = channel.seq
    live = Reader(hub_thread, edition.pk)
    challenge = edition.challenges.first()
    rude = idea_services.idea_create(actor=participant, challenge=challenge, title="Ein unflätiger Titel")
    kept = idea_services.idea_create(actor=participant, challenge=challenge, title="Bänke im Park")
    content_hide(actor=organizer, idea=rude, reason="Beleidigender Inhalt im Titel")
    wait_for(lambda: len(live.events()) == 3)

    def titles(reader):
        return [(e["type"], e["data"].get("title")) for e in reader.events()]

    expected = [("idea.created", None), ("idea.created", "Bänke im Park"), ("idea.hidden", None)]
    from_ring = Reader(hub_thread, edition.pk, after=start)  # the channel has all since `start`
    from_log = Reader(hub_thread, edition.pk, after=0)  # before the ring: the log
    wait_for(lambda: len(from_ring.events()) == 3 and len(from_log.events()) == start + 3)
    assert (channel.ring_base, start) == (start - 1, 3)
    assert titles(from_ring) == expected
    assert titles(from_log)[-3:] == expected
    assert from_log.events()[-3]["data"]["hidden"] is True
    assert titles(live)[0] == ("idea.created", "Ein unflätiger Titel")  # live, it was visible
    assert kept.title == "Bänke im Park"
    for reader in (live, from_ring, from_log):
        reader.close()
