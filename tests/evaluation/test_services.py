"""The evaluation services: supports within a budget, criteria ratings by participants and by
the jury, pairwise comparisons, the jury and the settings. Who may evaluate when, what each
write keeps, and the live event each records in the same transaction.

State is set up through the services, as a request would; ideas are written in ideation (the
`ideas` fixture) and evaluated after the organizer moved the edition on (`evaluation`).
"""

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from helpathon.editions.models import PhaseKind
from helpathon.editions.services import phase_set
from helpathon.evaluation import selectors, services
from helpathon.evaluation.models import (
    EvaluationSettings,
    Comparison,
    Criterion,
    IdeaScore,
    JuryMember,
    Panel,
    Rating,
    Support,
    TargetKind,
    VoterReliability,
)
from helpathon.evaluation.services import BudgetExhausted
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live.events import EVENT_FIELDS
from helpathon.live.models import LiveEvent
from helpathon.moderation.services import content_hide
from helpathon.registrations.services import registration_create
from tests.factories import make_edition, make_user

K = PhaseKind
IDEA = TargetKind.IDEA
PARTICIPANTS, JURY = Panel.PARTICIPANTS, Panel.JURY
Outcome = Comparison.Outcome


# --- helpers -----------------------------------------------------------------------------------


def _events(edition, type_: str) -> list[dict]:
    return [e.payload for e in LiveEvent.objects.filter(edition=edition, type=type_).order_by("seq")]


def _event_count(edition) -> int:
    return LiveEvent.objects.filter(edition=edition).count()


def _fresh(idea: Idea) -> Idea:
    return Idea.objects.get(pk=idea.pk)


def _fresh_user(user):
    """The same person as their next request sees them (no role cached on the object)."""
    return type(user).objects.get(pk=user.pk)


def _enter(kind: str, *, edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()
    return edition


def _supporters(idea: Idea) -> set[int]:
    return set(Support.objects.filter(idea=idea).values_list("user_id", flat=True))


def _hide(idea: Idea, organizer) -> Idea:
    return content_hide(actor=organizer, idea=idea, reason="Doppelt eingereicht, bitte zusammenführen.")


def _answer_for(comparison: Comparison, winner: Idea) -> str:
    return Outcome.LEFT if comparison.left_id == winner.pk else Outcome.RIGHT


def _pair(comparison: Comparison) -> frozenset[int]:
    return frozenset((comparison.left_id, comparison.right_id))


@pytest.fixture
def challenge(evaluation):
    return evaluation.challenges.order_by("order").first()


@pytest.fixture
def second_challenge(evaluation):
    return evaluation.challenges.order_by("order")[1]


@pytest.fixture
def first(ideas):
    return ideas[0]


@pytest.fixture
def voters(make_participant):
    return [make_participant(f"Voter {i}") for i in range(3)]


@pytest.fixture
def pauls_ideas(edition, ideas, participant):
    """Two ideas by the cast's participant in the first challenge (written in ideation, where
    the `ideas` fixture leaves the edition), so that the participant has own work to skip."""
    challenge = edition.challenges.order_by("order").first()
    return [
        idea_services.idea_create(actor=participant, challenge=challenge, title=f"Pauls Idee {i}", body="Text")
        for i in range(1, 3)
    ]


@pytest.fixture
def evaluation_with_pauls_ideas(edition, organizer, pauls_ideas):
    return _enter(K.EVALUATION, edition=edition, organizer=organizer)


# --- supports ------------------------------------------------------------------------------------


def test_it_supports_an_idea(evaluation, participant, first):
    state = services.support_add(actor=participant, idea=first)

    assert (state.idea_id, state.supported, state.supports) == (first.pk, True, 1)
    assert _supporters(first) == {participant.pk}


def test_it_reports_the_budget_left_after_a_support(evaluation, participant, first):
    state = services.support_add(actor=participant, idea=first)

    assert (state.budget.total, state.budget.used, state.budget.remaining) == (5, 1, 4)


def test_it_keeps_the_support_count_in_step_with_the_supports(evaluation, voters, first):
    for voter in voters:
        services.support_add(actor=voter, idea=first)

    assert _fresh(first).support_count == Support.objects.filter(idea=first).count() == 3


def test_it_changes_nothing_when_someone_supports_twice(evaluation, participant, first):
    services.support_add(actor=participant, idea=first)
    events = _event_count(evaluation)

    state = services.support_add(actor=participant, idea=first)

    assert (state.supported, state.supports, state.budget.used) == (True, 1, 1)
    assert (Support.objects.filter(idea=first).count(), _fresh(first).support_count) == (1, 1)
    assert _event_count(evaluation) == events


def test_it_withdraws_a_support(evaluation, participant, first):
    services.support_add(actor=participant, idea=first)

    state = services.support_withdraw(actor=participant, idea=first)

    assert (state.supported, state.supports, state.budget.used) == (False, 0, 0)
    assert (_supporters(first), _fresh(first).support_count) == (set(), 0)


def test_it_changes_nothing_when_someone_withdraws_twice(evaluation, participant, voters, first):
    services.support_add(actor=voters[0], idea=first)
    services.support_add(actor=participant, idea=first)
    services.support_withdraw(actor=participant, idea=first)
    events = _event_count(evaluation)

    state = services.support_withdraw(actor=participant, idea=first)

    assert (state.supported, state.supports) == (False, 1)
    assert (_supporters(first), _fresh(first).support_count) == ({voters[0].pk}, 1)
    assert _event_count(evaluation) == events


def test_it_refuses_a_support_beyond_the_budget_of_a_challenge(evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=2)
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[1])

    with pytest.raises(BudgetExhausted) as refused:
        services.support_add(actor=participant, idea=ideas[2])

    assert refused.value.messages == [
        "You have used all 2 supports of this challenge. Withdraw one to support another idea."
    ]
    assert _supporters(ideas[2]) == set()


