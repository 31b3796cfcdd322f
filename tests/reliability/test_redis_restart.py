"""Redis killed (SIGKILL) and restarted during the event, under a steady write load.

Our own redis-server on a free port serves two server processes: the writers post comments
through the first, a live viewer watches the second, whose only news of those writes is Redis
(its periodic poll of the log is set to ten minutes). While Redis is down every write must still
succeed (the event log, the outbox, is in the database); once it is back, the second server
resubscribes, reads what it missed from the log, and the viewer receives every event once, in
order, without reconnecting.
"""

import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

from helpathon.live.selectors import cursor_seq
from tests.asgi_server import free_port
from tests.reliability.clients import check_comments, comment_load, in_thread, make_writers, server
from tests.reliability.live import LiveViewer, gaps

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None,
                       reason="needs the redis-server binary (apt install redis-server) to kill and restart"),
]

WRITERS = 10
PHASE = 1.5  # seconds of load with Redis up, down, and up again


class RedisServer:
    """A throwaway redis-server: no persistence, on a port of its own."""

    def __init__(self, port: int):
        self.port, self.process = port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                assert self.process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@contextmanager
def redis_server():
    own = RedisServer(free_port())
    own.start()
    try:
        yield own
    finally:
        if own.process.poll() is None:
            own.kill()


def test_a_redis_restart_loses_no_write_and_the_stream_catches_up_from_the_log(evaluation, ideas, server_secret):
    writers = make_writers(evaluation, WRITERS)
    began = time.monotonic()
    env = {"LIVE_POLL_SECONDS": "600"}  # the second server hears of the writes through Redis only
    with redis_server() as redis, server(redis_url=redis.url, env=env) as first, \
            server(redis_url=redis.url, env=env) as second:
        start = cursor_seq(evaluation.pk)
        stop = threading.Event()
        with LiveViewer(second.url, f"/editions/{evaluation.slug}/live/stream", after=start) as viewer:
            load = in_thread(comment_load, writers, {"port": first.port}, evaluation.slug, [i.pk for i in ideas], stop)
            time.sleep(PHASE)
            before = cursor_seq(evaluation.pk)
            viewer.wait_for(before, timeout=10)
            heard_before = viewer.last

            redis.kill()
            time.sleep(PHASE)
            during = cursor_seq(evaluation.pk) - before

            redis.start()  # the same port, empty: no subscriptions, no messages kept
            restarted, at_restart = time.monotonic(), cursor_seq(evaluation.pk)
            viewer.wait_for(at_restart, timeout=20)  # what was written while Redis was down
            recovered_in = time.monotonic() - restarted
            time.sleep(max(PHASE - recovered_in, 0))
            stop.set()
            load.join(timeout=30)
            assert not load.is_alive()
            end = cursor_seq(evaluation.pk)
            viewer.wait_for(end, timeout=20)
            caught_up = time.monotonic()
        server_log = first.output()

    figures = check_comments(writers)
    missed = gaps(viewer.events, start, end)
    print(f"\nreliability/redis: {WRITERS} writers, Redis killed and restarted once; {figures['writes']} writes,"
          f" {figures['acknowledged']} acknowledged ({during} while Redis was down), lost {figures['lost']},"
          f" duplicates {figures['duplicates']}; viewer on the other server: {len(viewer.events)} events,"
          f" gap {len(missed['missing'])}, repeated {missed['repeated']}, {viewer.reconnects} reconnect(s);"
          f" caught up {recovered_in:.1f} s after Redis was back;"
          f" {caught_up - began:.1f} s")

    assert heard_before >= before  # through Redis, before the outage
    assert during > 0  # writes went on while Redis was down ...
    # ... and every one of them succeeded: no error, nothing in doubt, nothing lost or doubled.
    assert (figures["refused"], figures["in_doubt"]) == (0, 0), [w.refused[:2] for w in writers if w.refused][:3]
    assert (figures["lost"], figures["duplicates"], figures["unexplained"]) == (0, 0, 0), figures
    assert " 500 " not in server_log and '"status": 500' not in server_log
    # The viewer got every event, once and in order, on the connection it had all along.
    assert viewer.reconnects == 0 and viewer.reloads == []
    assert missed == {"missing": [], "repeated": 0, "out_of_order": 0}, missed
    from helpathon.ideas.models import Comment

    committed = set(Comment.objects.filter(author_id__in=[w.user_id for w in writers]).values_list("pk", flat=True))
    announced = [data["comment"] for _, type_, data in viewer.events if type_ == "comment.created"]
    assert len(announced) == len(set(announced)) and set(announced) == committed
