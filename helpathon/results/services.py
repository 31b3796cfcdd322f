"""Writes of the results: templates are made from submitted prototypes once prototyping is
over; citizens support and comment on them during public feedback; organizers keep their
follow-up status, and the team hears of every change by email."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, PhaseKind
from helpathon.editions.phases import Action
from helpathon.editions.rules import is_juror, is_participant, may
from helpathon.live.services import publish
from helpathon.results.models import (
    FollowUp, InnovationTemplate, StatusChange, TemplateComment, TemplateSupport, Voice,
)
from helpathon.teams.models import Membership, Prototype

COMMENT_MAX = 3000
STATEMENT_MAX = 5000


def prototyping_over(edition: Edition, *, now=None) -> bool:
    """Has the edition's prototyping ended? By the agenda: the current phase comes after the
    last prototyping phase, or the edition is over. An edition without a prototyping phase
    hands over when it ends."""
    agenda = agenda_for(edition, now=now)
    moment = agenda.now
    prototyping = [p for p in agenda.phases if p.kind == PhaseKind.PROTOTYPING]
    if not prototyping:
        return moment >= edition.ends_at
    last = prototyping[-1]
    if agenda.current is not None:
        return agenda.phases.index(agenda.current) > agenda.phases.index(last)
    return moment >= last.ends_at


def templates_ensure(*, edition: Edition) -> list[InnovationTemplate]:
    """Make an innovation template of every submitted prototype of `edition` that has none,
    if prototyping is over. Safe to call any number of times, also concurrently."""
    if not prototyping_over(edition):
        return []
    made = []
    pending = Prototype.objects.filter(edition=edition, status=Prototype.Status.SUBMITTED, template__isnull=True)
    for prototype in pending.select_related("team"):
        try:
            with transaction.atomic():
                template = InnovationTemplate.objects.create(
                    prototype=prototype, edition=edition, challenge_id=prototype.challenge_id,
                    prototype_version=prototype.version, status=FollowUp.RECEIVED,
                    status_date=timezone.localdate(), created_at=timezone.now(),
                )
                StatusChange.objects.create(
                    template=template, status=FollowUp.RECEIVED, statement="", status_date=template.status_date,
                    changed_by=None, changed_at=template.created_at,
                )
                publish(edition_id=edition.pk, type="template.created", payload={
                    "template": template.pk, "team": prototype.team_id, "challenge": prototype.challenge_id,
                    "title": prototype.team.name,
                })
        except IntegrityError:  # made by a concurrent call
            continue
        made.append(template)
    return made


def templates_follow_events(event) -> None:
    """`live.services.on_published` hook (after commit): when the agenda moves or a prototype
    is submitted, make the templates that are due; when a prototype is submitted before the
    end of prototyping, queue a look at the end of the phase."""
    if event.type not in {"phase.changed", "prototype.submitted"}:
        return
    edition = Edition.objects.prefetch_related("phases").get(pk=event.edition_id)
    if prototyping_over(edition):
        templates_ensure(edition=edition)
        return
    if event.type == "prototype.submitted":
        agenda = agenda_for(edition)
        ends = max((p.ends_at for p in agenda.phases if p.kind == PhaseKind.PROTOTYPING), default=edition.ends_at)
        from helpathon.results.tasks import ensure_templates

        if ensure_templates.get_backend().supports_defer:
            ensure_templates.using(run_after=ends + timedelta(seconds=1)).enqueue(edition.pk)


def voice_of(user, template: InnovationTemplate) -> str:
    """Whose voice `user` speaks with on `template`: jury, participant or citizen."""
    if is_juror(user, template):
        return Voice.JURY
    if is_participant(user, template):
        return Voice.PARTICIPANT
    return Voice.CITIZEN


def _may_give_feedback(actor, template: InnovationTemplate) -> None:
    if not may(actor, Action.PUBLIC_FEEDBACK, template):
        raise PermissionDenied


def _publish_feedback(template: InnovationTemplate) -> None:
    publish(edition_id=template.edition_id, type="template.feedback", payload={
        "template": template.pk,
        "supports": TemplateSupport.objects.filter(template=template).count(),
        "comments": TemplateComment.objects.filter(template=template, hidden_at__isnull=True).count(),
    })


def template_support(*, actor, template: InnovationTemplate) -> TemplateSupport:
    """Support a template (once per person); any verified citizen during public feedback."""
    _may_give_feedback(actor, template)
    with transaction.atomic():
        support, created = TemplateSupport.objects.get_or_create(
            template=template, user=actor,
            defaults={"voice": voice_of(actor, template), "created_at": timezone.now()},
        )
        if created:
            _publish_feedback(template)
    return support


def template_unsupport(*, actor, template: InnovationTemplate) -> None:
    _may_give_feedback(actor, template)
    with transaction.atomic():
        deleted, _rows = TemplateSupport.objects.filter(template=template, user=actor).delete()
        if deleted:
            _publish_feedback(template)


def template_comment(*, actor, template: InnovationTemplate, body: str) -> TemplateComment:
    _may_give_feedback(actor, template)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError({"body": _("Please write your comment.")})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": _("Please keep your comment to %(max)d characters (it has %(count)d).")
                               % {"max": COMMENT_MAX, "count": len(body)}})
    with transaction.atomic():
        comment = TemplateComment.objects.create(
            template=template, author=actor, voice=voice_of(actor, template), body=body, created_at=timezone.now()
        )
        _publish_feedback(template)
    return comment


def template_comment_hide(*, actor, comment: TemplateComment, reason: str) -> TemplateComment:
    """Moderators and organizers hide a comment on a template (kept as evidence)."""
    if not may(actor, Action.MODERATE, comment.template):
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        current = TemplateComment.objects.select_for_update().get(pk=comment.pk)
        if current.hidden_at is None:
            current.hidden_at, current.hidden_by, current.hidden_reason = timezone.now(), actor, reason[:300]
            current.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
            _publish_feedback(current.template)
    return current


def template_status_set(
    *, actor, template: InnovationTemplate, status: str, statement: str, status_date: date | None = None
) -> InnovationTemplate:
    """Organizers record what became of a template; the team is told by email after commit."""
    if not may(actor, Action.MANAGE_EDITION, template.edition):
        raise PermissionDenied
    errors = {}
    if status not in FollowUp.values:
        errors["status"] = _("Please choose a status.")
    statement = (statement or "").replace("\x00", "").strip()
    if len(statement) > STATEMENT_MAX:
        errors["statement"] = _("Please keep the statement to %(max)d characters.") % {"max": STATEMENT_MAX}
    status_date = status_date or timezone.localdate()
    if status_date > timezone.localdate():
        errors["status_date"] = _("The date cannot lie in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = InnovationTemplate.objects.select_for_update().get(pk=template.pk)
        if (current.status, current.statement, current.status_date) == (status, statement, status_date):
            return current
        changed_status = current.status != status
        current.status, current.statement, current.status_date = status, statement, status_date
        current.save(update_fields=["status", "statement", "status_date"])
        StatusChange.objects.create(
            template=current, status=status, statement=statement, status_date=status_date,
            changed_by=actor, changed_at=timezone.now(),
        )
        publish(edition_id=current.edition_id, type="template.status_changed",
                payload={"template": current.pk, "status": status})
        if changed_status:
            transaction.on_commit(lambda: _tell_team(current.pk))
    return current


def _tell_team(template_id: int) -> None:
    from helpathon.notifications.emails import notify

    template = InnovationTemplate.objects.select_related("edition", "prototype__team").get(pk=template_id)
    members = Membership.objects.filter(team_id=template.prototype.team_id).select_related("user")
    from django.conf import settings

    for membership in members:
        notify(membership.user, "email_template_status", "results/email/status_changed", {
            "template": template, "edition": template.edition, "team": template.prototype.team,
            "template_url": settings.SITE_URL + template.get_absolute_url(),
        })
