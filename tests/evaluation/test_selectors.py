"""The evaluation reads: rankings with their intervals on known data, when rankings are public,
budgets, and the jury's progress, items and results.

Expected numbers are worked out by hand in the comments (Wilson interval, weighted means,
Student's t), not read back from `evaluation.ranking`.
"""

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpathon.editions.models import PhaseKind
from helpathon.editions.services import phase_set
from helpathon.evaluation import selectors, services
from helpathon.evaluation.models import Comparison, Criterion, EvaluationSettings, JuryMember, Panel, TargetKind
from helpathon.ideas import services as idea_services
from helpathon.moderation.services import content_hide
from tests.factories import make_edition, make_user

K = PhaseKind
IDEA = TargetKind.IDEA
Outcome = Comparison.Outcome


def _enter(kind: str, *, edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()
    return edition


def _rate(user, idea, values, panel=Panel.PARTICIPANTS):
    return services.rating_set(actor=user, kind=IDEA, target=idea, panel=panel, values=values)


def _compare(user, challenge, winner, seed=0):
    """Answer the pair `user` is shown in `challenge` for `winner`."""
    shown = services.pair_next(actor=user, challenge=challenge, rng=np.random.default_rng(seed))
    outcome = Outcome.LEFT if shown.left_id == winner.pk else Outcome.RIGHT
    return services.comparison_answer(actor=user, pk=shown.pk, outcome=outcome)


def _by_idea(rows) -> dict:
    return {row.idea.pk: row for row in rows}


@pytest.fixture
def challenge(evaluation):
    return evaluation.challenges.order_by("order").first()


@pytest.fixture
def second_challenge(evaluation):
    return evaluation.challenges.order_by("order")[1]


@pytest.fixture
def voters(make_participant):
    return [make_participant(f"Voter {i}") for i in range(5)]


# --- rankings: supports -------------------------------------------------------------------------


@pytest.fixture
def supported(evaluation, voters, ideas):
    """Idea 3 has three supporters, idea 2 one; with the author, 6 confirmed participants."""
    for voter in voters[:3]:
        services.support_add(actor=voter, idea=ideas[2])
    services.support_add(actor=voters[3], idea=ideas[1])
    return ideas


def test_it_ranks_ideas_by_supports(supported, challenge):
    rows = selectors.challenge_rankings(challenge).supports

    order = [row.idea.pk for row in rows]
    # Ties (no support) in the order the ideas came in.
    assert order == [supported[2].pk, supported[1].pk, supported[0].pk, *(i.pk for i in supported[3:6])]
    assert [row.supports for row in rows] == [3, 1, 0, 0, 0, 0]


def test_it_gives_each_support_count_a_share_with_a_wilson_interval(supported, challenge):
    rows = _by_idea(selectors.challenge_rankings(challenge).supports)

    # k = 3 of n = 6 participants, z = 1.96: centre (0.5 + z²/12) / (1 + z²/6) = 0.5 and
    # half width z·sqrt(0.25/6 + z²/144) / (1 + z²/6) = 0.3124 → (0.1876, 0.8124).
    top = rows[supported[2].pk]
    assert (top.share, top.low, top.high) == pytest.approx((0.5, 0.1876, 0.8124), abs=1e-4)
    # k = 1 of 6: centre 0.2430, half width 0.2128 → (0.0301, 0.5635).
    single = rows[supported[1].pk]
    assert (single.share, single.low, single.high) == pytest.approx((1 / 6, 0.0301, 0.5635), abs=1e-4)
    # No support: from exactly 0 to 0.3903 (z²/(n+z²)).
    none = rows[supported[0].pk]
    assert (none.share, none.low, none.high) == pytest.approx((0.0, 0.0, 0.3903), abs=1e-4)


def test_it_counts_the_editions_confirmed_participants(supported, challenge):
    assert selectors.challenge_rankings(challenge).participants == 6


def test_it_leaves_hidden_and_merged_ideas_out_of_the_rankings(supported, organizer, challenge):
    content_hide(actor=organizer, idea=supported[2], reason="Doppelt eingereicht, bitte prüfen.")
    idea_services.idea_merge(actor=organizer, idea=supported[3], target=supported[1])

    rankings = selectors.challenge_rankings(challenge)

    for rows in rankings.by_method().values():
        assert {row.idea.pk for row in rows} == {supported[i].pk for i in (0, 1, 4, 5)}


# --- rankings: ratings --------------------------------------------------------------------------


@pytest.fixture
def rated(evaluation, voters, ideas):
    """Impact weighs 3, feasibility 1. Three raters of idea 1: (impact 5, feasibility 1),
    (impact 3), (impact 3, feasibility 5); one rater of idea 2: (impact 2)."""
    services.criteria_ensure_defaults(edition=evaluation)
    # Weights are set by organizers in the admin; there is no service for criteria.
    Criterion.objects.filter(edition=evaluation, key="impact").update(weight=3)
    _rate(voters[0], ideas[0], {"impact": 5, "feasibility": 1})
    _rate(voters[1], ideas[0], {"impact": 3})
    _rate(voters[2], ideas[0], {"impact": 3, "feasibility": 5})
    _rate(voters[0], ideas[1], {"impact": 2})
    return ideas


def test_it_scores_a_rated_idea_by_the_weighted_mean_of_each_rater(rated, challenge):
    row = _by_idea(selectors.challenge_rankings(challenge).rating)[rated[0].pk]

    # Raters' weighted means: (3·5 + 1)/4 = 4, 3, (3·3 + 5)/4 = 3.5; their mean 3.5, sd 0.5,
    # t(0.975, 2) = 4.3027, half width 4.3027 · 0.5 / sqrt(3) = 1.2421.
    assert (row.score, row.low, row.high, row.raters) == pytest.approx((3.5, 2.2579, 4.7421, 3), abs=1e-4)


def test_it_gives_the_mean_of_each_criterion(rated, challenge):
    row = _by_idea(selectors.challenge_rankings(challenge).rating)[rated[0].pk]

    assert set(row.by_criterion) == {"impact", "feasibility"}
    assert row.by_criterion["impact"] == (pytest.approx(11 / 3), 3)
    assert row.by_criterion["feasibility"] == (3.0, 2)


def test_it_gives_a_single_rating_the_whole_scale_as_interval(rated, challenge):
    row = _by_idea(selectors.challenge_rankings(challenge).rating)[rated[1].pk]

    assert (row.score, row.low, row.high, row.raters) == (2.0, 1.0, 5.0, 1)


def test_it_ranks_rated_ideas_first_and_unrated_ones_after(rated, challenge):
    rows = selectors.challenge_rankings(challenge).rating

    assert [row.idea.pk for row in rows[:2]] == [rated[0].pk, rated[1].pk]
    assert [(row.score, row.raters) for row in rows[2:]] == [(None, 0)] * 4


def test_it_does_not_count_jury_scores_in_the_participants_ranking(rated, organizer, juror, challenge, evaluation):
    _enter(K.JURY, edition=evaluation, organizer=organizer)
    _rate(juror, rated[2], {"impact": 5}, panel=Panel.JURY)

    row = _by_idea(selectors.challenge_rankings(challenge).rating)[rated[2].pk]

    assert (row.score, row.raters) == (None, 0)


# --- rankings: pairwise -------------------------------------------------------------------------


def test_it_ranks_an_idea_that_always_wins_above_an_average_one(evaluation, voters, ideas, second_challenge):
    strong, weak = ideas[6], ideas[7]
    for seed, voter in enumerate(voters):
        _compare(voter, second_challenge, strong, seed)

    rows = _by_idea(selectors.challenge_rankings(second_challenge).pairwise)

    assert rows[strong.pk].score > 50 > rows[weak.pk].score
    assert rows[strong.pk].low < rows[strong.pk].score < rows[strong.pk].high
    assert (rows[strong.pk].comparisons, rows[weak.pk].comparisons) == (5, 5)
    assert [row.idea.pk for row in selectors.challenge_rankings(second_challenge).pairwise] == [strong.pk, weak.pk]


def test_it_scores_ideas_never_compared_as_average(evaluation, challenge):
    rows = selectors.challenge_rankings(challenge).pairwise

    assert {round(row.score, 6) for row in rows} == {50.0}
    assert all(row.low < 50 < row.high and row.comparisons == 0 for row in rows)


def test_it_scores_a_tie_as_half_a_win_for_each(evaluation, voters, ideas, second_challenge):
    for seed, voter in enumerate(voters[:3]):
        shown = services.pair_next(actor=voter, challenge=second_challenge, rng=np.random.default_rng(seed))
        services.comparison_answer(actor=voter, pk=shown.pk, outcome=Outcome.TIE)

    rows = _by_idea(selectors.challenge_rankings(second_challenge).pairwise)

    assert rows[ideas[6].pk].score == pytest.approx(50) == rows[ideas[7].pk].score
    assert selectors.challenge_rankings(second_challenge).comparisons == 3


def test_it_counts_answered_comparisons_without_skips(evaluation, voters, ideas, second_challenge):
    _compare(voters[0], second_challenge, ideas[6])
    skipped = services.pair_next(actor=voters[1], challenge=second_challenge)
    services.comparison_answer(actor=voters[1], pk=skipped.pk, outcome=Outcome.SKIP)
    services.pair_next(actor=voters[2], challenge=second_challenge)  # shown, not answered

    assert selectors.challenge_rankings(second_challenge).comparisons == 1


# --- rankings: cost ------------------------------------------------------------------------------


def _add_ideas(edition, organizer, author, challenge, count, start):
    _enter(K.IDEATION, edition=edition, organizer=organizer)
    made = [
        idea_services.idea_create(actor=author, challenge=challenge, title=f"Weitere Idee {start + i}", body="Text")
        for i in range(count)
    ]
    _enter(K.EVALUATION, edition=edition, organizer=organizer)
    return made


def _vote_on(ideas, voters, challenge):
    for voter, idea in zip(voters, ideas, strict=False):
        services.support_add(actor=voter, idea=idea)
        _rate(voter, idea, {"impact": 4, "novelty": 2})
    _compare(voters[0], challenge, ideas[0])


def _rankings_queries(challenge) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        rankings = selectors.challenge_rankings(challenge)
    assert rankings.supports  # computed, not served from the cache
    return len(queries)


def test_it_ranks_three_or_twelve_ideas_with_the_same_queries(edition, organizer, author, make_participant):
    challenge = edition.challenges.order_by("order").first()
    voters = [make_participant() for _ in range(4)]
    few = _add_ideas(edition, organizer, author, challenge, 3, 0)
    _vote_on(few, voters, challenge)
    with_three = _rankings_queries(challenge)

    more = _add_ideas(edition, organizer, author, challenge, 9, 3)
    _vote_on(more, voters, challenge)
    with_twelve = _rankings_queries(challenge)

    assert with_three == with_twelve


def test_it_computes_rankings_in_a_fixed_number_of_queries(
    evaluation, voters, ideas, challenge, django_assert_num_queries
):
    _vote_on(ideas[:4], voters, challenge)
    cache.clear()

    # The edition's live version (cache key), the ideas with challenge and author, the count of
    # participants, the criteria, the ratings, the answered pairs, the voters' reliabilities,
    # the count of comparisons.
    with django_assert_num_queries(8):
        selectors.challenge_rankings(challenge)


def test_it_serves_rankings_from_the_cache_until_something_changes(
    evaluation, voters, ideas, challenge, django_assert_num_queries
):
    selectors.challenge_rankings(challenge)

    # The cache key: participants, the criteria (do any exist? then the list) and the
    # edition's live version.
    with django_assert_num_queries(4):
        selectors.challenge_rankings(challenge)


def test_it_computes_rankings_afresh_when_a_weight_changes(evaluation, voters, ideas, challenge):
    from helpathon.evaluation.models import Criterion

    services.rating_set(actor=voters[0], kind="idea", target=ideas[0], panel="participants",
                        values={"impact": 5, "novelty": 1})
    before = selectors.challenge_rankings(challenge).rating[0].score

    Criterion.objects.filter(edition=evaluation, key="impact").update(weight=3.0)

    after = selectors.challenge_rankings(challenge).rating[0].score
    assert (before, after) == (3.0, 4.0)  # (5 + 1) / 2, then (3 * 5 + 1) / 4


def test_it_computes_rankings_afresh_after_a_vote(evaluation, voters, ideas, challenge):
    before = selectors.challenge_rankings(challenge)

    services.support_add(actor=voters[0], idea=ideas[3])

    after = selectors.challenge_rankings(challenge)
    assert (before.supports[0].supports, after.supports[0].supports) == (0, 1)
    assert after.supports[0].idea.pk == ideas[3].pk


# --- when rankings are public -------------------------------------------------------------------


def test_it_hides_rankings_while_evaluation_is_open(evaluation):
    assert selectors.rankings_public(evaluation) is False


def test_it_shows_rankings_while_evaluation_is_open_when_so_set(evaluation, organizer):
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)

    assert selectors.rankings_public(evaluation) is True


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.EVALUATION}))
def test_it_shows_rankings_when_no_voting_is_open(kind, edition, organizer):
    _enter(kind, edition=edition, organizer=organizer)

    assert selectors.rankings_public(edition) is True


