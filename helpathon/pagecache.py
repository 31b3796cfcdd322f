"""Public pages for visitors who are not signed in, rendered once per state of the site.

On the day, most readers are not signed in: the projector, the press, citizens following along.
Their pages are the same for everyone, so `public_page` keeps the rendered bytes in the cache and
serves them again until the site changes. What keys a page (`state`):

- a generation in the cache that moves with every committed save or delete of our models
  (signals) and every published live event (every visible change writes one in its
  transaction, DESIGN.md) — also changes that write no event, such as an organizer editing a
  challenge's text in the console, or a registration taking a place. With Redis every process
  (servers, the background worker, management commands) moves the one generation they share,
  and a page served from the cache costs no query;
- with a cache of this process only (no Redis: one server on a laptop), also the sum of every
  edition's live event number, read from the database (one query), so that what the background
  worker or a management command changes shows at once as well;
- the clock's position among every date the pages depend on (edition and registration
  windows, agenda phases, announcements): a phase that begins on time changes the pages
  without a write;
- the language, and the path with its query.

Every entry also expires after `TTL` seconds, a bound on anything the three miss (a bulk
`update()` in another process without Redis). Signed-in users, visitors with a session or
pending messages, HTMX requests and anything but a 200 always get a fresh render. A page's CSRF
token is not cached: the cached copy holds a placeholder that each response replaces with the
visitor's own token.
"""

import bisect
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from helpathon.editions.selectors import clock_moments
from helpathon.live.selectors import events_total

TTL = 60
PREFIX = "pagecache"
GENERATION_KEY = f"{PREFIX}:generation"
# The same length and alphabet as a real token: a page's layout does not change when it is swapped.
PLACEHOLDER = "pAgEcAcHe" * 7 + "x"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires", "Vary", "Content-Language")
# The live log moves the event number already.
_UNWATCHED_MODELS = {"live.liveevent", "live.livecursor"}
# Many-to-many changes watched on their own: an edition's partners, organizers and moderators,
# which the console changes without saving the edition. Every other many-to-many (an idea's tags,
# a team's ideas) changes in the transaction that saves its record, whose save is watched; a
# watched many-to-many also costs Django an extra query per `add()`.
_M2M_WATCHED = {"editions.edition"}

logger = logging.getLogger(__name__)
try:
    from redis.exceptions import RedisError

    CACHE_ERRORS: tuple = (RedisError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    CACHE_ERRORS = (OSError,)


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is rendered for the cache, its CSRF token is a
    placeholder (listed after Django's own `csrf` processor, so it wins)."""
    if getattr(request, "_pagecache_render", False):
        return {"csrf_token": PLACEHOLDER}
    return {}


# --- What keys a page --------------------------------------------------------------------------

def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Never a number used before (an evicted key must not bring old pages back).
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def _unreachable() -> None:
    logger.warning("page cache: the cache is unreachable; pages are rendered afresh")


def bump() -> None:
    """Move the generation. Never fails a write: with the cache down (Redis restarting) there is
    nothing to invalidate, and pages are rendered afresh until it is back."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not set (yet, or evicted): any new number will do
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except CACHE_ERRORS:
        _unreachable()


def _changed(sender, **kwargs) -> None:
    if sender._meta.label_lower in _UNWATCHED_MODELS:
        return
    # Now, so that nothing rendered from here on is stored as current (a render that reads the
    # old data keys it under the new number)... and after the commit, so that whatever was
    # rendered from the old data in between is left behind too.
    bump()
    transaction.on_commit(bump, using=kwargs.get("using"))


def _m2m_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        _changed(sender, **kwargs)


def watch() -> None:
    """Connect the generation to every model of our apps (called from the apps' ready())."""
    for config in apps.get_app_configs():
        if not config.name.startswith("helpathon."):
            continue
        for model in config.get_models():
            if model._meta.label_lower in _UNWATCHED_MODELS:
                continue
            uid = f"pagecache:{model._meta.label_lower}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save")
            post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete")
            if model._meta.label_lower not in _M2M_WATCHED:
                continue
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"pagecache:{through._meta.label_lower}:m2m")


def on_event(event) -> None:
    """After the commit of every live event (`live.services.on_published`)."""
    bump()


def shared() -> bool:
    """Does every process see this cache (Redis), so that the generation alone tells a change?"""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


class _Memo:
    """This process's copy of what it served last, in front of the cache: no round trip to Redis
    and no unpickling for a page served again. Its keys hold the site's state like the cache's,
    so it never serves anything the cache would not; at most `budget` bytes, oldest out first."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            expires, size, value = found
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key: str, value, size: int) -> None:
        if size > self.budget // 4:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + TTL, size, value)
            self.used += size
            while self.used > self.budget:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        self.used -= self._items.pop(key)[1]


_memo = _Memo(32 * 1024 * 1024)


def _through_memo(key: str, make, size=lambda value: 1024):
    """The value under `key` from this process's memo, else the cache, else `make()` (stored in
    both; None from `make` stores nothing). A cache that fails counts as empty."""
    value = _memo.get(key)
    if value is not None:
        return value
    try:
        value = cache.get(key)
    except CACHE_ERRORS:
        _unreachable()
    if value is None:
        value = make()
        if value is None:
            return None
        try:
            cache.set(key, value, TTL)
        except CACHE_ERRORS:
            _unreachable()
    _memo.set(key, value, size(value))
    return value


def state() -> str:
    """The site's state as public pages see it: one cache read when nothing changed, and without
    Redis one query (the event numbers). The dates change only with a save, so the generation
    keys them."""
    events = 0 if shared() else events_total()
    changed = generation()
    dates = _through_memo(f"{PREFIX}:dates:{changed}", clock_moments)
    position = bisect.bisect_right(dates, timezone.now().timestamp())
    return f"{events}.{changed}.{position}"


# --- Serving -----------------------------------------------------------------------------------

def _cacheable(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and request.headers.get("HX-Request") is None
        and not request.user.is_authenticated
    )


def _key(request) -> str:
    # The database's name too: two sites (or test runs) on one Redis must not share pages.
    site = settings.DATABASES["default"]["NAME"]
    path = hashlib.sha256(f"{site}\n{request.get_full_path()}".encode()).hexdigest()
    return f"{PREFIX}:page:{get_language()}:{state()}:{path}"


def _with_token(request, body: bytes) -> bytes:
    """The page with the visitor's own CSRF token where it was rendered for the cache."""
    if _PLACEHOLDER_BYTES in body:
        return body.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return body


def _respond(request, entry: tuple) -> HttpResponse:
    headers, body = entry
    response = HttpResponse(_with_token(request, body))
    for name, value in headers:
        response.headers[name] = value
    return response


def public_page(view):
    """Serve the view's answer to visitors who are not signed in from the cache (see above).
    For GET views whose answer to such a visitor depends on nothing but the site's state, the
    language and the URL."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        try:
            key = _key(request)
        except CACHE_ERRORS:  # render afresh, store nothing
            _unreachable()
            return view(request, *args, **kwargs)
        not_stored = []

        def render():
            request._pagecache_render = True
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                request._pagecache_render = False
            if response.status_code != 200 or response.streaming or response.cookies:
                not_stored.append(response)
                return None
            return [(name, response.headers[name]) for name in _KEPT_HEADERS if name in response.headers], response.content

        entry = _through_memo(key, render, size=lambda entry: len(entry[1]))
        if entry is None:
            response = not_stored[0]
            if not response.streaming:
                response.content = _with_token(request, response.content)
            return response
        return _respond(request, entry)

    return wrapped
