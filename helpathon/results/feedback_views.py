"""The city's voice on innovation templates (support, comment, hide) and their follow-up
(status, the public "what became of it" page).

Thin: parse the request, call a service, answer. Every control is a plain form that works
without JavaScript (a redirect back to the template, or a page with the form and its errors);
with htmx the same views answer with the block they change. htmx swaps only 2xx answers, so a
block that carries a refusal is sent with status 200; plain forms keep their 4xx codes.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import edition_get
from helpathon.forms import add_service_errors
from helpathon.ideas.limits import (
    COMMENTS_GROUP, RATE_COMMENTS, RATE_SUPPORTS, SUPPORTS_GROUP, TOO_MANY_COMMENTS, TOO_MANY_SUPPORTS, limited,
)
from helpathon.results import services, voices
from helpathon.results.forms import CommentHideForm
from helpathon.results.selectors import template_get
from helpathon.results.templatetags.results_feedback import (
    comment_form, feedback_context, status_context, status_form,
)


def _template(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    return template_get(edition=edition, pk=pk)


def _refusal(request, template) -> str:
    """In one sentence, why this person cannot give feedback here now."""
    return voices.gate(request.user, template.edition).message or _("This is not possible at the moment.")


def _feedback(request, template, *, status: int = 200, message: str = "", **kwargs):
    """The city's voice block for htmx; without it, a page with the block (and `message`)."""
    context = feedback_context(request, template, **kwargs)
    if request.htmx:
        return render(request, "results/_feedback.html#block", context)
    context.update({"message": message, "part": "feedback"})
    return render(request, "results/_feedback_page.html", context, status=status)


def _back(template, anchor: str = "city-voice") -> HttpResponseRedirect:
    return redirect(f"{template.get_absolute_url()}#{anchor}")


@require_POST
def template_support(request, slug, pk):
    template = _template(request, slug, pk)
    action = request.POST.get("action", "")
    if action not in ("add", "withdraw"):
        error = _("Please choose whether to support the template or to withdraw your support.")
        return _feedback(request, template, status=400, message=error, error=error)
    if request.user.is_authenticated and limited(request, SUPPORTS_GROUP, RATE_SUPPORTS):
        return _feedback(request, template, status=429, message=str(TOO_MANY_SUPPORTS), error=str(TOO_MANY_SUPPORTS))
    try:
        if action == "add":
            services.template_support(actor=request.user, template=template)
        else:
            services.template_unsupport(actor=request.user, template=template)
    except PermissionDenied:
        error = _refusal(request, template)
        return _feedback(request, template, status=403, message=error, error=error)
    if action == "add":
        notice = _("You support “%(title)s”.") % {"title": template.prototype.title}
    else:
        notice = _("You have withdrawn your support for “%(title)s”.") % {"title": template.prototype.title}
    if request.htmx:
        return _feedback(request, template)
    messages.success(request, notice)
    return _back(template)


@require_POST
def template_comment(request, slug, pk):
    template = _template(request, slug, pk)
    if not may(request.user, Action.PUBLIC_FEEDBACK, template):
        # Refused before the text is looked at: "please write something" would mislead.
        error = _refusal(request, template)
        return _feedback(request, template, status=403, message=error, error=error)
    form = comment_form(request.POST)
    if not form.is_valid():
        return _feedback(request, template, status=400, form=form)
    if request.user.is_authenticated and limited(request, COMMENTS_GROUP, RATE_COMMENTS):
        form.add_error(None, str(TOO_MANY_COMMENTS))
        return _feedback(request, template, status=429, form=form)
    try:
        comment = services.template_comment(actor=request.user, template=template, body=form.cleaned_data["body"])
    except PermissionDenied:
        error = _refusal(request, template)
        return _feedback(request, template, status=403, message=error, error=error)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _feedback(request, template, status=400, form=form)
    if request.htmx:
        return _feedback(request, template, notice=_("Your comment has been published."))
    messages.success(request, _("Your comment has been published."))
    return _back(template, f"template-comment-{comment.pk}")


@require_POST
def comment_hide(request, slug, comment_pk):
    edition = edition_get(slug=slug, user=request.user)
    comment = voices.comment_get(edition=edition, pk=comment_pk)
    if comment is None:
        raise Http404
    template = comment.template
    template.edition = edition
    form = CommentHideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        # Refuses (403, also for htmx: not a control this person has) before it looks at the reason.
        services.template_comment_hide(actor=request.user, comment=comment, reason=reason)
    except ValidationError as exc:
        error = " ".join(form.errors.get("reason", [])) or " ".join(exc.messages)
        return _feedback(request, template, status=400, message=error, hide=(comment.pk, error))
    if request.htmx:
        return _feedback(request, template, notice=_("The comment has been hidden."))
    messages.success(request, _("The comment has been hidden."))
    return _back(template, "template-comments")


@require_POST
def template_status(request, slug, pk):
    template = _template(request, slug, pk)
    if not may(request.user, Action.MANAGE_EDITION, template.edition):
        raise PermissionDenied  # the service asks too; this keeps the form's errors for organizers
    form = status_form(template, request.POST)
    if form.is_valid():
        try:
            template = services.template_status_set(
                actor=request.user, template=template, status=form.cleaned_data["status"],
                statement=form.cleaned_data["statement"], status_date=form.cleaned_data["status_date"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            template = template_get(edition=template.edition, pk=template.pk)
            if request.htmx:
                return render(request, "results/_status.html#block", status_context(request, template, saved=True))
            messages.success(request, _("The status has been saved."))
            return _back(template, "template-status")
    context = status_context(request, template, form=form)
    if request.htmx:
        return render(request, "results/_status.html#block", context)
    context.update({"part": "status", "message": ""})
    return render(request, "results/_feedback_page.html", context, status=400)


@require_GET
def follow_up(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    board = voices.follow_up(edition)
    return render(request, "results/follow_up.html", {"edition": edition, "board": board})
