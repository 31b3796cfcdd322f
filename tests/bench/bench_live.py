"""`make bench`: the live fan-out — N viewers of one edition's SSE stream while people write.

A load generator opens N connections to `GET /editions/<slug>/live/stream` (asyncio, loopback
only, bounded in count and time) and holds them; then, for a fixed time, writers submit ideas
and support/withdraw supports at a steady rate through the JSON API (`/api/v1/`, a session
cookie and CSRF token per writer), so that every event goes through the server's own broker
(one process) or through Redis (two processes, clients and writers split across both).

Figures per run: connections held (of N), delivery latency from the event's `at` (its
`created_at`, written in the transaction just before commit) to its receipt by a client (p50,
p99, max; same clock, same machine), events received per connection, server memory per
connection (RSS with N held minus RSS before), server and client CPU in the measuring window
(percent of one core; the machine has `os.cpu_count()` cores), write request latency, and the
latency of a plain request (`/health/live`) to the same server during the fan-out.

Latency includes the coalescing interval (`LIVE_COALESCE_SECONDS`, 0.25 s by default): a
channel flushes at most once per interval, so under a steady stream of writes an event waits
for the next flush. The clients run in one or two processes of their own on the same cores as
the server: their CPU is reported beside the server's, because a saturated client inflates
latencies.

Database: a fresh SQLite file var/bench-live.sqlite3 (or DATABASE_URL, e.g. the scratch
PostgreSQL database of `make bench`). Redis (the two-process run): BENCH_LIVE_REDIS_URL, default
redis://127.0.0.1:6379/14, a database of its own that this benchmark flushes (its rate-limit
counters must start at zero).

Run: `.venv/bin/python tests/bench/bench_live.py` (N = 1,000, 5,000 and 10,000 on one process,
10,000 on two behind Redis; about six minutes), or e.g. `--sizes 1000 --duration 10
--only-single` for a quick look. Writes bench-results/live.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench-results"
SLUG = "bench-live"
HIST_MS = 120_000  # latency histogram: 1 ms buckets up to two minutes; the last one holds the rest
SECRET_KEY = "bench-live-secret-key-" + "x" * 40
MAX_WRITES = 32  # write requests in flight at most


def _args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="numbers of viewers on one process")
    parser.add_argument("--redis-sizes", default="10000", help="numbers of viewers on two processes behind Redis")
    parser.add_argument("--only-single", action="store_true", help="skip the runs behind Redis")
    parser.add_argument("--only-redis", action="store_true", help="skip the runs on one process")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of writing, per run")
    parser.add_argument("--ideas-per-second", type=float, default=5.0)
    parser.add_argument("--supports-per-second", type=float, default=20.0)
    parser.add_argument("--open-rate", type=float, default=1000.0, help="connections opened per second, all clients")
    parser.add_argument("--clients", type=int, default=0, help="client processes (0: 1 up to 2,000 viewers, else 2)")
    parser.add_argument("--output", default=str(OUT / "live.json"))
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment of the servers (e.g. LIVE_COALESCE_SECONDS=0.1)")
    parser.add_argument("--quiet-wait", type=float, default=60, metavar="SECONDS",
                        help="before each run, wait up to this long for the machine to be idle (others' tests)")
    parser.add_argument("--writes-apart", action="store_true",
                        help="two processes: viewers on the first, writes through the second only")
    parser.add_argument("--app", default="helpathon.asgi:application", help="the ASGI application to serve")
    parser.add_argument("--profile", metavar="DIR", help="run the servers under cProfile, one file per run")
    parser.add_argument("--py-spy", metavar="DIR", help="sample the servers with py-spy (if on PATH) in the window")
    # The client processes are this script too.
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ports", default="", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- Percentiles of a histogram (shared by the clients and the report) -----------------------


def _percentile(hist: dict[int, int], p: float) -> float | None:
    total = sum(hist.values())
    if not total:
        return None
    rank = max(1, round(p / 100 * total))
    seen = 0
    for ms in sorted(hist):
        seen += hist[ms]
        if seen >= rank:
            return float(ms)
    return float(max(hist))


# =============================================================================================
# The client: a process holding `count` SSE connections (no Django in it, to stay lean).
# =============================================================================================


class _Stats:
    def __init__(self):
        self.hist = [0] * (HIST_MS + 1)
        self.messages = 0
        self.reloads = 0
        self.online = 0
        self.cache: dict[bytes, tuple[int, float]] = {}


class SSEClient(asyncio.Protocol):
    """One viewer: GET the stream, read the chunked body, time every event it receives."""

    __slots__ = ("stats", "request", "transport", "ok", "raw", "sse", "count", "last", "closed", "failed", "ready")

    def __init__(self, stats: _Stats, request: bytes, ready: asyncio.Future):
        self.stats, self.request, self.ready = stats, request, ready
        self.transport = None
        self.ok = False
        self.raw = b""
        self.sse = b""
        self.count = 0
        self.last = 0
        self.closed = False
        self.failed = ""

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc):
        self.closed = True
        if not self.ready.done():
            self.failed = self.failed or f"closed before headers: {exc!r}"
            self.ready.set_result(False)

    def data_received(self, data: bytes):
        now = time.time()
        if self.raw:
            data = self.raw + data
        pos = 0
        if not self.ok:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.raw = data
                return
            head = data[:end]
            if not head.startswith(b"HTTP/1.1 200") or b"chunked" not in head.lower():
                self.failed = head.split(b"\r\n", 1)[0].decode("latin-1")
                self.ready.set_result(False)
                self.transport.close()
                return
            self.ok = True
            self.ready.set_result(True)
            pos = end + 4
        size_n = len(data)
        while True:
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                break
            size = int(data[pos:eol], 16)
            stop = eol + 2 + size
            if stop + 2 > size_n:
                break
            if size == 0:  # the server ended the response
                self.transport.close()
                pos = stop + 2
                break
            self._feed(data[eol + 2:stop], now)
            pos = stop + 2
        self.raw = data[pos:] if pos < size_n else b""

    def _feed(self, payload: bytes, now: float):
        if self.sse:
            payload = self.sse + payload
        parts = payload.split(b"\n\n")
        self.sse = parts.pop()
        stats = self.stats
        for message in parts:
            if message[:4] == b"id: ":
                known = stats.cache.get(message)
                if known is None:
                    data = json.loads(message[message.index(b"\ndata: ") + 7:])
                    known = (data["seq"], datetime.fromisoformat(data["at"]).timestamp())
                    if len(stats.cache) > 100_000:
                        stats.cache.clear()
                    stats.cache[message] = known
                ms = int((now - known[1]) * 1000)
                stats.hist[ms if 0 <= ms < HIST_MS else (0 if ms < 0 else HIST_MS)] += 1
                stats.messages += 1
                self.count += 1
                self.last = known[0]
            elif message.startswith(b"event: reload"):
                stats.reloads += 1
            elif message.startswith(b"event: online"):
                stats.online += 1


async def _client_main(args) -> None:
    ports = [int(p) for p in args.ports.split(",")]
    loop = asyncio.get_running_loop()
    stats = _Stats()
    clients: list[SSEClient] = []
    failures: dict[str, int] = {}
    commands: asyncio.Queue = asyncio.Queue()

    def read_stdin():
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "stop")

    threading.Thread(target=read_stdin, daemon=True).start()

    def say(**message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    lags: list[float] = []

    async def lag_watch():
        while True:
            start = loop.time()
            await asyncio.sleep(0.05)
            lags.append(loop.time() - start - 0.05)

    async def open_one(index: int):
        port = ports[(index + args.offset) % len(ports)]
        request = (f"GET /editions/{SLUG}/live/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   "Accept: text/event-stream\r\n\r\n").encode()
        ready = loop.create_future()
        try:
            _transport, client = await asyncio.wait_for(
                loop.create_connection(lambda: SSEClient(stats, request, ready), "127.0.0.1", port), 30
            )
            if await asyncio.wait_for(ready, 30):
                clients.append(client)
                return
            reason = client.failed
        except (OSError, asyncio.TimeoutError) as error:
            reason = type(error).__name__ + (f" errno {error.errno}" if getattr(error, "errno", None) else "")
        failures[reason] = failures.get(reason, 0) + 1

    lag_task = loop.create_task(lag_watch())
    opening = []
    started = loop.time()
    for index in range(args.count):
        wait = started + index / args.rate - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        opening.append(loop.create_task(open_one(index)))
        if index % 200 == 0:
            say(kind="progress", held=len(clients), failed=sum(failures.values()))
    await asyncio.gather(*opening)
    say(kind="opened", held=len(clients), failed=sum(failures.values()), failures=failures,
        seconds=round(loop.time() - started, 2))

    cpu0 = wall0 = None
    while True:
        command = await commands.get()
        if command == "start":
            stats.hist = [0] * (HIST_MS + 1)
            stats.messages = stats.reloads = stats.online = 0
            for client in clients:
                client.count = 0
            lags.clear()
            cpu0, wall0 = time.process_time(), time.monotonic()
        elif command == "stop":
            break
    cpu = (time.process_time() - cpu0) if cpu0 is not None else 0.0
    wall = (time.monotonic() - wall0) if wall0 is not None else 0.0
    lag_task.cancel()
    counts = sorted(c.count for c in clients)
    lags.sort()
    say(
        kind="result",
        connections=len(clients),
        open_at_end=sum(1 for c in clients if not c.closed),
        failures=failures,
        hist={ms: n for ms, n in enumerate(stats.hist) if n},
        messages=stats.messages,
        reloads=stats.reloads,
        online_messages=stats.online,
        per_connection_min=counts[0] if counts else 0,
        per_connection_max=counts[-1] if counts else 0,
        last_seqs=_tally(c.last for c in clients),
        cpu_seconds=round(cpu, 3),
        wall_seconds=round(wall, 3),
        loop_lag_p99_ms=round(lags[int(len(lags) * 0.99)] * 1000, 1) if lags else None,
        loop_lag_max_ms=round(lags[-1] * 1000, 1) if lags else None,
    )
    for client in clients:
        if client.transport is not None:
            client.transport.abort()


def _tally(values) -> dict[int, int]:
    tally: dict[int, int] = {}
    for value in values:
        tally[value] = tally.get(value, 0) + 1
    return tally


def client(args) -> int:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is installed with uvicorn[standard]
        asyncio.run(_client_main(args))
    else:
        uvloop.run(_client_main(args))
    return 0


# =============================================================================================
# The bench: database, servers, writers, measurements.
# =============================================================================================


def _setup(writers: int, supporters: int, targets: int) -> dict:
    """A fresh edition in ideation where supporting is allowed too, with writer accounts that
    have confirmed places and sessions. Returns what the writers need."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from helpathon.accounts.models import User
    from helpathon.editions.models import Edition
    from helpathon.ideas import services as idea_services
    from helpathon.registrations.models import Registration
    from tests.factories import make_edition

    call_command("migrate", "--noinput", verbosity=0)
    Edition.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__startswith="bench-live-").delete()
    edition = make_edition(
        slug=SLUG, challenges=3, capacity=writers + supporters + 10, starts_in=-timezone.timedelta(hours=1),
        duration=timezone.timedelta(days=2), phase_kinds=["ideation"], phase_actions_extra={"ideation": ["support"]},
    )
    challenges = list(edition.challenges.order_by("order"))
    now = timezone.now()
    people = User.objects.bulk_create([
        User(email=f"bench-live-{i}@example.org", display_name=f"Bench {i}", password="!")
        for i in range(writers + supporters + 1)
    ])
    Registration.objects.bulk_create([
        Registration(edition=edition, user=u, status="confirmed", sector="science", role="citizen", consent_at=now,
                     confirmed_at=now)
        for u in people
    ])
    author, people = people[0], people[1:]
    ideas = [
        idea_services.idea_create(actor=author, challenge=challenges[i % len(challenges)], title=f"Ziel {i}",
                                  body="Eine Idee, die unterstützt wird.", check_permission=False).pk
        for i in range(targets)
    ]

    def session(user) -> dict:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        token = secrets.token_hex(16)  # 32 characters: Django's form of an unmasked secret
        return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={token}",
                "csrf": token}

    return {
        "writers": [session(u) for u in people[:writers]],
        "supporters": [session(u) for u in people[writers:]],
        "ideas": ideas,
        "challenges": [c.slug for c in challenges],
    }


