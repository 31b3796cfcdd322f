"""may(user, action, edition): the role × phase × action matrix, and the rules around it.

The expectations here are written out on their own, from what each phase of a helpathon is
for; they deliberately do not read `editions.phases.PHASE_ACTIONS`, so that a change to that
table has to be made twice: once in the app and once, on purpose, here.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpathon.accounts.models import User
from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, Phase, PhaseKind
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.services import phase_set
from helpathon.registrations.services import make_token, registration_confirm, registration_create
from tests.factories import make_user

K = PhaseKind
A = Action

# In which phases a participant (a confirmed place in the edition) may take part how.
PARTICIPANT_PHASES = {
    A.SUBMIT_IDEA: {K.IDEATION},
    A.EDIT_IDEA: {K.IDEATION},
    A.COMMENT: {K.IDEATION, K.EVALUATION, K.TEAM_BUILDING, K.PROTOTYPING},
    A.SUPPORT: {K.EVALUATION},
    A.RATE: {K.EVALUATION},
    A.COMPARE: {K.EVALUATION},
    A.CREATE_TEAM: {K.TEAM_BUILDING},
    A.JOIN_TEAM: {K.TEAM_BUILDING, K.PROTOTYPING},
    A.EDIT_PROTOTYPE: {K.PROTOTYPING},
    A.SUBMIT_PROTOTYPE: {K.PROTOTYPING},
}
# Jurors (appointed by the organizers; not necessarily participants) score in the jury phase.
JURY_PHASES = {A.JURY_SCORE: {K.JURY}}
# Any signed-in, verified citizen may give public feedback, in that phase only.
CITIZEN_PHASES = {A.PUBLIC_FEEDBACK: {K.PUBLIC_FEEDBACK}}
# Gated by nothing but the role.
ORGANIZER_ANYTIME = {A.MANAGE_EDITION, A.MODERATE}
# Gated by the registration window, not by the phase.
WINDOW = {A.REGISTER}
# Any signed-in, verified citizen may report content, at any time.
CITIZEN_ANYTIME = {A.REPORT}

PHASE_GATED = [*PARTICIPANT_PHASES, *JURY_PHASES, *CITIZEN_PHASES]
ROLES = ["visitor", "citizen", "participant", "juror", "organizer"]


def expected(role: str, kind: str, action: str) -> bool:
    """What `role` may do in a phase of `kind`, with the registration window open."""
    if role == "visitor":
        return False  # anonymous people read; every action needs an account
    if action in WINDOW:
        # A participant "may" register too: being registered already is the service's
        # business (AlreadyRegistered), not a permission.
        return True
    if action in ORGANIZER_ANYTIME:
        return role == "organizer"
    if action in CITIZEN_ANYTIME:
        return True
    if action in JURY_PHASES:
        return role == "juror" and kind in JURY_PHASES[action]
    if action in CITIZEN_PHASES:
        # Citizens, participants, jurors and organizers are all verified citizens.
        return kind in CITIZEN_PHASES[action]
    return role == "participant" and kind in PARTICIPANT_PHASES[action]


@pytest.fixture
def juror(edition, organizer):
    from helpathon.evaluation.services import jury_appoint

    user = make_user("juror@example.org", display_name="Julia Juror")
    jury_appoint(actor=organizer, edition=edition, user=user)
    return user


@pytest.fixture
def superuser(db):
    return make_user("admin@example.org", display_name="Ada Admin", is_staff=True, is_superuser=True)


def _fresh(user):
    """The same person as a new request would see them (no role caches)."""
    return User.objects.get(pk=user.pk) if user.is_authenticated else user


def _replace_agenda(edition: Edition, *spans: tuple[str, timedelta, timedelta]) -> Edition:
    """Give the edition an agenda of (kind, start offset, end offset) relative to now."""
    now = timezone.now()
    edition.phases.all().delete()
    for kind, start, end in spans:
        Phase.objects.create(edition=edition, kind=kind, starts_at=now + start, ends_at=now + end)
    return Edition.objects.get(pk=edition.pk)


def _set_registration_window(edition: Edition, opens: timedelta, closes: timedelta) -> Edition:
    now = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(registration_opens_at=now + opens, registration_closes_at=now + closes)
    return Edition.objects.get(pk=edition.pk)


def test_it_has_an_expectation_for_every_action():
    covered = (
        set(PARTICIPANT_PHASES) | set(JURY_PHASES) | set(CITIZEN_PHASES) | ORGANIZER_ANYTIME | WINDOW | CITIZEN_ANYTIME
    )
    assert covered == set(Action)


@pytest.mark.parametrize("action", Action.values)
@pytest.mark.parametrize("kind", PhaseKind.values)
def test_it_answers_each_role_in_each_phase(kind, action, edition, visitor, citizen, participant, juror, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    assert agenda_for(edition).current.kind == kind
    cast = {"visitor": visitor, "citizen": citizen, "participant": participant, "juror": juror, "organizer": organizer}

    answers = {role: may(user, action, edition) for role, user in cast.items()}

    assert answers == {role: expected(role, kind, action) for role in ROLES}


@pytest.mark.parametrize("action", PHASE_GATED)
def test_it_allows_no_phase_gated_action_before_the_agenda(action, edition, citizen, participant, juror, organizer):
    assert agenda_for(edition).current is None  # the edition starts in a week

    answers = {user.display_name: may(user, action, edition) for user in (citizen, participant, juror, organizer)}

    assert not any(answers.values()), answers


@pytest.mark.parametrize("action", PHASE_GATED)
def test_it_allows_no_phase_gated_action_between_phases(action, edition, citizen, participant, juror, organizer):
    hour = timedelta(hours=1)
    edition = _replace_agenda(edition, (K.IDEATION, -3 * hour, -hour), (K.EVALUATION, hour, 3 * hour))
    assert agenda_for(edition).current is None

    answers = {user.display_name: may(user, action, edition) for user in (citizen, participant, juror, organizer)}

    assert not any(answers.values()), answers


@pytest.mark.parametrize("action", PHASE_GATED)
def test_it_allows_no_phase_gated_action_after_the_agenda(action, edition, citizen, participant, juror, organizer):
    hour = timedelta(hours=1)
    # One hour per phase, the last one ended an hour ago.
    count = len(PhaseKind.values)
    spans = [(kind, (i - count - 1) * hour, (i - count) * hour) for i, kind in enumerate(PhaseKind.values)]
    edition = _replace_agenda(edition, *spans)
    assert agenda_for(edition).current is None

    answers = {user.display_name: may(user, action, edition) for user in (citizen, participant, juror, organizer)}

    assert not any(answers.values()), answers


def test_it_follows_the_clock_without_an_override(edition, participant):
    hour = timedelta(hours=1)
    edition = _replace_agenda(edition, (K.KICKOFF, -3 * hour, -hour), (K.IDEATION, -hour, hour))

    assert may(participant, Action.SUBMIT_IDEA, edition)


def test_it_closes_a_phase_when_the_clock_leaves_it(edition, participant):
    hour = timedelta(hours=1)
    edition = _replace_agenda(edition, (K.IDEATION, -3 * hour, -hour), (K.EVALUATION, -hour, hour))

    assert not may(participant, Action.SUBMIT_IDEA, edition)


@pytest.mark.parametrize(
    "window, allowed",
    [
        ((timedelta(days=-1), timedelta(days=1)), True),  # open
        ((timedelta(days=-10), timedelta(days=-1)), False),  # closed
        ((timedelta(days=1), timedelta(days=10)), False),  # not yet open
    ],
    ids=["open", "closed", "not-yet-open"],
)
def test_it_lets_citizens_register_only_in_the_registration_window(window, allowed, edition, citizen):
    edition = _set_registration_window(edition, *window)

    assert may(citizen, Action.REGISTER, edition) is allowed


def test_it_ignores_the_registration_phase_when_the_window_is_closed(edition, citizen, organizer):
    edition = _set_registration_window(edition, timedelta(days=-10), timedelta(days=-1))
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.REGISTRATION))

    assert not may(citizen, Action.REGISTER, edition)


def test_it_lets_citizens_register_in_any_phase_while_the_window_is_open(edition, citizen, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.RESULTS))

    assert may(citizen, Action.REGISTER, edition)


def test_it_does_not_let_a_citizen_with_an_unverified_email_register(edition):
    unverified = make_user("unverified@example.org", display_name="Udo Unverified", verified=False)

    assert not may(unverified, Action.REGISTER, edition)


def test_it_does_not_let_a_citizen_with_an_unverified_email_give_public_feedback(edition, organizer):
    unverified = make_user("unverified@example.org", display_name="Udo Unverified", verified=False)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.PUBLIC_FEEDBACK))

    assert not may(unverified, Action.PUBLIC_FEEDBACK, edition)


def _a_phase_allowing(action: str) -> str:
    for table in (PARTICIPANT_PHASES, JURY_PHASES, CITIZEN_PHASES):
        if action in table:
            return min(table[action])
    return K.IDEATION  # window and anytime actions do not care


@pytest.mark.parametrize("action", Action.values)
def test_it_lets_an_inactive_user_do_nothing(action, edition, organizer):
    # The organizer also holds a confirmed place and a seat on the jury: active, they could do
    # every action.
    from helpathon.evaluation.services import jury_appoint

    registration = registration_create(
        user=organizer, edition=edition, sector="administration", role="employee", consent=True
    )
    registration_confirm(token=make_token(registration))
    jury_appoint(actor=organizer, edition=edition, user=organizer)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=_a_phase_allowing(action)))
    assert may(_fresh(organizer), action, edition)

    User.objects.filter(pk=organizer.pk).update(is_active=False)

    assert not may(_fresh(organizer), action, edition)


def test_it_lets_the_editions_organizer_manage_it(edition, organizer):
    assert may(organizer, Action.MANAGE_EDITION, edition)


def test_it_does_not_let_an_organizer_of_another_edition_manage_it(edition, stranger_organizer):
    assert not may(stranger_organizer, Action.MANAGE_EDITION, edition)


def test_it_lets_an_organizer_manage_their_own_other_edition(stranger_organizer):
    other = Edition.objects.get(slug="other-edition")

    assert may(stranger_organizer, Action.MANAGE_EDITION, other)


def test_it_does_not_let_an_organizer_of_another_edition_moderate_it(edition, stranger_organizer):
    assert not may(stranger_organizer, Action.MODERATE, edition)


def test_it_lets_a_superuser_manage_any_edition(edition, superuser):
    assert may(superuser, Action.MANAGE_EDITION, edition)


def test_it_treats_no_user_as_a_visitor(edition):
    assert not may(None, Action.REGISTER, edition)


def test_it_answers_for_objects_inside_an_edition(edition, organizer):
    challenge = edition.challenges.first()

    assert may(organizer, Action.MANAGE_EDITION, challenge)


# --- own work, jurors, and per-edition additions to the phase table ------------------------------


@pytest.fixture
def idea_by_participant(edition, organizer, participant):
    """An idea the participant wrote in ideation; the edition then moves on to evaluation."""
    from helpathon.ideas.services import idea_create

    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.IDEATION))
    idea = idea_create(actor=participant, challenge=edition.challenges.first(), title="Mehr Bänke am Fluss", body="x")
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.EVALUATION))
    return type(idea).objects.get(pk=idea.pk)


@pytest.fixture
def other_participant(edition):
    user = make_user("petra@example.org", display_name="Petra Peer")
    registration = registration_create(user=user, edition=edition, sector="science", role="student", consent=True)
    registration_confirm(token=make_token(registration))
    return user


@pytest.mark.parametrize("action", [A.SUPPORT, A.RATE])
def test_it_does_not_let_the_author_evaluate_their_own_idea(action, idea_by_participant, participant):
    assert not may(participant, action, idea_by_participant)


@pytest.mark.parametrize("action", [A.SUPPORT, A.RATE])
def test_it_lets_the_author_evaluate_in_general(action, idea_by_participant, participant):
    # Asked about the edition (is there anything to support?), being an author does not matter.
    assert may(participant, action, idea_by_participant.edition)


@pytest.mark.parametrize("action", [A.SUPPORT, A.RATE])
def test_it_lets_other_participants_evaluate_an_idea(action, idea_by_participant, other_participant):
    assert may(other_participant, action, idea_by_participant)


def test_it_does_not_let_a_juror_score_their_own_idea(idea_by_participant, organizer, participant):
    from helpathon.evaluation.services import jury_appoint

    jury_appoint(actor=organizer, edition=idea_by_participant.edition, user=participant)
    edition = Edition.objects.get(pk=idea_by_participant.edition_id)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.JURY))
    idea = type(idea_by_participant).objects.get(pk=idea_by_participant.pk)

    assert not may(_fresh(participant), A.JURY_SCORE, idea)
    assert may(_fresh(participant), A.JURY_SCORE, edition)


def test_it_does_not_let_a_juror_of_another_edition_score(edition, organizer, stranger_organizer):
    from helpathon.evaluation.services import jury_appoint

    other = Edition.objects.get(slug="other-edition")
    outsider = make_user("otto@example.org", display_name="Otto Outsider")
    jury_appoint(actor=stranger_organizer, edition=other, user=outsider)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.JURY))

    assert not may(outsider, A.JURY_SCORE, edition)


def _with_extra(edition: Edition, extra) -> Edition:
    """Set the edition's additions to the phase table as the admin does: validated first."""
    edition.phase_actions_extra = extra
    edition.full_clean()
    edition.save(update_fields=["phase_actions_extra"])
    return Edition.objects.get(pk=edition.pk)


