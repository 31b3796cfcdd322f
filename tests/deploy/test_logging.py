"""Structured logs (helpathon/logging.py): JSON lines, and neither tokens nor email addresses."""

import io
import json
import logging

import pytest

from helpathon.logging import JsonFormatter, TextFormatter, loggable_path, redact


def record(message, *args, exc_info=None, **extra):
    entry = logging.LogRecord("helpathon.test", logging.WARNING, __file__, 1, message, args, exc_info)
    entry.__dict__.update(extra)
    return entry


@pytest.mark.parametrize("path, logged", [
    ("/registrations/confirm/AbC.12:x-y/", "/registrations/confirm/[redacted]/"),
    ("/mail/unsubscribe/eyJ1Ijo0Mn0:1t:sig/", "/mail/unsubscribe/[redacted]/"),
    ("/accounts/confirm-email/MjM:1u:abc/", "/accounts/confirm-email/[redacted]/"),
    ("/accounts/password/reset/key/1b-set-password/", "/accounts/password/reset/key/[redacted]/"),
    ("/accounts/password/reset/key/done/", "/accounts/password/reset/key/done/"),
    ("/editions/spring/ideas/?q=a&token=secret", "/editions/spring/ideas/"),
    ("/people/ada@example.org/", "/people/[email]/"),
])
def test_it_logs_paths_without_tokens_query_strings_or_emails(path, logged):
    assert loggable_path(path) == logged


def test_it_writes_one_json_object_per_line_without_secrets():
    try:
        raise ValueError('duplicate key: (email)=(ada@example.org)')
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    line = JsonFormatter().format(record("Not Found: %s for %s", "/registrations/confirm/T0KEN/", "ada@example.org",
                                         exc_info=exc_info, status_code=404))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "helpathon.test"
    assert entry["message"] == "Not Found: /registrations/confirm/[redacted]/ for [email]"
    assert entry["status"] == 404
    assert entry["time"].endswith("Z")
    assert "ValueError" in entry["exception"] and "ada@example.org" not in entry["exception"]


def test_its_text_form_is_redacted_too():
    line = TextFormatter().format(record("mail to %s via /mail/unsubscribe/T0KEN/", "ada@example.org"))
    assert "ada@example.org" not in line and "T0KEN" not in line
    assert line.endswith("mail to [email] via /mail/unsubscribe/[redacted]/")


@pytest.fixture
def json_log():
    """What the root logger writes, formatted as in production, while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    request_logger = logging.getLogger("helpathon.request")
    level = request_logger.level
    request_logger.setLevel(logging.INFO)  # LOG_REQUESTS=1
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)
    request_logger.setLevel(level)


@pytest.mark.django_db
def test_it_logs_each_request_once_with_its_id_but_not_health_checks(client, json_log, edition):
    response = client.get(f"/editions/{edition.slug}/?email=ada@example.org", HTTP_X_REQUEST_ID="from-nginx-1")
    assert response["X-Request-ID"] == "from-nginx-1"
    confirm = client.get("/registrations/confirm/T0KEN/")
    client.get("/health/ready")
    client.get("/health/live")

    requests = [entry for entry in json_log() if entry["logger"] == "helpathon.request"]
    assert [(e["method"], e["path"], e["status"]) for e in requests] == [
        ("GET", f"/editions/{edition.slug}/", 200),
        ("GET", "/registrations/confirm/[redacted]/", confirm.status_code),
    ]
    assert requests[0]["request_id"] == "from-nginx-1"
    assert requests[0]["duration_ms"] >= 0


@pytest.mark.django_db
def test_it_makes_its_own_request_id_when_the_given_one_is_odd(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="bad id\twith spaces")
    assert response["X-Request-ID"] != "bad id\twith spaces"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_request_id_reaches_djangos_own_log_lines(client, json_log):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    not_found = [entry for entry in json_log() if entry["logger"] == "django.request"]
    assert [entry["message"] for entry in not_found] == ["Not Found: /no-such-page/"]
    assert not_found[0]["request_id"] == response["X-Request-ID"]
