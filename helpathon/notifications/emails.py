"""Mail to one person: in their language, only if they want this kind of mail, with a link that
switches the kind off (shown in the mail and as a List-Unsubscribe header, RFC 8058).

`notify(user, kind, template, context)` renders `<template>_subject.txt` and `<template>_body.txt`
with the person's language active and sends them. `kind` is one of `accounts.models.EMAIL_KINDS`,
or None for mail the person cannot switch off (a confirmation link they asked for).
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from helpathon.accounts.models import EMAIL_KINDS

UNSUBSCRIBE_SALT = "helpathon.notifications.unsubscribe"


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a valid token, else None. Tokens do not expire: an old mail's link
    must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in EMAIL_KINDS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def unsubscribe_url(user, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})


def wants(user, kind: str | None) -> bool:
    """Whether `user` can be mailed `kind` of mail (active, not deleted, not switched off)."""
    if not user.is_active or user.deleted_at is not None or not user.email:
        return False
    return kind is None or bool(getattr(user, kind))


def render(user, template: str, context: dict, *, kind: str | None = None, language: str | None = None) -> EmailMessage:
    """The message for `user`, in their language (or `language`, when the mail belongs to
    something done in another one, like a registration), not yet sent."""
    language = language or user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        headers = {}
        if kind is not None:
            context["unsubscribe_url"] = url = unsubscribe_url(user, kind)
            headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
        if kind is not None:
            body = body.rstrip() + "\n\n-- \n" + render_to_string("notifications/email/_footer.txt", context)
    reply_to = [settings.CONTACT_EMAIL] if settings.CONTACT_EMAIL else None
    return EmailMessage(" ".join(subject.split()), body, None, [user.email], reply_to=reply_to, headers=headers)


def notify(user, kind: str | None, template: str, context: dict, *, attachments=(), language: str | None = None) -> bool:
    """Send one mail if the person wants it; returns whether it was sent."""
    if not wants(user, kind):
        return False
    message = render(user, template, context, kind=kind, language=language)
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()
    return True
