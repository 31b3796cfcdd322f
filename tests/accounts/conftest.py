"""A person who did everything one can do on Helpathon, for the tests of deleting an account
and of the data download: `world` builds it through the services, phase by phase."""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.evaluation import services as evaluation
from helpathon.ideas import services as ideas
from helpathon.ideas.models import Idea
from helpathon.notifications.models import ReminderSent
from helpathon.registrations.models import Registration
from helpathon.results import services as results
from helpathon.results.models import InnovationTemplate
from helpathon.teams import services as teams
from tests.factories import PASSWORD, make_user

# Distinctive, ASCII (JSON columns may escape other characters), and used nowhere else.
EMAIL = "zora.quixblatt@example.org"
NAME = "Zora Quixblatt"
MARKERS = ("quixblatt",)  # the part of both that must not survive, matched case-insensitively


@dataclass
class World:
    edition: object
    zora: object
    others: list
    ideas: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    team: object = None
    other_team: object = None
    template: object = None
    clients: dict = field(default_factory=dict)


def _confirmed(edition, user, *, sector="business", role="founder"):
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector=sector, role=role,
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


@pytest.fixture
def go_to(edition, organizer, django_capture_on_commit_callbacks):
    def go(kind: str):
        with django_capture_on_commit_callbacks(execute=True):
            phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
        edition.refresh_from_db()
        edition.__dict__.pop("_agenda", None)
        return edition

    return go


def _fresh(idea: Idea) -> Idea:
    return Idea.objects.select_related("edition", "challenge", "author").get(pk=idea.pk)


@pytest.fixture
def world(edition, organizer, participant, go_to) -> World:
    """Zora registered, wrote two ideas (one edited), comments and a reply, supported, rated and
    compared ideas, sat on the jury and scored, looked for a team, founded and led one, asked to
    join another, saved and drafted the prototype, and supported and commented on a template.
    Paul (the cast's participant) and Olli build on her work and answer her."""
    zora = _confirmed(edition, make_user(EMAIL, display_name=NAME, sector="science", role="student",
                                         named_in_results=True), sector="science", role="student")
    olli = _confirmed(edition, make_user("olli.other@example.org", display_name="Olli Other"))
    w = World(edition=edition, zora=zora, others=[participant, olli])
    first, second = list(edition.challenges.all())[:2]

    go_to("ideation")
    mine = ideas.idea_create(actor=zora, challenge=first, title="Lastenrad-Verleih", body="Ein Verleih im Quartier.",
                             tags=["mobilitaet"])
    mine = ideas.idea_update(actor=zora, idea=_fresh(mine), title="Lastenrad-Verleih am Markt",
                             body="Ein Verleih im Quartier, am Markt.", tags=["mobilitaet", "markt"], note="genauer")
    second_own = ideas.idea_create(actor=zora, challenge=first, title="Trinkbrunnen", body="Wasser fuer alle.")
    pauls = ideas.idea_create(actor=participant, challenge=first, title="Lastenrad-Hubs", body="Stationen.",
                              builds_on=[mine])
    ollis = ideas.idea_create(actor=olli, challenge=second, title="Schattenbaeume", body="Mehr Baeume.")
    zoras_comment = ideas.comment_create(actor=zora, idea=pauls, body="Schoen, dass du darauf aufbaust!")
    pauls_comment = ideas.comment_create(actor=participant, idea=_fresh(mine), body="Wo genau am Markt?")
    zoras_reply = ideas.comment_create(actor=zora, idea=_fresh(mine), body="Neben dem Brunnen.", parent=pauls_comment)
    ollis_reply = ideas.comment_create(actor=olli, idea=_fresh(mine), body="Gute Frage.", parent=pauls_comment)
    w.ideas = {"mine": mine, "second_own": second_own, "pauls": pauls, "ollis": ollis}
    w.comments = {"zoras": zoras_comment, "pauls": pauls_comment, "zoras_reply": zoras_reply, "ollis_reply": ollis_reply}

    go_to("evaluation")
    evaluation.support_add(actor=zora, idea=_fresh(pauls))
    evaluation.support_add(actor=participant, idea=_fresh(mine))
    evaluation.rating_set(actor=zora, kind="idea", target=_fresh(pauls), panel="participants",
                          values={c.key: 4 for c in edition.criteria.filter(for_participants=True)} or {"impact": 4})
    comparison = evaluation.pair_next(actor=zora, challenge=first)
    if comparison is not None:
        evaluation.comparison_answer(actor=zora, pk=comparison.pk, outcome="left")

    go_to("team_building")
    teams.settings_update(actor=organizer, edition=edition, teams_per_person=2)
    teams.seeker_set(actor=zora, edition=edition, skills="Design, Recht", message="Ich zeichne gern.")
    w.team = teams.team_found(actor=zora, challenge=first, name="Die Radler", ideas=[_fresh(mine), _fresh(pauls)])
    request = teams.join_request_create(actor=participant, team=w.team, message="Ich helfe mit.")
    teams.join_request_decide(actor=zora, request=request, accept=True)
    w.other_team = teams.team_found(actor=olli, challenge=second, name="Gruene Ecke", ideas=[_fresh(ollis)])
    teams.join_request_create(actor=zora, team=w.other_team, message="Darf ich mitmachen?")

    go_to("prototyping")
    prototype = teams.prototype_of(w.team)
    teams.prototype_save(actor=zora, team=w.team, base_version=prototype.version, sections={
        "problem": "Lieferverkehr verstopft die Innenstadt.", "solution": "Drei Lastenrad-Hubs.",
        "future_scenario": "2030 liefert der Markt emissionsfrei.",
    }, note="erste Fassung")
    prototype.refresh_from_db()
    teams.draft_save(actor=zora, team=w.team, base_version=prototype.version, sections={
        "problem": "Lieferverkehr verstopft die Innenstadt.", "solution": "Drei Hubs, noch nicht gespeichert.",
        "future_scenario": "2030 liefert der Markt emissionsfrei.",
    })
    teams.prototype_submit(actor=participant, team=w.team)

    go_to("jury")
    evaluation.jury_appoint(actor=organizer, edition=edition, user=zora)
    jury_values = {c.key: 5 for c in edition.criteria.filter(for_jury=True)}
    evaluation.rating_set(actor=zora, kind="idea", target=_fresh(ollis), panel="jury", values=jury_values)

    go_to("public_feedback")
    w.template = InnovationTemplate.objects.get(prototype__team=w.team)
    results.template_support(actor=zora, template=w.template)
    results.template_comment(actor=zora, template=w.template, body="Bitte auch am Bahnhof.")
    results.template_support(actor=olli, template=w.template)
    results.template_comment(actor=olli, template=w.template, body="Sehr gut.")
    ReminderSent.objects.create(edition=edition, user=zora, sent_at=timezone.now())

    # Zora is signed in on two devices; Paul on one.
    for name, user in (("zora", zora), ("zora_phone", zora), ("paul", participant)):
        client = Client()
        assert client.login(email=user.email, password=PASSWORD)
        w.clients[name] = client
    return w
