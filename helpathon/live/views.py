"""The live dashboard, its replay, and the JSON and SSE it reads."""

from asgiref.sync import sync_to_async
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpathon.editions import selectors as edition_selectors
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.live import selectors
from helpathon.live.snapshot import snapshot as build_snapshot
from helpathon.live.stream import SSE_HEADERS, BadPosition, event_stream, parse_after
from helpathon.live.twin import twin
from helpathon.pagecache import public_page

LOG_PAGE = 1000


def _position_error() -> HttpResponseBadRequest:
    return HttpResponseBadRequest(_("The event number must be a whole number of zero or more."), content_type="text/plain; charset=utf-8")


@require_GET
@public_page
def dashboard(request, slug):
    edition = edition_selectors.edition_get(slug=slug, user=request.user)
    data = build_snapshot(edition)
    context = {
        "edition": edition,
        "snapshot": data,
        "twin": twin(data),
        "can_manage": may(request.user, Action.MANAGE_EDITION, edition),
        "projector": request.GET.get("projector") == "1",
    }
    return render(request, "live/dashboard.html", context)


@require_GET
def replay(request, slug):
    edition = edition_selectors.edition_get(slug=slug, user=request.user)
    return render(request, "live/replay.html", {"edition": edition, "snapshot": build_snapshot(edition, recent=0)})


@require_GET
@never_cache
@public_page
def snapshot(request, slug):
    edition = edition_selectors.edition_get(slug=slug, user=request.user)
    return JsonResponse(build_snapshot(edition), json_dumps_params={"ensure_ascii": False})


@require_GET
def log(request, slug):
    """The edition's events after `?after=` (oldest first, at most 1,000 a page), for replays."""
    edition = edition_selectors.edition_get(slug=slug, user=request.user)
    try:
        after = parse_after(None, request.GET.get("after")) or 0
    except BadPosition:
        return _position_error()
    page = selectors.events_page(edition.pk, after, limit=LOG_PAGE)
    return JsonResponse(page, json_dumps_params={"ensure_ascii": False})


@require_GET
async def stream(request, slug):
    """Server-Sent Events: every event after `Last-Event-ID` (or `?after=`), then live.

    Under ASGI the public stream of a published edition is served by the lean path in
    `live.asgi` before Django sees the request; this view serves the rest (an organizer's draft)
    and any server that reaches Django."""
    user = await request.auser()
    edition = await sync_to_async(edition_selectors.edition_get)(slug=slug, user=user)
    try:
        after = parse_after(request.headers.get("Last-Event-ID"), request.GET.get("after"))
    except BadPosition:
        return _position_error()
    return StreamingHttpResponse(event_stream(edition.pk, after), headers=SSE_HEADERS)
