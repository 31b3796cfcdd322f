"""Shared set-up for team tests: ideas written in ideation by `author`, then the edition in
its team-building phase; more participants on demand."""

import pytest
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import services as idea_services
from helpathon.registrations.models import Registration
from helpathon.teams import services
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english():
    # Services speak the active language; these tests read the English source messages.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_participant(edition):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None):
        n = next(counter)
        user = make_user(f"member{n}@example.org", display_name=name or f"Member {n}")
        now = timezone.now()
        Registration.objects.create(
            edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="business", role="founder",
            consent_at=now, confirmed_at=now, email_confirmed_at=now,
        )
        return user

    return make


@pytest.fixture
def author(make_participant):
    return make_participant("Ida Author")


@pytest.fixture
def ideas(edition, organizer, author):
    """Three ideas in the first challenge and one in the second, written in ideation."""
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    first, second = list(edition.challenges.all())[:2]
    made = [
        idea_services.idea_create(actor=author, challenge=first, title=f"Teamidee {i}", body="Text")
        for i in range(1, 4)
    ]
    made.append(idea_services.idea_create(actor=author, challenge=second, title="Andere Idee", body="Text"))
    return made


@pytest.fixture
def team_building(edition, organizer, ideas):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="team_building"))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def team(team_building, participant, ideas):
    """A team founded by the cast's participant around the first idea."""
    return services.team_found(
        actor=participant, challenge=ideas[0].challenge, name="Die Radler", ideas=[ideas[0]],
        skills_needed="Design, Recht",
    )
