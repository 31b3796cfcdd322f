"""Reads of registrations. Counts only ever leave this module as numbers: who registered is
for the person and the organizers."""

from django.db.models import Count

from helpathon.accounts.models import Sector
from helpathon.editions.models import Edition
from helpathon.registrations.models import Registration
from helpathon.registrations.services import places_taken

Status = Registration.Status


def registration_of(*, user, edition: Edition) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, edition=edition).first()


def registration_summary(edition: Edition) -> dict:
    """Numbers for the public edition page: confirmed people by sector, places, waitlist."""
    rows = (
        Registration.objects.filter(edition=edition, status__in=[Status.CONFIRMED, Status.WAITLISTED])
        .values_list("status", "sector")
        .annotate(n=Count("pk"))
    )
    by_sector = {value: 0 for value in Sector.values}
    waitlisted = 0
    for status, sector, n in rows:
        if status == Status.CONFIRMED:
            by_sector[sector] = by_sector.get(sector, 0) + n
        else:
            waitlisted += n
    confirmed = sum(by_sector.values())
    taken = places_taken(edition)
    return {
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "capacity": edition.capacity,
        "places_left": max(edition.capacity - taken, 0),
        "by_sector": [(label, by_sector[value]) for value, label in Sector.choices],
    }


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        edition_id=registration.edition_id, status=Status.WAITLISTED, queued_at__lt=registration.queued_at
    ).count()
    return ahead + 1
