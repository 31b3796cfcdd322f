"""Reads for moderation: the queue, and the lookups the views need, with their queries tuned.

Lookups raise Http404 for anything outside the edition, so a URL with a foreign id tells
nothing about what exists elsewhere.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404

from helpathon.editions.models import Edition
from helpathon.ideas.models import Comment, Idea
from helpathon.moderation.models import ModerationAction, Report

# Enough for a busy day; older entries stay in the admin.
QUEUE_LIMIT = 200
HIDDEN_LIMIT = 20


@dataclass
class QueueItem:
    """One reported idea or comment with all its open reports, oldest first."""

    kind: str  # "idea" or "comment"
    target: Idea | Comment
    idea: Idea
    reports: list[Report] = field(default_factory=list)

    @property
    def first_reported_at(self) -> datetime:
        return self.reports[0].created_at


def moderation_queue(edition: Edition) -> dict:
    """Open reports grouped by what they are about (longest waiting first), recently hidden
    ideas and comments, and counts. A fixed number of queries, however long the queue."""
    reports = list(
        Report.objects.filter(edition=edition, status=Report.Status.OPEN)
        .select_related(
            "reporter", "idea__author", "idea__challenge", "comment__author", "comment__idea__challenge",
        )
        .order_by("created_at", "pk")[:QUEUE_LIMIT]
    )
    items: dict[tuple[str, int], QueueItem] = {}
    for report in reports:
        if report.idea_id is not None:
            key = ("idea", report.idea_id)
            if key not in items:
                items[key] = QueueItem(kind="idea", target=report.idea, idea=report.idea)
        else:
            key = ("comment", report.comment_id)
            if key not in items:
                items[key] = QueueItem(kind="comment", target=report.comment, idea=report.comment.idea)
        items[key].reports.append(report)
    hidden_ideas = list(
        Idea.objects.filter(edition=edition, hidden_at__isnull=False)
        .select_related("author", "challenge")
        .order_by("-hidden_at", "-pk")[:HIDDEN_LIMIT]
    )
    hidden_comments = list(
        Comment.objects.filter(idea__edition=edition, hidden_at__isnull=False)
        .select_related("author", "idea__challenge")
        .order_by("-hidden_at", "-pk")[:HIDDEN_LIMIT]
    )
    # Idea URLs name the edition; hand it over instead of joining it once per row.
    for item in items.values():
        item.idea.edition = edition
    for idea in hidden_ideas:
        idea.edition = edition
    for comment in hidden_comments:
        comment.idea.edition = edition
    return {
        "items": list(items.values()),
        "hidden_ideas": hidden_ideas,
        "hidden_comments": hidden_comments,
        "counts": {
            "open_reports": Report.objects.filter(edition=edition, status=Report.Status.OPEN).count(),
            "hidden_ideas": Idea.objects.filter(edition=edition, hidden_at__isnull=False).count(),
            "hidden_comments": Comment.objects.filter(idea__edition=edition, hidden_at__isnull=False).count(),
        },
    }


def reportable_idea(*, edition: Edition, pk: int) -> Idea:
    """A publicly visible idea of the edition, or 404."""
    idea = Idea.objects.select_related("author", "challenge").filter(
        edition=edition, pk=pk, hidden_at__isnull=True
    ).first()
    if idea is None:
        raise Http404
    idea.edition = edition
    return idea


def reportable_comment(*, edition: Edition, pk: int) -> Comment:
    """A publicly visible comment on a visible idea of the edition, or 404."""
    comment = Comment.objects.select_related("author", "idea__challenge").filter(
        idea__edition=edition, pk=pk, hidden_at__isnull=True, deleted_at__isnull=True, idea__hidden_at__isnull=True,
    ).first()
    if comment is None:
        raise Http404
    comment.idea.edition = edition
    return comment


def idea_for_moderation(*, edition: Edition, pk: int) -> Idea:
    """Any idea of the edition, hidden or not (for moderators), or 404."""
    idea = Idea.objects.select_related("author", "challenge").filter(edition=edition, pk=pk).first()
    if idea is None:
        raise Http404
    idea.edition = edition
    return idea


def comment_for_moderation(*, edition: Edition, pk: int) -> Comment:
    comment = Comment.objects.select_related("author", "idea__challenge").filter(idea__edition=edition, pk=pk).first()
    if comment is None:
        raise Http404
    comment.idea.edition = edition
    return comment


def report_for_moderation(*, edition: Edition, pk: int) -> Report:
    report = Report.objects.select_related(
        "reporter", "idea__author", "comment__author", "comment__idea"
    ).filter(edition=edition, pk=pk).first()
    if report is None:
        raise Http404
    report.edition = edition
    return report


def moderation_history(*, idea: Idea | None = None, comment: Comment | None = None) -> list[ModerationAction]:
    """Every hide and restore of one item, latest first."""
    target = {"idea": idea} if idea is not None else {"comment": comment}
    return list(ModerationAction.objects.filter(**target).select_related("moderator"))
