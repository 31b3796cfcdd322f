from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from helpathon.accounts import personal_data
from helpathon.accounts.forms import AccountDeleteForm, ProfileForm
from helpathon.accounts.services import account_delete, profile_update


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        profile_update(actor=request.user, user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def privacy(request):
    return render(request, "accounts/privacy.html", {
        "operator": settings.OPERATOR, "contact_email": settings.CONTACT_EMAIL,
        "confirm_hours": settings.REGISTRATION_CONFIRM_HOURS,
    })


@login_required
@require_GET
@never_cache
def data_export(request):
    """Everything stored about the signed-in person, as a JSON download (GDPR Art. 15 and 20)."""
    response = JsonResponse(personal_data.export(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="helpathon-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def delete_account(request):
    """Delete one's own account (GDPR Art. 17), after the password and a confirmation."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(
                actor=request.user, user=request.user, password=form.cleaned_data["password"],
                remove_content=form.cleaned_data["contributions"] == AccountDeleteForm.REMOVE,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Thank you for taking part."))
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
