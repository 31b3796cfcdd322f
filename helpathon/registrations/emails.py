"""Mails about a registration, written in the language the person registered in."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def _send(registration, template: str, **context) -> None:
    with translation.override(registration.language):
        context = {
            "registration": registration,
            "edition": registration.edition,
            "user": registration.user,
            "edition_url": settings.SITE_URL + registration.edition.get_absolute_url(),
            "hours": settings.REGISTRATION_CONFIRM_HOURS,
            **context,
        }
        subject = render_to_string(f"registrations/email/{template}_subject.txt", context)
        body = render_to_string(f"registrations/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [registration.user.email])


def confirm_url(token: str) -> str:
    return settings.SITE_URL + reverse("registrations:confirm", kwargs={"token": token})


def send_opt_in(registration, token: str) -> None:
    _send(registration, "opt_in", confirm_url=confirm_url(token))


def send_confirmed(registration) -> None:
    _send(registration, "confirmed")


def send_promoted(registration, *, token: str | None) -> None:
    _send(registration, "promoted", confirm_url=confirm_url(token) if token else None)
