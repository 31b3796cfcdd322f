"""Writes to editions: the organizer's manual control of the agenda."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, Phase, PhaseChange
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
