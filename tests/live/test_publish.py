"""publish(): the outbox every service writes its live events to.

The promise (DESIGN.md, "The live event stream"): events of an edition are numbered in commit
order with no gap a reader could skip, so that a client reconnecting with Last-Event-ID gets
every missed event exactly once, in order, also under concurrent writers on PostgreSQL.
"""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from helpathon.live import services as live_services
from helpathon.live.models import LiveCursor, LiveEvent
from helpathon.live.services import on_published, publish
from tests.factories import make_edition

WRITERS = 8
TRANSACTIONS_PER_WRITER = 25


class Boom(Exception):
    pass


@pytest.fixture
def hooks(monkeypatch):
    """A clean list of after-commit hooks for the test, and what they saw."""
    monkeypatch.setattr(live_services, "_after_commit_hooks", [])
    seen = []
    on_published(seen.append)
    return seen


def _publish(edition_id: int, idea: int = 1) -> LiveEvent:
    return publish(edition_id=edition_id, type="idea.status_changed", payload={"idea": idea, "status": "shortlisted"})


def _seqs(edition) -> list[int]:
    return list(LiveEvent.objects.filter(edition=edition).order_by("seq").values_list("seq", flat=True))


# --- what publish accepts ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_publish_outside_a_transaction(edition):
    with pytest.raises(RuntimeError):
        _publish(edition.pk)

    assert (LiveEvent.objects.count(), LiveCursor.objects.count()) == (0, 0)


def test_it_refuses_an_unknown_event_type(edition):
    with pytest.raises(ValueError), transaction.atomic():
        publish(edition_id=edition.pk, type="idea.exploded", payload={"idea": 1})

    assert (LiveEvent.objects.count(), LiveCursor.objects.count()) == (0, 0)


@pytest.mark.parametrize("extra", ["email", "room_url", "body"])
def test_it_refuses_a_payload_key_its_type_does_not_carry(extra, edition):
    payload = {"comment": 1, "idea": 2, "author": "Petra Peer", "parent": None, extra: "x"}

    with pytest.raises(ValueError), transaction.atomic():
        publish(edition_id=edition.pk, type="comment.created", payload=payload)

    assert (LiveEvent.objects.count(), LiveCursor.objects.count()) == (0, 0)


def test_it_stores_the_event_with_the_change(edition):
    with transaction.atomic():
        event = publish(edition_id=edition.pk, type="idea.merged", payload={"idea": 3, "target": 4})

    stored = LiveEvent.objects.get()
    assert (stored.pk, stored.edition_id, stored.seq, stored.type, stored.payload) == (
        event.pk, edition.pk, 1, "idea.merged", {"idea": 3, "target": 4}
    )


# --- numbering -----------------------------------------------------------------------------------


def test_it_numbers_events_per_edition(edition):
    other = make_edition(slug="other-edition")

    for edition_id in (edition.pk, edition.pk, other.pk, edition.pk, other.pk):
        with transaction.atomic():
            _publish(edition_id)

    assert (_seqs(edition), _seqs(other)) == ([1, 2, 3], [1, 2])


def test_it_numbers_the_events_of_one_transaction_in_order(edition):
    with transaction.atomic():
        events = [_publish(edition.pk, idea=i) for i in range(3)]

    assert [e.seq for e in events] == _seqs(edition) == [1, 2, 3]


def test_it_leaves_no_gap_where_a_transaction_rolled_back(edition):
    with transaction.atomic():
        _publish(edition.pk)
    with pytest.raises(Boom), transaction.atomic():
        _publish(edition.pk)
        raise Boom

    with transaction.atomic():
        _publish(edition.pk)

    assert _seqs(edition) == [1, 2]


def test_it_publishes_in_three_queries_once_the_edition_has_a_cursor(edition, django_assert_max_num_queries):
    with transaction.atomic():
        _publish(edition.pk)

    # Lock the cursor (SELECT … FOR UPDATE), update it, insert the event; and the savepoint of
    # the atomic block and its release.
    with django_assert_max_num_queries(5), transaction.atomic():
        _publish(edition.pk)


# --- after commit --------------------------------------------------------------------------------


def test_it_runs_the_after_commit_hooks_only_after_commit(edition, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            event = _publish(edition.pk)
        assert hooks == []  # committed to the outbox, not yet told anyone

    assert (len(callbacks), hooks) == (1, [event])


def test_it_runs_no_after_commit_hook_for_a_rolled_back_event(edition, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            _publish(edition.pk)
            raise Boom

    assert (callbacks, hooks) == ([], [])


def test_it_runs_each_hook_once_per_event(edition, hooks, django_capture_on_commit_callbacks):
    also_seen = []
    on_published(also_seen.append)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first, second = _publish(edition.pk), _publish(edition.pk)

    assert hooks == also_seen == [first, second]


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_hooks_after_a_real_commit_and_never_after_a_rollback(edition, hooks):
    with transaction.atomic():
        kept = _publish(edition.pk)
        assert hooks == []
    with pytest.raises(Boom), transaction.atomic():
        _publish(edition.pk)
        raise Boom

    assert [e.pk for e in hooks] == [kept.pk]


# --- commit order under concurrent writers ---------------------------------------------------------


def _write_events(edition_id: int, start: threading.Barrier, errors: list) -> None:
    """One writer: 25 transactions, each publishing an event and then lingering a little, as a
    service doing more work after `publish` would. The linger widens every race."""
    try:
        start.wait()
        for i in range(TRANSACTIONS_PER_WRITER):
            with transaction.atomic():
                _publish(edition_id, idea=i)
                time.sleep(random.uniform(0, 0.002))
    except Exception as error:  # noqa: BLE001 - handed to the test thread
        errors.append(error)
    finally:
        connection.close()


def _read_events(edition_id: int, writers_done: threading.Event, seen: list, errors: list) -> None:
    """A reconnecting client: ask for everything after the last number seen, again and again.
    It must never see n+1 before n: that n would be skipped for good."""
    last = 0
    try:
        while True:
            finished = writers_done.is_set()  # read before the query: the last query sees all
            new = list(
                LiveEvent.objects.filter(edition_id=edition_id, seq__gt=last)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
            if new != list(range(last + 1, last + 1 + len(new))):
                raise AssertionError(f"after {last} a reader saw {new[:10]}: a gap it would skip")
            seen.extend(new)
            last = new[-1] if new else last
            if finished:
                return
            time.sleep(0.0005)
    except Exception as error:  # noqa: BLE001 - handed to the test thread
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_numbers_events_in_commit_order_without_gaps_under_concurrent_writers():
    edition = make_edition(slug="busy")
    errors: list = []
    seen: list[int] = []
    start = threading.Barrier(WRITERS)
    writers_done = threading.Event()
    reader = threading.Thread(target=_read_events, args=(edition.pk, writers_done, seen, errors))
    writers = [threading.Thread(target=_write_events, args=(edition.pk, start, errors)) for _ in range(WRITERS)]

    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    writers_done.set()
    reader.join(timeout=120)

    total = WRITERS * TRANSACTIONS_PER_WRITER
    assert errors == []
    assert not reader.is_alive() and not any(w.is_alive() for w in writers)
    assert seen == list(range(1, total + 1))  # the reader got every event exactly once, in order
    assert _seqs(edition) == list(range(1, total + 1))
    assert LiveCursor.objects.get(edition=edition).last_seq == total
