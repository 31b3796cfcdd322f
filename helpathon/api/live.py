"""The live view as JSON: the snapshot of an edition and its event log (read-only, public).

A client loads the snapshot, then reads the events numbered after its `seq` — from the SSE
stream (`/editions/<slug>/live/stream`, not part of this API: it is not JSON) or, page by page,
from `/live/events` here.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from helpathon.api.schemas import ErrorOut, ValidationErrorOut
from helpathon.editions.selectors import edition_get
from helpathon.live import selectors
from helpathon.live.snapshot import snapshot

router = Router(tags=["live"])
EVENTS_MAX = 1000


class LiveEventOut(Schema):
    seq: int = Field(description="The event's number in its edition: commit order, no gaps.")
    type: str = Field(description="One of the types in helpathon/live/events.py, e.g. `idea.created`.")
    at: datetime
    data: dict = Field(description="The event's public payload.")


class LivePhaseOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime


class LiveEditionOut(Schema):
    slug: str
    title: str
    motto: str
    url: str
    starts_at: datetime
    ends_at: datetime


class LiveChallengeOut(Schema):
    id: int
    slug: str
    title: str
    url: str


class LiveIdeaOut(Schema):
    id: int
    challenge: int
    title: str
    status: str
    supports: int
    comments: int
    merged_into: int | None
    theme: str | None
    created_at: datetime
    url: str


class LiveLinkOut(Schema):
    source: int = Field(description="The idea that builds on `target`.")
    target: int
    kind: str


class LiveThemeOut(Schema):
    label: str
    size: int


class LivePrototypeOut(Schema):
    status: str
    version: int


class LiveTeamOut(Schema):
    id: int
    challenge: int
    name: str
    ideas: list[int]
    members: int
    prototype: LivePrototypeOut | None
    url: str


class LiveAnnouncementOut(Schema):
    id: int
    text: str
    at: datetime


class LiveSnapshotOut(Schema):
    seq: int = Field(description="The newest event this snapshot includes; apply events after it.")
    generated_at: datetime
    edition: LiveEditionOut
    phase: LivePhaseOut | None
    manual: bool = Field(description="True while an organizer holds the phase by hand.")
    agenda: list[LivePhaseOut]
    challenges: list[LiveChallengeOut]
    ideas: list[LiveIdeaOut]
    links: list[LiveLinkOut]
    themes: list[LiveThemeOut]
    teams: list[LiveTeamOut]
    announcements: list[LiveAnnouncementOut]
    recent: list[LiveEventOut]


class LiveEventsOut(Schema):
    events: list[LiveEventOut]
    next: int | None = Field(description="Ask again with `after` set to this for the next page; null at the end.")
    last: int = Field(description="The newest event number of the edition now.")


class EventsQuery(Schema):
    after: int = Field(0, ge=0, le=2**63 - 1)
    limit: int = Field(EVENTS_MAX, ge=1, le=EVENTS_MAX)


@router.get("/editions/{slug}/live/snapshot", response={200: LiveSnapshotOut, 404: ErrorOut},
            operation_id="live_snapshot")
def live_snapshot(request: HttpRequest, slug: str):
    """The live view of an edition now, and the event number it is valid for."""
    return snapshot(edition_get(slug=slug, user=request.user))


@router.get("/editions/{slug}/live/events", response={200: LiveEventsOut, 404: ErrorOut, 422: ValidationErrorOut},
            operation_id="live_events")
def live_events(request: HttpRequest, slug: str, query: Query[EventsQuery]):
    """The edition's events after `after`, oldest first (titles of ideas hidden since are null)."""
    edition = edition_get(slug=slug, user=request.user)
    return selectors.events_page(edition.pk, query.after, limit=query.limit)
