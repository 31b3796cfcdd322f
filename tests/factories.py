"""Build test state the way the app does, with real rows in the real database."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.models import Challenge, Edition, Partner, Phase, PhaseKind

PASSWORD = "a-Long-test-passw0rd"


def organizers_group():
    """The group a migration creates. Transactional tests flush the database, migration data
    included, so recreate it the way the migration does when it is gone."""
    import importlib

    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name=settings.ORGANIZERS_GROUP)
    if created:
        # Flushing re-creates permissions (post_migrate), not the migration's group.
        granted = {}
        for module in ("helpathon.registrations.migrations.0002_organizers_group",
                       "helpathon.evaluation.migrations.0002_organizers_permissions",
                       "helpathon.teams.migrations.0002_organizers_permissions"):
            granted.update(importlib.import_module(module).PERMISSIONS)
        for app_label, models in granted.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                group.permissions.add(
                    *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                )
    return group


def make_user(email: str, *, display_name: str | None = None, verified: bool = True, **extra) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, display_name=display_name or email.split("@")[0].title(), **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def make_edition(
    *,
    slug: str = "test-edition",
    capacity: int = 50,
    starts_in: timedelta = timedelta(days=7),
    duration: timedelta = timedelta(days=2),
    registration_open: bool = True,
    phase_kinds: list[str] | None = None,
    challenges: int = 2,
    status: str = Edition.Status.PUBLISHED,
    **extra,
) -> Edition:
    """A published edition starting `starts_in` from now, with challenges and an agenda of
    consecutive phases of equal length spread over its duration."""
    now = timezone.now()
    starts_at = now + starts_in
    ends_at = starts_at + duration
    if registration_open:
        opens, closes = now - timedelta(days=1), max(starts_at, now + timedelta(hours=1))
    else:
        opens, closes = now - timedelta(days=10), now - timedelta(days=1)
    edition = Edition.objects.create(
        slug=slug,
        title=extra.pop("title", f"Helpathon {slug}"),
        motto=extra.pop("motto", "Comeback stronger"),
        description=extra.pop("description", "Eine Testausgabe."),
        starts_at=starts_at,
        ends_at=ends_at,
        registration_opens_at=opens,
        registration_closes_at=closes,
        capacity=capacity,
        status=status,
        **extra,
    )
    partner, _ = Partner.objects.get_or_create(name="Wirtschaftsförderung Test")
    edition.partners.add(partner)
    for index in range(challenges):
        Challenge.objects.create(
            edition=edition,
            slug=f"challenge-{index + 1}",
            title=f"Herausforderung {index + 1}",
            description="Worum es geht.",
            guiding_questions="Wie kann es gelingen?\nWas brauchen wir dafür?",
            order=index,
        )
    kinds = phase_kinds if phase_kinds is not None else list(PhaseKind.values)
    if kinds:
        step = duration / len(kinds)
        for index, kind in enumerate(kinds):
            Phase.objects.create(
                edition=edition, kind=kind, starts_at=starts_at + step * index, ends_at=starts_at + step * (index + 1)
            )
    return edition
