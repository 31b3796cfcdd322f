"""Evaluation links for the edition and challenge pages, and small filters for the rankings."""

from django import template

from helpathon.editions.agenda import agenda_for
from helpathon.editions.phases import phase_allows
from helpathon.editions.rules import is_juror, is_organizer
from helpathon.evaluation import selectors

register = template.Library()


def _evaluation_began(edition, agenda) -> bool:
    """Has a phase that allows evaluating begun (so that rankings have something to show)?"""
    extra = edition.phase_actions_extra

    def votes(phase):
        return any(phase_allows(phase.kind, action, extra) for action in selectors.VOTING_ACTIONS)

    if agenda.current is not None:
        upto = agenda.phases.index(agenda.current) + 1
        return any(votes(phase) for phase in agenda.phases[:upto])
    return any(votes(phase) and phase.starts_at <= agenda.now for phase in agenda.phases)


@register.inclusion_tag("evaluation/_links.html", takes_context=True)
def evaluation_links(context, edition, challenge=None):
    """Links to evaluate, to the rankings and to the jury's pages, for whom they are relevant:
    evaluating while it is open, rankings once evaluation began and they may be seen."""
    user = context["request"].user
    agenda = agenda_for(edition)
    began = _evaluation_began(edition, agenda)
    return {
        "edition": edition,
        "challenge": challenge,
        "evaluate": selectors.voting_open(edition),
        "rankings": began and selectors.rankings_visible(user, edition),
        "organizer": is_organizer(user, edition),
        "juror": is_juror(user, edition),
    }


@register.filter
def scale(value, bounds: str = "0,100") -> str:
    """The position of `value` between the bounds as 0-100, written for an SVG attribute
    (never localized: a decimal comma would break the drawing)."""
    low, high = (float(b) for b in bounds.split(","))
    if value is None or high == low:
        return "0"
    position = 100 * (float(value) - low) / (high - low)
    return f"{min(100.0, max(0.0, position)):.1f}"


@register.filter
def percent(value):
    """A share (0-1) as a percentage (0-100), for `floatformat`."""
    return None if value is None else 100 * float(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def ranked(rows, attr: str) -> list[tuple[int | None, object]]:
    """(rank, row) pairs in the rows' order, equal values sharing a rank (1, 2, 2, 4), so that
    a tie is not shown as an order; rows without a value get None."""
    ranked_rows, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        value = getattr(row, attr)
        if value is None:
            ranked_rows.append((None, row))
            continue
        value = round(value, 6) if isinstance(value, float) else value
        if value != previous:
            rank, previous = position, value
        ranked_rows.append((rank, row))
    return ranked_rows
