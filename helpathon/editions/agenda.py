"""Which phase is current: the organizer's override if set, otherwise the clock."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from helpathon.editions.models import Edition, Phase


@dataclass(frozen=True)
class Agenda:
    phases: list[Phase]
    current: Phase | None
    next: Phase | None
    manual: bool
    now: datetime

    @property
    def next_change_at(self) -> datetime | None:
        """When the clock moves the agenda on (None while an organizer holds it)."""
        if self.manual:
            return None
        if self.current is not None:
            return self.current.ends_at
        return self.next.starts_at if self.next else None


def agenda_for(edition: Edition, *, now: datetime | None = None) -> Agenda:
    """Build the agenda from the edition's phases (prefetch `phases` to keep it to no query).

    The result is cached on the edition instance for the life of the request.
    """
    cached = getattr(edition, "_agenda", None)
    if cached is not None and now is None:
        return cached
    moment = now or timezone.now()
    phases = list(edition.phases.all())
    if edition.phase_override_id is not None:
        current = next((p for p in phases if p.pk == edition.phase_override_id), None)
        manual = current is not None
    else:
        current, manual = None, False
    if not manual:
        current = next((p for p in phases if p.starts_at <= moment < p.ends_at), None)
    if current is not None:
        index = phases.index(current)
        upcoming = phases[index + 1] if index + 1 < len(phases) else None
    else:
        upcoming = next((p for p in phases if p.starts_at > moment), None)
    agenda = Agenda(phases=phases, current=current, next=upcoming, manual=manual, now=moment)
    if now is None:
        edition._agenda = agenda
    return agenda


def registration_is_open(edition: Edition, *, now: datetime | None = None) -> bool:
    """Published and within its registration window (drafts take no registrations)."""
    moment = now or timezone.now()
    return (
        edition.status == Edition.Status.PUBLISHED
        and edition.registration_opens_at <= moment < edition.registration_closes_at
    )


def edition_timing(edition: Edition, *, now: datetime | None = None) -> str:
    """'upcoming', 'running' or 'past' by the edition's own dates."""
    moment = now or timezone.now()
    if moment < edition.starts_at:
        return "upcoming"
    if moment < edition.ends_at:
        return "running"
    return "past"
