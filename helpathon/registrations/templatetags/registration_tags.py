from django import template
from django.utils import timezone

from helpathon.editions.agenda import registration_is_open
from helpathon.registrations import selectors

register = template.Library()


@register.inclusion_tag("registrations/_box.html", takes_context=True)
def registration_box(context, edition):
    """The registration panel of an edition page: the person's own status and the public
    numbers (counts only)."""
    user = context["request"].user
    registration = selectors.registration_of(user=user, edition=edition)
    return {
        "request": context["request"],
        "edition": edition,
        "registration": registration,
        "position": selectors.waitlist_position(registration) if registration else None,
        "summary": selectors.registration_summary(edition),
        "is_open": registration_is_open(edition),
        "opens_later": timezone.now() < edition.registration_opens_at,
        "csrf_token": context.get("csrf_token"),
    }