def test_it_refuses_an_exhausted_budget_as_a_validation_error(evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)
    services.support_add(actor=participant, idea=ideas[0])

    with pytest.raises(ValidationError):
        services.support_add(actor=participant, idea=ideas[1])


def test_it_gives_each_challenge_its_own_budget(evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)
    in_first, in_second = ideas[0], ideas[6]

    services.support_add(actor=participant, idea=in_first)
    state = services.support_add(actor=participant, idea=in_second)

    assert (state.budget.used, state.budget.remaining) == (1, 0)
    assert Support.objects.filter(user=participant).count() == 2


def test_it_shares_one_budget_over_the_edition_when_so_set(evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=2, budget_scope="edition")
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[6])

    with pytest.raises(BudgetExhausted) as refused:
        services.support_add(actor=participant, idea=ideas[1])

    assert refused.value.messages == [
        "You have used all 2 supports of this edition. Withdraw one to support another idea."
    ]


def test_it_returns_a_withdrawn_support_to_the_budget(evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)
    services.support_add(actor=participant, idea=ideas[0])
    services.support_withdraw(actor=participant, idea=ideas[0])

    state = services.support_add(actor=participant, idea=ideas[1])

    assert (state.supported, state.budget.remaining) == (True, 0)


def test_it_does_not_let_the_author_support_their_own_idea(evaluation, author, first):
    with pytest.raises(PermissionDenied):
        services.support_add(actor=author, idea=first)

    assert _fresh(first).support_count == 0


@pytest.fixture
def applicant(edition):
    """A citizen who applied for a place but has not confirmed it."""
    user = make_user("applicant@example.org", display_name="Anna Applicant")
    registration_create(user=user, edition=edition, sector="science", role="student", consent=True)
    return user


@pytest.mark.parametrize("who", ["visitor", "citizen", "applicant", "organizer", "stranger_organizer"])
def test_it_lets_only_participants_support(who, evaluation, first, request):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.support_add(actor=user, idea=first)

    assert not Support.objects.exists()


def test_it_does_not_let_a_participant_of_another_edition_support(evaluation, first, make_participant):
    other = make_edition(slug="other")
    outsider = make_participant("Otto Outsider", target_edition=other)

    with pytest.raises(PermissionDenied):
        services.support_add(actor=outsider, idea=first)


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.EVALUATION}))
def test_it_lets_nobody_support_outside_the_evaluation_phase(kind, edition, organizer, participant, ideas):
    _enter(kind, edition=edition, organizer=organizer)

    with pytest.raises(PermissionDenied):
        services.support_add(actor=participant, idea=ideas[0])


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.EVALUATION}))
def test_it_lets_nobody_withdraw_outside_the_evaluation_phase(kind, evaluation, organizer, participant, first):
    services.support_add(actor=participant, idea=first)
    _enter(kind, edition=evaluation, organizer=organizer)

    with pytest.raises(PermissionDenied):
        services.support_withdraw(actor=participant, idea=_fresh(first))

    assert _supporters(first) == {participant.pk}


def test_it_refuses_to_support_a_hidden_idea(evaluation, organizer, participant, first):
    _hide(first, organizer)

    with pytest.raises(ValidationError) as refused:
        services.support_add(actor=participant, idea=_fresh(first))

    assert refused.value.messages == ["This idea can no longer be supported."]


