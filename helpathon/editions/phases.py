"""The one table of what each phase kind allows.

Every participation action is gated by the current phase of its edition: the services ask
`editions.rules.may()`, which reads this table. Registration is gated by its own window
(`Edition.registration_opens_at`/`closes_at`), organizer actions by nothing but the role.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import PhaseKind


class Action(models.TextChoices):
    REGISTER = "register", _("register")
    SUBMIT_IDEA = "submit_idea", _("submit an idea")
    EDIT_IDEA = "edit_idea", _("edit an idea")
    COMMENT = "comment", _("comment")
    SUPPORT = "support", _("support ideas")
    RATE = "rate", _("rate")
    COMPARE = "compare", _("compare ideas in pairs")
    CREATE_TEAM = "create_team", _("found a team")
    JOIN_TEAM = "join_team", _("join a team")
    EDIT_PROTOTYPE = "edit_prototype", _("edit a prototype")
    SUBMIT_PROTOTYPE = "submit_prototype", _("submit a prototype")
    JURY_SCORE = "jury_score", _("score as jury")
    PUBLIC_FEEDBACK = "public_feedback", _("give public feedback")
    MANAGE_EDITION = "manage_edition", _("run the edition")
    MODERATE = "moderate", _("moderate")
    REPORT = "report", _("report content")


PHASE_ACTIONS: dict[str, frozenset[str]] = {
    PhaseKind.REGISTRATION: frozenset(),
    PhaseKind.KICKOFF: frozenset(),
    PhaseKind.IDEATION: frozenset({Action.SUBMIT_IDEA, Action.EDIT_IDEA, Action.COMMENT}),
    PhaseKind.EVALUATION: frozenset({Action.COMMENT, Action.SUPPORT, Action.RATE, Action.COMPARE}),
    PhaseKind.TEAM_BUILDING: frozenset({Action.COMMENT, Action.CREATE_TEAM, Action.JOIN_TEAM}),
    PhaseKind.PROTOTYPING: frozenset(
        {Action.COMMENT, Action.JOIN_TEAM, Action.EDIT_PROTOTYPE, Action.SUBMIT_PROTOTYPE}
    ),
    PhaseKind.PITCHES: frozenset(),
    PhaseKind.JURY: frozenset({Action.JURY_SCORE}),
    PhaseKind.PUBLIC_FEEDBACK: frozenset({Action.PUBLIC_FEEDBACK}),
    PhaseKind.RESULTS: frozenset(),
}

# Actions whose timing is not a phase: registration has its window, organizers act any time.
WINDOW_ACTIONS = frozenset({Action.REGISTER})
ANYTIME_ACTIONS = frozenset({Action.MANAGE_EDITION, Action.MODERATE, Action.REPORT})


# Actions an edition may add to a phase kind (`Edition.phase_actions_extra`), e.g. letting the
# jury score during evaluation, or participants rate during prototyping.
EXTENDABLE_ACTIONS = frozenset(
    {Action.SUPPORT, Action.RATE, Action.COMPARE, Action.JURY_SCORE, Action.COMMENT, Action.JOIN_TEAM}
)


def phase_allows(kind: str | None, action: str, extra: dict | None = None) -> bool:
    """Does a phase of `kind` allow `action`, by the table and the edition's `extra` grants?"""
    if kind is None:
        return False
    return action in PHASE_ACTIONS[kind] or action in (extra or {}).get(kind, ())


def validate_phase_actions_extra(value) -> None:
    """The shape of `Edition.phase_actions_extra`: {phase kind: [extendable action, ...]}."""
    from django.core.exceptions import ValidationError

    if not isinstance(value, dict):
        raise ValidationError(_("Give a mapping of phase kinds to lists of actions."))
    for kind, actions in value.items():
        if kind not in PHASE_ACTIONS:
            raise ValidationError(_("Unknown phase kind: %(kind)s") % {"kind": kind})
        if not isinstance(actions, list) or not all(isinstance(a, str) and a in EXTENDABLE_ACTIONS for a in actions):
            allowed = ", ".join(sorted(EXTENDABLE_ACTIONS))
            raise ValidationError(_("Only these actions can be added to a phase: %(allowed)s") % {"allowed": allowed})
