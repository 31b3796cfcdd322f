"""CSRF on every state-changing request, and oversized bodies refused with a clear 4xx.

Every URL pattern of the site (pages, allauth, admin) and every write operation of the API is
sent POST, PUT, PATCH and DELETE by a signed-in organizer whose client enforces CSRF and sends
no token: each answers 403, except the documented exemption (the one-click unsubscribe of a
mail, authorized by its signed token, which mail programs post without a session: RFC 8058).
"""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from helpathon.api.api import api
from helpathon.editions.services import phase_set

pytestmark = pytest.mark.django_db

METHODS = ["post", "put", "patch", "delete"]
# Exactly these views take writes without a CSRF token (by URL name).
EXEMPT = {"notifications:unsubscribe"}
# Values for the URL patterns' parameters (the objects need not exist: CSRF is checked first).
VALUES = {"slug": "test-edition", "challenge_slug": "challenge-1", "token": "abc", "kind": "idea", "key": "x",
          "uidb36": "x", "path": "x", "url": "x", "app_label": "accounts", "model_name": "user",
          "object_id": "1", "content_type_id": "1", "object_id_": "1"}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry.callback


def _concrete(route: str) -> str | None:
    """A path for a route: `<int:pk>` -> 1, `<slug:slug>` -> test-edition; None for regexes."""
    import re

    if "^" in route or "(?P" in route:
        # Regex routes (admin, allauth): fill their named groups and drop the anchors.
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: VALUES.get(m[1], "1"), route)
        route = route.replace("^", "").replace("$", "").replace("\\", "")
    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m[1] == "int" else VALUES.get(m[2], "x"), route)
    return "/" + route


def test_every_page_write_needs_a_csrf_token(organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    exempt, tried = set(), 0
    for route, name, callback in _patterns():
        if route.startswith("api/v1/"):
            continue  # the API: below
        path = _concrete(route)
        for method in METHODS:
            tried += 1
            response = getattr(client, method)(path)
            if response.status_code != 403:
                exempt.add(name)
                assert getattr(callback, "csrf_exempt", False), (method, path, response.status_code)
    assert exempt == EXEMPT
    assert tried > 400


def test_every_api_write_needs_a_csrf_token(organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    schema = api.get_openapi_schema()
    writes = [(method, path) for path, operations in schema["paths"].items() for method in operations
              if method in METHODS]
    assert len(writes) >= 15
    for method, path in writes:
        concrete = path.replace("{slug}", "test-edition").replace("{challenge}", "challenge-1") \
            .replace("{kind}", "idea").replace("{id}", "1")
        response = getattr(client, method)(concrete, "{}", content_type="application/json")
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json() == {"detail": "CSRF check Failed"}


# --- sizes ----------------------------------------------------------------------------------------


@pytest.fixture
def ideation(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    return edition


def test_a_form_post_over_the_limit_is_a_400(ideation, edition, participant):
    client = Client()
    client.force_login(participant)
    big = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(f"/editions/{edition.slug}/ideas/new/", {"title": "T", "body": big})
    assert response.status_code in {400, 413}


def test_a_json_body_over_the_limit_is_refused(ideation, edition, participant):
    client = Client()
    client.force_login(participant)
    big = json.dumps({"challenge": "challenge-1", "title": "T", "body": "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.post(f"/api/v1/editions/{edition.slug}/ideas", big, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code


def test_too_many_fields_are_a_400(ideation, edition, participant):
    client = Client()
    client.force_login(participant)
    data = {f"f{i}": "x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post(f"/editions/{edition.slug}/ideas/new/", data).status_code == 400


@pytest.mark.parametrize("view, field, limit", [("prototype/pitch/", "pdf", "PROTOTYPE_PDF_MAX_BYTES"),
                                                ("prototype/images/", "image", "PROTOTYPE_IMAGE_MAX_BYTES")])
def test_an_upload_over_the_limit_is_refused_with_a_message(world, organizer, participant, settings, view, field, limit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.fuzz.world import open_phase

    open_phase(world, organizer, "prototyping")
    setattr(settings, limit, 10_000)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(participant)
    upload = SimpleUploadedFile(f"big.{'pdf' if field == 'pdf' else 'png'}", b"%PDF-1.4\n" + b"0" * 20_000)
    response = client.post(f"/editions/{world.edition.slug}/teams/{world.team.pk}/{view}",
                           {field: upload, "alt": "Ein Bild"}, follow=True)
    assert response.status_code in {200, 400, 413}
    assert b"large" in response.content or b"MB" in response.content, response.content[:3000]
