"""Who may see and do what: every page and API endpoint, as each role, in each phase, against
the declared table (tests/permissions/table.py).

The table must stay complete: a route that is not in it fails `test_it_declares_every_route`.
The walk builds one world, then for each phase, role and route sends a GET and (where the route
writes) its write, each inside a savepoint that is rolled back, so that no request changes what
the next one sees. All mismatches are collected into one failure message.
"""

import json
import time
from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from helpathon.api.api import api
from helpathon.evaluation.models import Rating
from helpathon.ideas.models import Comment
from helpathon.teams.models import Membership
from tests.permissions import table
from tests.permissions.world import build_world, go_to

# A change a write makes, where its status does not tell (see table: "done" / "not done").
EFFECTS = {
    "comments": lambda: Comment.objects.count(),
    "memberships": lambda: sorted(Membership.objects.values_list("pk", "role")),
    "jury_scores": lambda: sorted(Rating.objects.values_list("pk", "updated_at")),
}
OK_STATUSES = {400, 409, 422}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _django_routes(resolver=None, namespace=""):
    """(name, is_admin) of every named URL pattern, the API's operations excepted."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _django_routes(pattern, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or str(pattern.pattern))
            yield name


def _api_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) from the OpenAPI document."""
    schema = api.get_openapi_schema()
    found = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method, path)
    return found


def test_it_declares_every_route():
    operations = _api_operations()
    pages = set()
    for name in _django_routes():
        if name.startswith("admin:"):
            continue  # table.ADMIN
        if name.startswith("api:") and name.removeprefix("api:") in operations:
            continue
        pages.add(name)
    missing_pages = sorted(pages - set(table.PAGES))
    stale_pages = sorted(set(table.PAGES) - pages)
    missing_api = sorted(set(operations) - set(table.API))
    stale_api = sorted(set(table.API) - set(operations))
    assert not (missing_pages or stale_pages or missing_api or stale_api), (
        f"Declare every route in tests/permissions/table.py. Pages missing: {missing_pages}; "
        f"pages no longer routed: {stale_pages}; API operations missing: {missing_api}; stale: {stale_api}"
    )


def _value(world, value):
    if isinstance(value, str) and value.startswith("="):
        return value[1:]
    if isinstance(value, str) and value in world.objects:
        return world.objects[value]
    return value


def _data(world, data: dict) -> dict:
    return {key: _value(world, value) for key, value in data.items()}


def _requests(world):
    """(key, route, method, url, data, is_api) for everything the walk asks."""
    operations = _api_operations()
    out = []
    for name, route in table.PAGES.items():
        if not route.walk:
            continue
        kwargs = {key: _value(world, value) for key, value in route.args.items()}
        url = reverse(name, kwargs=kwargs or None)
        out.append((name, route, "get", url, {}, False))
        if route.write is not None or route.get is None:
            # Read-only pages: their POST is not asked (many answer it like GET; see README).
            out.append((name, route, route.method, url, _data(world, route.data), False))
    out.append(("admin:index", table.ADMIN, "get", reverse("admin:index"), {}, False))
    for op, route in table.API.items():
        method, path = operations[op]
        url = path
        for key, value in route.args.items():
            url = url.replace("{" + key + "}", str(_value(world, value)))
        out.append((f"api:{op}", route, method, url, _data(world, route.data), True))
    return out


def _classify(response, expected: str, changed: bool | None) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status == 302 and location.startswith(LOGIN_PATHS)
    if expected == "any":
        return status < 500
    if expected == "login":
        return to_login
    if expected == "redirect":
        return 300 <= status < 400 and not to_login
    if expected == "ok":
        return (200 <= status < 400 and not to_login) or status in OK_STATUSES
    if expected == "done":
        return bool(changed) and status < 500
    if expected == "not done":
        return changed is False and status < 500
    return str(status) == expected


