"""A person's supports, ratings, pairwise answers and jury seats, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.evaluation.models import Comparison, JuryMember, Rating, Support


@contributor("evaluation")
def evaluation_part(user) -> dict:
    return {
        "supports": list(Support.objects.filter(user=user).order_by("created_at").values("idea_id", "created_at")),
        "ratings": list(
            Rating.objects.filter(rater=user).order_by("created_at")
            .values("target_kind", "target_id", "panel", "criterion__key", "value", "created_at", "updated_at")
        ),
        "comparisons": list(
            Comparison.objects.filter(voter=user).order_by("shown_at")
            .values("left_id", "right_id", "outcome", "shown_at", "answered_at")
        ),
        "jury_seats": list(JuryMember.objects.filter(user=user).values("edition__slug", "appointed_at")),
    }
