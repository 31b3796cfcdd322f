"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's
live server.

Never downloads a browser: the tests use /usr/bin/chromium (`make chromium` installs it) and
are skipped with a clear message when it is missing.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.asgi_server import asgi_server

# Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls from
# a thread with a running loop. The tests set up and check rows directly, so allow it (test-only).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (`make chromium`) to run the browser tests")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class ConsoleErrors:
    """Console errors and uncaught exceptions of a page. A test that expects one (for example the
    "Failed to load resource" line Chromium logs for a 400 page) allows it by pattern."""

    def __init__(self):
        self.errors: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def console_errors():
    return ConsoleErrors()


def _new_page(browser, console_errors, *, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="de-DE")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            console_errors.errors.append(f"console.error at {location.get('url') or page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.errors.append(f"uncaught exception on {page.url}: {error}"))
    return context, page


@pytest.fixture
def page(browser, live_server, console_errors):
    """A fresh browser context (1280×900, de-DE). The test fails if the page logs a console error
    (CSP violations are console errors) or throws an uncaught exception."""
    context, page = _new_page(browser, console_errors)
    yield page
    context.close()
    unexpected = console_errors.unexpected()
    assert not unexpected, "The browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def new_page(browser, live_server, console_errors):
    """Open further pages in their own contexts (a second person, a phone viewport); checked for
    console errors like `page`."""
    contexts = []

    def open_page(*, viewport=None):
        context, page = _new_page(browser, console_errors, viewport=viewport)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # `page` asserts too when both are used; this covers tests that only use `new_page`.
    unexpected = console_errors.unexpected()
    assert not unexpected, "The browser reported errors:\n" + "\n".join(unexpected)


# --- Pages on a real ASGI server (the live stream needs one) -----------------------------------


class Pages:
    """pages(viewport=...) -> a page in a fresh browser context (de-DE). `close()` closes them all:
    a test calls it before its server stops, so that no open stream breaks into a console error."""

    def __init__(self, browser, console_errors):
        self.browser, self.console_errors, self.contexts = browser, console_errors, []

    def __call__(self, *, viewport=None):
        context, page = _new_page(self.browser, self.console_errors, viewport=viewport)
        self.contexts.append(context)
        return page

    def close(self):
        while self.contexts:
            self.contexts.pop().close()


@pytest.fixture
def pages(browser, console_errors):
    """Browser pages checked for console errors like conftest's `page`, without starting
    pytest-django's live_server (these tests run their own ASGI server)."""
    opened = Pages(browser, console_errors)
    yield opened
    opened.close()
    unexpected = console_errors.unexpected()
    assert not unexpected, "The browser reported errors:\n" + "\n".join(unexpected)


@contextmanager
def serving(pages):
    """A real ASGI server for the test; the pages close before it stops."""
    with asgi_server() as server:
        try:
            yield server
        finally:
            pages.close()


@pytest.fixture
def url(live_server):
    """url("/editions/x/") -> absolute URL on the live server; absolute URLs (as mails carry them,
    made with SITE_URL) are moved onto the live server, keeping path and query."""

    def build(path_or_url: str) -> str:
        parts = urlsplit(path_or_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return live_server.url + path

    return build


# --- Screenshots ------------------------------------------------------------------------------


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves test-artifacts/screenshots/<test-name>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.png"
        # caret="initial": the default hides the caret with inline styles, which htmx copies into
        # swapped elements and our Content-Security-Policy then blocks (a console error).
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


# --- Accessibility ----------------------------------------------------------------------------


def axe_run(page) -> dict[str, list[dict]]:
    """Run axe-core on the current page with the WCAG 2.0/2.1 A and AA rules; return its
    "violations" and "incomplete" (needs a human's review) results, each rule with id, impact,
    help and per node its target selectors and failure summary.

    axe is injected with page.evaluate, which the site's Content-Security-Policy does not
    restrict (a <script> tag would be blocked by it, as it should be)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            const brief = (rules) => rules.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
            return {violations: brief(result.violations), incomplete: brief(result.incomplete)};
        }""",
        AXE_TAGS,
    )


def axe_audit(page) -> list[dict]:
    """The axe violations of the current page (see axe_run)."""
    return axe_run(page)["violations"]


def format_violations(violations: list[dict], *, where: str = "") -> str:
    lines = [f"axe found {len(violations)} serious/critical violation(s){' on ' + where if where else ''}:"]
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                            for n in v["nodes"][:3])
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
        if v["nodes"] and v["nodes"][0].get("summary"):
            summary = " ".join(v["nodes"][0]["summary"].split())
            lines.append(f"    {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> list[dict]:
    """No serious or critical axe violation on the current page; returns all violations."""
    violations = axe_audit(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, format_violations(blocking, where=where or page.url)
    return violations


ARIA_IDREF_ATTRIBUTES = ["aria-describedby", "aria-labelledby", "aria-errormessage", "aria-controls", "aria-owns"]


def broken_aria_references(page) -> list[str]:
    """ARIA attributes that name an id no element has (axe lists these only as "needs review"),
    and descriptions or labels that point to an empty element: either way the text meant for
    the field, for example its error message or the password rules, is never announced with it."""
    return page.evaluate(
        """(attributes) => {
            const broken = [];
            for (const attribute of attributes) {
                for (const el of document.querySelectorAll(`[${attribute}]`)) {
                    const value = el.getAttribute(attribute);
                    const ids = value.split(/\\s+/).filter(Boolean);
                    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
                    const missing = ids.filter(id => !document.getElementById(id));
                    if (missing.length) {
                        broken.push(`${name} ${attribute}="${value}": no element with id ${missing.join(", ")}`);
                    }
                    if (attribute === "aria-describedby" || attribute === "aria-labelledby") {
                        const empty = ids.filter(id => document.getElementById(id)?.textContent.trim() === "");
                        if (empty.length) {
                            broken.push(`${name} ${attribute}="${value}": ${empty.map(id => "#" + id).join(", ")} is empty`);
                        }
                    }
                }
            }
            return broken;
        }""",
        ARIA_IDREF_ATTRIBUTES,
    )


# --- Logging in -------------------------------------------------------------------------------


def log_in(page, url, email: str, password: str) -> None:
    """Log in through the login form (the way a person does)."""
    page.goto(url("/accounts/login/"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/login/'] [type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login as {email} failed, still on {page.url}"
