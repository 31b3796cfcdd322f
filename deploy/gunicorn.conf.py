"""gunicorn for Helpathon: a master process and WEB_CONCURRENCY uvicorn workers (ASGI, so that the
live stream's SSE connections cost a coroutine, not a thread).

    gunicorn -c deploy/gunicorn.conf.py          # what `make serve-prod` and the systemd unit run

Environment: WEB_CONCURRENCY (workers, default 2: one per core of a 2-core machine), PORT (default
8000) or BIND (default 127.0.0.1:$PORT — nginx in front, never the open internet), LOG_FORMAT
(json unless DEBUG=1), FORWARDED_ALLOW_IPS (whose X-Forwarded-Proto/-For to trust; gunicorn's
default is 127.0.0.1, where nginx runs). Every worker is its own process: they need PostgreSQL
and Redis between them (see README, "Deployment").
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The log formatters below live in the project; the master loads them before any worker.
sys.path.insert(0, str(ROOT))

from helpathon.logging import default_log_format, formatter_for  # noqa: E402

chdir = str(ROOT)
wsgi_app = "helpathon.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
bind = [os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
proc_name = "helpathon"
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl): systemd manages the process, and
# several servers on one machine (tests, benchmarks) would share its path.
control_socket_disable = True

# A worker whose event loop stops answering for this long is replaced (uvicorn's worker reports
# from the loop, so a long SSE connection is no "long request").
timeout = 30
# On a restart, open SSE streams hold a worker up to this long; their browsers then reconnect
# with Last-Event-ID to another worker and miss nothing.
graceful_timeout = 10
# Longer than nginx keeps an idle upstream connection (60 s), so that nginx, not us, closes it
# and never sends a request on a connection we are closing.
keepalive = 75

# One request log line comes from Django (helpathon.logging.RequestLogMiddleware, with duration
# and redacted path): turn it on for the workers, and leave uvicorn's access log without a
# handler (it would log query strings).
os.environ.setdefault("LOG_REQUESTS", "1")
accesslog = None

_format = default_log_format(os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"})
# gunicorn's own lines (and uvicorn's, which the worker routes through gunicorn.error) in the same
# format as Django's, on stderr.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"default": formatter_for(_format)},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}
