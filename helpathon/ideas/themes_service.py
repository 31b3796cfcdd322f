"""Keeping an edition's themes current: changes mark the themes dirty and queue one delayed
recompute; the recompute clusters the visible ideas (`ideas.themes`) and stores the result."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpathon.ideas.models import Idea, Theme, ThemeState
from helpathon.live.services import publish


def themes_mark_dirty(*, edition_id: int) -> None:
    """Call inside the transaction of an idea change. Queues a recompute after commit unless
    one is queued already."""
    if not settings.THEMES_AUTO:
        return
    ThemeState.objects.get_or_create(edition_id=edition_id)
    updated = ThemeState.objects.filter(edition_id=edition_id, queued=False).update(dirty=True, queued=True)
    ThemeState.objects.filter(edition_id=edition_id).update(dirty=True)
    if updated:
        transaction.on_commit(lambda: _enqueue(edition_id))


def _enqueue(edition_id: int) -> None:
    from helpathon.ideas.tasks import recompute_themes

    delay = settings.THEMES_DELAY_SECONDS
    if delay:
        recompute_themes.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(edition_id)
    else:
        recompute_themes.enqueue(edition_id)


def themes_recompute(*, edition_id: int) -> int:
    """Cluster the edition's visible ideas into themes and store them. Returns the number of
    themes. Safe to run at any time (also from `manage.py recompute_themes`)."""
    from helpathon.ideas.themes import compute_themes

    ThemeState.objects.update_or_create(edition_id=edition_id, defaults={"queued": False, "dirty": False})
    ideas = list(
        Idea.objects.filter(edition_id=edition_id, hidden_at__isnull=True)
        .exclude(status=Idea.Status.MERGED)
        .values_list("pk", "title", "body")
    )
    found = compute_themes([(pk, f"{title}\n{body}") for pk, title, body in ideas])
    now = timezone.now()
    with transaction.atomic():
        Idea.objects.filter(edition_id=edition_id).update(theme=None)
        Theme.objects.filter(edition_id=edition_id).delete()
        for result in found:
            theme = Theme.objects.create(
                edition_id=edition_id, label=result.label[:200], keywords=list(result.keywords)[:10],
                size=len(result.members), computed_at=now,
            )
            Idea.objects.filter(pk__in=result.members).update(theme=theme)
        ThemeState.objects.filter(edition_id=edition_id).update(computed_at=now, idea_count=len(ideas))
        publish(
            edition_id=edition_id, type="themes.updated",
            payload={"themes": [{"label": t.label, "size": len(t.members)} for t in found]},
        )
    return len(found)
