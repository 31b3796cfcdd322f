"""The live fan-out of one server process.

After commit, `deliver` hands each event to this process's `Hub` (in-process broker) and, when
`REDIS_URL` is set, publishes it on Redis so that every other server process gets it too. The hub
keeps one `Channel` per edition that someone watches, with one Redis subscription each.

A channel takes events strictly in number order. An event that arrives early (a writer thread
whose commit hook ran first, a message from Redis) waits until the numbers before it arrive;
after a short grace the channel reads the missing ones from the log. Event numbers follow commit
order (see `services.publish`), so when number n has committed, everything before it has too.
A slow poll of the edition cursors catches what no broker told us about (a management command
in another process without Redis, a Redis restart).

Fan-out is cheap per viewer: a flush encodes the new events once into one chunk of bytes (a
"tick") and wakes every connection, which sends that same chunk. Bursts are coalesced: a channel
flushes at most once per `LIVE_COALESCE_SECONDS`, and of events that state a whole current value
(supports of an idea, say) only the newest per key goes out. Heartbeats and online counts are
ticks too, so a connection needs no timer of its own.
"""

import asyncio
import logging
import os
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection as db_connection

from helpathon.live import selectors
from helpathon.live.events import coalesce
from helpathon.live.wire import SSE_HEARTBEAT, Item, dumps, event_dict, sse_control, sse_event

log = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def redis_channel(edition_id: int) -> str:
    # Named after the database too: test workers (and two sites on one Redis) must not share.
    return f"{_setting('LIVE_REDIS_PREFIX', 'helpathon')}:{settings.DATABASES['default']['NAME']}:live:{edition_id}"


# --- After commit ----------------------------------------------------------------------------

_publisher = None


def _redis_publisher():
    global _publisher
    if _publisher is None or _publisher[0] != settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        _publisher = (settings.REDIS_URL, client)
    return _publisher[1]


def deliver(event) -> None:
    """The after-commit hook of every published event (registered in `LiveConfig.ready`)."""
    item = event_dict(event)
    hub = _hub
    if hub is not None:
        hub.receive_threadsafe(event.edition_id, item)
    if settings.REDIS_URL:
        try:
            _redis_publisher().publish(redis_channel(event.edition_id), dumps(item))
        except Exception:  # the write has committed; streams catch up from the log
            log.warning("live: could not publish event %s#%s on Redis", event.edition_id, event.seq, exc_info=True)


# --- The hub ---------------------------------------------------------------------------------


