"""Structured logs: one JSON object per line, and a request log that never holds a secret.

`JsonFormatter` writes `time`, `level`, `logger`, `message` (and `pid`, `request_id`, the
request fields, `exception`) on one line; `TextFormatter` is the readable form for a laptop.
Both pass everything they write through `redact`: the tokens of opt-in, unsubscribe,
email-confirmation and password-reset links travel in the path, and Django logs paths ("Not
Found: /registrations/confirm/<token>/"), so the path segment after those prefixes is replaced;
anything shaped like an email address is replaced too, wherever it comes from (an exception
message from the database may quote one).

`RequestLogMiddleware` logs one line per request to the `helpathon.request` logger (method,
path without its query string, status, duration_ms) and gives every line logged while the request
runs its request id (nginx's `X-Request-ID`, or a new one). Health checks are not logged: a load
balancer asks every few seconds. The logger is quiet unless `LOG_REQUESTS` is on (the production
server's `deploy/gunicorn.conf.py` turns it on); the public live stream's lean path bypasses
Django and so this log (nginx's access log has it).

Only the standard library here: gunicorn's master process loads the formatters before Django.
"""

import contextvars
import json
import logging
import logging.config
import os
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REDACTED = "[redacted]"
# Paths whose next segment is a secret (a signed token or a key that grants something).
_SECRET_SEGMENT = re.compile(
    r"(/(?:registrations/confirm|mail/unsubscribe|accounts/confirm-email|accounts/password/reset/key)/)"
    r"(?!done/)[^/\s\"'?#]+"
)
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
_QUIET_PATHS = ("/health/",)


def redact(text: str) -> str:
    """`text` without path tokens and email addresses."""
    if "/" in text:
        text = _SECRET_SEGMENT.sub(lambda m: m[1] + REDACTED, text)
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    return text


def loggable_path(path: str) -> str:
    """The path of a request as it may be logged: no query string, no secret segment."""
    return redact(path.split("?", 1)[0])


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": record.process,
        }
        # Django logs a response's 4xx/5xx after the middleware returned; its record has the request.
        request_id = (getattr(record, "request_id", None) or request_id_var.get()
                      or getattr(getattr(record, "request", None), "request_id", None))
        if request_id:
            entry["request_id"] = request_id
        for name in _REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = redact(value) if isinstance(value, str) else value
        # Django's request logger ("Not Found: ...") carries the status as `status_code`.
        if "status" not in entry and isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, fmt="%(asctime)s %(levelname)s %(name)s: %(message)s", *args, **kwargs):
        super().__init__(fmt, *args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def formatter_for(log_format: str) -> dict:
    """A `logging.config.dictConfig` formatter entry for LOG_FORMAT ("json" or "text")."""
    if log_format not in {"json", "text"}:
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    return {"()": f"helpathon.logging.{'Json' if log_format == 'json' else 'Text'}Formatter"}


def default_log_format(debug: bool) -> str:
    return os.environ.get("LOG_FORMAT") or ("text" if debug else "json")


def configure(config: dict) -> None:
    """Django's LOGGING_CONFIG: the dict config, and Python's warnings through logging too (Django
    leaves them printed raw on stderr, which would break a log of JSON lines)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


# --- the request log ------------------------------------------------------------------------------

request_logger = logging.getLogger("helpathon.request")


def _request_id(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """First in MIDDLEWARE, so that its duration covers the whole of Django's work."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        from asgiref.sync import iscoroutinefunction, markcoroutinefunction

        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        token, started = self._start(request)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        return self._finish(request, response, started)

    async def _acall(self, request):
        token, started = self._start(request)
        try:
            response = await self.get_response(request)
        finally:
            request_id_var.reset(token)
        return self._finish(request, response, started)

    def _start(self, request):
        request.request_id = _request_id(request)
        return request_id_var.set(request.request_id), time.perf_counter()

    def _finish(self, request, response, started):
        response.headers.setdefault("X-Request-ID", request.request_id)
        if request_logger.isEnabledFor(logging.INFO) and not request.path.startswith(_QUIET_PATHS):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            path = loggable_path(request.path)
            request_logger.info(
                "%s %s %s %sms", request.method, path, response.status_code, duration_ms,
                extra={"method": request.method, "path": path, "status": response.status_code,
                       "duration_ms": duration_ms, "request_id": request.request_id},
            )
        return response
