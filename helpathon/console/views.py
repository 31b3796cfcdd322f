"""The organizers' console: thin views over the services and selectors of the apps it drives.

Every page of an edition's console is for its organizers only (superusers too): others get
403, visitors the login page, and a draft stays a 404 for those who may not see it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpathon.console import selectors
from helpathon.console.forms import (
    ChallengeFormSet,
    EditionCopyForm,
    EditionCreateForm,
    EditionEditForm,
    RegistrationFilterForm,
)
from helpathon.editions import selectors as edition_selectors
from helpathon.editions import services as edition_services
from helpathon.editions.agenda import agenda_for, edition_timing
from helpathon.editions.forms import AnnouncementForm
from helpathon.editions.models import Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.forms import add_service_errors
from helpathon.registrations import services as registration_services
from helpathon.registrations.admin import CSV_COLUMNS
from helpathon.spreadsheets import CsvDownload


def _organized_edition(request, slug) -> Edition:
    """The edition, if the signed-in person organizes it; 403 otherwise (404 for a draft they
    may not see at all)."""
    edition = edition_selectors.edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    return edition


@login_required
def home(request):
    editions = selectors.editions_organized(request.user)
    can_create = edition_services.may_create_edition(request.user)
    if not editions and not can_create:
        raise PermissionDenied
    return render(request, "console/home.html", {"editions": editions, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def edition_create(request):
    if not edition_services.may_create_edition(request.user):
        raise PermissionDenied
    post = request.POST if request.method == "POST" else None
    form = EditionCreateForm(post)
    challenges = ChallengeFormSet(post, prefix="challenges")
    if post is not None:
        if form.is_valid() & challenges.is_valid():  # both, so that all errors show at once
            rows = [f.cleaned_data for f in challenges.forms if f.cleaned_data]
            try:
                edition = edition_services.edition_create(actor=request.user, challenges=rows, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The edition has been created as a draft. Check the agenda, then publish it."))
                return redirect("console:edition_edit", slug=edition.slug)
    context = {"form": form, "challenges": challenges}
    return render(request, "console/edition_create.html", context, status=400 if form.errors or challenges.total_error_count() else 200)


def _overview_context(request, edition) -> dict:
    return {
        "edition": edition,
        "agenda": agenda_for(edition),
        "timing": edition_timing(edition),
        "registration_counts": selectors.registration_counts(edition),
        "open_reports": selectors.open_reports_count(edition),
    }


@login_required
def overview(request, slug):
    edition = _organized_edition(request, slug)
    context = _overview_context(request, edition)
    if request.htmx and request.GET.get("part") == "counts":
        return render(request, "console/_counts.html", context)
    context.update({
        "phase_changes": edition_selectors.phase_changes(edition, request.user),
        "announcement_form": AnnouncementForm(),
        "recent_announcements": edition_selectors.announcements_recent(edition, request.user),
        "announcement_max": edition_services.ANNOUNCEMENT_MAX,
        "return_to": request.path,
    })
    return render(request, "console/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edition_copy(request, slug):
    source = _organized_edition(request, slug)
    if not edition_services.may_create_edition(request.user):
        raise PermissionDenied
    initial = {"title": _("%(title)s (copy)") % {"title": source.title}}
    form = EditionCopyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copied = edition_services.edition_copy(actor=request.user, source=source, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The copy has been created as a draft. Check its dates and agenda, then publish it."))
            return redirect("console:edition_edit", slug=copied.slug)
    context = {"edition": source, "form": form}
    return render(request, "console/edition_copy.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edition_edit(request, slug):
    edition = _organized_edition(request, slug)
    status_errors = []
    if request.method == "POST" and "status" in request.POST:
        try:
            edition_services.edition_set_status(actor=request.user, edition=edition, status=request.POST["status"])
        except ValidationError as error:
            status_errors = error.messages
        else:
            if edition.status == Edition.Status.PUBLISHED:
                messages.success(request, _("The edition is published."))
            else:
                messages.success(request, _("The edition is a draft again: only its organizers see it."))
            return redirect("console:edition_edit", slug=edition.slug)
    initial = {name: getattr(edition, name) for name in edition_services.EDITION_FIELDS}
    posted = request.method == "POST" and not status_errors and "status" not in request.POST
    form = EditionEditForm(request.POST if posted else None, initial={**initial, "shift_agenda": True})
    if posted and form.is_valid():
        try:
            edition_services.edition_update(actor=request.user, edition=edition, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The edition has been saved."))
            return redirect("console:edition_edit", slug=edition.slug)
    context = {"edition": edition, "form": form, "status_errors": status_errors, "agenda": agenda_for(edition)}
    return render(request, "console/edition_edit.html", context, status=400 if form.errors or status_errors else 200)


@login_required
def registrations(request, slug):
    edition = _organized_edition(request, slug)
    filters = RegistrationFilterForm(request.GET)
    status, search = (filters.cleaned_data["status"], filters.cleaned_data["q"]) if filters.is_valid() else ("", "")
    if request.GET.get("format") == "csv":
        return _registrations_csv(edition, status=status, search=search)
    context = {
        "edition": edition,
        "filters": filters,
        "page_obj": selectors.registrations_page(edition, status=status, search=search, page=request.GET.get("page")),
        "counts": selectors.registration_counts(edition),
        "filtered": bool(status or selectors.clean_search(search)),
    }
    return render(request, "console/registrations.html", context)


def _registrations_csv(edition, *, status: str, search: str):
    # The same columns as the admin's export, plus the check-in.
    download = CsvDownload(f"registrations-{edition.slug}-{timezone.now():%Y%m%d-%H%M}.csv")
    download.row([name for name, _getter in CSV_COLUMNS] + ["checked_in_at"])
    for registration in selectors.registrations_for_export(edition, status=status, search=search):
        download.row([getter(registration) for _name, getter in CSV_COLUMNS] + [registration.checked_in_at or ""])
    return download.response


def _back_to_registrations(request, edition) -> str:
    """The registrations page the form was sent from (its filters and page), or the plain one."""
    base = reverse("console:registrations", kwargs={"slug": edition.slug})
    target = request.POST.get("next", "")
    return target if target.startswith(base) and "\\" not in target else base


@login_required
@require_POST
def check_in(request, slug, pk):
    edition = _organized_edition(request, slug)
    registration = selectors.registration_get(edition=edition, pk=pk)
    checked_in = request.POST.get("checked_in") != "0"
    error = None
    try:
        registration_services.registration_check_in(
            actor=request.user, registration=registration, checked_in=checked_in
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = {"edition": edition, "registration": registration, "row_error": error,
                   "next": request.POST.get("next", "")}
        return render(request, "console/_registration_row.html", context)
    name = registration.user.display_name
    if error:
        messages.error(request, error)
    elif registration.checked_in_at:
        messages.success(request, _("%(name)s is checked in.") % {"name": name})
    else:
        messages.success(request, _("The check-in of %(name)s has been undone.") % {"name": name})
    return redirect(_back_to_registrations(request, edition))


@login_required
def downloads(request, slug):
    edition = _organized_edition(request, slug)
    return render(request, "console/downloads.html", {"edition": edition})