def _send(client: Client, method: str, url: str, data: dict, is_api: bool):
    if method == "get":
        return client.get(url)
    if is_api:
        return client.generic(method.upper(), url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def _walk(world, phases, roles, requests, *, check_writes=True):
    clients = {}
    for role in roles:
        client = Client()
        if role != "visitor":
            client.force_login(world.user(role))
        clients[role] = client
    mismatches, count = [], 0
    cost = {}
    organizer = world.users["organizer"]
    for phase in phases:
        go_to(world, organizer, phase)
        for key, route, method, url, data, is_api in requests:
            if phase not in route.walk_phases():
                continue
            if method != "get" and not check_writes:
                continue
            effect = EFFECTS.get(route.effect) if route.effect else None
            for role in roles:
                if route.slow and role not in ("visitor", "organizer"):
                    continue
                expected = route.expected("get" if method == "get" else "write", role, phase)
                client = clients[role]
                cookies = SimpleCookie()
                cookies.load(client.cookies.output(header="", sep=";"))
                changed = None
                t0 = time.monotonic()
                try:
                    with transaction.atomic():
                        before = effect() if effect else None
                        response = _send(client, method, url, data, is_api)
                        changed = (effect() != before) if effect else None
                        transaction.set_rollback(True)
                except Exception as error:  # noqa: BLE001 - every failure is a finding
                    mismatches.append(f"{phase:15} {role:11} {method.upper():6} {key}: expected {expected}, "
                                      f"raised {type(error).__name__}: {error}")
                    continue
                finally:
                    client.cookies = cookies
                count += 1
                cost[key] = cost.get(key, 0) + time.monotonic() - t0
                if not _classify(response, expected, changed):
                    got = response.status_code
                    where = response.headers.get("Location", "")
                    mismatches.append(
                        f"{phase:15} {role:11} {method.upper():6} {key}: expected {expected}, got {got}"
                        + (f" -> {where}" if where else "") + (f" (changed: {changed})" if effect else "")
                    )
    slowest = sorted(cost.items(), key=lambda item: -item[1])[:12]
    print("slowest routes:", ", ".join(f"{key} {seconds:.1f}s" for key, seconds in slowest))
    return mismatches, count


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False  # hundreds of writes per person; limits have their own tests
    return build_world()


def test_it_answers_every_role_in_every_phase_as_the_table_says(world):
    started = time.monotonic()
    mismatches, count = _walk(world, table.PHASES, table.ROLES, _requests(world))
    took = time.monotonic() - started
    assert not mismatches, f"{len(mismatches)} of {count} answers differ from the table:\n" + "\n".join(mismatches)
    assert count > 2500, count  # the walk really walked
    print(f"permission walk: {count} answers in {took:.1f}s")


def test_it_hides_a_draft_edition_from_everyone_but_its_organizers(world):
    """Every edition page of a draft is a 404 (visitors: the login first where it needs one)."""
    mismatches = []
    clients = {}
    for role in table.ROLES:
        clients[role] = Client()
        if role != "visitor":
            clients[role].force_login(world.user(role))
    for name, route in table.PAGES.items():
        if set(route.args) != {"slug"} or not route.walk or route.get is None:
            continue
        url = reverse(name, kwargs={"slug": world.draft.slug})
        for role in table.ROLES:
            if role == "organizer":
                continue
            response = clients[role].get(url)
            expected = "login" if role == "visitor" and route.login else "404"
            if not _classify(response, expected, None):
                mismatches.append(f"{role:11} GET {name}: expected {expected}, got {response.status_code}")
    for op, route in table.API.items():
        method, path = _api_operations()[op]
        if method != "get" or set(route.args) != {"slug"}:
            continue
        url = path.replace("{slug}", world.draft.slug)
        for role in table.ROLES:
            if role == "organizer":
                continue
            response = clients[role].get(url)
            expected = "401" if role == "visitor" and route.get.anon == "401" else "404"
            if str(response.status_code) != expected:
                mismatches.append(f"{role:11} GET api:{op}: expected {expected}, got {response.status_code}")
    assert not mismatches, "\n".join(mismatches)
