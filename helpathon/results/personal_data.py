"""A person's supports and comments on innovation templates, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.results.models import TemplateComment, TemplateSupport


@contributor("results")
def results_part(user) -> dict:
    return {
        "template_supports": list(
            TemplateSupport.objects.filter(user=user).order_by("created_at", "pk").values("template_id", "voice", "created_at")
        ),
        "template_comments": list(
            TemplateComment.objects.filter(author=user).order_by("created_at", "pk")
            .values("id", "template_id", "voice", "body", "created_at", "hidden_at")
        ),
    }
