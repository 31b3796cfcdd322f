from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpathon.editions import selectors, services
from helpathon.editions.agenda import agenda_for, edition_timing
from helpathon.editions.forms import AnnouncementForm
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.forms import add_service_errors
from helpathon.pagecache import public_page


@public_page
def home(request):
    groups = selectors.editions_for_home(request.user)
    return render(request, "editions/home.html", groups)


def _render_detail(request, edition, *, announcement_form=None):
    can_manage = may(request.user, Action.MANAGE_EDITION, edition)
    if announcement_form is not None and not can_manage:
        raise PermissionDenied  # the form comes back only to those who may send it
    context = {
        "edition": edition,
        "agenda": agenda_for(edition),
        "timing": edition_timing(edition),
        "can_manage": can_manage,
        "phase_changes": selectors.phase_changes(edition, request.user),
        "announcement_form": announcement_form or (AnnouncementForm() if can_manage else None),
        "recent_announcements": selectors.announcements_recent(edition, request.user),
        "announcement_max": services.ANNOUNCEMENT_MAX,
    }
    return render(request, "editions/edition_detail.html", context)


@public_page
def edition_detail(request, slug):
    # The current announcements show in the live banner of every edition page (base.html).
    edition = selectors.edition_get(slug=slug, user=request.user)
    return _render_detail(request, edition)


@public_page
def challenge_detail(request, slug, challenge_slug):
    edition = selectors.edition_get(slug=slug, user=request.user)
    challenge = selectors.challenge_get(edition=edition, slug=challenge_slug)
    context = {"edition": edition, "challenge": challenge, "agenda": agenda_for(edition)}
    return render(request, "editions/challenge_detail.html", context)


def _back(request, edition, anchor: str):
    """Back to the page the control was used on: the organizers' console if it says so
    (`next`), otherwise the edition page."""
    console = reverse("console:overview", kwargs={"slug": edition.slug})
    page = console if request.POST.get("next") == console else edition.get_absolute_url()
    return redirect(f"{page}#{anchor}")


@login_required
@require_POST
def phase_control(request, slug):
    edition = selectors.edition_get(slug=slug, user=request.user)
    command = request.POST.get("command", "")
    try:
        if command == "next":
            services.phase_step(actor=request.user, edition=edition, step=1)
        elif command == "previous":
            services.phase_step(actor=request.user, edition=edition, step=-1)
        elif command == "clock":
            services.phase_follow_clock(actor=request.user, edition=edition)
        elif command == "set":
            phase = next((p for p in agenda_for(edition).phases if str(p.pk) == request.POST.get("phase")), None)
            if phase is None:
                raise ValidationError(_("Please choose a phase of this agenda."))
            services.phase_set(actor=request.user, edition=edition, phase=phase)
        else:
            raise ValidationError(_("Unknown command."))
    except PermissionDenied:
        raise
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The agenda has been updated."))
    return _back(request, edition, "agenda")


@login_required
@require_POST
def announcement_create(request, slug):
    edition = selectors.edition_get(slug=slug, user=request.user)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_create(actor=request.user, edition=edition, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your announcement has been sent."))
            return _back(request, edition, "announcement-control")
    # The page again, with the text as typed and what is wrong with it.
    return _render_detail(request, edition, announcement_form=form)


@login_required
@require_POST
def announcement_withdraw(request, slug, pk):
    edition = selectors.edition_get(slug=slug, user=request.user)
    announcement = selectors.announcement_get(edition=edition, pk=pk)
    services.announcement_withdraw(actor=request.user, announcement=announcement)
    messages.success(request, _("The announcement has been withdrawn."))
    return _back(request, edition, "announcement-control")
