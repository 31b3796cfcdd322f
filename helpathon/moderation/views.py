"""Pages for reporting content and for the moderators' queue. Thin: look up, call a service,
answer. Moderator pages answer 404 to everyone who may not moderate the edition."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import edition_get
from helpathon.forms import add_service_errors
from helpathon.moderation import selectors, services
from helpathon.moderation.forms import DecisionForm, DismissForm, ReportForm

# Rate limits on writes, per person (django-ratelimit syntax "count/period", keyed by the
# user's id and counted in the default cache). Every submitted, well-formed report counts.
# With several server processes the cache must be shared (REDIS_URL) for the limit to be
# one limit; the in-memory cache counts per process.
REPORT_RATE_LIMIT = "10/h"


def _report_limited(request) -> bool:
    return is_ratelimited(
        request, group="moderation.report", key="user", rate=REPORT_RATE_LIMIT, method="POST", increment=True
    )


def _report_page(request, *, edition, idea, comment, back_url: str):
    """GET shows the form; POST files the report and goes back to where the content is."""
    if not may(request.user, Action.REPORT, edition):
        raise PermissionDenied
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _report_limited(request):
            form.add_error(None, _("You have sent many reports in a short time. Please wait a while and try again."))
            status = 429
        else:
            try:
                services.report_create(
                    actor=request.user, idea=idea, comment=comment, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you. The moderators will look at your report."))
                return redirect(back_url)
    context = {"edition": edition, "idea": idea, "comment": comment, "form": form, "back_url": back_url}
    return render(request, "moderation/report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_idea(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.reportable_idea(edition=edition, pk=pk)
    return _report_page(request, edition=edition, idea=idea, comment=None, back_url=idea.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def report_comment(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    comment = selectors.reportable_comment(edition=edition, pk=pk)
    back_url = f"{comment.idea.get_absolute_url()}#comment-{comment.pk}"
    return _report_page(request, edition=edition, idea=None, comment=comment, back_url=back_url)


def _moderated_edition(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MODERATE, edition):
        raise Http404
    return edition


@login_required
def queue(request, slug):
    edition = _moderated_edition(request, slug)
    context = {"edition": edition, **selectors.moderation_queue(edition)}
    return render(request, "moderation/queue.html", context)


def _decision_page(request, *, edition, idea=None, comment=None, decision: str):
    """GET asks for a reason; POST hides or restores and goes back to the queue."""
    service = services.content_hide if decision == "hide" else services.content_restore
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, idea=idea, comment=comment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if decision == "hide":
                done = _("The idea has been hidden.") if idea else _("The comment has been hidden.")
            else:
                done = _("The idea is visible again.") if idea else _("The comment is visible again.")
            messages.success(request, done + " " + _("Its author has been told by email."))
            return redirect("moderation:queue", slug=edition.slug)
    target = idea or comment
    context = {
        "edition": edition, "idea": idea or comment.idea, "comment": comment, "form": form, "decision": decision,
        "history": selectors.moderation_history(idea=idea, comment=comment),
        "reports": list(target.reports.select_related("reporter").order_by("-created_at")[:20]),
    }
    return render(request, "moderation/decide.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hide_idea(request, slug, pk):
    edition = _moderated_edition(request, slug)
    idea = selectors.idea_for_moderation(edition=edition, pk=pk)
    return _decision_page(request, edition=edition, idea=idea, decision="hide")


@login_required
@require_http_methods(["GET", "POST"])
def restore_idea(request, slug, pk):
    edition = _moderated_edition(request, slug)
    idea = selectors.idea_for_moderation(edition=edition, pk=pk)
    return _decision_page(request, edition=edition, idea=idea, decision="restore")


@login_required
@require_http_methods(["GET", "POST"])
def hide_comment(request, slug, pk):
    edition = _moderated_edition(request, slug)
    comment = selectors.comment_for_moderation(edition=edition, pk=pk)
    return _decision_page(request, edition=edition, comment=comment, decision="hide")


@login_required
@require_http_methods(["GET", "POST"])
def restore_comment(request, slug, pk):
    edition = _moderated_edition(request, slug)
    comment = selectors.comment_for_moderation(edition=edition, pk=pk)
    return _decision_page(request, edition=edition, comment=comment, decision="restore")


@login_required
@require_http_methods(["GET", "POST"])
def dismiss_report(request, slug, pk):
    edition = _moderated_edition(request, slug)
    report = selectors.report_for_moderation(edition=edition, pk=pk)
    form = DismissForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_dismiss(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report has been dismissed."))
            return redirect("moderation:queue", slug=edition.slug)
    return render(request, "moderation/dismiss.html", {"edition": edition, "report": report, "form": form})
