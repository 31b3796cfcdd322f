"""Schemathesis against /api/v1/openapi.json: every operation, as a visitor and as a signed-in
participant (session cookie and CSRF header, as the API documents), in a populated edition whose
phase allows the operation's writes. Checks: no server error, the status code is one the
operation declares, and the body matches the schema declared for it.

Schemathesis generates valid and invalid input (its positive and negative modes) from the
document the app serves; path parameters are mostly mapped onto the edition and its rows, so
that the writes reach the services instead of stopping at a 404. Bounded and derandomized: the
same inputs every run.

Why not `schemathesis.pytest.from_fixture(...).parametrize()`: in schemathesis 4.32.5 it renames
pytest's node through `Function._nodeid`, which pytest 9.2 no longer has (AttributeError). The
tests below use schemathesis' loader, its strategies (`APIOperation.as_strategy`) and its checks
(`Case.call_and_validate`) with one pytest test per operation and role instead.
"""

import zlib

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from helpathon.api.api import api
from helpathon.wsgi import application
from tests.fuzz.world import open_phase

pytestmark = pytest.mark.django_db

EXAMPLES = 10
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = application
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
ROLES = ["visitor", "participant"]

# Which rows a path parameter `id` names, by the operation's path (ideas otherwise).
TEAM_PATHS = ("/teams/{id}", "/teams/{id}/")
PROTOTYPE_PATHS = ("prototype",)


def _id_kind(path: str) -> str:
    if path == "/api/v1/templates/{id}":
        return "template"
    return "team" if "/teams/{id}" in path else "idea"


def _phase(path: str) -> str:
    """The phase that allows the operation's writes (with the extendable actions granted)."""
    if "prototype" in path:
        return "prototyping"
    if path.endswith("/teams") or "/teams/{id}" in path or "join-requests" in path:
        return "team_building"
    return "ideation"


def _strategy(operation):
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


@pytest.fixture
def wsgi_connection_kept():
    # The WSGI handler closes the database connection after each request (request_finished);
    # the test's transaction lives on it, so keep it open, as Django's test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _headers(role: str, user) -> dict:
    if role == "visitor":
        return {"Cookie": "django_language=en"}
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}; django_language=en",
        "X-CSRFToken": token,
    }


def _aim(case, world) -> None:
    """Point three cases in four at the edition and its rows; the fourth keeps its generated
    values, so missing slugs and ids are tried too."""
    params = case.path_parameters
    if not params or zlib.crc32(repr(sorted(params.items(), key=str)).encode()) % 4 == 0:
        return
    if "slug" in params:
        params["slug"] = world.edition.slug
    if isinstance(params.get("challenge"), str):
        params["challenge"] = world.edition.challenges.order_by("order").first().slug
    if isinstance(params.get("id"), int):
        ids = world.ids[_id_kind(case.operation.path)]
        params["id"] = ids[params["id"] % len(ids)]
    if isinstance(params.get("kind"), str) and params["kind"] not in {"idea", "prototype"}:
        params["kind"] = "idea"


TRIED: dict[str, int] = {}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_api_answers_as_documented(operation, role, world, organizer, participant, settings, wsgi_connection_kept):
    # The write limits would turn most writes into 429s after a few examples; tests of their own
    # cover them.
    settings.RATELIMIT_ENABLE = False
    open_phase(world, organizer, _phase(operation.path))
    headers = _headers(role, participant)

    @given(case=_strategy(operation))
    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        _aim(case, world)
        key = f"{operation.method.upper()} {operation.path} as {role}"
        TRIED[key] = TRIED.get(key, 0) + 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
