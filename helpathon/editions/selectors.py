"""Reads of editions, challenges and the agenda, with their queries tuned."""

import re

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from helpathon.editions.models import Announcement, Challenge, Edition, Phase
from helpathon.editions.rules import is_organizer


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def editions_visible(user=None) -> QuerySet[Edition]:
    """Published editions; drafts too for the organizers of them (and superusers)."""
    qs = Edition.objects.all()
    if user is not None and user.is_authenticated and user.is_superuser:
        return qs
    condition = Q(status=Edition.Status.PUBLISHED)
    if user is not None and user.is_authenticated:
        condition |= Q(organizers=user)
    return qs.filter(condition).distinct()


def _with_program(qs: QuerySet[Edition]) -> QuerySet[Edition]:
    return qs.prefetch_related(
        Prefetch("challenges", queryset=Challenge.objects.select_related("partner")),
        Prefetch("phases", queryset=Phase.objects.order_by("starts_at", "pk")),
        "partners",
    )


def editions_for_home(user=None, *, now=None) -> dict[str, list[Edition]]:
    """Current and upcoming editions (soonest first) and the archive (latest first)."""
    now = now or timezone.now()
    editions = list(_with_program(editions_visible(user)).order_by("starts_at"))
    current = [e for e in editions if e.starts_at <= now < e.ends_at]
    upcoming = [e for e in editions if e.starts_at > now]
    past = sorted((e for e in editions if e.ends_at <= now), key=lambda e: e.starts_at, reverse=True)
    return {"current": current, "upcoming": upcoming, "past": past}


def clock_moments() -> list[float]:
    """Every moment at which a public page may change by the clock alone (agenda phases, edition
    and registration windows, announcements), as sorted timestamps; one query."""
    rows = Phase.objects.order_by().values_list("starts_at", "ends_at").union(
        Edition.objects.order_by().values_list("starts_at", "ends_at"),
        Edition.objects.order_by().values_list("registration_opens_at", "registration_closes_at"),
        Announcement.objects.order_by().values_list("created_at", "created_at"),
        all=True,
    )
    return sorted(moment.timestamp() for row in rows for moment in row if moment is not None)


def edition_get(*, slug: str, user=None) -> Edition:
    """The edition with its program, or 404 — also for drafts the user may not see, so that
    nobody learns that a draft exists."""
    if not SLUG.fullmatch(slug or ""):
        raise Http404  # not a slug, so no such edition (and nothing odd reaches the database)
    edition = _with_program(editions_visible(user)).filter(slug=slug).first()
    if edition is None:
        raise Http404
    return edition


def challenge_get(*, edition: Edition, slug: str) -> Challenge:
    for challenge in edition.challenges.all():
        if challenge.slug == slug:
            return challenge
    raise Http404


def phase_changes(edition: Edition, user) -> list:
    if not is_organizer(user, edition):
        return []
    return list(edition.phase_changes.select_related("changed_by", "from_phase", "to_phase")[:10])


def edition_counts(editions: list[Edition]) -> dict[int, int]:
    """Confirmed participants per edition, in one query."""
    rows = (
        Edition.objects.filter(pk__in=[e.pk for e in editions])
        .annotate(n=Count("registrations", filter=Q(registrations__status="confirmed")))
        .values_list("pk", "n")
    )
    return dict(rows)


def announcements_current(edition: Edition, limit: int = 3) -> list[Announcement]:
    """The edition's announcements that are not withdrawn, newest first (one query)."""
    return list(
        Announcement.objects.filter(edition=edition, withdrawn_at__isnull=True)
        .only("pk", "edition_id", "text", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )


def announcements_recent(edition: Edition, user, limit: int = 10) -> list[Announcement]:
    """The latest announcements, withdrawn ones too, for the organizers' panel; nothing for
    anyone else."""
    if not is_organizer(user, edition):
        return []
    return list(edition.announcements.select_related("created_by", "withdrawn_by").order_by("-created_at", "-pk")[:limit])


def announcement_get(*, edition: Edition, pk: int) -> Announcement:
    if not 0 < pk < 2**63:
        raise Http404  # no such row (and a number the database could not compare)
    announcement = Announcement.objects.filter(edition=edition, pk=pk).first()
    if announcement is None:
        raise Http404
    return announcement
