"""The live banner of every edition page (base.html): the organizers' current announcements,
and where the page's script listens for new ones and for phase changes."""

from django import template
from django.core.handlers.asgi import ASGIRequest

from helpathon.editions import selectors
from helpathon.editions.models import Edition
from helpathon.live.selectors import cursor_seq

register = template.Library()

BANNER_LIMIT = 3


def _can_stream(request) -> bool:
    # A live stream holds its connection open for as long as the page is. Under ASGI that costs
    # a small task; under WSGI (Django's test server, a WSGI deployment) it would hold a worker
    # thread for good, so those pages stay without live updates.
    return isinstance(request, ASGIRequest)


@register.inclusion_tag("editions/_live_banner.html", takes_context=True)
def edition_live_banner(context, edition):
    """At most two queries: the edition's event number, then its current announcements. In this
    order: an announcement made in between then comes twice (the script skips the second)
    rather than not at all."""
    if not isinstance(edition, Edition) or edition.pk is None:
        return {"edition": None}
    stream = edition.status == Edition.Status.PUBLISHED and _can_stream(context.get("request"))
    seq = cursor_seq(edition.pk) if stream else None
    return {
        "edition": edition,
        "stream": stream,
        "seq": seq,
        "announcements": selectors.announcements_current(edition, limit=BANNER_LIMIT),
        "limit": BANNER_LIMIT,
    }
