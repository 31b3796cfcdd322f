"""The production server of deploy/gunicorn.conf.py (gunicorn, uvicorn workers) in a subprocess,
on the test database, for tests of the deployment. Like tests/asgi_server.py, the test must commit
what the server should see (`django_db(transaction=True)`)."""

import os
import subprocess
import sys
from contextlib import contextmanager

from tests.asgi_server import ROOT, Server, database_url, free_port, serving

SECRET = "deploy-test-secret-key-" + "z" * 40


@contextmanager
def gunicorn_server(*, workers: int = 2, env: dict | None = None, database: str | None = None):
    """Start `gunicorn -c deploy/gunicorn.conf.py` on a free port; wait until /health/live answers.
    `server.output()` is its stderr: the log, JSON lines."""
    port = free_port()
    log = ROOT / "var" / f"test-gunicorn-{os.getpid()}-{port}.log"
    log.parent.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        # The project's settings with the tests' overrides (plain static files: no collectstatic).
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DATABASE_URL": database or database_url(),
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "BIND", "LOG_REQUESTS", "GUNICORN_CMD_ARGS"):
        environment.pop(name, None)
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=err,
        )
    with serving(Server(process, port, log), start_seconds=40, stop_seconds=15) as server:
        yield server
