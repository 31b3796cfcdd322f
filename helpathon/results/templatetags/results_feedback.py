"""The city's voice and the follow-up status on a template's page, from `template` and the
request alone: `{% city_voice template %}` and `{% template_status template %}` (used by
results/_feedback.html and results/_status.html, which the page includes). The views of
`results.feedback_views` answer htmx with the same blocks, built by the same functions."""

from django import template as django_template
from django.utils.translation import gettext_lazy as _

from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.results import voices
from helpathon.results.forms import TemplateCommentForm, TemplateStatusForm
from helpathon.results.models import Voice
from helpathon.results.services import voice_of

register = django_template.Library()

# One person's voice, for the badge beside a comment (the model's labels are plural).
VOICE_BADGES = {Voice.CITIZEN: _("Citizen"), Voice.PARTICIPANT: _("Participant"), Voice.JURY: _("Jury")}


@register.filter
def voice_badge(voice: str) -> str:
    return VOICE_BADGES.get(voice, "")


def comment_form(data=None, **kwargs) -> TemplateCommentForm:
    return TemplateCommentForm(data, auto_id="template-comment-%s", **kwargs)


def status_form(template, data=None) -> TemplateStatusForm:
    return TemplateStatusForm(data, template=template, auto_id="template-status-%s")


def feedback_context(request, template, *, form=None, error: str = "", hide: tuple | None = None,
                     notice: str = "") -> dict:
    """What results/_feedback.html#block shows. `form`: the comment form (with errors and the
    text kept after a refusal); `error`: why the last action was refused; `hide`: (comment id,
    error) after a refused hide; `notice`: what the last action did."""
    user = request.user
    edition = template.edition
    gate = voices.gate(user, edition)
    can_moderate = may(user, Action.MODERATE, template)
    feedback = voices.summary(template)
    rating = voices.ratings(edition, [template])[template.pk]
    return {
        "request": request, "user": user, "template": template, "edition": edition,
        "gate": gate,
        "supported": voices.supports(user, template),
        "your_voice": VOICE_BADGES[voice_of(user, template)] if gate.allowed else "",
        "feedback": feedback,
        "ratings": rating,
        "voice_rows": voices.voice_rows(feedback, rating),
        "comments": voices.comments(template, with_hidden=can_moderate),
        "comment_form": form if form is not None else comment_form(),
        "can_moderate": can_moderate,
        "hide_comment": hide[0] if hide else None,
        "hide_error": hide[1] if hide else "",
        "error": error,
        "notice": notice,
        "login_next": template.get_absolute_url() + "#city-voice",
    }


def status_context(request, template, *, form=None, saved: bool = False) -> dict:
    """What results/_status.html#block shows; the form only for the edition's organizers."""
    can_manage = may(request.user, Action.MANAGE_EDITION, template.edition)
    return {
        "request": request, "user": request.user, "template": template, "edition": template.edition,
        "history": voices.history(template),
        "can_manage": can_manage,
        "form": (form if form is not None else status_form(template)) if can_manage else None,
        "saved": saved,
    }


@register.inclusion_tag("results/_feedback.html#block", takes_context=True)
def city_voice(context, template):
    return feedback_context(context["request"], template)


@register.inclusion_tag("results/_status.html#block", takes_context=True)
def template_status(context, template):
    return status_context(context["request"], template)