class Channel:
    """One edition's events in this process, and the ticks its connections send."""

    def __init__(self, hub: "Hub", edition_id: int, seq: int):
        self.hub = hub
        self.edition_id = edition_id
        self.seq = seq  # the last event received in order
        self.sent_seq = seq  # the last event flushed into a tick
        self.pending: dict[int, dict] = {}  # events that arrived before the ones before them
        self.queue: list[dict] = []  # received in order, not flushed yet
        self.ring: deque = deque()  # (seq, item, bytes) of flushed events; all after ring_base
        self.ring_base = seq
        self.ring_checked = True  # no title in the ring was hidden since (see `_redact_ring`)
        self._redacting: asyncio.Task | None = None
        self.ticks: deque = deque(maxlen=_setting("LIVE_TICKS", 256))  # (number, from_seq, to_seq, bytes)
        self.tick_no = 0
        self.wakeup = asyncio.Event()  # for connections that wait in a task (Django's view)
        self.direct: set[Direct] = set()  # connections of the lean path, sent to by `_fan_out`
        self.fanning = False
        self.fan_seconds = 0.0  # how long the last fan-out took, start to end
        self.connections = 0
        self.online = -1
        self.idle_since: float | None = None
        self.last_flush = 0.0
        self.flush_handle = None
        self.filling = False

    def preload(self, items: list[dict]) -> None:
        """Start the ring with the newest events of the log, so that the viewers who come back
        after a restart catch up from memory, not with one database read each."""
        if items:
            self.ring.extend((i.seq, i.raw, sse_event(i.raw)) for i in coalesce([Item(raw) for raw in items]))
            self.ring_base = items[0]["seq"] - 1

    # Receiving.
    def receive(self, item: dict) -> None:
        seq = item["seq"]
        if seq <= self.seq or seq in self.pending:
            return
        if seq != self.seq + 1:
            self.pending[seq] = item
            self._fill_soon()
            return
        self._accept(item)
        while self.seq + 1 in self.pending:
            self._accept(self.pending.pop(self.seq + 1))

    def _accept(self, item: dict) -> None:
        self.seq = item["seq"]
        self.queue.append(item)
        if self.flush_handle is None:
            # Never flush more often than the last fan-out allows: with ten thousand viewers a
            # fan-out takes a while, and the loop must stay free for half the time (requests).
            interval = max(_setting("LIVE_COALESCE_SECONDS", 0.25), 2 * self.fan_seconds)
            wait = self.last_flush + interval - time.monotonic()
            self.flush_handle = self.hub.loop.call_later(max(wait, 0), self.flush)

    def _fill_soon(self) -> None:
        if not self.filling:
            self.filling = True
            self.hub.loop.create_task(self._fill())

    async def _fill(self) -> None:
        try:
            await asyncio.sleep(_setting("LIVE_GAP_GRACE_SECONDS", 0.05))
            for _attempt in range(20):
                if not self.pending or min(self.pending) == self.seq + 1:
                    break
                items = await self.hub.db(selectors.events_after, self.edition_id, self.seq, upto=min(self.pending) - 1)
                for item in items:
                    self.receive(item)
                if not items:
                    await asyncio.sleep(0.1)
            else:
                # Cannot happen while numbers follow commit order; never stall a stream for it.
                log.error("live: edition %s misses events after %s; skipping ahead", self.edition_id, self.seq)
                self.seq = min(self.pending) - 1
            while self.seq + 1 in self.pending:
                self._accept(self.pending.pop(self.seq + 1))
        except Exception:
            log.warning("live: could not fill a gap in edition %s", self.edition_id, exc_info=True)
        finally:
            self.filling = False
            if self.pending:
                self.hub.loop.call_later(1.0, self._fill_soon)

    # Sending.
    def flush(self) -> None:
        self.flush_handle = None
        if not self.queue:
            return
        self.last_flush = time.monotonic()
        items = coalesce([Item(raw) for raw in self.queue])
        from_seq, to_seq = self.sent_seq, self.queue[-1]["seq"]
        self.queue = []
        encoded = [(item.seq, item.raw, sse_event(item.raw)) for item in items]
        self.ring.extend(encoded)
        self.ring_checked = False  # one of these may hide what an older event shows
        limit = _setting("LIVE_RING", 4096)
        while len(self.ring) > limit:
            self.ring_base = self.ring.popleft()[0]
        self.sent_seq = to_seq
        self._tick(from_seq, to_seq, b"".join(chunk for _, _, chunk in encoded))

    def control(self, chunk: bytes) -> None:
        """A tick that moves no event number (heartbeat, online count)."""
        self._tick(self.sent_seq, self.sent_seq, chunk)

    def _tick(self, from_seq: int, to_seq: int, chunk: bytes) -> None:
        self.tick_no += 1
        self.ticks.append((self.tick_no, from_seq, to_seq, chunk))
        wakeup, self.wakeup = self.wakeup, asyncio.Event()
        wakeup.set()
        if self.direct and not self.fanning:
            self.fanning = True
            self.hub.loop.call_soon(self._fan_out, list(self.direct), 0, {}, time.monotonic(), self.tick_no)

    def _fan_out(self, connections: list, start: int, chunks: dict, began: float, first_tick: int) -> None:
        """Send the new ticks to the lean path's connections, a slice at a time (the loop serves
        requests between slices), without waking a task per connection: each connection's ASGI
        `send` is stepped here and, when the transport takes the bytes at once (the usual case),
        finishes on the spot. Only a slow reader, whose `send` must wait, gets a task."""
        end = min(start + _setting("LIVE_FAN_OUT_SLICE", 1000), len(connections))
        tick_no = self.tick_no
        for index in range(start, end):
            connection = connections[index]
            if connection.busy or connection.tick == tick_no:
                continue
            known = chunks.get((connection.tick, connection.pos))
            if known is None:
                ticks = self.ticks_after(connection.tick)
                if ticks and ticks[0][1] == connection.pos:
                    chunk = ticks[0][3] if len(ticks) == 1 else b"".join(t[3] for t in ticks)
                    known = (body_message(chunk), ticks[-1][0], ticks[-1][2])
                else:
                    known = False  # resuming, ahead of the channel, or too far behind
                chunks[(connection.tick, connection.pos)] = known
            if not known:
                self._behind(connection)
                continue
            message, connection.tick, connection.pos = known
            self._step(connection, connection.send(message))
        if end < len(connections):
            self.hub.loop.call_soon(self._fan_out, connections, end, chunks, began, first_tick)
            return
        self.fan_seconds = time.monotonic() - began
        self.fanning = False
        if self.tick_no != first_tick:  # ticks came while we were sending: the first slices lack them
            self.fanning = True
            self.hub.loop.call_soon(self._fan_out, list(self.direct), 0, {}, time.monotonic(), self.tick_no)

    def _step(self, connection: "Direct", send) -> None:
        try:
            waiting = send.send(None)
        except StopIteration:
            return
        except Exception:  # the server refused: the client has gone
            self.direct.discard(connection)
            return
        connection.busy = True
        self.hub.loop.create_task(self._finish(connection, send, waiting))

    async def _finish(self, connection: "Direct", send, waiting) -> None:
        """Drive a `send` that had to wait (a full transport buffer) to its end, then catch the
        connection up with whatever ticks came meanwhile."""
        try:
            while True:
                if asyncio.isfuture(waiting):
                    # Wait for it as a Task would for the coroutine: not by awaiting it here (the
                    # coroutine has claimed it already), and the coroutine sees its outcome.
                    await asyncio.wait({waiting})
                else:
                    await asyncio.sleep(0)
                try:
                    waiting = send.send(None)
                except StopIteration:
                    break
        except asyncio.CancelledError:
            send.close()
            raise
        except Exception:
            self._drop(connection)
            return
        finally:
            connection.busy = False
        if connection in self.direct:  # not gone meanwhile
            self._behind(connection)

    def _drop(self, connection: "Direct") -> None:
        """Stop sending to a connection that failed (a database error during its catch-up, say)
        and end its response, so that its browser reconnects with Last-Event-ID."""
        self.direct.discard(connection)
        self.hub.loop.create_task(_end(connection))

    def _behind(self, connection: "Direct") -> None:
        if not connection.busy:
            connection.busy = True
            self.hub.loop.create_task(self._catch_up_task(connection))

    async def _catch_up_task(self, connection: "Direct") -> None:
        try:
            await self.bring_up_to_date(connection)
        except Exception:
            log.warning("live: a viewer's catch-up failed; ending its stream", exc_info=True)
            self._drop(connection)
        finally:
            connection.busy = False

    async def bring_up_to_date(self, connection: "Direct") -> None:
        """Send a connection what it lacks until it has every tick (or is ahead of the channel,
        and waits for the ticks that reach its position)."""
        # Also while behind `sent_seq` with the newest tick: a flush may come during `catch_up`.
        while connection.tick != self.tick_no or connection.pos < self.sent_seq:
            ticks = self.ticks_after(connection.tick)
            if ticks and ticks[0][1] == connection.pos:
                chunk = b"".join(t[3] for t in ticks)
                connection.tick, connection.pos = ticks[-1][0], ticks[-1][2]
            else:
                chunk, connection.pos = await self.catch_up(connection.pos)
                connection.tick = self.tick_no
            if chunk:
                await connection.send(body_message(chunk))

    def ticks_after(self, tick_no: int):
        """The ticks after `tick_no`, or None when some of them are gone from the ring."""
        ticks = self.ticks
        if not ticks or ticks[-1][0] <= tick_no:
            return []
        if ticks[0][0] > tick_no + 1:
            return None
        start = len(ticks) - (ticks[-1][0] - tick_no)
        return [ticks[i] for i in range(start, len(ticks))]

    async def catch_up(self, pos: int) -> tuple[bytes, int]:
        """Bytes that bring a client from event `pos` to `sent_seq`, and the position they reach."""
        target = self.sent_seq
        if pos > target:
            # A client may know newer events than this channel has sent: a snapshot read from the
            # database, another server process. It waits for them (a reload would read the same
            # snapshot again); only a number the log does not have yet means "reload".
            if pos <= max([self.seq, *self.pending]) or pos <= await self.hub.db(selectors.cursor_seq, self.edition_id):
                return b"", pos
            return sse_control("reload", {"seq": target}), target
        if target - pos > _setting("LIVE_REPLAY_LIMIT", 5000):
            return sse_control("reload", {"seq": target}), target
        if pos >= self.ring_base and not self.ring_checked:
            await self._redact_ring()
        if pos >= self.ring_base:
            return b"".join(chunk for seq, _, chunk in self.ring if pos < seq <= target), target
        items = await self.hub.db(selectors.events_after, self.edition_id, pos, upto=target)
        return b"".join(sse_event(item.raw) for item in coalesce([Item(raw) for raw in items])), target

    async def _redact_ring(self) -> None:
        """Blank in the ring what has become private since it was sent (the title of an idea
        hidden since), as the log's readers do: a replay shows that an idea came, not what
        moderation took down. Once after new events, not once per reconnecting client."""
        if self._redacting is None:
            self._redacting = self.hub.loop.create_task(self._redact())
        await asyncio.shield(self._redacting)

    async def _redact(self) -> None:
        try:
            self.ring_checked = True  # a flush during the read below makes it unchecked again
            entries = list(self.ring)
            copies = [dict(item) for _, item, _ in entries]
            await self.hub.db(selectors.redact, self.edition_id, copies)
            changed = {e[0]: copy for e, copy in zip(entries, copies, strict=True) if copy["data"] is not e[1]["data"]}
            if changed:
                self.ring = deque(
                    (seq, changed[seq], sse_event(changed[seq])) if seq in changed else (seq, item, chunk)
                    for seq, item, chunk in self.ring
                )
        except Exception:
            self.ring_checked = False
            raise
        finally:
            self._redacting = None


