"""How people appear in results, reports and open data: their display name only if they agreed
(`User.named_in_results`), otherwise a pseudonym that is stable within one edition but says
nothing about the person and cannot be linked across editions."""

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _


def pseudonym(user_id: int, edition_id: int) -> str:
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"helpathon-pseudonym:{edition_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return _("Participant %(code)s") % {"code": digest[:6]}


def result_name(user, edition_id: int) -> str:
    """The name to print for `user` in the results of edition `edition_id`."""
    if user is None or user.deleted_at is not None:
        return _("deleted account")
    if user.named_in_results and user.display_name:
        return user.display_name
    return pseudonym(user.pk, edition_id)
