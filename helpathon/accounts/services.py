from django.conf import settings
from django.core.exceptions import PermissionDenied

from helpathon.accounts.deletion import account_delete  # noqa: F401  (erasure lives in its own module)
from helpathon.accounts.models import EMAIL_KINDS, User

# The person's settings besides the public profile: mail language, consent to be named in
# results, and which kinds of mail they want.
SETTINGS_FIELDS = ("language", "named_in_results", *EMAIL_KINDS)


def profile_update(*, actor: User, user: User, display_name: str, sector: str, role: str, **choices) -> User:
    """Change a person's public profile, and any of SETTINGS_FIELDS given as keywords; only the
    person themselves may."""
    if actor.pk != user.pk:
        raise PermissionDenied
    unknown = set(choices) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"profile_update() got unexpected keywords: {sorted(unknown)}")
    user.display_name, user.sector, user.role = display_name, sector, role
    for field, value in choices.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "sector", "role", *choices])
    return user


def language_remember(*, user: User, language: str) -> None:
    """Write the person's mails in `language` from now on (the language they last chose on
    the site). Unknown languages are ignored."""
    if not user.is_authenticated or language not in {code for code, _name in settings.LANGUAGES}:
        return
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)


def email_kind_switch_off(*, user: User, kind: str) -> User:
    """Stop one kind of mail (the unsubscribe link; authorized by its signed token)."""
    if kind not in EMAIL_KINDS:
        raise ValueError(kind)
    if getattr(user, kind):
        setattr(user, kind, False)
        User.objects.filter(pk=user.pk).update(**{kind: False})
    return user
