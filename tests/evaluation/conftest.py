"""Shared set-up for evaluation tests: ideas written in ideation, then the edition moved to
its evaluation phase; more participants on demand; a juror."""

import pytest
from django.utils import timezone

from helpathon.editions.models import Edition
from helpathon.editions.services import phase_set
from helpathon.evaluation import services
from helpathon.ideas import services as idea_services
from helpathon.registrations.models import Registration
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english():
    # Services speak the active language; evaluation tests read the English source messages (the
    # German ones are checked for completeness in tests/test_translations.py). Without this,
    # the language would be whatever an earlier request in the same worker left active.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_participant(edition):
    """make_participant("name") -> a new user with a confirmed place in the edition."""
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, target_edition: Edition | None = None):
        n = next(counter)
        user = make_user(f"voter{n}@example.org", display_name=name or f"Voter {n}")
        now = timezone.now()
        Registration.objects.create(
            edition=target_edition or edition, user=user, status=Registration.Status.CONFIRMED, sector="science",
            role="student", consent_at=now, confirmed_at=now, email_confirmed_at=now,
        )
        return user

    return make


@pytest.fixture
def author(make_participant):
    """The participant who wrote the ideas (not the `participant` of the cast, who evaluates)."""
    return make_participant("Ida Author")


@pytest.fixture
def ideas(edition, organizer, author):
    """Six ideas in the first challenge and two in the second, written in ideation."""
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    first, second = list(edition.challenges.all())[:2]
    made = [
        idea_services.idea_create(actor=author, challenge=first, title=f"Idee Nummer {i}", body=f"Beschreibung {i}")
        for i in range(1, 7)
    ]
    made += [
        idea_services.idea_create(actor=author, challenge=second, title=f"Zweite Idee {i}", body="Text")
        for i in range(1, 3)
    ]
    return made


@pytest.fixture
def evaluation(edition, organizer, ideas):
    """The edition in its evaluation phase, with the ideas above."""
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="evaluation"))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def jury_phase(edition, organizer, ideas):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="jury"))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def juror(edition, organizer):
    user = make_user("juror@example.org", display_name="Julia Juror")
    services.jury_appoint(actor=organizer, edition=edition, user=user)
    return user
