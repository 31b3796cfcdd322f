from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from helpathon.accounts import personal_data
from helpathon.accounts.forms import ProfileForm
from helpathon.accounts.services import profile_update


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
    return render(request, "accounts/privacy.html")


@login_required
@require_GET
@never_cache
def data_export(request):
    """Everything stored about the signed-in person, as a JSON download (GDPR Art. 15 and 20)."""
    response = JsonResponse(personal_data.export(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="helpathon-my-data.json"'
    return response
