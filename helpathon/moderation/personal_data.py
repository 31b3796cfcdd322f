"""The reports a person made, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.moderation.models import Report


@contributor("reports")
def reports_part(user) -> list[dict]:
    return list(
        Report.objects.filter(reporter=user).order_by("created_at")
        .values("edition__slug", "idea_id", "comment_id", "reason", "status", "created_at")
    )
