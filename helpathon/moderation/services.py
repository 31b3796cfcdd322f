"""All writes of moderation: report, hide, restore, dismiss.

Each service validates, asks `may()`, changes, and records a live event in the same
transaction. Hiding never deletes: the text stays in the database with the reason, the
`ModerationAction` log says who did what and why, and the author is told by mail after commit.

A hidden idea keeps its comments; they disappear with the idea from public views because the
readers filter on the idea. A hidden comment no longer counts in `Idea.comment_count`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.ideas.models import Comment, Idea
from helpathon.ideas.themes_service import themes_mark_dirty
from helpathon.live.services import publish
from helpathon.moderation import emails
from helpathon.moderation.models import ModerationAction, Report

REPORT_REASON_MIN, REPORT_REASON_MAX = 3, 500
# Idea.hidden_reason and Comment.hidden_reason hold 300 characters.
DECISION_REASON_MIN, DECISION_REASON_MAX = 3, 300


def _one_target(idea: Idea | None, comment: Comment | None) -> Idea | Comment:
    if (idea is None) == (comment is None):
        raise TypeError("pass exactly one of idea= or comment=")
    return idea if idea is not None else comment


def _clean_reason(reason: str, *, low: int, high: int, field: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < low:
        message = _("Please give a reason of at least %(limit_value)d characters.")
        raise ValidationError({field: message % {"limit_value": low}})
    if len(reason) > high:
        message = _("The reason may have at most %(limit_value)d characters.")
        raise ValidationError({field: message % {"limit_value": high}})
    return reason


def _edition_id(item: Idea | Comment) -> int:
    return item.edition_id if isinstance(item, Idea) else item.idea.edition_id


def _target_fields(item: Idea | Comment) -> dict:
    return {"idea": item} if isinstance(item, Idea) else {"comment": item}


def _is_publicly_hidden(item: Idea | Comment) -> bool:
    if isinstance(item, Idea):
        return item.hidden_at is not None
    return item.hidden_at is not None or item.deleted_at is not None or item.idea.hidden_at is not None


def report_create(*, actor, idea: Idea | None = None, comment: Comment | None = None, reason: str) -> Report:
    """Flag an idea or a comment for the moderators. Any verified person may report, in any
    phase; one open report per person and item."""
    item = _one_target(idea, comment)
    reason = _clean_reason(reason, low=REPORT_REASON_MIN, high=REPORT_REASON_MAX)
    if not may(actor, Action.REPORT, item):
        raise PermissionDenied
    if _is_publicly_hidden(item):
        raise ValidationError(_("This content is no longer visible, so there is nothing to report."))
    if item.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own contribution."))
    already = ValidationError(_("You have already reported this. The moderators will look at it."))
    if Report.objects.filter(reporter=actor, status=Report.Status.OPEN, **_target_fields(item)).exists():
        raise already
    report = Report(edition_id=_edition_id(item), reporter=actor, reason=reason, **_target_fields(item))
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # A second request of the same person won the race for the partial unique constraint.
        raise already
    return report


def _notify_author(item: Idea | Comment, *, kind: str, reason: str) -> None:
    transaction.on_commit(lambda: emails.send_moderation_notice(item, kind=kind, reason=reason))


def content_hide(*, actor, idea: Idea | None = None, comment: Comment | None = None, reason: str) -> Idea | Comment:
    """Hide an idea or a comment from public views, the API and exports (moderators and
    organizers). Open reports on it are resolved as "hidden"; the author is told why."""
    item = _one_target(idea, comment)
    reason = _clean_reason(reason, low=DECISION_REASON_MIN, high=DECISION_REASON_MAX)
    if not may(actor, Action.MODERATE, item):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if current.hidden_at is not None:
            raise ValidationError(_("This is hidden already."))
        current.hidden_at, current.hidden_reason = now, reason
        current.save(update_fields=["hidden_at", "hidden_reason"])
        ModerationAction.objects.create(
            edition_id=_edition_id(item), kind=ModerationAction.Kind.HIDE, moderator=actor, reason=reason,
            **_target_fields(current),
        )
        Report.objects.filter(status=Report.Status.OPEN, **_target_fields(current)).update(
            status=Report.Status.HIDDEN, decided_by=actor, decided_at=now, decision_reason=reason,
        )
        if isinstance(current, Idea):
            publish(edition_id=current.edition_id, type="idea.hidden", payload={"idea": current.pk})
            themes_mark_dirty(edition_id=current.edition_id)
        else:
            if current.deleted_at is None:
                # A comment its author deleted was taken off the count already.
                Idea.objects.filter(pk=current.idea_id, comment_count__gt=0).update(
                    comment_count=F("comment_count") - 1
                )
            publish(
                edition_id=_edition_id(item), type="comment.hidden",
                payload={"comment": current.pk, "idea": current.idea_id},
            )
        _notify_author(current, kind=ModerationAction.Kind.HIDE, reason=reason)
    return current


def content_restore(
    *, actor, idea: Idea | None = None, comment: Comment | None = None, reason: str
) -> Idea | Comment:
    """Make hidden content public again (moderators and organizers); the author is told."""
    item = _one_target(idea, comment)
    reason = _clean_reason(reason, low=DECISION_REASON_MIN, high=DECISION_REASON_MAX)
    if not may(actor, Action.MODERATE, item):
        raise PermissionDenied
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if current.hidden_at is None:
            raise ValidationError(_("This is not hidden."))
        current.hidden_at, current.hidden_reason = None, ""
        current.save(update_fields=["hidden_at", "hidden_reason"])
        ModerationAction.objects.create(
            edition_id=_edition_id(item), kind=ModerationAction.Kind.RESTORE, moderator=actor, reason=reason,
            **_target_fields(current),
        )
        if isinstance(current, Idea):
            publish(
                edition_id=current.edition_id, type="idea.restored",
                payload={"idea": current.pk, "challenge": current.challenge_id, "title": current.title,
                         "status": current.status},
            )
            themes_mark_dirty(edition_id=current.edition_id)
        else:
            if current.deleted_at is None:
                Idea.objects.filter(pk=current.idea_id).update(comment_count=F("comment_count") + 1)
            publish(
                edition_id=_edition_id(item), type="comment.restored",
                payload={"comment": current.pk, "idea": current.idea_id},
            )
        _notify_author(current, kind=ModerationAction.Kind.RESTORE, reason=reason)
    return current


def report_dismiss(*, actor, report: Report, reason: str) -> Report:
    """Close a report without hiding anything (moderators and organizers)."""
    reason = _clean_reason(reason, low=DECISION_REASON_MIN, high=REPORT_REASON_MAX)
    if not may(actor, Action.MODERATE, report.edition):
        raise PermissionDenied
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
            status=Report.Status.DISMISSED, decided_by=actor, decided_at=timezone.now(), decision_reason=reason,
        )
        if not updated:
            raise ValidationError(_("This report has been decided already."))
    report.refresh_from_db()
    return report
