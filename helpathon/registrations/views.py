from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from helpathon.editions.agenda import registration_is_open
from helpathon.editions.selectors import edition_get
from helpathon.registrations import selectors, services
from helpathon.registrations.calendar import edition_ics
from helpathon.registrations.forms import RegistrationForm
from helpathon.registrations.models import Registration

ERROR_MESSAGES = {
    "closed": gettext_lazy("Registration for this edition is closed."),
    "already_registered": gettext_lazy("You are already registered for this edition."),
    "expired": gettext_lazy("This confirmation link has expired and the place it held has been released. You can register again."),
    "invalid": gettext_lazy("This confirmation link is invalid. Please use the link from your most recent email."),
}


def _error_message(code: str) -> str:
    return str(ERROR_MESSAGES[code])


@login_required
@require_http_methods(["GET", "POST"])
def register(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    existing = selectors.registration_of(user=request.user, edition=edition)
    if existing is not None and existing.is_active:
        messages.info(request, _error_message("already_registered"))
        return redirect(edition)
    if not registration_is_open(edition):
        messages.error(request, _error_message("closed"))
        return redirect(edition)
    initial = {"sector": request.user.sector, "role": request.user.role}
    form = RegistrationForm(request.POST if request.method == "POST" else None, edition=edition, initial=initial)
    full = False
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                user=request.user,
                edition=edition,
                join_waitlist=request.POST.get("join_waitlist") == "1",
                **form.cleaned_data,
            )
        except services.EditionFull:
            full = True
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except services.RegistrationError as error:
            messages.error(request, _error_message(error.code))
            return redirect(edition)
        else:
            return render(request, "registrations/registered.html", {"edition": edition, "registration": registration})
    summary = selectors.registration_summary(edition)
    return render(
        request,
        "registrations/register.html",
        {"edition": edition, "form": form, "full": full or summary["places_left"] == 0, "summary": summary},
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button, POST confirms: mail scanners that follow links must not confirm."""
    if request.method == "GET":
        return render(request, "registrations/confirm.html", {"token": token})
    try:
        registration = services.registration_confirm(token=token)
    except services.RegistrationError as error:
        context = {"error": _error_message(error.code), "registration": error.registration}
        return render(request, "registrations/confirm_failed.html", context, status=410 if error.code == "expired" else 400)
    return render(request, "registrations/confirmed.html", {"registration": registration, "edition": registration.edition})


def _own_registration(request, slug) -> Registration:
    edition = edition_get(slug=slug, user=request.user)
    registration = selectors.registration_of(user=request.user, edition=edition)
    if registration is None:
        raise Http404
    return registration


@login_required
@require_POST
def cancel(request, slug):
    registration = _own_registration(request, slug)
    services.registration_cancel(user=request.user, registration=registration)
    messages.success(request, _("Your registration has been cancelled."))
    return redirect(registration.edition)


@login_required
@require_POST
def resend(request, slug):
    registration = _own_registration(request, slug)
    services.registration_resend_opt_in(user=request.user, registration=registration)
    messages.success(request, _("We have sent you a new confirmation link."))
    return redirect(registration.edition)


@login_required
def calendar(request, slug):
    registration = _own_registration(request, slug)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    response = HttpResponse(edition_ics(registration.edition), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="helpathon-{registration.edition.slug}.ics"'
    return response