def test_it_shows_rankings_before_the_agenda_starts(edition):
    assert selectors.rankings_public(edition) is True


def test_it_hides_rankings_where_an_edition_lets_participants_vote_in_another_phase(organizer):
    edition = make_edition(slug="rating-late", phase_actions_extra={"prototyping": ["rate"]})
    edition.organizers.add(organizer)

    _enter(K.PROTOTYPING, edition=edition, organizer=organizer)

    assert selectors.rankings_public(edition) is False


def test_it_shows_hidden_rankings_to_the_organizers_only(
    evaluation, organizer, participant, visitor, stranger_organizer
):
    cast = {"organizer": organizer, "participant": participant, "visitor": visitor, "stranger": stranger_organizer}

    visible = {who: selectors.rankings_visible(user, evaluation) for who, user in cast.items()}

    assert visible == {"organizer": True, "participant": False, "visitor": False, "stranger": False}


# --- budgets and one's own evaluations ----------------------------------------------------------


def test_it_counts_the_budget_used_in_the_challenge(evaluation, participant, ideas, challenge, second_challenge):
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[1])
    services.support_add(actor=participant, idea=ideas[6])

    budgets = [selectors.budget_of(user=participant, challenge=c) for c in (challenge, second_challenge)]

    assert [(b.total, b.used, b.remaining, b.scope) for b in budgets] == [
        (5, 2, 3, "challenge"), (5, 1, 4, "challenge")
    ]


