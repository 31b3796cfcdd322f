"""Writes to editions: the organizers' manual control of the agenda, and their announcements."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Announcement, Edition, Phase, PhaseChange
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.live.services import publish


def _record(edition: Edition, *, actor, from_phase: Phase | None, to_phase: Phase | None, manual: bool) -> Edition:
    with transaction.atomic():
        edition.phase_override = to_phase if manual else None
        edition.save(update_fields=["phase_override"])
        PhaseChange.objects.create(
            edition=edition, changed_by=actor, from_phase=from_phase, to_phase=to_phase, manual=manual
        )
        publish(
            edition_id=edition.pk, type="phase.changed",
            payload={"phase": to_phase.pk if to_phase else None, "kind": to_phase.kind if to_phase else None,
                     "title": to_phase.display_title if to_phase else None, "manual": manual},
        )
    edition.__dict__.pop("_agenda", None)
    return edition


def phase_set(*, actor, edition: Edition, phase: Phase) -> Edition:
    """Make `phase` the current one by hand, whatever the clock says."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if phase.edition_id != edition.pk:
        raise ValidationError(_("This phase belongs to another edition."))
    return _record(edition, actor=actor, from_phase=agenda_for(edition).current, to_phase=phase, manual=True)


def phase_step(*, actor, edition: Edition, step: int) -> Edition:
    """Go to the next (step=1) or previous (step=-1) phase of the agenda by hand."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    agenda = agenda_for(edition)
    phases = agenda.phases
    if not phases:
        raise ValidationError(_("This edition has no agenda yet."))
    if agenda.current is not None:
        index = phases.index(agenda.current) + step
    elif step > 0:
        index = phases.index(agenda.next) if agenda.next else len(phases)
    else:
        index = (phases.index(agenda.next) - 1) if agenda.next else len(phases) - 1
    if not 0 <= index < len(phases):
        raise ValidationError(
            _("There is no later phase.") if step > 0 else _("There is no earlier phase.")
        )
    return _record(edition, actor=actor, from_phase=agenda.current, to_phase=phases[index], manual=True)


def phase_follow_clock(*, actor, edition: Edition) -> Edition:
    """Hand the agenda back to the clock."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if edition.phase_override_id is None:
        return edition
    from_phase = agenda_for(edition).current
    edition.phase_override = None
    edition.__dict__.pop("_agenda", None)
    return _record(edition, actor=actor, from_phase=from_phase, to_phase=agenda_for(edition).current, manual=False)


ANNOUNCEMENT_MAX = 500


def announcement_create(*, actor, edition: Edition, text: str) -> Announcement:
    """Broadcast a message to everyone following the edition (shown live on its open pages)."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    text = " ".join((text or "").replace("\x00", " ").split())  # no NUL: PostgreSQL refuses it
    if not text:
        raise ValidationError({"text": _("Please write the announcement.")})
    if len(text) > ANNOUNCEMENT_MAX:
        raise ValidationError(
            {"text": _("Please keep the announcement to %(max)d characters (it has %(count)d).")
             % {"max": ANNOUNCEMENT_MAX, "count": len(text)}}
        )
    with transaction.atomic():
        announcement = Announcement.objects.create(
            edition=edition, text=text, created_by=actor, created_at=timezone.now()
        )
        publish(edition_id=edition.pk, type="announcement.created",
                payload={"announcement": announcement.pk, "text": announcement.text})
    return announcement


def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    """Take an announcement down (it stays on record)."""
    if not may(actor, Action.MANAGE_EDITION, announcement.edition):
        raise PermissionDenied
    with transaction.atomic():
        current = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if current.withdrawn_at is None:
            current.withdrawn_at = timezone.now()
            current.withdrawn_by = actor
            current.save(update_fields=["withdrawn_at", "withdrawn_by"])
            publish(edition_id=current.edition_id, type="announcement.withdrawn",
                    payload={"announcement": current.pk})
    return current