def test_it_refuses_to_support_a_merged_idea(evaluation, organizer, participant, ideas):
    idea_services.idea_merge(actor=organizer, idea=ideas[0], target=ideas[1])

    with pytest.raises(ValidationError):
        services.support_add(actor=participant, idea=_fresh(ideas[0]))

    assert not Support.objects.exists()


def test_it_records_the_new_count_live_with_each_support(evaluation, voters, first):
    for voter in voters:
        services.support_add(actor=voter, idea=first)

    assert _events(evaluation, "support.changed") == [
        {"idea": first.pk, "challenge": first.challenge_id, "supports": n} for n in (1, 2, 3)
    ]


def test_it_records_the_new_count_live_with_each_withdrawal(evaluation, voters, first):
    for voter in voters:
        services.support_add(actor=voter, idea=first)

    services.support_withdraw(actor=voters[1], idea=first)

    assert _events(evaluation, "support.changed")[-1] == {
        "idea": first.pk, "challenge": first.challenge_id, "supports": 2
    }


def test_it_says_nothing_live_about_who_supported(evaluation, participant, first):
    services.support_add(actor=participant, idea=first)

    (event,) = LiveEvent.objects.filter(edition=evaluation, type="support.changed")
    assert set(event.payload) == EVENT_FIELDS["support.changed"] == {"idea", "challenge", "supports"}


def test_it_records_no_event_when_a_withdrawal_changes_nothing(evaluation, participant, first):
    events = _event_count(evaluation)

    services.support_withdraw(actor=participant, idea=first)

    assert _event_count(evaluation) == events


@pytest.fixture
def merge_cast(evaluation, make_participant, ideas):
    """Both: supports the duplicate and the target; only_duplicate; only_target."""
    duplicate, target = ideas[0], ideas[1]
    both, only_duplicate, only_target = (make_participant(n) for n in ("Bea Both", "Dora Dup", "Tim Target"))
    for user, supported in ((both, (duplicate, target)), (only_duplicate, (duplicate,)), (only_target, (target,))):
        for idea in supported:
            services.support_add(actor=user, idea=idea)
    return duplicate, target, both, only_duplicate, only_target


def test_it_moves_the_supports_of_a_merged_idea_to_the_target(merge_cast, organizer):
    duplicate, target, both, only_duplicate, only_target = merge_cast

    idea_services.idea_merge(actor=organizer, idea=duplicate, target=target)

    assert _supporters(target) == {both.pk, only_duplicate.pk, only_target.pk}
    assert _supporters(duplicate) == set()


def test_it_keeps_one_support_of_a_person_who_supported_both_merged_ideas(merge_cast, organizer):
    duplicate, target, both, _dup, _target = merge_cast

    idea_services.idea_merge(actor=organizer, idea=duplicate, target=target)

    assert Support.objects.filter(user=both).count() == 1
    assert selectors.budget_of(user=both, challenge=target.challenge).used == 1


def test_it_recounts_both_ideas_after_a_merge(merge_cast, organizer):
    duplicate, target, *_people = merge_cast

    idea_services.idea_merge(actor=organizer, idea=duplicate, target=target)

    assert (_fresh(duplicate).support_count, _fresh(target).support_count) == (0, 3)


def test_it_records_the_targets_new_count_live_after_a_merge(merge_cast, organizer, evaluation):
    duplicate, target, *_people = merge_cast

    idea_services.idea_merge(actor=organizer, idea=duplicate, target=target)

    assert _events(evaluation, "support.changed")[-1] == {
        "idea": target.pk, "challenge": target.challenge_id, "supports": 3
    }


def test_it_records_no_support_event_for_a_merge_that_moves_no_support(evaluation, organizer, participant, ideas):
    services.support_add(actor=participant, idea=ideas[1])
    before = _events(evaluation, "support.changed")

    idea_services.idea_merge(actor=organizer, idea=ideas[0], target=ideas[1])

    assert _events(evaluation, "support.changed") == before
    assert _fresh(ideas[1]).support_count == 1


def test_it_moves_supports_into_the_targets_challenge(merge_cast, organizer, ideas):
    duplicate, _target, both, only_duplicate, _only_target = merge_cast
    elsewhere = ideas[6]

    idea_services.idea_merge(actor=organizer, idea=duplicate, target=elsewhere)

    moved = Support.objects.filter(idea=elsewhere)
    assert set(moved.values_list("challenge_id", flat=True)) == {elsewhere.challenge_id}
    assert set(moved.values_list("user_id", flat=True)) == {both.pk, only_duplicate.pk}