def test_it_counts_the_budget_used_in_the_edition_when_so_set(
    evaluation, organizer, participant, ideas, second_challenge
):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=4, budget_scope="edition")
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[6])

    budget = selectors.budget_of(user=participant, challenge=second_challenge)

    assert (budget.total, budget.used, budget.remaining, budget.scope) == (4, 2, 2, "edition")


def test_it_gives_a_visitor_an_unused_budget(evaluation, visitor, challenge):
    budget = selectors.budget_of(user=visitor, challenge=challenge)

    assert (budget.used, budget.remaining) == (0, 5)


def test_it_never_shows_a_negative_budget(evaluation, organizer, participant, ideas, challenge):
    for idea in ideas[:3]:
        services.support_add(actor=participant, idea=idea)
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)

    budget = selectors.budget_of(user=participant, challenge=challenge)

    assert (budget.used, budget.remaining) == (3, 0)


def test_it_lists_the_ideas_a_person_supports_in_the_edition(evaluation, participant, visitor, ideas):
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[7])

    assert selectors.supported_ids(participant, evaluation) == {ideas[0].pk, ideas[7].pk}
    assert selectors.supported_ids(visitor, evaluation) == set()


def test_it_counts_a_persons_answered_comparisons(evaluation, participant, ideas, second_challenge):
    _compare(participant, second_challenge, ideas[6])

    assert selectors.comparisons_done(participant, second_challenge) == 1


