"""The production server (deploy/gunicorn.conf.py: gunicorn, two uvicorn workers) on the test
database: ready, serving pages and the live stream, logging JSON without secrets, and not ready
when Redis or the database is away.

`make serve-prod` runs on PostgreSQL and Redis only (several processes share them), so do these
tests: CI's PostgreSQL + Redis pass runs them, the SQLite pass skips them.
"""

import http.client
import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests.deploy.gunicorn_server import gunicorn_server
from tests.factories import make_user
from tests.live.sse import SSEClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="the production set-up (make serve-prod) runs on PostgreSQL and Redis: "
        "run with DATABASE_URL=postgres://... and REDIS_URL=redis://...",
    ),
]

EMAIL = "deploy-log-probe@example.org"
TOKENS = ("Tok3nOptIn-abc.def:ghi", "Tok3nUnsub-xyz:123", "Tok3nQuery-456")


def closed_port() -> int:
    from tests.asgi_server import free_port

    return free_port()  # bound once and released: nothing listens there


def server_redis_url() -> str:
    # A Redis database of these servers' own (pub/sub spans databases; channel names carry the
    # test database's name).
    return settings.REDIS_URL.rsplit("/", 1)[0] + "/14"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), gunicorn_server(
        workers=2, env={"REDIS_URL": server_redis_url(), "DATABASE_POOL": "1"}
    ) as server:
        yield server


def get(server, path: str, **headers) -> tuple[int, "http.client.HTTPMessage", bytes]:
    request = urllib.request.Request(server.url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def log_lines(server) -> list[dict]:
    lines = [line for line in server.output().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


def test_it_runs_two_uvicorn_workers_and_is_ready(server):
    booted = {line["pid"] for line in log_lines(server) if line["message"].startswith("Booting worker")}
    assert len(booted) == 2
    assert any("uvicorn_worker.UvicornWorker" in line["message"] for line in log_lines(server))

    status, _headers, body = get(server, "/health/ready")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "redis": "ok"}


def test_it_serves_pages(server, edition):
    status, _headers, body = get(server, "/")
    assert status == 200
    status, _headers, body = get(server, f"/editions/{edition.slug}/", Cookie="django_language=en")
    assert status == 200
    assert edition.title.encode() in body
    status, headers, _body = get(server, "/static/css/helpathon.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")


def test_it_streams_live_events_without_proxy_buffering(server, edition):
    with SSEClient(server.url, f"/editions/{edition.slug}/live/stream") as client:
        assert client.status == 200
        assert client.headers["content-type"].startswith("text/event-stream")
        assert client.headers["x-accel-buffering"] == "no"
        assert client.next().retry == 3000


def test_its_log_is_json_lines_without_emails_or_tokens(server, edition):
    make_user(EMAIL)
    opt_in, unsubscribe, in_query = TOKENS
    get(server, f"/registrations/confirm/{opt_in}/")
    get(server, f"/mail/unsubscribe/{unsubscribe}/")
    get(server, f"/editions/{edition.slug}/?email={EMAIL}&token={in_query}")
    assert get(server, f"/no-such-page/{EMAIL}/")[0] == 404  # Django logs "Not Found: <path>"
    get(server, "/health/ready")
    status, headers, _body = get(server, "/", **{"X-Request-ID": "nginx-req-42"})
    assert headers["X-Request-ID"] == "nginx-req-42"

    text = server.output()
    assert EMAIL not in text
    for token in TOKENS:
        assert token not in text
    lines = log_lines(server)
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
    requests = [line for line in lines if line["logger"] == "helpathon.request"]
    paths = {line["path"] for line in requests}
    assert {"/registrations/confirm/[redacted]/", "/mail/unsubscribe/[redacted]/", f"/editions/{edition.slug}/",
            "/no-such-page/[email]/"} <= paths
    assert not any(path.startswith("/health/") for path in paths)
    for line in requests:
        assert line["method"] == "GET"
        assert isinstance(line["status"], int) and isinstance(line["duration_ms"], float)
        assert line["request_id"]
    assert any(line["request_id"] == "nginx-req-42" for line in requests)
    not_found = [line for line in lines if line["message"] == "Not Found: /no-such-page/[email]/"]
    assert len(not_found) == 1
    assert not_found[0]["logger"] == "django.request"
    assert not_found[0]["status"] == 404 and not_found[0]["request_id"]


def test_it_is_not_ready_while_redis_is_away(db):
    with gunicorn_server(workers=1, env={"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}) as server:
        assert get(server, "/health/live")[0] == 200
        status, _headers, body = get(server, "/health/ready")
    assert status == 503
    assert json.loads(body) == {"status": "failing", "database": "ok", "redis": "failing"}


def test_it_is_not_ready_while_the_database_is_away(db):
    away = f"postgres://postgres@127.0.0.1:{closed_port()}/helpathon"
    with gunicorn_server(workers=1, database=away, env={"REDIS_URL": server_redis_url()}) as server:
        assert get(server, "/health/live")[0] == 200
        status, _headers, body = get(server, "/health/ready")
    assert status == 503
    assert json.loads(body) == {"status": "failing", "database": "failing", "redis": "ok"}
