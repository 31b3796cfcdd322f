"""Who may do what, now: `may(user, action, obj)` is the single entry point.

Role predicates (visitor, citizen, participant, organizer) combine with the phase gate from
`editions.phases`. Views, the API, services and templates all ask `may()`. Later apps (teams,
jury, moderation) add their role predicates here.
"""

import rules
from django.contrib.auth.models import AnonymousUser

from helpathon.editions.agenda import agenda_for, registration_is_open
from helpathon.editions.models import Edition
from helpathon.editions.phases import ANYTIME_ACTIONS, PHASE_ACTIONS, WINDOW_ACTIONS, Action, phase_allows


def edition_of(obj) -> Edition:
    """The edition an object belongs to (an edition, a challenge, a registration…)."""
    if isinstance(obj, Edition):
        return obj
    edition = getattr(obj, "edition", None)
    if isinstance(edition, Edition):
        return edition
    idea = getattr(obj, "idea", None)  # a comment, a support…
    if idea is not None:
        return edition_of(idea)
    raise TypeError(f"{obj!r} does not belong to an edition")


def _role_cache(user, edition: Edition) -> dict:
    # Roles are asked many times per request (one per control on a page); remember them on
    # the user object so each costs at most one query per request.
    cache = user.__dict__.setdefault("_helpathon_roles", {})
    return cache.setdefault(edition.pk, {})


@rules.predicate
def is_citizen(user, obj) -> bool:
    """A signed-in person whose email address is verified."""
    if not user.is_authenticated or not user.is_active:
        return False
    if "verified" not in user.__dict__:
        user.__dict__["verified"] = user.emailaddress_set.filter(verified=True).exists()
    return user.__dict__["verified"]


def _edition_role(user, obj, role: str, lookup) -> bool:
    """Whether the active, signed-in `user` has `role` in the edition of `obj`, asking
    `lookup(edition)` at most once per request."""
    if not user.is_authenticated or not user.is_active:
        return False
    edition = edition_of(obj)
    cache = _role_cache(user, edition)
    if role not in cache:
        cache[role] = lookup(edition)
    return cache[role]


@rules.predicate
def is_organizer(user, obj) -> bool:
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return _edition_role(user, obj, "organizer", lambda edition: edition.organizers.filter(pk=user.pk).exists())


@rules.predicate
def is_moderator(user, obj) -> bool:
    return _edition_role(user, obj, "moderator", lambda edition: edition.moderators.filter(pk=user.pk).exists())


@rules.predicate
def is_author(user, obj) -> bool:
    """The author of the object; for an edition or challenge (asking whether some edit is
    possible at all) it holds for everyone."""
    author_id = getattr(obj, "author_id", None)
    if author_id is None:
        return True
    return user.is_authenticated and author_id == user.pk


@rules.predicate
def is_not_author(user, obj) -> bool:
    """Not the author of the object (nobody evaluates their own work); for an edition or
    challenge it holds for everyone."""
    author_id = getattr(obj, "author_id", None)
    return author_id is None or not user.is_authenticated or author_id != user.pk


@rules.predicate
def is_juror(user, obj) -> bool:
    return _edition_role(user, obj, "juror", lambda edition: edition.jury_members.filter(user=user).exists())


@rules.predicate
def is_participant(user, obj) -> bool:
    """Holds a confirmed place in the edition."""
    return _edition_role(
        user, obj, "participant",
        lambda edition: edition.registrations.filter(user=user, status="confirmed").exists(),
    )


def _timing(action: str):
    @rules.predicate(name=f"timing_allows_{action}")
    def timing_allows(user, obj) -> bool:
        edition = edition_of(obj)
        if action in ANYTIME_ACTIONS:
            return True
        if action in WINDOW_ACTIONS:
            return registration_is_open(edition)
        current = agenda_for(edition).current
        return phase_allows(current.kind if current else None, action, edition.phase_actions_extra)

    return timing_allows


# Who may act; the phase table says when. Participation stays gated for organizers too, so
# that the event is fair; they have their own actions to run it.
ROLE_RULES = {
    Action.REGISTER: is_citizen,
    Action.SUBMIT_IDEA: is_participant,
    Action.EDIT_IDEA: is_participant & is_author,
    Action.COMMENT: is_participant,
    Action.SUPPORT: is_participant & is_not_author,
    Action.RATE: is_participant & is_not_author,
    Action.COMPARE: is_participant,
    Action.CREATE_TEAM: is_participant,
    Action.JOIN_TEAM: is_participant,
    Action.EDIT_PROTOTYPE: is_participant,
    Action.SUBMIT_PROTOTYPE: is_participant,
    Action.JURY_SCORE: is_juror & is_not_author,
    Action.PUBLIC_FEEDBACK: is_citizen,
    Action.MANAGE_EDITION: is_organizer,
    Action.MODERATE: is_organizer | is_moderator,
    Action.REPORT: is_citizen,
}
assert set(ROLE_RULES) == set(Action), "every action needs a role rule"
assert all(set(actions) <= set(Action) for actions in PHASE_ACTIONS.values())

RULES = {action: ROLE_RULES[action] & _timing(action) for action in Action}

for _action, _predicate in RULES.items():
    rules.add_perm(f"helpathon.{_action}", _predicate)


def may(user, action: str, obj) -> bool:
    """May `user` do `action` on `obj` (an edition or something in one) right now?"""
    return RULES[Action(action)].test(user or AnonymousUser(), obj)