def test_it_does_not_move_a_support_onto_its_supporters_own_idea(
    evaluation_with_pauls_ideas, organizer, participant, author, pauls_ideas, ideas
):
    # The author supports Paul's idea; merged into the author's own idea, that support would
    # become a support of one's own work, which nobody may give.
    services.support_add(actor=author, idea=pauls_ideas[0])

    idea_services.idea_merge(actor=organizer, idea=pauls_ideas[0], target=ideas[0])

    assert not Support.objects.filter(user=author).exists()
    assert _fresh(ideas[0]).support_count == 0


# --- ratings -------------------------------------------------------------------------------------


def _rate(user, idea, values, panel=PARTICIPANTS):
    return services.rating_set(actor=user, kind=IDEA, target=idea, panel=panel, values=values)


def _ratings(user, idea, panel=PARTICIPANTS) -> dict[str, int]:
    return selectors.my_ratings(user, kind=IDEA, target_id=idea.pk, panel=panel)


def test_it_saves_ratings_from_1_to_5(evaluation, participant, first):
    mine = _rate(participant, first, {"impact": 1, "feasibility": 5, "novelty": 3})

    assert mine == _ratings(participant, first) == {"impact": 1, "feasibility": 5, "novelty": 3}


def test_it_accepts_ratings_as_a_form_sends_them(evaluation, participant, first):
    mine = _rate(participant, first, {"impact": "4", "novelty": " 2 "})

    assert mine == {"impact": 4, "novelty": 2}


def test_it_updates_a_rating_when_rated_again(evaluation, participant, first):
    _rate(participant, first, {"impact": 2, "novelty": 3})

    mine = _rate(participant, first, {"impact": 5})

    assert mine == {"impact": 5, "novelty": 3}
    assert Rating.objects.filter(rater=participant, criterion__key="impact").count() == 1


def test_it_takes_a_rating_back_given_none(evaluation, participant, first):
    _rate(participant, first, {"impact": 2, "novelty": 3})

    mine = _rate(participant, first, {"impact": None})

    assert mine == {"novelty": 3}
    assert not Rating.objects.filter(rater=participant, criterion__key="impact").exists()


def test_it_names_each_bad_value_and_unknown_criterion(evaluation, participant, first):
    with pytest.raises(ValidationError) as refused:
        _rate(
            participant, first, {"impact": 0, "feasibility": 6, "novelty": "viel", "sustainability": True, "beauty": 3}
        )

    assert refused.value.message_dict == {
        "impact": ["Please choose a value from 1 to 5."],
        "feasibility": ["Please choose a value from 1 to 5."],
        "novelty": ["Please choose a value from 1 to 5."],
        "sustainability": ["Please choose a value from 1 to 5."],
        "beauty": ["There is no such criterion."],
    }


def test_it_saves_nothing_when_one_value_is_bad(evaluation, participant, first):
    with pytest.raises(ValidationError):
        _rate(participant, first, {"impact": 4, "feasibility": 2.5})

    assert not Rating.objects.exists()


def test_it_asks_for_at_least_one_criterion(evaluation, participant, first):
    with pytest.raises(ValidationError) as refused:
        _rate(participant, first, {})

    assert refused.value.messages == ["Please rate at least one criterion."]


def test_it_refuses_values_that_are_not_a_mapping(evaluation, participant, first):
    with pytest.raises(ValidationError):
        _rate(participant, first, ["impact", 3])


def test_it_does_not_let_participants_rate_a_jury_only_criterion(evaluation, participant, first):
    # Criteria are configured in the admin; there is no service for them.
    services.criteria_ensure_defaults(edition=evaluation)
    Criterion.objects.filter(edition=evaluation, key="novelty").update(for_participants=False)

    with pytest.raises(ValidationError) as refused:
        _rate(participant, first, {"novelty": 4})

    assert refused.value.message_dict == {"novelty": ["There is no such criterion."]}


def test_it_does_not_let_the_author_rate_their_own_idea(evaluation, author, first):
    with pytest.raises(PermissionDenied):
        _rate(author, first, {"impact": 5})

    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "citizen", "applicant", "organizer", "juror"])
def test_it_lets_only_participants_rate_as_participants(who, evaluation, first, request):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        _rate(user, first, {"impact": 3})


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.EVALUATION}))
def test_it_lets_participants_rate_only_in_the_evaluation_phase(kind, edition, organizer, participant, ideas):
    _enter(kind, edition=edition, organizer=organizer)

    with pytest.raises(PermissionDenied):
        _rate(participant, ideas[0], {"impact": 3})


def test_it_lets_participants_rate_only_what_the_settings_say(evaluation, organizer, participant, first):
    # Set before the teams app was removed, say: the service no longer accepts it.
    EvaluationSettings.objects.update_or_create(edition=evaluation, defaults={"participants_rate": TargetKind.PROTOTYPE})

    with pytest.raises(PermissionDenied):
        _rate(participant, first, {"impact": 3})


