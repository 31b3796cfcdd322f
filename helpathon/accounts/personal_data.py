"""Everything stored about a person, for the download the GDPR (DSGVO, Art. 15 and 20) grants.

Each app contributes the part it stores (`contributor`), registered in its `AppConfig.ready`,
so that accounts needs no domain internals and a new app cannot forget its part silently: the
test of the export lists the parts it expects.
"""

from django.utils import timezone

_contributors: dict[str, object] = {}


def contributor(name: str):
    """Register a callable(user) -> JSON-serializable value under `name`."""

    def register(function):
        _contributors[name] = function
        return function

    return register


def export(user) -> dict:
    data = {"exported_at": timezone.now(), "format": "helpathon-personal-data/1"}
    for name, function in sorted(_contributors.items()):
        data[name] = function(user)
    return data


@contributor("account")
def account_part(user) -> dict:
    from allauth.account.models import EmailAddress

    from helpathon.accounts.models import EMAIL_KINDS

    return {
        "email": user.email, "display_name": user.display_name, "sector": user.sector, "role": user.role,
        "named_in_results": user.named_in_results, "language": user.language,
        "emails_wanted": {kind: getattr(user, kind) for kind in EMAIL_KINDS},
        "date_joined": user.date_joined, "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "organizer_of": list(user.organized_editions.order_by("slug").values_list("slug", flat=True)),
        "moderator_of": list(user.moderated_editions.order_by("slug").values_list("slug", flat=True)),
    }
