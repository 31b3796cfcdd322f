"""No seeded email address or other personal field appears in any public page, API response,
live event or export (issue 8).

The permission world (tests/permissions/world.py) seeds people with distinctive email addresses
and names, most of whom did not agree to be named in results. As a visitor and as a participant
(not an organizer) this test asks every page of the permission table that the role may read,
every API GET operation, the live snapshot and log, reads every live event stored, and fetches
the exports; then it looks for every email address and its local part everywhere, and for the
names of people who did not agree to be named in the exports, the open data, the results API and
the template documents. Pages that show ideas and comments name their authors by design, so the
names are not looked for there. All findings are collected into one failure message.

The organizer's console, which must show the addresses, is checked to show them to the organizer
only.
"""

import itertools
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from helpathon.accounts.models import User
from helpathon.live.models import LiveEvent
from tests.permissions import table
from tests.permissions.test_walk import _api_operations, _value
from tests.permissions.world import EMAILS, NAMES, build_world, go_to
from tests.results.test_no_personal_data import _forbidden, _open_data_zip, fetch

SCANNED_ROLES = ("visitor", "participant")
# build_world leaves the agenda at public feedback; the results phase shows the outcome.
PHASES = ("public_feedback", "results")
# Not ours (allauth), not public (console, admin), or not a page (the endless stream).
SKIPPED_PREFIXES = ("account_", "console:", "admin:")
# Export formats of tests/results/test_no_personal_data.py (PDFs left out: they cost seconds).
EXPORTS = ("open_data_page", "open_data_json", "open_data_api", "template_markdown", "template_json",
           "template_api", "report")
# Where the names of people who did not agree to be named must not appear either.
STRICT_PAGES = {"results:open_data", "results:open_data_json", "results:open_data_csv", "results:report",
                "results:template_markdown", "results:template_json"}
STRICT_API = {"templates_list", "templates_detail", "open_data"}
# A person's own account pages show them their own address.
OWN_PAGES = {"accounts:profile", "accounts:data_export", "accounts:delete"}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RATELIMIT_ENABLE = False
    return build_world()


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


class Scan:
    def __init__(self):
        self.strict = _forbidden()  # emails, local parts, names withheld, room links
        withheld = {user.display_name for user in User.objects.filter(named_in_results=False)}
        self.lenient = {needle: why for needle, why in self.strict.items() if needle not in withheld}
        self.withheld = withheld
        self.names_on_pages: set[str] = set()  # withheld names seen where they are shown by design
        self.findings: list[str] = []
        self.count = 0
        self.size = 0

    def __call__(self, label: str, text: str, *, strict: bool, allowed: frozenset = frozenset()):
        self.count += 1
        self.size += len(text.encode())
        lowered = text.lower()
        needles = self.strict if strict else self.lenient
        if not strict:
            self.names_on_pages |= {name for name in self.withheld if name.lower() in lowered}
        for needle, why in needles.items():
            if needle not in allowed and needle.lower() in lowered:
                self.findings.append(f"{label}: {why}: {needle!r}")


def _pages(world, role: str):
    """(name, url) of every page of the table the role may read now."""
    phase = world.edition.phase_override.kind
    for name, route in table.PAGES.items():
        if name.startswith(SKIPPED_PREFIXES) or not route.walk or route.slow or route.get is None:
            continue
        if route.expected("get", role, phase) != "200":
            continue  # refused, a redirect, or the login: nothing of the object is shown
        kwargs = {key: _value(world, value) for key, value in route.args.items()}
        yield name, reverse(name, kwargs=kwargs or None)


def _api_gets(world, role: str):
    """(operationId, url) of every API GET operation the role may read now."""
    phase = world.edition.phase_override.kind
    for op, (method, path) in _api_operations().items():
        if method != "get" or table.API[op].expected("get", role, phase) != "200":
            continue
        for key, value in table.API[op].args.items():
            path = path.replace("{" + key + "}", str(_value(world, value)))
        yield op, path