def test_it_tells_live_how_many_have_rated_and_nothing_more(evaluation, voters, first):
    _rate(voters[0], first, {"impact": 3, "novelty": 4})
    _rate(voters[1], first, {"impact": 5})
    _rate(voters[0], first, {"feasibility": 2})

    assert _events(evaluation, "rating.changed") == [
        {"target_kind": "idea", "target": first.pk, "challenge": first.challenge_id, "raters": n} for n in (1, 2, 2)
    ]


def test_it_counts_a_rater_who_took_everything_back_out(evaluation, voters, first):
    _rate(voters[0], first, {"impact": 3})
    _rate(voters[1], first, {"impact": 5})

    _rate(voters[1], first, {"impact": None})

    assert _events(evaluation, "rating.changed")[-1]["raters"] == 1


def test_it_lets_a_juror_score_in_the_jury_phase(jury_phase, juror, first):
    mine = _rate(juror, first, {"impact": 4, "feasibility": 2}, panel=JURY)

    assert mine == _ratings(juror, first, panel=JURY) == {"impact": 4, "feasibility": 2}


def test_it_keeps_jury_scores_apart_from_participants_ratings(jury_phase, juror, first):
    _rate(juror, first, {"impact": 4}, panel=JURY)

    assert _ratings(juror, first, panel=PARTICIPANTS) == {}


def test_it_publishes_nothing_about_jury_scores(jury_phase, juror, first):
    events = _event_count(jury_phase)

    _rate(juror, first, {"impact": 4}, panel=JURY)

    assert _event_count(jury_phase) == events


def test_it_does_not_let_a_juror_score_during_evaluation(evaluation, juror, first):
    with pytest.raises(PermissionDenied):
        _rate(juror, first, {"impact": 4}, panel=JURY)


def test_it_lets_a_juror_score_during_evaluation_where_the_edition_allows_it(evaluation, juror, first):
    # Set by organizers in the admin (full_clean runs the field's validator).
    evaluation.phase_actions_extra = {"evaluation": ["jury_score"]}
    evaluation.full_clean()
    evaluation.save(update_fields=["phase_actions_extra"])

    assert _rate(juror, _fresh(first), {"impact": 4}, panel=JURY) == {"impact": 4}


@pytest.mark.parametrize("who", ["participant", "organizer", "citizen"])
def test_it_lets_only_jurors_score_as_the_jury(who, jury_phase, first, request):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        _rate(user, first, {"impact": 4}, panel=JURY)


