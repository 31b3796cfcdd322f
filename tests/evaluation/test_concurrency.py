"""Evaluation writes under concurrency, on SQLite and PostgreSQL alike.

The issue: "50 parallel supports by one person with a budget of 5 leave exactly 5". These
tests commit for real (transaction=True) and run the services from a pool of threads, each
with its own database connection, as concurrent requests would. On PostgreSQL the person's
registration row is locked (`SELECT … FOR UPDATE`); SQLite (a file database in tests, see
`settings.DATABASES`) serializes writers with its immediate transactions and busy timeout.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from django.db import connection

from helpathon.accounts.models import User
from helpathon.editions.models import Challenge, PhaseKind
from helpathon.editions.services import phase_set
from helpathon.evaluation import services
from helpathon.evaluation.models import Comparison, IdeaScore, Rating, Support, VoterReliability
from helpathon.evaluation.services import BudgetExhausted
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live.models import LiveEvent

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
BUDGET = 5
Outcome = Comparison.Outcome


def _in_own_connection(work):
    """Run `work` as a request would: its own connection, closed when done. A refusal is
    returned, not raised, so that the test can count them."""

    def run(*args):
        try:
            return work(*args)
        except BudgetExhausted as refused:
            return refused
        finally:
            connection.close()

    return run


def _all_at_once(work, argument_lists) -> list:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(work, *zip(*argument_lists, strict=True)))


@_in_own_connection
def _support(user_pk: int, idea_pk: int):
    return services.support_add(actor=User.objects.get(pk=user_pk), idea=Idea.objects.get(pk=idea_pk))


@_in_own_connection
def _answer(user_pk: int, comparison_pk: int, outcome: str):
    return services.comparison_answer(actor=User.objects.get(pk=user_pk), pk=comparison_pk, outcome=outcome)


def approx(value: float):
    return pytest.approx(value, abs=1e-5)


def _events(edition, type_: str) -> list[dict]:
    return [e.payload for e in LiveEvent.objects.filter(edition=edition, type=type_).order_by("seq")]


@pytest.fixture
def fifty_ideas(edition, organizer, author, ideas):
    """Fifty ideas in the first challenge (six from `ideas`, 44 more), then evaluation."""
    challenge = edition.challenges.order_by("order").first()
    more = [
        idea_services.idea_create(actor=author, challenge=challenge, title=f"Noch eine Idee {i}", body="Text")
        for i in range(44)
    ]
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=PhaseKind.EVALUATION))
    services.settings_update(actor=organizer, edition=edition, support_budget=BUDGET)
    return ideas[:6] + more


def test_it_leaves_exactly_5_of_50_parallel_supports_by_one_person_with_a_budget_of_5(fifty_ideas, participant):
    results = _all_at_once(_support, [(participant.pk, idea.pk) for idea in fifty_ideas])

    refused = [r for r in results if isinstance(r, BudgetExhausted)]
    assert (len(results) - len(refused), len(refused)) == (BUDGET, 50 - BUDGET)
    assert Support.objects.filter(user=participant).count() == BUDGET


def test_it_keeps_every_count_in_step_after_50_parallel_supports(fifty_ideas, participant):
    _all_at_once(_support, [(participant.pk, idea.pk) for idea in fifty_ideas])

    counts = dict(Idea.objects.filter(pk__in=[i.pk for i in fifty_ideas]).values_list("pk", "support_count"))
    rows = {idea.pk: Support.objects.filter(idea=idea).count() for idea in fifty_ideas}
    assert counts == rows
    assert sum(counts.values()) == BUDGET
    assert len(_events(fifty_ideas[0].edition, "support.changed")) == BUDGET


def test_it_records_one_support_for_50_parallel_clicks_on_one_idea(evaluation, participant, ideas):
    idea = ideas[0]

    results = _all_at_once(_support, [(participant.pk, idea.pk)] * 50)

    assert all(r.supported and r.supports == 1 for r in results)
    assert Support.objects.filter(idea=idea).count() == Idea.objects.get(pk=idea.pk).support_count == 1
    assert len(_events(evaluation, "support.changed")) == 1


def test_it_counts_every_one_of_30_people_supporting_one_idea_at_once(evaluation, make_participant, ideas):
    idea = ideas[0]
    people = [make_participant() for _ in range(30)]

    _all_at_once(_support, [(person.pk, idea.pk) for person in people])

    assert Support.objects.filter(idea=idea).count() == Idea.objects.get(pk=idea.pk).support_count == 30
    # Numbered in commit order, each event states the count its transaction left behind.
    assert [e["supports"] for e in _events(evaluation, "support.changed")] == list(range(1, 31))


@pytest.fixture
def one_pair(evaluation, make_participant, ideas):
    """Twenty voters, each shown the only pair of the second challenge (its two ideas)."""
    challenge = Challenge.objects.get(pk=ideas[6].challenge_id)
    voters = [make_participant() for _ in range(20)]
    shown = [
        services.pair_next(actor=voter, challenge=challenge, rng=np.random.default_rng(i))
        for i, voter in enumerate(voters)
    ]
    return voters, shown, ideas[6:8]


def test_it_loses_no_update_when_20_voters_answer_the_same_pair_at_once(one_pair):
    voters, shown, pair = one_pair
    outcomes = [(Outcome.LEFT, Outcome.RIGHT, Outcome.TIE, Outcome.SKIP)[i % 4] for i in range(20)]

    _all_at_once(_answer, [(v.pk, c.pk, o) for v, c, o in zip(voters, shown, outcomes, strict=True)])

    answered = 20 - outcomes.count(Outcome.SKIP)
    assert [IdeaScore.objects.get(idea=idea).comparisons for idea in pair] == [answered, answered]
    picks = sum(1 for o in outcomes if o in (Outcome.LEFT, Outcome.RIGHT))
    assert VoterReliability.objects.filter(votes=1).count() == picks


def test_it_numbers_the_comparisons_of_20_voters_at_once_in_commit_order(one_pair, evaluation):
    voters, shown, _pair = one_pair

    _all_at_once(_answer, [(v.pk, c.pk, Outcome.TIE) for v, c in zip(voters, shown, strict=True)])

    assert [e["comparisons"] for e in _events(evaluation, "comparison.recorded")] == list(range(1, 21))


def test_it_moves_the_beliefs_as_far_as_20_answers_in_a_row_would(one_pair):
    # Every voter (each with the prior reliability) picks the same idea, so the order of the
    # answers does not matter: 20 Crowd-BT updates in a row leave the winner at mu 1.43152,
    # sigma2 0.35244 (after 19, a lost update: 1.41360, 0.35847).
    voters, shown, (strong, weak) = one_pair
    answers = [
        (v.pk, c.pk, Outcome.LEFT if c.left_id == strong.pk else Outcome.RIGHT)
        for v, c in zip(voters, shown, strict=True)
    ]

    _all_at_once(_answer, answers)

    won, lost = IdeaScore.objects.get(idea=strong), IdeaScore.objects.get(idea=weak)
    assert (won.mu, won.sigma2, won.comparisons) == (approx(1.43152), approx(0.35244), 20)
    assert (lost.mu, lost.sigma2, lost.comparisons) == (approx(-1.43152), approx(0.35244), 20)


def test_it_announces_rank_changes_while_30_people_support_at_once(
    evaluation, organizer, make_participant, ideas, settings
):
    # Each support queues a recompute that announces "ranking.changed" while other supports
    # are being written: both lock the challenge's ranking state and the edition's event
    # cursor, and must do so in the same order, or PostgreSQL aborts one as a deadlock.
    settings.RANKINGS_AUTO, settings.RANKINGS_DELAY_SECONDS = True, 0
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)
    people = [make_participant() for _ in range(30)]

    _all_at_once(_support, [(person.pk, ideas[i % 6].pk) for i, person in enumerate(people)])

    assert Support.objects.count() == 30
    assert _events(evaluation, "ranking.changed")


@_in_own_connection
def _score(user_pk: int, idea_pk: int, value: int):
    return services.rating_set(
        actor=User.objects.get(pk=user_pk), kind="idea", target=Idea.objects.get(pk=idea_pk), panel="jury",
        values={"impact": value, "novelty": value},
    )


def test_it_keeps_one_score_per_criterion_when_a_juror_submits_ten_times_at_once(jury_phase, juror, ideas):
    results = _all_at_once(_score, [(juror.pk, ideas[0].pk, 1 + i % 5) for i in range(10)])

    scores = Rating.objects.filter(rater=juror, panel="jury", target_id=ideas[0].pk)
    assert sorted(scores.values_list("criterion__key", flat=True)) == ["impact", "novelty"]
    # The last to commit wins, with both of its values.
    assert dict(scores.values_list("criterion__key", "value")) in [r for r in results]
