"""Mails about a registration, written in the language the person registered in.

The opt-in link goes even to people who switched registration mails off: they just asked for
it. Confirmations go only to those who want registration mails (`email_registration`)."""

from django.conf import settings
from django.urls import reverse

from helpathon.notifications.emails import notify


def _send(registration, template: str, *, kind: str | None, **context) -> None:
    context = {
        "registration": registration,
        "edition": registration.edition,
        "edition_url": settings.SITE_URL + registration.edition.get_absolute_url(),
        "hours": settings.REGISTRATION_CONFIRM_HOURS,
        **context,
    }
    notify(registration.user, kind, f"registrations/email/{template}", context, language=registration.language)


def confirm_url(token: str) -> str:
    return settings.SITE_URL + reverse("registrations:confirm", kwargs={"token": token})


def send_opt_in(registration, token: str) -> None:
    _send(registration, "opt_in", kind=None, confirm_url=confirm_url(token))


def send_confirmed(registration) -> None:
    _send(registration, "confirmed", kind="email_registration")


def send_promoted(registration, *, token: str | None) -> None:
    # A held place needs its link confirmed, or it goes to the next person: that mail goes
    # like the opt-in it replaces. A place that is already theirs is news they can switch off.
    kind = None if token else "email_registration"
    _send(registration, "promoted", kind=kind, confirm_url=confirm_url(token) if token else None)