def test_it_lets_a_juror_score_only_their_assigned_challenges(jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    services.jury_appoint(actor=organizer, edition=jury_phase, user=juror, challenges=[second])

    with pytest.raises(PermissionDenied):
        _rate(juror, ideas[0], {"impact": 4}, panel=JURY)
    assert _rate(juror, ideas[6], {"impact": 4}, panel=JURY) == {"impact": 4}


def test_it_does_not_let_a_juror_score_their_own_idea(jury_phase, organizer, author, first):
    services.jury_appoint(actor=organizer, edition=jury_phase, user=author)

    with pytest.raises(PermissionDenied):
        _rate(author, first, {"impact": 5}, panel=JURY)


def test_it_lets_the_jury_score_only_what_the_settings_say(jury_phase, organizer, juror, first):
    # Set before the teams app was removed, say: the service no longer accepts it.
    EvaluationSettings.objects.update_or_create(edition=jury_phase, defaults={"jury_rates": TargetKind.PROTOTYPE})

    with pytest.raises(PermissionDenied):
        _rate(juror, first, {"impact": 4}, panel=JURY)


def test_it_does_not_let_a_dismissed_juror_score(jury_phase, organizer, juror, first):
    services.jury_dismiss(actor=organizer, member=JuryMember.objects.get(user=juror))

    with pytest.raises(PermissionDenied):
        _rate(_fresh_user(juror), first, {"impact": 4}, panel=JURY)


# --- pairwise comparison -------------------------------------------------------------------------


def _next(user, challenge, seed: int = 0):
    return services.pair_next(actor=user, challenge=challenge, rng=np.random.default_rng(seed))


def _compare_all(user, challenge, outcome=Outcome.LEFT, limit: int = 200) -> list[Comparison]:
    answered = []
    for seed in range(limit):
        comparison = _next(user, challenge, seed)
        if comparison is None:
            return answered
        answered.append(services.comparison_answer(actor=user, pk=comparison.pk, outcome=outcome))
    raise AssertionError("pair_next never ran out of pairs")


def _score(idea) -> IdeaScore:
    return IdeaScore.objects.get(idea=idea)


def test_it_never_shows_a_voter_their_own_ideas(evaluation_with_pauls_ideas, participant, pauls_ideas, challenge):
    shown = {pk for c in _compare_all(participant, challenge) for pk in (c.left_id, c.right_id)}

    assert shown and not shown & {idea.pk for idea in pauls_ideas}


def test_it_shows_every_pair_of_others_ideas_once(evaluation_with_pauls_ideas, participant, ideas, challenge):
    pairs = [_pair(c) for c in _compare_all(participant, challenge)]

    assert len(pairs) == len(set(pairs)) == 15  # 6 ideas by others: 6 * 5 / 2 pairs


def test_it_shows_the_same_pair_until_it_is_answered(evaluation, participant, challenge):
    shown = _next(participant, challenge, seed=1)

    again = _next(participant, challenge, seed=2)

    assert again.pk == shown.pk
    assert Comparison.objects.filter(voter=participant).count() == 1


def test_it_shows_nothing_when_all_pairs_are_done(evaluation, participant, second_challenge):
    _compare_all(participant, second_challenge)

    assert _next(participant, second_challenge) is None


def test_it_shows_nothing_with_fewer_than_two_ideas_to_compare(
    evaluation, organizer, participant, ideas, second_challenge
):
    _hide(ideas[6], organizer)

    assert _next(participant, second_challenge) is None


def test_it_shows_the_author_no_pair_of_their_own_ideas(evaluation, author, second_challenge):
    assert _next(author, second_challenge) is None


def test_it_drops_a_shown_pair_when_one_of_its_ideas_is_hidden(evaluation, organizer, participant, challenge):
    shown = _next(participant, challenge)
    _hide(Idea.objects.get(pk=shown.left_id), organizer)

    replacement = _next(participant, challenge)

    assert shown.left_id not in _pair(replacement)
    assert not Comparison.objects.filter(pk=shown.pk).exists()


def test_it_moves_the_winner_up_and_the_loser_down(evaluation, participant, ideas, second_challenge):
    shown = _next(participant, second_challenge)
    winner, loser = ideas[6], ideas[7]

    services.comparison_answer(actor=participant, pk=shown.pk, outcome=_answer_for(shown, winner))

    won, lost = _score(winner), _score(loser)
    assert won.mu > 0 > lost.mu
    assert won.sigma2 < 1 and lost.sigma2 < 1
    assert (won.comparisons, lost.comparisons) == (1, 1)


def test_it_learns_about_the_voter_from_a_pick(evaluation, participant, second_challenge):
    shown = _next(participant, second_challenge)

    services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.RIGHT)

    reliability = VoterReliability.objects.get(voter=participant, edition=evaluation)
    assert reliability.votes == 1
    assert (reliability.alpha, reliability.beta) != (10.0, 1.0)


def test_it_counts_a_tie_without_moving_either_idea(evaluation, participant, ideas, second_challenge):
    shown = _next(participant, second_challenge)

    services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.TIE)

    scores = [(_score(i).mu, _score(i).sigma2, _score(i).comparisons) for i in ideas[6:8]]
    assert scores == [(0.0, 1.0, 1), (0.0, 1.0, 1)]
    assert not VoterReliability.objects.exists()


def test_it_changes_no_score_for_a_skip(evaluation, participant, second_challenge):
    shown = _next(participant, second_challenge)

    answered = services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.SKIP)

    assert answered.outcome == Outcome.SKIP
    assert not IdeaScore.objects.exists() and not VoterReliability.objects.exists()


def test_it_shows_another_pair_after_a_skip(evaluation, participant, challenge):
    skipped = _next(participant, challenge)
    services.comparison_answer(actor=participant, pk=skipped.pk, outcome=Outcome.SKIP)

    following = _next(participant, challenge)

    assert following.pk != skipped.pk and _pair(following) != _pair(skipped)


def test_it_records_live_how_many_pairs_were_compared(evaluation, voters, second_challenge):
    for voter, outcome in zip(voters, (Outcome.LEFT, Outcome.SKIP, Outcome.TIE), strict=True):
        services.comparison_answer(actor=voter, pk=_next(voter, second_challenge).pk, outcome=outcome)

    assert _events(evaluation, "comparison.recorded") == [
        {"challenge": second_challenge.pk, "comparisons": 1},
        {"challenge": second_challenge.pk, "comparisons": 2},
    ]


def test_it_hides_someone_elses_comparison(evaluation, participant, voters, challenge):
    theirs = _next(voters[0], challenge)

    with pytest.raises(Http404):
        services.comparison_answer(actor=participant, pk=theirs.pk, outcome=Outcome.LEFT)
    with pytest.raises(Http404):
        services.comparison_get(actor=participant, pk=theirs.pk)
    assert Comparison.objects.get(pk=theirs.pk).outcome == ""


