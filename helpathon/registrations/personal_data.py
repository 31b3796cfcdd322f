"""A person's registrations, for their data download."""

from helpathon.accounts.personal_data import contributor
from helpathon.registrations.models import Registration


@contributor("registrations")
def registrations_part(user) -> list[dict]:
    rows = Registration.objects.filter(user=user).select_related("edition").prefetch_related("preferred_challenges")
    return [
        {"edition": r.edition.slug, "status": r.status, "sector": r.sector, "role": r.role, "language": r.language,
         "preferred_challenges": [c.slug for c in r.preferred_challenges.all()], "consent_at": r.consent_at,
         "created_at": r.created_at, "email_confirmed_at": r.email_confirmed_at, "confirmed_at": r.confirmed_at,
         "cancelled_at": r.cancelled_at}
        for r in rows.order_by("created_at")
    ]