# --- Processes -------------------------------------------------------------------------------

_children: list[subprocess.Popen] = []
_clients: list = []  # asyncio client processes


def _cleanup() -> None:
    for process in _clients:
        if process.returncode is None:  # not reaped yet, so the pid is still ours
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _clients.clear()
    for process in _children:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in _children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _children.clear()


def _start_server(app: str, port: int, env: dict, profile: str | None, log_path: Path) -> subprocess.Popen:
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", profile]
    command += ["-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--loop", "uvloop", "--http", "httptools", "--lifespan", "off",
                "--log-level", "warning", "--no-access-log", "--backlog", "4096", "--timeout-graceful-shutdown", "3"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    _children.append(process)
    return process


def _stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # lets cProfile write its file
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process in _children:
        _children.remove(process)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine spent (every core), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _TICK  # all but idle and iowait


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


# --- Writers ---------------------------------------------------------------------------------


class _HTTP:
    """A keep-alive connection for the writers and the probe."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None
        self.used = 0.0

    async def request(self, method: str, path: str, *, headers: str = "", body: bytes = b"") -> int:
        from tests.bench.loadgen import _read_response

        if self.writer is not None and time.monotonic() - self.used > 4:
            self.close()  # uvicorn closes a connection idle for 5 s: never race it
        self.used = time.monotonic()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{headers}"
                f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")
        try:
            self.writer.write(head.encode() + body)
            await self.writer.drain()
            status = await asyncio.wait_for(_read_response(self.reader), 20)
            self.used = time.monotonic()
            return status
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Writers:
    """Ideas and support toggles at a steady rate, each op on a free connection of a pool, spread
    over the servers' ports. Counts ops across runs so that no writer hits its rate limit."""

    def __init__(self, data: dict):
        self.data = data
        self.idea_no = 0
        self.support_no = 0
        self.supporting = [False] * len(data["supporters"])

    async def run(self, ports: list[int], ideas_per_second: float, supports_per_second: float, seconds: float) -> dict:
        # Open loop: an op that finds no free connection opens one (at most MAX_WRITES in flight),
        # so a slow server sees the same arrival rate and its slowness shows in the latencies.
        pools: dict[int, list[_HTTP]] = {port: [] for port in ports}
        in_flight = asyncio.Semaphore(MAX_WRITES)
        finished: list[float] = []
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        done = {"ideas": 0, "supports": 0}
        tasks: set[asyncio.Task] = set()

        async def op(kind: str, number: int):
            port = ports[number % len(ports)]
            await in_flight.acquire()
            conn = pools[port].pop() if pools[port] else _HTTP(port)
            if kind == "idea":
                who = self.data["writers"][number % len(self.data["writers"])]
                body = json.dumps({"challenge": self.data["challenges"][number % len(self.data["challenges"])],
                                   "title": f"Live-Idee {number}", "body": "Gebaut für den Live-Benchmark."}).encode()
                method, path = "POST", f"/api/v1/editions/{SLUG}/ideas"
            else:
                slot = number % len(self.data["supporters"])
                who = self.data["supporters"][slot]
                idea = self.data["ideas"][slot % len(self.data["ideas"])]
                method = "DELETE" if self.supporting[slot] else "PUT"
                self.supporting[slot] = not self.supporting[slot]
                path, body = f"/api/v1/editions/{SLUG}/ideas/{idea}/support", b""
            headers = (f"Cookie: {who['cookie']}\r\nX-CSRFToken: {who['csrf']}\r\n"
                       "Content-Type: application/json\r\nAccept: application/json\r\n")
            started = time.perf_counter()
            try:
                status = await conn.request(method, path, headers=headers, body=body)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status < 300:
                    done["ideas" if kind == "idea" else "supports"] += 1
            except Exception as error:
                statuses[type(error).__name__] = statuses.get(type(error).__name__, 0) + 1
            latencies.append((time.perf_counter() - started) * 1000)
            finished.append(time.monotonic())
            pools[port].append(conn)
            in_flight.release()

        async def schedule(kind: str, rate: float):
            if rate <= 0:
                return
            start = time.monotonic()
            for k in range(int(rate * seconds)):
                wait = start + k / rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if kind == "idea":
                    number, self.idea_no = self.idea_no, self.idea_no + 1
                else:
                    number, self.support_no = self.support_no, self.support_no + 1
                task = asyncio.create_task(op(kind, number))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        started = time.monotonic()
        await asyncio.gather(schedule("idea", ideas_per_second), schedule("support", supports_per_second))
        unanswered = 0
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=30)
            unanswered = len(pending)
            for task in pending:
                task.cancel()
        elapsed = time.monotonic() - started
        for pool in pools.values():
            for conn in pool:
                conn.close()
        latencies.sort()
        in_time = sum(1 for t in finished if t <= started + seconds + 1)
        return {
            "ideas": done["ideas"], "supports": done["supports"], "statuses": dict(statuses),
            "unanswered_after_30_s": unanswered,
            "target_per_second": ideas_per_second + supports_per_second,
            # Writes answered within the writing time (+1 s): the rate the server kept up with.
            "events_per_second": round(in_time / seconds, 1),
            "seconds": round(elapsed, 2),
            "max_in_flight": MAX_WRITES,
            "request_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
            "request_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1)
            if latencies else None,
        }