def test_it_answers_a_missing_comparison_as_it_does_someone_elses(evaluation, participant):
    with pytest.raises(Http404):
        services.comparison_answer(actor=participant, pk=987654, outcome=Outcome.LEFT)


def test_it_hides_comparisons_from_visitors(evaluation, participant, visitor, challenge):
    shown = _next(participant, challenge)

    with pytest.raises(Http404):
        services.comparison_get(actor=visitor, pk=shown.pk)


def test_it_refuses_an_unknown_outcome(evaluation, participant, challenge):
    shown = _next(participant, challenge)

    with pytest.raises(ValidationError) as refused:
        services.comparison_answer(actor=participant, pk=shown.pk, outcome="both")

    assert list(refused.value.message_dict) == ["outcome"]
    assert Comparison.objects.get(pk=shown.pk).outcome == ""


def test_it_refuses_to_change_an_answer(evaluation, participant, second_challenge):
    shown = _next(participant, second_challenge)
    services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.LEFT)

    with pytest.raises(ValidationError) as refused:
        services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.RIGHT)

    assert refused.value.message_dict == {"outcome": ["You have answered this pair already."]}
    assert Comparison.objects.get(pk=shown.pk).outcome == Outcome.LEFT


def test_it_takes_the_same_answer_twice_as_one(evaluation, participant, ideas, second_challenge):
    shown = _next(participant, second_challenge)
    services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.LEFT)
    before = _score(ideas[6]).mu

    services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.LEFT)

    assert (_score(ideas[6]).mu, _score(ideas[6]).comparisons) == (before, 1)
    assert VoterReliability.objects.get(voter=participant).votes == 1
    assert len(_events(evaluation, "comparison.recorded")) == 1


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.EVALUATION}))
def test_it_shows_no_pair_outside_the_evaluation_phase(kind, edition, organizer, participant, ideas):
    _enter(kind, edition=edition, organizer=organizer)

    with pytest.raises(PermissionDenied):
        _next(participant, edition.challenges.order_by("order").first())


def test_it_takes_no_answer_after_the_evaluation_phase(evaluation, organizer, participant, challenge):
    shown = _next(participant, challenge)
    _enter(K.TEAM_BUILDING, edition=evaluation, organizer=organizer)

    with pytest.raises(PermissionDenied):
        services.comparison_answer(actor=participant, pk=shown.pk, outcome=Outcome.LEFT)

    assert Comparison.objects.get(pk=shown.pk).outcome == ""


@pytest.mark.parametrize("who", ["citizen", "organizer", "applicant"])
def test_it_lets_only_participants_compare(who, evaluation, challenge, request):
    with pytest.raises(PermissionDenied):
        _next(request.getfixturevalue(who), challenge)


# --- the jury and the settings -------------------------------------------------------------------


def test_it_appoints_a_juror_for_all_challenges(edition, organizer):
    user = make_user("jan@example.org", display_name="Jan Juror")

    member = services.jury_appoint(actor=organizer, edition=edition, user=user)

    assert (member.user, list(member.challenges.all())) == (user, [])


def test_it_reassigns_a_juror_when_appointed_again(edition, organizer, juror):
    second = edition.challenges.order_by("order")[1]

    services.jury_appoint(actor=organizer, edition=edition, user=juror, challenges=[second])

    member = JuryMember.objects.get(edition=edition, user=juror)
    assert list(member.challenges.all()) == [second]
    assert JuryMember.objects.filter(user=juror).count() == 1


def test_it_assigns_jurors_only_challenges_of_the_edition(edition, organizer, juror):
    foreign = make_edition(slug="foreign").challenges.first()

    with pytest.raises(ValidationError) as refused:
        services.jury_appoint(actor=organizer, edition=edition, user=juror, challenges=[foreign])

    assert list(refused.value.message_dict) == ["challenges"]


@pytest.mark.parametrize("who", ["participant", "citizen", "stranger_organizer", "juror"])
def test_it_lets_only_the_organizers_appoint_jurors(who, edition, request):
    with pytest.raises(PermissionDenied):
        services.jury_appoint(actor=request.getfixturevalue(who), edition=edition, user=make_user("x@example.org"))


def test_it_dismisses_a_juror_and_keeps_their_scores(jury_phase, organizer, juror, first):
    _rate(juror, first, {"impact": 4}, panel=JURY)

    services.jury_dismiss(actor=organizer, member=JuryMember.objects.get(user=juror))

    assert not JuryMember.objects.filter(user=juror).exists()
    assert Rating.objects.filter(rater=juror, panel=JURY).count() == 1