def test_it_lets_an_edition_add_jury_scoring_to_the_evaluation_phase(edition, organizer, juror, participant):
    edition = _with_extra(edition, {"evaluation": ["jury_score"]})
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.EVALUATION))

    answers = {"juror": may(juror, A.JURY_SCORE, edition), "participant": may(participant, A.JURY_SCORE, edition)}

    assert answers == {"juror": True, "participant": False}


def test_it_keeps_the_phase_table_where_the_edition_adds_nothing(edition, organizer, juror):
    edition = _with_extra(edition, {"evaluation": ["jury_score"]})
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.IDEATION))

    assert (may(juror, A.JURY_SCORE, edition), may(juror, A.SUBMIT_IDEA, edition)) == (False, False)


def test_it_still_lets_the_jury_score_in_the_jury_phase_when_an_edition_adds_a_phase(edition, organizer, juror):
    edition = _with_extra(edition, {"evaluation": ["jury_score"]})
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.JURY))

    assert may(juror, A.JURY_SCORE, edition)


def test_it_lets_an_edition_let_participants_rate_while_prototyping(edition, organizer, participant):
    edition = _with_extra(edition, {"prototyping": ["rate", "support"]})
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.PROTOTYPING))

    answers = {action: may(participant, action, edition) for action in (A.RATE, A.SUPPORT, A.COMPARE)}

    assert answers == {A.RATE: True, A.SUPPORT: True, A.COMPARE: False}


def test_it_accepts_no_additions_at_all(edition):
    assert _with_extra(edition, {}).phase_actions_extra == {}


@pytest.mark.parametrize(
    "extra",
    [
        {"brainstorming": ["rate"]},  # no such phase kind
        {"evaluation": ["manage_edition"]},  # not extendable: the organizers' own action
        {"ideation": ["submit_prototype"]},  # not extendable
        {"evaluation": ["jury_score", "fly"]},  # no such action
        {"evaluation": "jury_score"},  # not a list
        {"evaluation": [["jury_score"]]},  # a list in the list
        {"evaluation": [{"a": 1}]},
        ["evaluation", "jury_score"],  # not a mapping
        "evaluation",
    ],
    ids=["kind", "organizer-action", "prototype", "unknown-action", "string", "nested", "dict", "list", "text"],
)
def test_it_refuses_additions_that_do_not_fit_the_phase_table(extra, edition):
    edition.phase_actions_extra = extra

    with pytest.raises(ValidationError) as refused:
        edition.full_clean()

    assert list(refused.value.message_dict) == ["phase_actions_extra"]
