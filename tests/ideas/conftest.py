import pytest

from helpathon.editions.services import phase_set
from helpathon.ideas import services


@pytest.fixture
def ideation(edition, organizer):
    """The edition in its ideation phase."""
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    edition.refresh_from_db()
    return edition


@pytest.fixture
def make_idea(ideation, participant):
    def make(title="Mehr Fahrradständer am Bahnhof", body="Am Hauptbahnhof fehlen **Stellplätze**.", *, author=None,
             challenge=None, **extra):
        return services.idea_create(
            actor=author or participant, challenge=challenge or ideation.challenges.first(), title=title, body=body,
            **extra,
        )

    return make
