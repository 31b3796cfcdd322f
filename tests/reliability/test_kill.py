"""A server process killed (SIGKILL: no shutdown, no cleanup) in the middle of a steady write
load. A new one starts on the same database; the writers and a live viewer move to it.

Every acknowledged write must be in the database exactly once (a write in flight when the
process died may or may not have committed, but never twice), and the viewer, reconnecting with
Last-Event-ID, must receive every event exactly once, in order: each committed comment's
`comment.created` among them.
"""

import os
import signal
import threading
import time

import pytest

from helpathon.live.selectors import cursor_seq
from tests.reliability.clients import check_comments, comment_load, in_thread, make_writers, server
from tests.reliability.live import LiveViewer, gaps

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 20
BEFORE_KILL = 1.5  # seconds of load on the first server
AFTER_RESTART = 1.5  # seconds of load on the second


def test_a_killed_server_loses_no_acknowledged_write_and_its_viewers_catch_up_without_a_gap(
    evaluation, ideas, server_secret
):
    writers = make_writers(evaluation, WRITERS)
    start = cursor_seq(evaluation.pk)
    stop = threading.Event()
    began = time.monotonic()

    with server() as first:
        target = {"port": first.port}
        viewer = LiveViewer(first.url, f"/editions/{evaluation.slug}/live/stream", after=start)
        load = in_thread(comment_load, writers, target, evaluation.slug, [i.pk for i in ideas], stop)
        time.sleep(BEFORE_KILL)
        acked_before = sum(len(w.acked) for w in writers)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
        killed_at = time.monotonic()

        with server() as second:
            restarted_in = time.monotonic() - killed_at
            viewer.move_to(second.url)
            target["port"] = second.port
            time.sleep(AFTER_RESTART)
            stop.set()
            load.join(timeout=30)
            assert not load.is_alive()
            end = cursor_seq(evaluation.pk)
            viewer.wait_for(end, timeout=20)
            viewer.close()

    figures = check_comments(writers)
    missed = gaps(viewer.events, start, end)
    print(f"\nreliability/kill: {WRITERS} writers, 1 SIGKILL after {acked_before} acknowledged writes;"
          f" {figures['writes']} writes, {figures['acknowledged']} acknowledged, {figures['in_doubt']} in flight at"
          f" the kill ({figures['in_doubt_committed']} of them committed), lost {figures['lost']},"
          f" duplicates {figures['duplicates']}; new server answering {restarted_in:.1f} s after the kill;"
          f" viewer: {viewer.reconnects} reconnect(s), {len(viewer.events)} events, gap {len(missed['missing'])},"
          f" repeated {missed['repeated']}; {time.monotonic() - began:.1f} s")

    assert acked_before > 0 and figures["acknowledged"] > acked_before  # writes on both sides of the kill
    assert figures["refused"] == 0
    assert (figures["lost"], figures["duplicates"], figures["unexplained"]) == (0, 0, 0), figures
    # Only requests to the killed server went unanswered: those in flight, and those that reached
    # its listening socket between the signal and the process's end.
    assert {reason.split(":")[0] for w in writers for _, _, reason in w.in_doubt} <= {f"port {first.port}"}

    # The viewer: one reconnect, to the new server; every event once and in order, no reload.
    assert viewer.reconnects == 1 and viewer.reloads == []
    assert missed == {"missing": [], "repeated": 0, "out_of_order": 0}, missed
    assert [seq for seq, _, _ in viewer.events] == list(range(start + 1, end + 1))
    from helpathon.ideas.models import Comment

    committed = set(Comment.objects.filter(author_id__in=[w.user_id for w in writers]).values_list("pk", flat=True))
    announced = [data["comment"] for _, type_, data in viewer.events if type_ == "comment.created"]
    assert len(announced) == len(set(announced)) and set(announced) == committed
    acked_ids = {answer["id"] for w in writers for _, _, answer in w.acked}
    assert acked_ids <= committed
