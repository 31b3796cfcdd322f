"""Background work of the evaluation app (django-tasks)."""

from django_tasks import task


@task()
def announce_rankings(challenge_id: int) -> list[str]:
    from helpathon.evaluation.services import rankings_announce

    return rankings_announce(challenge_id=challenge_id)