# --- the jury -----------------------------------------------------------------------------------


def _appoint(organizer, edition, user, challenges=()):
    return services.jury_appoint(actor=organizer, edition=edition, user=user, challenges=challenges)


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


ALL_FOUR = {"impact": 4, "feasibility": 3, "novelty": 5, "sustainability": 2}


def test_it_lists_a_jurors_items_in_their_assigned_challenges(jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    member = _appoint(organizer, jury_phase, juror, [second])

    assert [item.pk for item in selectors.juror_items(member)] == [ideas[6].pk, ideas[7].pk]


def test_it_lists_every_item_for_a_juror_without_assignment(jury_phase, juror, ideas):
    member = selectors.juror_of(juror, jury_phase)

    assert [item.pk for item in selectors.juror_items(member)] == [idea.pk for idea in ideas]


def test_it_leaves_a_jurors_own_work_out_of_their_items(edition, organizer, participant, ideas):
    own = idea_services.idea_create(
        actor=participant, challenge=edition.challenges.order_by("order").first(), title="Meine eigene Idee", body="x"
    )
    member = _appoint(organizer, edition, participant)

    items = {item.pk for item in selectors.juror_items(member)}

    assert own.pk not in items and items == {idea.pk for idea in ideas}


def test_it_counts_an_item_done_only_when_every_jury_criterion_is_scored(jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    _appoint(organizer, jury_phase, juror, [second])
    _rate(_fresh(juror), ideas[6], ALL_FOUR, panel=Panel.JURY)
    _rate(_fresh(juror), ideas[7], {"impact": 4, "feasibility": 3, "novelty": 5}, panel=Panel.JURY)

    (progress,) = selectors.jury_progress(jury_phase)

    assert (progress.member.user, progress.assigned, progress.done, progress.percent) == (juror, 2, 1, 50)


def test_it_counts_only_criteria_the_jury_rates(jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    _appoint(organizer, jury_phase, juror, [second])
    services.criteria_ensure_defaults(edition=jury_phase)
    # Set in the admin: sustainability is for participants only.
    Criterion.objects.filter(edition=jury_phase, key="sustainability").update(for_jury=False)

    _rate(_fresh(juror), ideas[6], {"impact": 4, "feasibility": 3, "novelty": 5}, panel=Panel.JURY)

    (progress,) = selectors.jury_progress(jury_phase)
    assert (progress.done, progress.assigned) == (1, 2)


def test_it_reports_a_juror_with_nothing_to_do_as_done(jury_phase, organizer, author):
    second = jury_phase.challenges.order_by("order")[1]
    _appoint(organizer, jury_phase, author, [second])  # the author of every idea there

    (progress,) = selectors.jury_progress(jury_phase)

    assert (progress.assigned, progress.done, progress.percent) == (0, 0, 100)


def test_it_reports_the_progress_of_many_jurors_in_a_fixed_number_of_queries(
    jury_phase, organizer, ideas, django_assert_num_queries
):
    for i in range(6):
        _appoint(organizer, jury_phase, make_user(f"juror{i}@example.org"))
    selectors.jury_progress(jury_phase)  # the default criteria are created on first use

    # The jury criteria, the settings, the scored items, the items, the jurors with their
    # users, their assigned challenges.
    with django_assert_num_queries(6):
        progress = selectors.jury_progress(jury_phase)

    assert [p.assigned for p in progress] == [8] * 6


def test_it_ranks_the_jurys_results(jury_phase, organizer, juror, ideas):
    other = make_user("jonas@example.org", display_name="Jonas Juror")
    _appoint(organizer, jury_phase, other)
    _rate(juror, ideas[0], {"impact": 2, "novelty": 2}, panel=Panel.JURY)
    _rate(_fresh(other), ideas[0], {"impact": 4}, panel=Panel.JURY)
    _rate(juror, ideas[6], {"impact": 5}, panel=Panel.JURY)

    rows = selectors.jury_results(jury_phase)

    assert [(row.idea.pk, row.score, row.raters) for row in rows[:2]] == [(ideas[6].pk, 5.0, 1), (ideas[0].pk, 3.0, 2)]
    assert len(rows) == len(ideas)


def test_it_leaves_dismissed_jurors_out_of_the_results(jury_phase, organizer, juror, ideas):
    other = make_user("jonas@example.org", display_name="Jonas Juror")
    _appoint(organizer, jury_phase, other)
    _rate(juror, ideas[0], {"impact": 2}, panel=Panel.JURY)
    _rate(_fresh(other), ideas[0], {"impact": 4}, panel=Panel.JURY)

    services.jury_dismiss(actor=organizer, member=JuryMember.objects.get(user=other))

    row = _by_idea(selectors.jury_results(jury_phase))[ideas[0].pk]
    assert (row.score, row.raters) == (2.0, 1)


def test_it_does_not_count_participants_ratings_in_the_jury_results(evaluation, organizer, juror, voters, ideas):
    _rate(voters[0], ideas[0], {"impact": 5})

    row = _by_idea(selectors.jury_results(evaluation))[ideas[0].pk]

    assert (row.score, row.raters) == (None, 0)


def test_it_exports_every_jury_score_with_its_juror_and_criterion(jury_phase, juror, ideas):
    _rate(juror, ideas[6], {"impact": 5, "novelty": 3}, panel=Panel.JURY)

    rows = list(selectors.jury_score_rows(jury_phase))

    assert [(r[0], r[1], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("Julia Juror", "Herausforderung 2", ideas[6].pk, "Zweite Idee 1", "Impact", 5),
        ("Julia Juror", "Herausforderung 2", ideas[6].pk, "Zweite Idee 1", "Novelty", 3),
    ]


def test_it_gives_the_jury_nothing_to_score_of_a_kind_no_app_provides_yet(jury_phase, organizer, juror, ideas):
    # Prototypes come with the teams app; until then the setting must not break the jury pages.
    # Set before the teams app was removed, say: the service no longer accepts it.
    EvaluationSettings.objects.update_or_create(edition=jury_phase, defaults={"jury_rates": TargetKind.PROTOTYPE})

    (progress,) = selectors.jury_progress(jury_phase)

    assert (progress.assigned, progress.percent) == (0, 100)
    assert selectors.juror_items(selectors.juror_of(juror, jury_phase)) == []
    assert selectors.jury_results(jury_phase) == []
    assert list(selectors.jury_score_rows(jury_phase)) == []
