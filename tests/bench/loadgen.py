"""A small asyncio HTTP/1.1 load generator for loopback benchmarks.

Each of `concurrency` workers keeps one keep-alive connection and sends requests until the
request budget or the time budget is spent. Bounded in both, and it only talks to 127.0.0.1.
`run` sends one GET again and again; `run_requests` asks a function for the n-th request (any
method, headers and body: signed-in writes) and counts the answers by status, so that a caller
can check acknowledged writes against the database.
"""

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
        }


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


def request_bytes(port: int, method: str, path: str, *, headers: str = "", body: bytes = b"") -> bytes:
    """One HTTP/1.1 request on a keep-alive connection; `headers` are whole lines ending in CRLF."""
    length = f"Content-Length: {len(body)}\r\n" if body or method not in ("GET", "HEAD") else ""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}{length}Connection: keep-alive\r\n\r\n"
    return head.encode() + body


async def _worker(port, make_request, deadline, budget, latencies, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[1] < budget[0] and time.perf_counter() < deadline:
            number = budget[1]
            budget[1] += 1
            request = make_request(number)
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    finally:
        writer.close()


async def run_requests(
    port: int, make_request: Callable[[int], bytes], *, concurrency: int, requests: int, max_seconds: float
) -> Result:
    """Send `make_request(0)`, `make_request(1)`, ... (at most `requests`, for at most
    `max_seconds`) over `concurrency` keep-alive connections. Errors are answers of 400 or more."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    budget = [requests, 0]  # [how many in all, how many handed out]
    started = time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(
        *(_worker(port, make_request, deadline, budget, latencies, statuses) for _ in range(concurrency))
    )
    errors = sum(n for code, n in statuses.items() if code >= 400)
    return Result(len(latencies), errors, time.perf_counter() - started, latencies, statuses)


async def run(port: int, path: str, *, concurrency: int, requests: int, max_seconds: float, headers: str = "") -> Result:
    """GET `path` again and again."""
    request = request_bytes(port, "GET", path, headers=headers)
    return await run_requests(
        port, lambda _n: request, concurrency=concurrency, requests=requests, max_seconds=max_seconds
    )
