"""Background work of the results (django-tasks)."""

from django_tasks import task


@task()
def ensure_templates(edition_id: int) -> int:
    from helpathon.editions.models import Edition
    from helpathon.results.services import templates_ensure

    edition = Edition.objects.prefetch_related("phases").get(pk=edition_id)
    return len(templates_ensure(edition=edition))
