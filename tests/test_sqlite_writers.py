"""SQLite's writers queue fairly within a process (helpathon/sqlite/base.py): every transaction
takes the process's writer lock before BEGIN and gives it back however it ends."""

import threading

import pytest
from django.db import connection, connections, transaction

from helpathon.editions.models import Partner
from helpathon.sqlite import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's writer queue"),
]


def _free() -> bool:
    if base._writer.acquire(blocking=False):
        base._writer.release()
        return True
    return False


def test_many_threads_write_at_once_and_every_write_lands():
    errors, threads = [], []

    def writer(n: int):
        try:
            for i in range(10):
                with transaction.atomic():
                    Partner.objects.create(name=f"Partner {n}-{i}")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    for n in range(12):
        threads.append(threading.Thread(target=writer, args=(n,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Partner.objects.filter(name__startswith="Partner ").count() == 120
    assert _free()


def test_the_lock_is_held_for_the_transaction_only():
    assert _free()
    with transaction.atomic():
        Partner.objects.create(name="inside")
        assert connection._holds_writer and not _free()
        with transaction.atomic():  # a savepoint takes nothing more
            Partner.objects.create(name="nested")
    assert not connection._holds_writer and _free()


def test_a_rollback_gives_the_lock_back():
    with pytest.raises(ValueError), transaction.atomic():
        Partner.objects.create(name="rolled back")
        raise ValueError("undo")
    assert _free()
    assert not Partner.objects.filter(name="rolled back").exists()


def test_a_connection_closed_in_a_transaction_gives_the_lock_back():
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - whatever Django raises after the close
        Partner.objects.create(name="closed")
        connection.close()
        assert _free()
        Partner.objects.create(name="after the close")
    assert _free()
