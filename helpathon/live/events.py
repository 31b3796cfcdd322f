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
}
