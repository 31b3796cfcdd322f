"""The editions' part of the live snapshot: the edition, its agenda, challenges, announcements."""

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Announcement
from helpathon.live.snapshot import contributor


def _phase(phase):
    return {
        "id": phase.pk, "kind": phase.kind, "title": str(phase.display_title),
        "starts_at": phase.starts_at.isoformat(), "ends_at": phase.ends_at.isoformat(),
    }


@contributor
def edition_part(edition) -> dict:
    agenda = agenda_for(edition)
    announcements = Announcement.objects.filter(edition=edition, withdrawn_at__isnull=True).order_by("-created_at")[:5]
    return {
        "edition": {
            "slug": edition.slug, "title": edition.title, "motto": edition.motto, "url": edition.get_absolute_url(),
            "starts_at": edition.starts_at.isoformat(), "ends_at": edition.ends_at.isoformat(),
        },
        "phase": _phase(agenda.current) if agenda.current else None,
        "manual": agenda.manual,
        "agenda": [_phase(p) for p in agenda.phases],
        "challenges": [
            {"id": c.pk, "slug": c.slug, "title": c.title, "url": c.get_absolute_url()}
            for c in sorted(edition.challenges.all(), key=lambda c: (c.order, c.pk))
        ],
        "announcements": [a.wire() for a in announcements],
    }


def redact_withdrawn(edition_id: int, items: list[dict]) -> None:
    """Blank the text of announcements withdrawn since (organizers take one down when it said
    what it should not have)."""
    ids = {item["data"].get("announcement") for item in items if item["type"] == "announcement.created"}
    if not ids:
        return
    withdrawn = set(
        Announcement.objects.filter(edition_id=edition_id, pk__in=ids, withdrawn_at__isnull=False)
        .values_list("pk", flat=True)
    )
    for item in items:
        if item["type"] == "announcement.created" and item["data"].get("announcement") in withdrawn:
            item["data"] = {**item["data"], "text": None, "withdrawn": True}
