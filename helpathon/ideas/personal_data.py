"""A person's ideas, idea versions and comments, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.ideas.models import Comment, Idea, IdeaVersion


@contributor("ideas")
def ideas_part(user) -> dict:
    return {
        "ideas": list(
            Idea.objects.filter(author=user).order_by("created_at")
            .values("id", "edition__slug", "challenge__slug", "title", "body", "status", "created_at", "updated_at",
                    "hidden_at")
        ),
        "versions_edited": list(
            IdeaVersion.objects.filter(editor=user).order_by("created_at")
            .values("idea_id", "number", "title", "body", "tags", "note", "created_at")
        ),
        "comments": list(
            Comment.objects.filter(author=user).order_by("created_at")
            .values("id", "idea_id", "parent_id", "body", "created_at", "edited_at", "deleted_at", "hidden_at")
        ),
    }
