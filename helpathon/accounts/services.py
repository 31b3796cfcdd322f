from django.core.exceptions import PermissionDenied

from helpathon.accounts.models import User


def profile_update(*, actor: User, user: User, display_name: str, sector: str, role: str) -> User:
    """Change a person's public profile; only the person themselves may."""
    if actor.pk != user.pk:
        raise PermissionDenied
    user.display_name, user.sector, user.role = display_name, sector, role
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "sector", "role"])
    return user
