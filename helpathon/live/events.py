"""Every live event type and what its payload may contain.

Payloads are public: they never hold an email address, a room link, private notes or hidden
content. `publish` rejects a payload with keys outside its type's list.
"""

EVENT_FIELDS: dict[str, frozenset[str]] = {
    "idea.created": frozenset({"idea", "challenge", "title", "author", "status", "builds_on", "tags"}),
    "idea.edited": frozenset({"idea", "challenge", "title", "version", "tags"}),
    "idea.linked": frozenset({"idea", "target", "kind"}),
    "idea.unlinked": frozenset({"idea", "target", "kind"}),
    "idea.merged": frozenset({"idea", "target"}),
    "idea.status_changed": frozenset({"idea", "status"}),
    "idea.hidden": frozenset({"idea"}),
    "idea.restored": frozenset({"idea", "challenge", "title", "status"}),
    "comment.created": frozenset({"comment", "idea", "author", "parent"}),
    "comment.hidden": frozenset({"comment", "idea"}),
    "comment.restored": frozenset({"comment", "idea"}),
    "comment.deleted": frozenset({"comment", "idea"}),
    "themes.updated": frozenset({"themes"}),
    "phase.changed": frozenset({"phase", "kind", "title", "manual"}),
    "announcement.created": frozenset({"announcement", "text"}),
    "announcement.withdrawn": frozenset({"announcement"}),
    # Evaluation: aggregates only, never who evaluated what.
    "support.changed": frozenset({"idea", "challenge", "supports"}),
    "rating.changed": frozenset({"target_kind", "target", "challenge", "raters"}),
    "comparison.recorded": frozenset({"challenge", "comparisons"}),
    "ranking.changed": frozenset({"challenge", "method", "top"}),
    # Teams: public facts only, never the room link or the notes.
    "team.founded": frozenset({"team", "challenge", "name", "ideas"}),
    "team.updated": frozenset({"team", "name", "looking_for_members"}),
    "team.member_joined": frozenset({"team", "members"}),
    "team.member_left": frozenset({"team", "members"}),
    "prototype.saved": frozenset({"team", "version"}),
    "prototype.submitted": frozenset({"team", "challenge"}),
    "prototype.reopened": frozenset({"team"}),
    # Results: the city's voice and the follow-up, as counts and public statuses.
    "template.created": frozenset({"template", "team", "challenge", "title"}),
    "template.feedback": frozenset({"template", "supports", "comments"}),
    "template.status_changed": frozenset({"template", "status"}),
}

# Events that state a whole current value: in a burst only the newest per key matters, so a
# stream may drop older ones with the same key that a client has not received yet.
COALESCE_BY: dict[str, tuple[str, ...]] = {
    "support.changed": ("idea",),
    "rating.changed": ("target_kind", "target"),
    "comparison.recorded": ("challenge",),
    "ranking.changed": ("challenge", "method"),
    "prototype.saved": ("team",),
    "themes.updated": (),
}


def coalesce(events: list) -> list:
    """Keep, of each coalescible (type, key), only the newest event, in log order. `events`
    are objects with `.type` and `.payload` (LiveEvent rows or their decoded form)."""
    newest = {}
    for position, event in enumerate(events):
        if event.type in COALESCE_BY:
            key = (event.type, *(event.payload.get(k) for k in COALESCE_BY[event.type]))
            newest[key] = position
    keep = set(newest.values())
    return [e for i, e in enumerate(events) if e.type not in COALESCE_BY or i in keep]
