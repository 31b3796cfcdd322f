"""Script injection: every text a person can write is filled with payloads (through the services,
as the forms and the API would store it), then every page that shows them is opened in the real
browser. None may run: the payloads set `window.__xss` or open a dialog, and the test watches
both; no element may carry an event-handler attribute, a `javascript:` link or a script we did
not serve. The site's Content-Security-Policy would block inline scripts anyway (a blocked one
is a console error, which fails the test too): this proves the escaping beneath it.

The print HTML of the innovation template (what WeasyPrint turns into the PDF) is loaded with
`set_content`, without the site's CSP, so there only the escaping protects.
"""

import pytest
from django.urls import reverse

from helpathon.notifications.models import Mailing
from helpathon.notifications.services import mailing_create
from helpathon.results import documents
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.fuzz.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "[klick](javascript:window.__xss=1)",
    "[daten](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild](javascript:alert(1))",
    '[x](https://example.org" onmouseover="window.__xss=1)',
    "<a href=\"javascript:window.__xss=1\">a</a>",
    "{{constructor.constructor('window.__xss=1')()}}",
    "${window.__xss=1}",
    '<div style="background:url(javascript:window.__xss=1);width:expression(window.__xss=1)">css</div>',
    "<iframe src=\"javascript:window.__xss=1\"></iframe>",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "javascript:window.__xss=1",
]


def payload_text(field: str) -> str:
    """All payloads, starting at a different one for each field (short fields get cut off)."""
    start = sum(map(ord, field)) % len(PAYLOADS)
    return " ".join(PAYLOADS[start:] + PAYLOADS[:start])


DANGER = """() => {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
            if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
            if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
                && /^\\s*(javascript|data:text\\/html)/i.test(attr.value)) found.push(`${el.tagName} ${attr.name}=${attr.value}`);
        }
        if (el.tagName === "SCRIPT" && !el.src && !el.type?.includes("json")) found.push(`inline script: ${el.textContent.slice(0, 80)}`);
        if (el.tagName === "IFRAME" || el.tagName === "SVG" && el.getAttribute("onload")) found.push(el.tagName);
    }
    return found;
}"""


@pytest.fixture
def poisoned(edition, organizer, participant, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world(edition, organizer, participant, django_capture_on_commit_callbacks, text=payload_text)
    mailing_create(actor=organizer, edition=edition, audience=Mailing.Audience.values[0],
                   subject=payload_text("mailing_subject")[:150], body=payload_text("mailing_body"))
    return world


def _pages(world) -> list[str]:
    edition, slug = world.edition, world.edition.slug
    idea, team, other = world.ideas[0], world.team, world.other_team
    return [
        reverse("editions:detail", args=[slug]),
        reverse("ideas:list", args=[slug]),
        reverse("ideas:detail", args=[slug, idea.pk]),
        reverse("ideas:history", args=[slug, idea.pk]),
        reverse("teams:board", args=[slug]),
        reverse("teams:detail", args=[slug, other.pk]),
        reverse("teams:detail", args=[slug, team.pk]),
        reverse("teams:prototype", args=[slug, other.pk]),
        reverse("teams:prototype_history", args=[slug, other.pk]),
        reverse("teams:gallery", args=[slug]),
        reverse("results:list", args=[slug]),
        reverse("results:template", args=[slug, world.template.pk]),
        reverse("results:follow_up", args=[slug]),
        reverse("results:report", args=[slug]),
        reverse("results:open_data", args=[slug]),
        reverse("evaluation:rankings", args=[slug]),
        reverse("live:dashboard", args=[slug]),
        reverse("console:overview", args=[slug]),
        reverse("console:registrations", args=[slug]),
        reverse("console:mailings", args=[slug]),
        reverse("moderation:queue", args=[slug]),
    ]


def test_no_payload_runs_on_any_page(page, url, poisoned, organizer):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # pytest-django's live server speaks WSGI and cannot hold the live page's event stream open
    # (as in test_accessibility): answer it with an empty stream that asks to come back later.
    page.route("**/live/stream*", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body="retry: 3600000\n\n"))
    log_in(page, url, organizer.email, PASSWORD)
    checked = 0
    for path in _pages(poisoned):
        response = page.goto(url(path), wait_until="load")
        assert response.status == 200, (path, response.status)
        assert page.evaluate("() => window.__xss") is None, f"a payload ran on {path}"
        assert page.evaluate(DANGER) == [], path
        checked += 1
    assert not dialogs, dialogs
    # The payloads arrived as text: one shows, escaped, on the idea page.
    page.goto(url(reverse("ideas:detail", args=[poisoned.edition.slug, poisoned.ideas[0].pk])))
    assert "window.__xss" in page.content()
    assert checked == len(_pages(poisoned))


def test_no_payload_runs_in_the_template_print_html(page, poisoned):
    """The HTML WeasyPrint prints, without the site's CSP around it."""
    from helpathon.pdf import render_to_string

    template = poisoned.template
    detail = documents.template_detail(template)
    html = render_to_string("results/template_print.html", {
        "detail": detail, "edition": detail.edition, "template": template,
        "links": documents.template_urls(template), "site": "https://helpathon.example", "print": True,
    })
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(html)
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(DANGER) == []
    assert not dialogs
    assert "window.__xss" in page.content()