class Direct:
    """A connection of the lean path: its ASGI `send`, and the last tick and event it has."""

    __slots__ = ("send", "tick", "pos", "busy")

    def __init__(self, send, tick: int, pos: int):
        self.send, self.tick, self.pos, self.busy = send, tick, pos, False


async def _end(connection: Direct) -> None:
    try:
        await connection.send({"type": "http.response.body", "body": b"", "more_body": False})
    except Exception:
        pass  # gone already


def body_message(chunk: bytes) -> dict:
    return {"type": "http.response.body", "body": chunk, "more_body": True}


class Hub:
    """This process's channels. One hub per event loop; `get_hub()` makes it."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.channels: dict[int, Channel] = {}
        self._joining: dict[int, asyncio.Future] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-db")
        self._slugs: dict[str, tuple[float, int | None]] = {}
        self.redis = RedisFeed(self) if settings.REDIS_URL else None
        self.process_key = f"{os.uname().nodename}:{os.getpid()}:{id(self)}"
        self._housekeeping = loop.create_task(self._housekeep())

    # Database work runs on one thread with one connection of its own.
    async def db(self, function, *args, **kwargs):
        return await self.loop.run_in_executor(self._executor, _db_call, function, args, kwargs)

    async def edition_id(self, slug: str) -> int | None:
        cached = self._slugs.get(slug)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        edition_id = await self.db(selectors.public_edition_id, slug)
        if edition_id is not None:  # unknown slugs are not kept: nobody fills memory with them
            if len(self._slugs) > 1000:
                self._slugs.clear()
            self._slugs[slug] = (time.monotonic() + 30, edition_id)
        return edition_id

    # Receiving.
    def receive_threadsafe(self, edition_id: int, item: dict) -> None:
        try:
            self.loop.call_soon_threadsafe(self.receive, edition_id, item)
        except RuntimeError:  # the loop has closed
            pass

    def receive(self, edition_id: int, item: dict) -> None:
        channel = self.channels.get(edition_id)
        if channel is not None:
            channel.receive(item)

    # Connections.
    async def join(self, edition_id: int) -> Channel:
        channel = self.channels.get(edition_id)
        if channel is None:
            joining = self._joining.get(edition_id)
            if joining is None:
                joining = self._joining[edition_id] = self.loop.create_future()
                try:
                    if self.redis:
                        await self.redis.subscribe(edition_id)
                    seq, recent = await self.db(_channel_start, edition_id)
                    channel = self.channels[edition_id] = Channel(self, edition_id, seq)
                    channel.preload(recent)
                    joining.set_result(channel)
                except BaseException as error:
                    joining.set_exception(error)
                    joining.exception()  # retrieved: the waiters re-raise it
                    raise
                finally:
                    del self._joining[edition_id]
            else:
                channel = await asyncio.shield(joining)
        channel.connections += 1
        channel.idle_since = None
        return channel

    def leave(self, channel: Channel) -> None:
        channel.connections -= 1
        if channel.connections == 0:
            channel.idle_since = time.monotonic()

    # Housekeeping: poll the log, heartbeats, online counts, idle channels.
    async def _housekeep(self) -> None:
        last_poll = last_heartbeat = last_online = time.monotonic()
        failures = 0
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            try:
                poll_every = _setting("LIVE_POLL_SECONDS", 5.0 if self.redis else 1.0)
                if self.channels and now - last_poll >= poll_every:
                    last_poll = now
                    await self.poll()
                if now - last_heartbeat >= _setting("LIVE_HEARTBEAT_SECONDS", 15):
                    last_heartbeat = now
                    for channel in self.channels.values():
                        channel.control(SSE_HEARTBEAT)
                if now - last_online >= _setting("LIVE_ONLINE_SECONDS", 5):
                    last_online = now
                    await self._count_online()
                await self._drop_idle(now)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                # Back off, and say it once a minute at most (a database gone for good must not
                # flood the log).
                failures += 1
                if failures == 1 or failures % 120 == 0:
                    log.warning("live: housekeeping failed (%d times in a row)", failures, exc_info=True)
                await asyncio.sleep(min(failures, 30))

    async def poll(self) -> None:
        """Read the cursors of watched editions; fetch what no broker delivered."""
        latest = await self.db(selectors.cursors, list(self.channels))
        for edition_id, seq in latest.items():
            channel = self.channels.get(edition_id)
            if channel is not None and seq > channel.seq and not channel.filling:
                upto = min([seq, *[s - 1 for s in channel.pending]])
                if upto > channel.seq:
                    for item in await self.db(selectors.events_after, edition_id, channel.seq, upto=upto):
                        channel.receive(item)

    async def _count_online(self) -> None:
        counts = {edition_id: channel.connections for edition_id, channel in self.channels.items()}
        if self.redis:
            counts = await self.redis.online(counts)
        for edition_id, count in counts.items():
            channel = self.channels.get(edition_id)
            if channel is not None and count != channel.online:
                channel.online = count
                channel.control(sse_control("online", {"online": count}))

    async def _drop_idle(self, now: float) -> None:
        idle = _setting("LIVE_IDLE_SECONDS", 30)
        for edition_id, channel in list(self.channels.items()):
            if channel.connections == 0 and channel.idle_since is not None and now - channel.idle_since >= idle:
                del self.channels[edition_id]
                if channel.flush_handle is not None:
                    channel.flush_handle.cancel()
                if self.redis:
                    await self.redis.unsubscribe(edition_id)

    async def close(self) -> None:
        self._housekeeping.cancel()
        if self.redis:
            await self.redis.close()
        # Look the connection up on the database thread: `db_connection.close` named here would
        # be the loop thread's connection, which Django refuses to close from another thread.
        await self.loop.run_in_executor(self._executor, _close_connection)
        self._executor.shutdown(wait=False)


def _channel_start(edition_id: int) -> tuple[int, list[dict]]:
    seq = selectors.cursor_seq(edition_id)
    preload = _setting("LIVE_RING_PRELOAD", 1000)
    return seq, selectors.events_after(edition_id, max(seq - preload, 0), upto=seq) if preload else []


def _close_connection() -> None:
    db_connection.close()


def _db_call(function, args, kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:
        db_connection.close()  # a broken connection is not reused; the next call opens a new one
        raise


class RedisFeed:
    """This process's Redis subscriptions: one per watched edition, on one connection."""

    def __init__(self, hub: Hub):
        import redis.asyncio

        self.hub = hub
        self.client = redis.asyncio.Redis.from_url(settings.REDIS_URL)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.names: dict[str, int] = {}
        self.task = None

    async def subscribe(self, edition_id: int) -> None:
        name = redis_channel(edition_id)
        self.names[name] = edition_id
        try:
            await self.pubsub.subscribe(name)
        except Exception:
            log.warning("live: Redis subscribe failed; polling the log until it is back", exc_info=True)
        if self.task is None:
            self.task = self.hub.loop.create_task(self._listen())

    async def unsubscribe(self, edition_id: int) -> None:
        name = redis_channel(edition_id)
        self.names.pop(name, None)
        try:
            await self.pubsub.unsubscribe(name)
        except Exception:
            pass

    async def _listen(self) -> None:
        import json

        backoff = 0.2
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
                backoff = 0.2
                if message and message["type"] == "message":
                    name = message["channel"].decode()
                    edition_id = self.names.get(name)
                    if edition_id is not None:
                        self.hub.receive(edition_id, json.loads(message["data"]))
                elif not self.pubsub.subscribed and self.names:
                    await self.pubsub.subscribe(*self.names)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live: Redis subscription lost; reconnecting", exc_info=False)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                try:
                    await self.pubsub.aclose()
                except Exception:
                    pass
                self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                try:
                    if self.names:
                        await self.pubsub.subscribe(*self.names)
                    await self.hub.poll()  # what was published while we were away
                except Exception:
                    pass

    async def online(self, counts: dict[int, int]) -> dict[int, int]:
        """Publish this process's viewer counts and sum those of all live processes."""
        now = time.time()
        totals = dict(counts)
        try:
            pipe = self.client.pipeline()
            for edition_id, count in counts.items():
                key = f"{redis_channel(edition_id)}:online"
                pipe.hset(key, self.hub.process_key, f"{count}:{now}")
                pipe.expire(key, 60)
                pipe.hvals(key)
            replies = await pipe.execute()
            for (edition_id, _), values in zip(counts.items(), replies[2::3], strict=True):
                fresh = [v.decode().split(":") for v in values]
                totals[edition_id] = sum(int(c) for c, at in fresh if now - float(at) < 20)
        except Exception:
            log.warning("live: could not share online counts on Redis", exc_info=False)
        return totals

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        try:
            await self.pubsub.aclose()
            await self.client.aclose()
        except Exception:
            pass


_hub: Hub | None = None


def get_hub() -> Hub:
    """This process's hub, bound to the running event loop."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop or loop.is_closed():
        _hub = Hub(loop)
    return _hub


async def reset_hub() -> None:
    """Close the hub (tests, shutdown)."""
    global _hub
    hub, _hub = _hub, None
    if hub is not None:
        await hub.close()
