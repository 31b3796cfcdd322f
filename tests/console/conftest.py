"""The console tests use the fixed cast of tests/conftest.py: visitor, citizen, participant,
organizer (of `edition`), stranger_organizer (of another edition)."""

import pytest
from django.utils import timezone

from helpathon.registrations.models import Registration
from tests.factories import make_user


def register(edition, email: str, *, status=Registration.Status.CONFIRMED, display_name=None, **extra):
    user = make_user(email, display_name=display_name)
    now = timezone.now()
    return Registration.objects.create(
        edition=edition, user=user, status=status, sector=extra.pop("sector", "science"),
        role=extra.pop("role", "student"), consent_at=now,
        confirmed_at=now if status == Registration.Status.CONFIRMED else None, **extra,
    )


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client
