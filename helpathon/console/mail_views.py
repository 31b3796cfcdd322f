"""Console pages for mail to many: write a mailing (with a confirmation of how many people get
it), and watch it being sent. Only the edition's organizers; everyone else gets 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helpathon.console.mail_forms import MailingForm
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import edition_get
from helpathon.forms import add_service_errors
from helpathon.notifications import selectors, services
from helpathon.notifications.models import Mailing
from helpathon.teams.models import Team

RECENT = 50
# htmx stops polling when an answer has this status (and still shows it).
STOP_POLLING = 286


def _organized_edition(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    return edition


def _team_of(edition, raw) -> Team | None:
    if not str(raw or "").isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        return None
    return Team.objects.filter(edition=edition, pk=int(raw)).first()


def _recipient_count(request, edition):
    """The htmx preview: how many people the chosen audience is, as the form changes."""
    audience = request.GET.get("audience", "")
    team = _team_of(edition, request.GET.get("team"))
    count = None
    if audience in Mailing.Audience.values and (audience != Mailing.Audience.TEAM or team is not None):
        count = len(selectors.audience_user_ids(edition=edition, audience=audience, team=team))
    return render(request, "console/mailings.html#recipient_count", {"edition": edition, "count": count})


@login_required
@require_http_methods(["GET", "POST"])
def mailings(request, slug):
    edition = _organized_edition(request, slug)
    if request.method == "GET" and "audience" in request.GET:
        return _recipient_count(request, edition)
    form = MailingForm(request.POST if request.method == "POST" else None, edition=edition)
    confirm_total = count = None
    if request.method == "GET":
        # The form starts with all confirmed participants chosen.
        count = len(selectors.audience_user_ids(edition=edition, audience=Mailing.Audience.PARTICIPANTS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["confirm"] and data["expected"] is not None:
            try:
                mailing = services.mailing_create(
                    actor=request.user, edition=edition, audience=data["audience"], team=data["team"],
                    subject=data["subject"], body=data["body"], expected_total=data["expected"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your message is being sent."))
                return redirect("console:mailing", slug=edition.slug, pk=mailing.pk)
        elif data["expected"] is not None:
            form.add_error("confirm", _("Please confirm that the message should go to these people."))
        count = len(selectors.audience_user_ids(edition=edition, audience=data["audience"], team=data["team"]))
        if count:
            confirm_total = count
        elif not form.non_field_errors():
            form.add_error(None, _("Nobody would get this message: the chosen group is empty."))
    context = {
        "edition": edition,
        "form": form,
        "confirm_total": confirm_total,
        "count": count,
        "mailings": selectors.mailings_of(edition)[:RECENT],
    }
    return render(request, "console/mailings.html", context)


def _mailing(request, slug, pk) -> tuple:
    edition = _organized_edition(request, slug)
    mailing = selectors.mailing_get(edition=edition, pk=pk)
    if mailing is None:
        raise Http404
    return edition, mailing


def _running(mailing: Mailing) -> bool:
    return mailing.status in {Mailing.Status.QUEUED, Mailing.Status.SENDING}


@login_required
@require_GET
def mailing_detail(request, slug, pk):
    edition, mailing = _mailing(request, slug, pk)
    context = {"edition": edition, "mailing": mailing, "running": _running(mailing)}
    return render(request, "console/mailing.html", context)


@login_required
@require_GET
def mailing_progress(request, slug, pk):
    edition, mailing = _mailing(request, slug, pk)
    running = _running(mailing)
    context = {"edition": edition, "mailing": mailing, "running": running, "oob": bool(request.htmx)}
    status = STOP_POLLING if request.htmx and not running else 200
    return render(request, "console/_mailing_progress.html", context, status=status)
