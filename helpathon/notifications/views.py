"""The link in every mail that switches its kind off: a page that asks (GET, which mail
scanners may follow without effect), and the switch (POST, also RFC 8058's one-click POST from
mail programs). The signed token in the link is the authorization, so no login and no CSRF
token: a mail program cannot send one."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from helpathon.accounts.models import User
from helpathon.accounts.services import email_kind_switch_off
from helpathon.notifications.emails import read_unsubscribe_token


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0]).first() if found else None
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    kind = found[1]
    context = {"kind": kind, "kind_label": User._meta.get_field(kind).verbose_name, "token": token}
    if request.method == "POST":
        email_kind_switch_off(user=user, kind=kind)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe.html", {**context, "already_off": not getattr(user, kind)})
