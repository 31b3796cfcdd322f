"""Shared set-up for results tests: an edition whose team 'Die Radler' (lead Paul Participant,
member Mia Member, who agreed to be named) submitted its prototype, built from two ideas (one
building on the other), with a comment and supports; then the agenda moves to public feedback,
which makes the innovation template."""

import pytest
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import services as idea_services
from helpathon.registrations.models import Registration
from helpathon.results.models import InnovationTemplate
from helpathon.teams import services as team_services
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _confirmed(edition, user, *, sector="business", role="founder"):
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector=sector, role=role,
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def member(edition):
    return _confirmed(edition, make_user("mia.member@example.org", display_name="Mia Member", named_in_results=True),
                      sector="science", role="student")


@pytest.fixture
def idea_author(edition):
    return _confirmed(edition, make_user("ida.author@example.org", display_name="Ida Author"), sector="civil_society",
                      role="citizen")


@pytest.fixture
def go_to(edition, organizer, django_capture_on_commit_callbacks):
    """Move the agenda by hand, running what follows the commit (the templates are made then)."""

    def go(kind: str):
        with django_capture_on_commit_callbacks(execute=True):
            phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
        edition.refresh_from_db()
        edition.__dict__.pop("_agenda", None)
        return edition

    return go


@pytest.fixture
def lineage(edition, go_to, idea_author, participant):
    """Two ideas in the first challenge, the second building on the first, and a comment."""
    go_to("ideation")
    challenge = edition.challenges.first()
    root = idea_services.idea_create(actor=idea_author, challenge=challenge, title="Lastenräder leihen",
                                     body="Ein Verleih für Lastenräder im Quartier.")
    child = idea_services.idea_create(actor=participant, challenge=challenge, title="Lastenrad-Hubs am Markt",
                                      body="Stationen am Wochenmarkt.", builds_on=[root])
    idea_services.comment_create(actor=idea_author, idea=child, body="Gute Idee, mit Ladestation!")
    return [root, child]


@pytest.fixture
def submitted_team(edition, go_to, lineage, participant, member):
    go_to("team_building")
    team = team_services.team_found(actor=participant, challenge=lineage[1].challenge, name="Die Radler",
                                    ideas=lineage, skills_needed="Design")
    request = team_services.join_request_create(actor=member, team=team, message="")
    team_services.join_request_decide(actor=participant, request=request, accept=True)
    go_to("prototyping")
    prototype = team_services.prototype_of(team)
    team_services.prototype_save(actor=participant, team=team, base_version=prototype.version, sections={
        "problem": "Lieferverkehr verstopft die Innenstadt.",
        "target_group": "Händler und Kundschaft am Markt.",
        "solution": "Drei Lastenrad-Hubs mit Buchungssystem.",
        "future_scenario": "2030 liefert der Markt emissionsfrei.",
        "next_steps": "Standorte mit dem Tiefbauamt prüfen.",
    })
    team_services.prototype_submit(actor=participant, team=team)
    return team


@pytest.fixture
def template(edition, go_to, submitted_team) -> InnovationTemplate:
    """The innovation template, made when the agenda moved past prototyping."""
    go_to("public_feedback")
    return InnovationTemplate.objects.get(prototype__team=submitted_team)
