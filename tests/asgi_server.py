"""Real ASGI servers for tests of the live stream: uvicorn in subprocesses, on the test database.

The test must commit what the server should see (`transactional_db` or `live_server`). Each
server is a process of its own, as in production: events written by the test process reach it
through Redis or through its poll of the log, events written through its own pages and API
through its in-process broker.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the test database this process uses (after pytest-django created it)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def asgi_server(*, redis_url: str | None = None, env: dict | None = None, workers: int = 1):
    """Start `uvicorn helpathon.asgi:application` on a free port and wait until it answers."""
    port = free_port()
    log = ROOT / "var" / f"test-server-{os.getpid()}-{port}.log"
    log.parent.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url if redis_url is not None else (settings.REDIS_URL or ""),
        "DEBUG": "0",
        "SECRET_KEY": "test-server-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "helpathon.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--lifespan", "off"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
    with serving(Server(process, port, log), start_seconds=30, stop_seconds=10) as server:
        yield server


@contextmanager
def serving(server: Server, *, start_seconds: float, stop_seconds: float):
    """Wait until `server` answers /health/live, yield it, then stop its process and remove its
    log (also for servers other than uvicorn, e.g. tests/deploy's gunicorn)."""
    process = server.process
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/health/live", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the test server did not start:\n{server.output()}") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.log.unlink(missing_ok=True)
