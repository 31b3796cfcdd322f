"""Reads of registrations. Counts only ever leave this module as numbers: who registered is
for the person and the organizers."""

from django.db.models import Count, Q
from django.utils import timezone

from helpathon.accounts.models import Sector
from helpathon.editions.models import Edition
from helpathon.registrations.models import Registration

Status = Registration.Status


def registration_of(*, user, edition: Edition) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, edition=edition).first()


def registration_summary(edition: Edition, *, now=None) -> dict:
    """Numbers for the public edition page and the API, in one query: confirmed people by
    sector, places left (held places count as taken), waitlist length."""
    now = now or timezone.now()
    rows = (
        Registration.objects.filter(edition=edition)
        .filter(Q(status__in=[Status.CONFIRMED, Status.WAITLISTED]) | Q(status=Status.PENDING, expires_at__gt=now))
        .values_list("status", "sector")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_sector = dict.fromkeys(Sector.values, 0)
    totals = dict.fromkeys(Status.values, 0)
    for status, sector, n in rows:
        totals[status] += n
        if status == Status.CONFIRMED and sector in by_sector:
            by_sector[sector] += n
    taken = totals[Status.CONFIRMED] + totals[Status.PENDING]
    return {
        "confirmed": totals[Status.CONFIRMED],
        "waitlisted": totals[Status.WAITLISTED],
        "capacity": edition.capacity,
        "places_left": max(edition.capacity - taken, 0),
        "by_sector": [
            {"sector": value, "label": str(label), "count": by_sector[value]} for value, label in Sector.choices
        ],
    }


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITLISTED:
        return None
    # The same order as promotion: by queued_at, then pk.
    ahead = Registration.objects.filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk),
        edition_id=registration.edition_id,
        status=Status.WAITLISTED,
    ).count()
    return ahead + 1
