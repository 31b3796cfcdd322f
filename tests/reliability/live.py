"""A live viewer for the reliability tests: reads a server's SSE stream in a thread of its own
(tests/live/sse.py's client) and, when the stream ends (its server died), reconnects as a
browser's EventSource does, with Last-Event-ID, to wherever the test says the site now is."""

import threading
import time

from tests.live.sse import SSEClient, Timeout


class LiveViewer:
    def __init__(self, url: str, path: str, *, after: int):
        self.url, self.path, self.last = url, path, after
        self.events: list = []  # (seq, type, data) of every event message, in the order received
        self.reloads: list = []
        self.reconnects = 0
        self._stop = threading.Event()
        self.client = self._connect()
        assert self.client is not None, "the live stream did not open"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _connect(self) -> SSEClient | None:
        while not self._stop.is_set():
            try:
                client = SSEClient(self.url, self.path, last_event_id=self.last, timeout=2)
            except (OSError, Timeout):
                time.sleep(0.1)  # no server there (yet)
                continue
            if client.status == 200:
                return client
            client.close()
            time.sleep(0.1)
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            for message in self.client.messages(timeout=0.2):
                if message.event == "reload":
                    self.reloads.append(message.json)
                elif message.seq is not None:
                    self.events.append((message.seq, message.json["type"], message.json["data"]))
                    self.last = message.seq
            if self.client._closed:
                self.client.close()
                self.client = self._connect()
                if self.client is None:
                    return
                self.reconnects += 1

    def move_to(self, url: str) -> None:
        """Where the reader reconnects when its stream ends."""
        self.url = url

    def wait_for(self, seq: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.last < seq and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        if self.client is not None:
            self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def gaps(events: list, start: int, end: int) -> dict:
    """How the received event numbers differ from start+1 … end, each once and in order."""
    seqs = [seq for seq, _, _ in events]
    return {
        "missing": sorted(set(range(start + 1, end + 1)) - set(seqs)),
        "repeated": len(seqs) - len(set(seqs)),
        "out_of_order": sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a),
    }