async def _probe(port: int, stop: asyncio.Event) -> dict:
    """Every 0.2 s during the fan-out, on the same server: a plain Django page (`/health/live`, a
    sync view: it queues for Django's one sync thread like the writes), and a new stream connection
    to its first bytes (served on the event loop alone)."""
    conn = _HTTP(port)
    page, stream = [], []
    request = f"GET /editions/{SLUG}/live/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            await conn.request("GET", "/health/live")
            page.append((time.perf_counter() - started) * 1000)
        except Exception:
            page.append(float("inf"))
        started = time.perf_counter()
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await asyncio.wait_for(reader.readuntil(b"retry: "), 20)
            stream.append((time.perf_counter() - started) * 1000)
        except Exception:
            stream.append(float("inf"))
        finally:
            if writer is not None:
                writer.close()
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except asyncio.TimeoutError:
            pass
    conn.close()
    return {"page": sorted(page), "stream": sorted(stream)}


def _summary(times: list[float]) -> dict:
    finite = [t for t in times if t != float("inf")]
    if not finite:
        return {"p50_ms": None, "p99_ms": None, "failures": len(times)}
    return {"p50_ms": round(finite[len(finite) // 2], 1),
            "p99_ms": round(finite[min(len(finite) - 1, int(len(finite) * 0.99))], 1),
            "failures": len(times) - len(finite)}


# --- One run ---------------------------------------------------------------------------------


async def _spawn_client(ports: list[int], count: int, rate: float, offset: int):
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--client", "--ports", ",".join(map(str, ports)), "--count", str(count),
        "--rate", str(rate), "--offset", str(offset),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=64 * 1024 * 1024,
    )
    _clients.append(process)
    return process


async def _read_until(process, kind: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), max(0.1, deadline - time.monotonic()))
        if not line:
            raise RuntimeError("a client process exited early")
        message = json.loads(line)
        if message["kind"] == kind:
            return message