def test_no_personal_data_in_any_public_answer(world):
    started = time.monotonic()
    scan = Scan()
    unanswered = []
    for phase, role in itertools.product(PHASES, SCANNED_ROLES):
        if world.edition.phase_override.kind != phase:
            go_to(world, world.users["organizer"], phase)
        client = Client()
        own, nav = frozenset(), None
        if role != "visitor":
            user = world.user(role)
            client.force_login(user)
            own = frozenset({user.email, user.email.split("@")[0]})
            # The menu names the signed-in person to themselves (base.html's profile link).
            nav = f'<span class="visually-hidden">: {user.display_name}</span>'
        for name, url in _pages(world, role):
            response = client.get(url)
            if response.status_code != 200:
                unanswered.append(f"{phase} {role} GET {name} ({url}): {response.status_code}")
                continue
            text = _body(response).replace(nav, "") if nav else _body(response)
            scan(f"{phase} {role} page {name}", text, strict=name in STRICT_PAGES,
                 allowed=own if name in OWN_PAGES else frozenset())
        for name, url in (("live:snapshot", "snapshot"), ("live:log", "log")):
            response = client.get(reverse(name, kwargs={"slug": world.edition.slug}))
            assert response.status_code == 200, name
            scan(f"{phase} {role} live {url}", _body(response), strict=False)
        for op, url in _api_gets(world, role):
            response = client.get(url)
            if response.status_code != 200:
                unanswered.append(f"{phase} {role} GET api:{op} ({url}): {response.status_code}")
                continue
            scan(f"{phase} {role} api {op}", _body(response), strict=op in STRICT_API)
        for fmt in EXPORTS:
            for label, text in fetch(fmt, client, world.edition):
                scan(f"{phase} {role} export {label}", text.replace(nav, "") if nav else text, strict=True)
        archive = _open_data_zip(client, world.edition)
        for member in archive.namelist():
            scan(f"{phase} {role} open data zip {member}", archive.read(member).decode("utf-8-sig"), strict=True)

    payloads = list(LiveEvent.objects.values("type", "payload"))
    assert payloads, "the world published no live events"
    scan("every stored live event", json.dumps(payloads, ensure_ascii=False, default=str), strict=False)

    took = time.monotonic() - started
    print(f"personal-data scan: {scan.count} answers, {scan.size:,} bytes in {took:.1f}s")
    assert scan.count > 250, scan.count  # the scan really scanned
    assert NAMES["builder"][0] in scan.names_on_pages, "the pages scanned show nobody's contributions"
    assert not unanswered, "pages the table declares readable did not answer 200:\n" + "\n".join(unanswered)
    assert not scan.findings, f"{len(scan.findings)} leaks of personal data:\n" + "\n".join(scan.findings)


def test_the_scan_finds_a_seeded_address_and_a_withheld_name(world):
    scan = Scan()
    scan("address", f"Kontakt: {EMAILS['participant'].upper()}", strict=False)
    assert len(scan.findings) == 2, scan.findings  # the address and its local part
    scan("name on a page", f"von {NAMES['builder'][0]}", strict=False)  # names: looked for where strict
    assert len(scan.findings) == 2, scan.findings
    scan("name in an export", f"von {NAMES['builder'][0]} und {NAMES['member'][0]}", strict=True)
    assert len(scan.findings) == 3 and NAMES["builder"][0] in scan.findings[-1], scan.findings  # Mats agreed


def test_the_console_shows_the_addresses_to_the_organizer_only(world):
    url = reverse("console:registrations", kwargs={"slug": world.edition.slug})
    organizer, participant = Client(), Client()
    organizer.force_login(world.user("organizer"))
    participant.force_login(world.user("participant"))
    response = organizer.get(url)
    assert response.status_code == 200
    text = _body(response)
    for role in ("participant", "member", "author", "builder", "applicant"):
        assert EMAILS[role] in text, role
    assert participant.get(url).status_code == 403
