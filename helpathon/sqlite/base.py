"""Django's SQLite backend with fair writers within one process.

SQLite has one writer at a time. Our transactions begin IMMEDIATE (settings.py), so each takes
the write lock at BEGIN, and a thread that finds it taken waits in SQLite's busy handler: it
sleeps and tries again, at longer and longer intervals (up to 100 ms). Under a burst of writes
(the opening minute of voting) newcomers, who try again soonest, keep overtaking those that have
waited longest: the median write took 0.08 s but the slowest 2.5 s. Here the threads of one
process queue on a lock before BEGIN instead, and the next one starts the moment the last one
commits. Other processes (the background worker, a management command) still meet the busy
handler. A thread that cannot get the lock within the busy timeout goes on to BEGIN as before.
"""

import threading
from contextlib import contextmanager

from django.db.backends.sqlite3 import base

_writer = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        self._holds_writer = _writer.acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self._holds_writer:
            self._holds_writer = False
            _writer.release()

    @contextmanager
    def _giving_back(self):
        """Run a statement that ends the transaction, then give the lock back, whatever happens."""
        try:
            yield
        finally:
            self._release_writer()

    def _commit(self):
        with self._giving_back():
            return super()._commit()

    def _rollback(self):
        with self._giving_back():
            return super()._rollback()

    def _close(self):
        with self._giving_back():
            return super()._close()