def test_it_lets_only_the_organizers_dismiss_jurors(edition, participant, juror):
    with pytest.raises(PermissionDenied):
        services.jury_dismiss(actor=participant, member=JuryMember.objects.get(user=juror))


def test_it_saves_the_evaluation_settings(edition, organizer):
    services.settings_update(actor=organizer, edition=edition, support_budget=3, rankings_while_open=True)

    config = selectors.evaluation_settings(edition)
    assert (config.pk, config.support_budget, config.rankings_while_open) == (edition.pk, 3, True)


def test_it_refuses_settings_out_of_range(edition, organizer):
    with pytest.raises(ValidationError) as refused:
        services.settings_update(actor=organizer, edition=edition, support_budget=0, budget_scope="galaxy")

    assert set(refused.value.message_dict) == {"support_budget", "budget_scope"}
    assert selectors.evaluation_settings(edition).support_budget == 5


def test_it_refuses_a_setting_that_does_not_exist(edition, organizer):
    with pytest.raises(TypeError):
        services.settings_update(actor=organizer, edition=edition, support_budgte=3)


@pytest.mark.parametrize("who", ["participant", "juror", "stranger_organizer"])
def test_it_lets_only_the_organizers_change_the_settings(who, edition, request):
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=request.getfixturevalue(who), edition=edition, support_budget=50)


# --- found in review: hidden and merged ideas, and the end of voting ----------------------------


def test_it_frees_the_budget_of_a_support_on_a_hidden_idea(evaluation, participant, ideas, organizer, challenge):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=2)
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[1])

    _hide(ideas[0], organizer)

    assert selectors.budget_of(user=participant, challenge=challenge).remaining == 1
    services.support_add(actor=participant, idea=ideas[2])
    assert _supporters(ideas[2]) == {participant.pk}


def test_it_refuses_a_support_when_the_idea_was_merged_after_loading(evaluation, participant, ideas, organizer):
    stale = _fresh(ideas[0])
    organizer_fresh = _fresh_user(organizer)
    evaluation.moderators.add(organizer_fresh)
    idea_services.idea_merge(actor=organizer_fresh, idea=_fresh(ideas[0]), target=_fresh(ideas[1]))

    with pytest.raises(ValidationError):
        services.support_add(actor=participant, idea=stale)  # the copy still says "open"

    assert not Support.objects.filter(user=participant).exists()


def test_it_refuses_to_rate_a_merged_idea(evaluation, participant, ideas, organizer):
    evaluation.moderators.add(organizer)
    idea_services.idea_merge(actor=_fresh_user(organizer), idea=_fresh(ideas[0]), target=_fresh(ideas[1]))
    stale = ideas[0]

    assert services.may_rate(user=_fresh_user(participant), kind=IDEA, target=stale, panel=PARTICIPANTS) is False
    with pytest.raises(PermissionDenied):
        services.rating_set(actor=_fresh_user(participant), kind=IDEA, target=stale, panel=PARTICIPANTS,
                            values={"impact": 5})
    assert not Rating.objects.exists()


def test_it_voids_a_pair_whose_idea_was_hidden_meanwhile(evaluation, participant, ideas, organizer, challenge):
    shown = services.pair_next(actor=participant, challenge=challenge)
    _hide(Idea.objects.get(pk=shown.left_id), organizer)

    with pytest.raises(ValidationError) as refused:
        services.comparison_answer(actor=participant, pk=shown.pk, outcome="left")

    assert "no longer available" in " ".join(refused.value.messages)
    assert not Comparison.objects.filter(pk=shown.pk).exists()
    assert not IdeaScore.objects.filter(comparisons__gt=0).exists()


def test_it_lets_the_jury_rate_prototypes_once_the_teams_app_provides_them(evaluation, organizer):
    services.settings_update(actor=organizer, edition=evaluation, jury_rates="prototype")

    assert selectors.evaluation_settings(evaluation).jury_rates == "prototype"


def test_it_refuses_a_target_kind_no_app_provides(evaluation, organizer, monkeypatch):
    from helpathon.evaluation import targets

    monkeypatch.delitem(targets._REGISTRY, "prototype")  # as without the teams app

    with pytest.raises(ValidationError) as refused:
        services.settings_update(actor=organizer, edition=evaluation, jury_rates="prototype")

    assert set(refused.value.message_dict) == {"jury_rates"}
    assert selectors.evaluation_settings(evaluation).jury_rates == IDEA


def test_it_shows_default_criteria_without_writing_them(evaluation):
    shown = selectors.criteria(evaluation, PARTICIPANTS)

    assert [c.key for c in shown] == ["impact", "feasibility", "novelty", "sustainability"]
    assert not Criterion.objects.filter(edition=evaluation).exists()
