"""The ideas' part of the live view: the snapshot's ideas, links and themes, and the redaction
of titles of ideas hidden since their events were written."""

from django.db.models import Q
from django.urls import reverse

from helpathon.ideas.models import Idea, IdeaLink, Theme
from helpathon.live.snapshot import contributor

# Events that carry an idea's title (the payload's `idea` names it).
_TITLED = frozenset({"idea.created", "idea.edited", "idea.restored"})


@contributor
def ideas_part(edition) -> dict:
    rows = (
        Idea.objects.filter(edition=edition, hidden_at__isnull=True)
        .order_by("created_at", "pk")
        .values_list("pk", "challenge_id", "title", "status", "support_count", "comment_count",
                     "merged_into_id", "theme__label", "created_at")
    )
    ideas = [
        {"id": pk, "challenge": challenge, "title": title, "status": status, "supports": supports,
         "comments": comments, "merged_into": merged_into, "theme": theme, "created_at": created_at.isoformat(),
         "url": reverse("ideas:detail", kwargs={"slug": edition.slug, "pk": pk})}
        for pk, challenge, title, status, supports, comments, merged_into, theme, created_at in rows
    ]
    links = (
        IdeaLink.objects.filter(source__edition=edition, kind=IdeaLink.Kind.BUILDS_ON,
                                source__hidden_at__isnull=True, target__hidden_at__isnull=True)
        .order_by("pk").values_list("source_id", "target_id", "kind")
    )
    themes = Theme.objects.filter(edition=edition).order_by("-size", "pk").values_list("label", "size")
    return {
        "ideas": ideas,
        "links": [{"source": s, "target": t, "kind": k} for s, t, k in links],
        "themes": [{"label": label, "size": size} for label, size in themes],
    }


def redact_hidden_titles(edition_id: int, items: list[dict]) -> None:
    """Blank the titles (and tags) of ideas that are hidden now (replays show that an idea came, not what
    moderation took down)."""
    ids = {item["data"].get("idea") for item in items if item["type"] in _TITLED}
    if not ids:
        return
    hidden = set(Idea.objects.filter(Q(pk__in=ids) & Q(hidden_at__isnull=False)).values_list("pk", flat=True))
    for item in items:
        if item["type"] in _TITLED and item["data"].get("idea") in hidden:
            item["data"] = {**item["data"], "title": None, "tags": [], "hidden": True}
