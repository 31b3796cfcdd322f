"""The per-process limit on requests running in Django at once (helpathon/concurrency.py): the
rest wait their turn in order; the live stream and the health endpoints never wait."""

import asyncio

from helpathon.concurrency import limit_concurrency


def _app_that_counts(running: list, peak: list, order: list):
    async def app(scope, receive, send):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        order.append(scope["path"])
        await asyncio.sleep(0.01)
        running[0] -= 1

    return app


def _scope(path: str) -> dict:
    return {"type": "http", "method": "GET", "path": path}


def test_at_most_the_limit_run_at_once_and_the_rest_in_order_of_arrival(settings):
    settings.REQUEST_CONCURRENCY = 3
    running, peak, order = [0], [0], []
    app = limit_concurrency(_app_that_counts(running, peak, order))

    async def main():
        await asyncio.gather(*(app(_scope(f"/api/v1/{n}"), None, None) for n in range(20)))

    asyncio.run(main())
    assert peak[0] == 3
    assert order == [f"/api/v1/{n}" for n in range(20)]


def test_the_live_stream_and_health_endpoints_do_not_wait(settings):
    settings.REQUEST_CONCURRENCY = 1
    running, peak, order = [0], [0], []
    app = limit_concurrency(_app_that_counts(running, peak, order))
    paths = ["/editions/stadt-2026/live/stream", "/health/live", "/health/ready"] * 3

    async def main():
        await asyncio.gather(*(app(_scope(path), None, None) for path in paths))

    asyncio.run(main())
    assert peak[0] == len(paths)


def test_zero_means_no_limit(settings):
    settings.REQUEST_CONCURRENCY = 0
    inner = _app_that_counts([0], [0], [])
    assert limit_concurrency(inner) is inner
