"""Background work of the ideas app (django-tasks)."""

from django_tasks import task


@task()
def recompute_themes(edition_id: int) -> int:
    from helpathon.ideas.themes_service import themes_recompute

    return themes_recompute(edition_id=edition_id)