async def _quiet(seconds: float) -> float:
    """Wait (at most `seconds`) until the machine's other work uses under a quarter of a core;
    returns the share it used last, in % of one core."""
    deadline = time.monotonic() + seconds
    while True:
        busy0 = _machine_busy_seconds()
        await asyncio.sleep(2)
        share = 100 * (_machine_busy_seconds() - busy0) / 2
        if share < 25 or time.monotonic() >= deadline:
            return round(share, 1)


async def _run(n: int, processes: int, args, env: dict, writers: Writers, free_port, wait_for) -> dict:
    idle_share = await _quiet(args.quiet_wait) if args.quiet_wait else None
    ports = [free_port() for _ in range(processes)]
    while len(set(ports)) < processes:
        ports = [free_port() for _ in range(processes)]
    log_path = ROOT / "var" / "bench-live-server.log"
    profile = None
    servers = []
    for i, port in enumerate(ports):
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            profile = str(Path(args.profile) / f"server-{n}-{processes}p-{i}.prof")
        servers.append(_start_server(args.app, port, env, profile, log_path))
    clients = []
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_for(port, server)
        # Warm up: load the code paths of a stream and a write, so that "before" is a fair baseline.
        warm = await _spawn_client(ports, len(ports), 100, 0)
        await _read_until(warm, "opened", 30)
        await writers.run(ports, 2, 2, 1.0)
        warm.stdin.write(b"stop\n")
        await _read_until(warm, "result", 30)
        await warm.wait()
        await asyncio.sleep(1.5)
        rss_before = sum(_rss_kb(s.pid) for s in servers)

        count = args.clients or (1 if n <= 2000 else 2)
        shares = [n // count + (1 if i < n % count else 0) for i in range(count)]
        viewer_ports, write_ports = ports, ports
        if args.writes_apart and len(ports) > 1:
            viewer_ports, write_ports = ports[:1], ports[1:]
        opened_at = time.monotonic()
        for i, share in enumerate(shares):
            clients.append(await _spawn_client(viewer_ports, share, args.open_rate / count, i))
        opened = [await _read_until(c, "opened", n / args.open_rate + 90) for c in clients]
        open_seconds = time.monotonic() - opened_at
        held = sum(o["held"] for o in opened)
        await asyncio.sleep(3)  # let the connections settle (first bytes, buffers)
        rss_held = sum(_rss_kb(s.pid) for s in servers)

        cpu_server0 = sum(_cpu_seconds(s.pid) for s in servers)
        busy0 = _machine_busy_seconds()
        load_before = os.getloadavg()[0]
        cpu_self0 = time.process_time()
        wall0 = time.monotonic()
        for c in clients:
            c.stdin.write(b"start\n")
            await c.stdin.drain()
        spies = []
        if args.py_spy:
            Path(args.py_spy).mkdir(parents=True, exist_ok=True)
            for i, server in enumerate(servers):
                spies.append(subprocess.Popen(
                    ["py-spy", "record", "--pid", str(server.pid), "--duration", str(int(args.duration)),
                     "--rate", "200", "--nonblocking", "--threads", "--format", "raw",
                     "--output", str(Path(args.py_spy) / f"server-{n}-{processes}p-{i}.txt")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                ))
                _children.append(spies[-1])
        stop_probe = asyncio.Event()
        probe = asyncio.create_task(_probe(ports[0], stop_probe))
        written = await writers.run(write_ports, args.ideas_per_second, args.supports_per_second, args.duration)
        await asyncio.sleep(2.0)  # the last flushes reach every client
        stop_probe.set()
        probes = await probe
        wall = time.monotonic() - wall0
        cpu_server = sum(_cpu_seconds(s.pid) for s in servers) - cpu_server0
        cpu_self = time.process_time() - cpu_self0
        busy = _machine_busy_seconds() - busy0
        rss_end = sum(_rss_kb(s.pid) for s in servers)
        for spy in spies:
            spy.wait(timeout=30)
        for c in clients:
            c.stdin.write(b"stop\n")
            await c.stdin.drain()
        results = [await _read_until(c, "result", 120) for c in clients]
        for c in clients:
            await c.wait()
    finally:
        for c in clients:
            if c.returncode is None:
                c.kill()
                await c.wait()
        for server in servers:
            _stop_server(server)

    hist: dict[int, int] = {}
    last_seqs: dict[int, int] = {}
    failures: dict[str, int] = {}
    for r in results:
        for ms, k in r["hist"].items():
            hist[int(ms)] = hist.get(int(ms), 0) + k
        for seq, k in r["last_seqs"].items():
            last_seqs[int(seq)] = last_seqs.get(int(seq), 0) + k
        for reason, k in r["failures"].items():
            failures[reason] = failures.get(reason, 0) + k
    newest = max(last_seqs) if last_seqs else 0
    client_cpu = sum(r["cpu_seconds"] for r in results)
    return {
        "viewers": n,
        "processes": processes,
        "writes_apart": bool(args.writes_apart and processes > 1),
        "broker": "Redis" if processes > 1 else "in-process",
        "client_processes": len(clients),
        "held": held,
        "open_at_end": sum(r["open_at_end"] for r in results),
        "connect_failures": failures,
        "open_seconds": round(open_seconds, 1),
        "messages": sum(r["messages"] for r in results),
        "events_per_connection_min": min(r["per_connection_min"] for r in results),
        "events_per_connection_max": max(r["per_connection_max"] for r in results),
        "connections_with_newest_event": last_seqs.get(newest, 0),
        "reloads": sum(r["reloads"] for r in results),
        "p50_ms": _percentile(hist, 50),
        "p90_ms": _percentile(hist, 90),
        "p99_ms": _percentile(hist, 99),
        "max_ms": float(max(hist)) if hist else None,
        "rss_before_mb": round(rss_before / 1024, 1),
        "rss_held_mb": round(rss_held / 1024, 1),
        "rss_end_mb": round(rss_end / 1024, 1),
        "kb_per_connection": round((rss_held - rss_before) / held, 1) if held else None,
        "server_cpu_percent": round(100 * cpu_server / wall, 1),
        "client_cpu_percent": round(100 * client_cpu / wall, 1),
        "writer_cpu_percent": round(100 * cpu_self / wall, 1),
        # Everything else the machine ran meanwhile (other people's tests share it): a figure
        # to judge the run by, since the server and the clients compete with it for the cores.
        "machine_cpu_percent": round(100 * busy / wall, 1),
        "other_cpu_percent": round(100 * (busy - cpu_server - client_cpu - cpu_self) / wall, 1),
        "load_average_before": round(load_before, 2),
        "machine_cpu_percent_before": idle_share,
        "client_loop_lag_p99_ms": max((r["loop_lag_p99_ms"] or 0) for r in results),
        "client_loop_lag_max_ms": max((r["loop_lag_max_ms"] or 0) for r in results),
        "page_probe": _summary(probes["page"]),
        "stream_probe": _summary(probes["stream"]),
        "window_seconds": round(wall, 1),
        "writes": written,
    }


def _print_table(rows: list[dict], scenario: dict) -> None:
    print(f"\nLive fan-out on {scenario['database']}: {scenario['ideas_per_second']:g} ideas/s + "
          f"{scenario['supports_per_second']:g} supports/s for {scenario['duration_seconds']:g} s, coalescing "
          f"{scenario['coalesce_seconds']:g} s; CPU in % of one core ({os.cpu_count()} cores)")
    head = (f"{'N':>6} {'proc':>4} {'held':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'KB/conn':>8} "
            f"{'srv CPU%':>8} {'cli CPU%':>8} {'other%':>6} {'writes/s':>8} {'ev/conn':>9} {'page p99':>8} "
            f"{'open p99':>8}")
    print(head)
    for r in rows:
        print(f"{r['viewers']:>6} {r['processes']:>4} {r['held']:>6} {_fmt(r['p50_ms'])} {_fmt(r['p99_ms'])} "
              f"{_fmt(r['max_ms'])} {_fmt(r['kb_per_connection'], 8)} {r['server_cpu_percent']:>8.0f} "
              f"{r['client_cpu_percent']:>8.0f} {r['other_cpu_percent']:>6.0f} {r['writes']['events_per_second']:>8.1f} "
              f"{r['events_per_connection_min']:>4}-{r['events_per_connection_max']:<4} "
              f"{_fmt(r['page_probe']['p99_ms'], 8)} {_fmt(r['stream_probe']['p99_ms'], 8)}")


def _fmt(value, width: int = 7) -> str:
    return f"{value:>{width}.0f}" if isinstance(value, (int, float)) else f"{'-':>{width}}"


def main(args) -> int:
    started = time.perf_counter()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers and clients inherit it

    (ROOT / "var").mkdir(exist_ok=True)
    OUT.mkdir(exist_ok=True)
    sqlite_file = ROOT / "var" / "bench-live.sqlite3"
    if "DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpathon.settings"
    os.environ["SECRET_KEY"] = SECRET_KEY  # the sessions made here must verify in the servers
    os.environ["DEBUG"] = "0"
    os.environ["RANKINGS_AUTO"] = "0"
    os.environ["THEMES_AUTO"] = "0"
    os.environ.pop("REDIS_URL", None)  # the setup and the one-process runs go without Redis
    redis_url = os.environ.get("BENCH_LIVE_REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from tests.bench.run import _free_port, _wait_for

    sizes = [] if args.only_redis else [int(s) for s in args.sizes.split(",") if s]
    redis_sizes = [] if args.only_single else [int(s) for s in args.redis_sizes.split(",") if s]
    total_seconds = (len(sizes) + len(redis_sizes)) * (args.duration + 20) + 60
    # Enough writer accounts that none reaches its rate limit (10 ideas, 120 support changes in
    # 10 minutes), however many runs share a Redis cache.
    ideas_total = int(args.ideas_per_second * (args.duration + 2) * (len(sizes) + len(redis_sizes) + 1))
    supports_total = int(args.supports_per_second * (args.duration + 2) * (len(sizes) + len(redis_sizes) + 1))
    data = _setup(writers=max(20, ideas_total // 8 + 1), supporters=max(40, supports_total // 100 + 1), targets=20)
    database = connection.vendor
    connection.close()
    writers = Writers(data)

    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
    }
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    coalesce = float(env.get("LIVE_COALESCE_SECONDS", settings.LIVE_COALESCE_SECONDS))

    rows = []
    print(f"Live fan-out benchmark: {database}, file descriptors {soft} -> {hard}, about "
          f"{total_seconds / 60:.0f} minutes")
    for n in sizes:
        print(f"... {n} viewers on 1 process", flush=True)
        rows.append(asyncio.run(_run(n, 1, args, env, writers, _free_port, _wait_for)))
        print(f"    held {rows[-1]['held']}, p99 {rows[-1]['p99_ms']} ms", flush=True)
    if redis_sizes:
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # a database of its own: rate-limit counters start at 0
        redis_env = {**env, "REDIS_URL": redis_url}
        for n in redis_sizes:
            print(f"... {n} viewers on 2 processes behind Redis", flush=True)
            rows.append(asyncio.run(_run(n, 2, args, redis_env, writers, _free_port, _wait_for)))
            print(f"    held {rows[-1]['held']}, p99 {rows[-1]['p99_ms']} ms", flush=True)

    import uvicorn
    import uvloop

    scenario = {
        "database": database,
        "edition": "one published edition in ideation (supporting allowed too), 3 challenges",
        "ideas_per_second": args.ideas_per_second,
        "supports_per_second": args.supports_per_second,
        "writes": "HTTP JSON API (/api/v1/), session cookie + CSRF, PUT/DELETE support alternating on 20 ideas; "
                  "spread over the server processes",
        "duration_seconds": args.duration,
        "drain_seconds": 2.0,
        "coalesce_seconds": coalesce,
        "open_rate_per_second": args.open_rate,
        "server": f"uvicorn {args.app} --workers 1 --loop uvloop --http httptools, one process per port",
        "server_env": args.server_env,
        "redis": redis_url if redis_sizes else None,
        "clients": "asyncio + uvloop protocol per connection, in 1 (N <= 2,000) or 2 processes; same machine",
        "latency": "client receipt time.time() minus the event's `at` (created_at, before commit); 1 ms buckets",
        "memory": "server VmRSS with N connections held minus before (after a warm-up), summed over processes",
        "cpu": "utime+stime over the measuring window (writes + drain), % of one core",
    }
    report = {
        "benchmark": "live fan-out",
        "when": datetime.now(dt_timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "uvicorn": uvicorn.__version__, "uvloop": uvloop.__version__, "nofile": hard,
        },
        "scenario": scenario,
        "results": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    _print_table(rows, scenario)
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = any(r["held"] < r["viewers"] or r["open_at_end"] < r["held"] for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    arguments = _args()
    if arguments.client:
        sys.exit(client(arguments))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main(arguments))
    finally:
        _cleanup()
