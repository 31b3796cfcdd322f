"""may(user, action, idea or edition) for what people do with ideas: the role × phase matrix.

As in tests/editions/test_rules.py, the expectations are written out here from what each phase
is for, not read from `editions.phases`. Each action is asked once about the edition (may this
person do it at all now? what the page shows) and once about a particular idea (may they do it
to this one?), which is where authorship counts.
"""

import pytest

from helpathon.accounts.models import User
from helpathon.editions.models import Edition, PhaseKind
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.services import phase_follow_clock, phase_set
from helpathon.ideas.models import Idea
from helpathon.ideas.services import comment_create, idea_create
from helpathon.registrations.services import make_token, registration_confirm, registration_create
from tests.factories import make_user

K = PhaseKind
A = Action

ACTIONS = [A.SUBMIT_IDEA, A.EDIT_IDEA, A.COMMENT, A.MODERATE, A.REPORT]
ROLES = ["visitor", "citizen", "author", "other_participant", "organizer", "moderator", "stranger_organizer"]
PARTICIPANTS = {"author", "other_participant"}
COMMENT_PHASES = {K.IDEATION, K.EVALUATION, K.TEAM_BUILDING, K.PROTOTYPING}


def expected(role: str, kind: str | None, action: str, target: str) -> bool:
    """What `role` may do in a phase of `kind` (None: no phase running) to `target`."""
    if role == "visitor":
        return False  # reading needs no account, every action does
    if action == A.REPORT:
        return True  # every other role in the cast is a verified citizen; reports take no phase
    if action == A.MODERATE:
        return role in {"organizer", "moderator"}  # of this edition, in any phase
    if role not in PARTICIPANTS:
        return False  # organizers and moderators run the event, they do not take part
    if action == A.SUBMIT_IDEA:
        return kind == K.IDEATION
    if action == A.EDIT_IDEA:
        # Asked about the edition, "may one edit an idea now?" holds for any participant.
        return kind == K.IDEATION and (target == "edition" or role == "author")
    if action == A.COMMENT:
        return kind in COMMENT_PHASES
    raise AssertionError(action)


@pytest.fixture
def other_participant(edition):
    user = make_user("petra@example.org", display_name="Petra Peer")
    registration = registration_create(user=user, edition=edition, sector="science", role="student", consent=True)
    registration_confirm(token=make_token(registration))
    return user


@pytest.fixture
def moderator(edition):
    user = make_user("moderator@example.org", display_name="Mona Moderator")
    edition.moderators.add(user)
    return user


@pytest.fixture
def cast(visitor, citizen, participant, other_participant, organizer, moderator, stranger_organizer):
    return {
        "visitor": visitor, "citizen": citizen, "author": participant, "other_participant": other_participant,
        "organizer": organizer, "moderator": moderator, "stranger_organizer": stranger_organizer,
    }


@pytest.fixture
def idea(edition, organizer, participant):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=K.IDEATION))
    return idea_create(actor=participant, challenge=edition.challenges.first(), title="Mehr Bänke am Fluss")


def _fresh(obj):
    """As the next request sees it: no cached roles, edition or agenda."""
    if not getattr(obj, "is_authenticated", True):
        return obj  # a visitor
    return type(obj).objects.get(pk=obj.pk)


def _target(name: str, edition: Edition, idea: Idea):
    return _fresh(edition) if name == "edition" else _fresh(idea)


@pytest.mark.parametrize("target", ["edition", "idea"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", K.values)
def test_it_answers_each_role_in_each_phase(kind, action, target, edition, organizer, idea, cast):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))

    answers = {role: may(_fresh(user), action, _target(target, edition, idea)) for role, user in cast.items()}

    assert answers == {role: expected(role, kind, action, target) for role in ROLES}


@pytest.mark.parametrize("target", ["edition", "idea"])
@pytest.mark.parametrize("action", ACTIONS)
def test_it_allows_only_moderating_and_reporting_while_no_phase_runs(action, target, edition, organizer, idea, cast):
    phase_follow_clock(actor=organizer, edition=edition)  # the edition starts in a week

    answers = {role: may(_fresh(user), action, _target(target, edition, idea)) for role, user in cast.items()}

    assert answers == {role: expected(role, None, action, target) for role in ROLES}


@pytest.mark.parametrize("target", ["edition", "idea"])
@pytest.mark.parametrize("kind", [K.REGISTRATION, K.IDEATION, K.RESULTS])
def test_it_does_not_let_an_unverified_account_report(kind, target, edition, organizer, idea):
    unverified = make_user("unverified@example.org", display_name="Udo Unverified", verified=False)
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))

    assert not may(unverified, A.REPORT, _target(target, edition, idea))


def test_it_does_not_let_an_inactive_moderator_moderate(edition, idea, moderator):
    User.objects.filter(pk=moderator.pk).update(is_active=False)

    assert not may(_fresh(moderator), A.MODERATE, _fresh(idea))


def test_it_does_not_let_a_moderator_of_another_edition_moderate(edition, idea, stranger_organizer):
    other = Edition.objects.get(slug="other-edition")
    other_moderator = make_user("elsewhere@example.org", display_name="Elli Elsewhere")
    other.moderators.add(other_moderator)

    assert (may(other_moderator, A.MODERATE, other), may(other_moderator, A.MODERATE, _fresh(idea))) == (True, False)


def test_it_answers_for_a_comment_as_for_its_idea(edition, organizer, idea, participant, moderator):
    comment = comment_create(actor=participant, idea=_fresh(idea), body="Erster!")

    assert (may(_fresh(moderator), A.MODERATE, comment), may(_fresh(participant), A.COMMENT, comment)) == (True, True)
