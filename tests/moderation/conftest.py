"""Shared state for the moderation tests: an edition in its ideation phase, an idea by the
participant, a comment by a second participant, and a moderator of the edition."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas.services import comment_create, idea_create
from helpathon.registrations.models import Registration
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, and user ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ideation(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    return edition


@pytest.fixture
def idea(ideation, participant):
    return idea_create(
        actor=participant, challenge=ideation.challenges.first(), title="Mehr Bänke im Stadtpark",
        body="Damit Ältere unterwegs eine Pause machen können.",
    )


@pytest.fixture
def commenter(edition):
    user = make_user("commenter@example.org", display_name="Clara Commenter")
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def comment(idea, commenter):
    return comment_create(actor=commenter, idea=idea, body="Das ist Unsinn, alle sind Idioten.")


@pytest.fixture
def moderator(edition):
    user = make_user("moderator@example.org", display_name="Mona Moderator")
    edition.moderators.add(user)
    return user
