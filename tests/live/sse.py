"""A small Server-Sent Events client for tests: a raw socket, so that a read that times out
leaves nothing half-read (http.client's buffers promise nothing after a timeout).

    with SSEClient(server.url, "/editions/x/live/stream", last_event_id=3) as client:
        client.status                      # 200
        message = client.next(timeout=10)  # Message(id, event, data, comments, retry)
"""

import json
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Message:
    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def json(self):
        return json.loads(self.data)

    @property
    def seq(self) -> int | None:
        """The number of an event message; None for control messages and comments."""
        return int(self.id) if self.id is not None else None


class Timeout(AssertionError):
    pass


class SSEClient:
    def __init__(self, base_url: str, path: str, *, last_event_id=None, headers: dict | None = None, timeout=10,
                 receive_buffer: int | None = None):
        url = urlsplit(base_url)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:  # a small window: a client that stops reading backs the server up soon
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect((url.hostname, url.port))
        lines = [f"GET {path} HTTP/1.1", f"Host: {url.hostname}:{url.port}", "Accept: text/event-stream"]
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self._raw = b""  # bytes from the socket, not yet decoded from their chunks
        self._body = b""  # decoded body, not yet parsed into messages
        self._closed = False  # the server closed the connection
        self._chunked = False
        self._length = None
        self.log: list[Message] = []  # every message read so far
        self._read_head(time.monotonic() + timeout)

    # --- the HTTP layer ---------------------------------------------------------------------------

    def _recv(self, deadline: float) -> bool:
        """Read what the socket has until `deadline`; False when nothing came in time."""
        if self._closed or not self._recv_raw(deadline):
            return False
        self._decode()
        return True

    def _read_head(self, deadline: float) -> None:
        while b"\r\n\r\n" not in self._raw:
            if not self._recv_raw(deadline):
                raise Timeout(f"no response head; got {self._raw!r}")
        head, self._raw = self._raw.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self._chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        if "content-length" in self.headers:
            self._length = int(self.headers["content-length"])
        self._decode()

    def _recv_raw(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except (TimeoutError, socket.timeout):
            return False
        except OSError:  # reset by the server
            data = b""
        if not data:
            self._closed = True
            return False
        self._raw += data
        return True

    def _decode(self) -> None:
        if not hasattr(self, "status"):
            return
        if not self._chunked:
            self._body += self._raw
            self._raw = b""
            return
        while True:
            size_line, sep, rest = self._raw.partition(b"\r\n")
            if not sep:
                return
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self._closed = True
                self._raw = b""
                return
            if len(rest) < size + 2:
                return
            self._body += rest[:size]
            self._raw = rest[size + 2:]

    def read_body(self, timeout=10) -> str:
        """The whole body of a response that ends (an error page)."""
        deadline = time.monotonic() + timeout
        while not self._closed and (self._length is None or len(self._body) < self._length):
            if not self._recv(deadline):
                if self._closed:
                    break
                raise Timeout(f"the body did not end; got {self._body!r}")
        return self._body.decode()

    # --- the SSE layer ----------------------------------------------------------------------------

    def next(self, timeout=10) -> Message:
        """The next message (an event, a control message, or a comment such as a heartbeat)."""
        deadline = time.monotonic() + timeout
        while True:
            body = self._body.replace(b"\r\n", b"\n")
            if b"\n\n" in body:
                block, rest = body.split(b"\n\n", 1)
                self._body = rest
                message = parse_message(block.decode())
                self.log.append(message)
                return message
            if not self._recv(deadline):
                raise Timeout("no message in time" + (" (the server closed the stream)" if self._closed else ""))

    def messages(self, timeout) -> list[Message]:
        """Every message that arrives within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            try:
                out.append(self.next(timeout=max(deadline - time.monotonic(), 0.001)))
            except Timeout:
                return out

    def until(self, predicate, timeout=10) -> list[Message]:
        """Messages up to and including the first for which `predicate(message)` holds."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = self.next(timeout=max(remaining, 0.001))
            except Timeout:
                heard = [(m.id, m.event, m.data, m.comments) for m in out][-20:]
                raise Timeout(f"waited in vain; heard {heard}") from None
            out.append(message)
            if predicate(message):
                return out

    def until_seq(self, seq: int, timeout=10) -> list[Message]:
        return self.until(lambda m: m.seq is not None and m.seq >= seq, timeout=timeout)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def parse_message(block: str) -> Message:
    message = Message()
    data = []
    for line in block.split("\n"):
        if line.startswith(":"):
            message.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            message.id = value
        elif name == "event":
            message.event = value
        elif name == "data":
            data.append(value)
        elif name == "retry":
            message.retry = int(value)
    if data:
        message.data = "\n".join(data)
    return message


def events(messages) -> list[Message]:
    """The event messages (with an id) among `messages`."""
    return [m for m in messages if m.id is not None]


def controls(messages, name: str) -> list[dict]:
    return [m.json for m in messages if m.event == name]
