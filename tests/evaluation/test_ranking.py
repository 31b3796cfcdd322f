"""The ranking maths (helpathon/evaluation/ranking.py) against answers known by hand: Bradley-Terry
fits, Crowd-BT updates, the information gain, the choice of pairs, the rating helpers, and
properties that must hold for any data (hypothesis). No database."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special

from helpathon.evaluation.ranking import (
    Belief,
    Reliability,
    bradley_terry,
    choose_pair,
    crowd_bt_update,
    expected_information_gain,
    kendall_tau,
    mean_interval,
    reliability_weighted_outcomes,
    top_k_precision,
    weighted_score,
    wilson_interval,
    win_probability,
)


def log_posterior(s, outcomes, prior_variance):
    """Written out independently of the module: sum of w * log P(winner beats loser) + log prior."""
    total = -np.dot(s, s) / (2 * prior_variance)
    for winner, loser, weight in outcomes:
        total += weight * -math.log1p(math.exp(s[loser] - s[winner]))
    return total


def numeric_gradient(f, s, h=1e-6):
    return np.array([(f(s + h * e) - f(s - h * e)) / (2 * h) for e in np.eye(len(s))])


# --- Bradley-Terry ---------------------------------------------------------------------------

THREE_TO_ONE = [(0, 1, 1.0)] * 3 + [(1, 0, 1.0)]


def test_bt_two_items_wide_prior_gives_log_odds():
    # Without a prior the maximum-likelihood difference solves 3 = 4 p: p = 3/4, d = log 3.
    result = bradley_terry(2, THREE_TO_ONE, prior_variance=1e6)
    assert result.scores[0] - result.scores[1] == pytest.approx(math.log(3), abs=1e-4)
    assert result.scores.sum() == pytest.approx(0, abs=1e-9)


def test_bt_two_items_default_prior_solves_the_map_equation():
    result = bradley_terry(2, THREE_TO_ONE)
    # By symmetry s = (x, -x); the gradient in x is 3 - 4 expit(2x) - x, zero at the MAP.
    x = optimize.brentq(lambda x: 3 - 4 * special.expit(2 * x) - x, 0, 5, xtol=1e-14)
    np.testing.assert_allclose(result.scores, [x, -x], atol=1e-8)
    # The prior pulls towards 0: the difference is below log 3.
    assert 0 < result.scores[0] - result.scores[1] < math.log(3)
    gradient = numeric_gradient(lambda s: log_posterior(s, THREE_TO_ONE, 1.0), result.scores)
    np.testing.assert_allclose(gradient, 0, atol=1e-6)


def test_bt_gradient_is_zero_and_stderr_is_laplace_on_a_bigger_example():
    outcomes = [(0, 1, 2.0), (1, 2, 1.0), (2, 0, 0.5), (0, 3, 1.0), (3, 2, 1.5), (1, 3, 1.0)]
    result = bradley_terry(4, outcomes, prior_variance=2.0)
    f = lambda s: log_posterior(s, outcomes, 2.0)  # noqa: E731
    np.testing.assert_allclose(numeric_gradient(f, result.scores), 0, atol=1e-6)
    # Laplace: the standard errors are the square roots of the diagonal of minus the inverse Hessian.
    hessian = np.array([numeric_gradient(lambda s: numeric_gradient(f, s, 1e-4)[i], result.scores, 1e-4) for i in range(4)])
    np.testing.assert_allclose(result.stderr, np.sqrt(np.diag(np.linalg.inv(-hessian))), rtol=1e-4)


def test_bt_cycle_gives_equal_scores():
    result = bradley_terry(3, [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)])
    np.testing.assert_allclose(result.scores, 0, atol=1e-12)
    assert result.stderr[0] == pytest.approx(result.stderr[1]) == pytest.approx(result.stderr[2])


def test_bt_swapping_labels_permutes_scores():
    outcomes = [(0, 1, 2.0), (1, 2, 1.0), (0, 2, 1.0), (2, 3, 3.0), (3, 0, 1.0)]
    permutation = [2, 0, 3, 1]  # item k is called permutation[k] in the relabelled data
    relabelled = [(permutation[w], permutation[l], x) for w, l, x in outcomes]
    original = bradley_terry(4, outcomes)
    renamed = bradley_terry(4, relabelled)
    np.testing.assert_allclose(renamed.scores[permutation], original.scores, atol=1e-10)
    np.testing.assert_allclose(renamed.stderr[permutation], original.stderr, atol=1e-10)


def test_bt_without_data_is_the_prior():
    result = bradley_terry(4, [], prior_variance=2.5)
    np.testing.assert_array_equal(result.scores, np.zeros(4))
    np.testing.assert_allclose(result.stderr, math.sqrt(2.5))
    # An item nobody compared stays at the prior next to compared ones.
    result = bradley_terry(3, [(0, 1, 1.0)], prior_variance=2.5)
    assert result.scores[2] == 0 and result.stderr[2] == pytest.approx(math.sqrt(2.5))


def test_bt_more_data_shrinks_stderr():
    few = bradley_terry(3, [(0, 1, 2.0), (1, 0, 1.0), (1, 2, 1.0)])
    many = bradley_terry(3, [(0, 1, 20.0), (1, 0, 10.0), (1, 2, 10.0)])
    assert np.all(many.stderr < few.stderr)


def test_bt_tie_as_two_half_wins_is_a_draw():
    result = bradley_terry(2, [(0, 1, 0.5), (1, 0, 0.5)])
    np.testing.assert_allclose(result.scores, 0, atol=1e-12)
    assert result.stderr[0] < 1.0  # but it was compared: less uncertain than the prior


def test_bt_undefeated_item_stays_finite_and_fit_is_deterministic():
    outcomes = [(0, k, 1.0) for k in range(1, 5)] * 10
    first = bradley_terry(5, outcomes)
    assert np.all(np.isfinite(first.scores)) and first.scores.argmax() == 0
    second = bradley_terry(5, outcomes)
    np.testing.assert_array_equal(first.scores, second.scores)
    np.testing.assert_array_equal(first.stderr, second.stderr)


def test_bt_rejects_bad_outcomes():
    with pytest.raises(ValueError):
        bradley_terry(2, [(0, 0, 1.0)])
    with pytest.raises(ValueError):
        bradley_terry(2, [(0, 2, 1.0)])
    with pytest.raises(ValueError):
        bradley_terry(2, [(0, 1, -1.0)])


def test_reliability_weighted_outcomes():
    votes = [(0, 1, "careful"), (2, 3, "contrarian"), (4, 5, "unknown")]
    reliabilities = {"careful": Reliability(9, 1), "contrarian": Reliability(1, 3)}
    outcomes = reliability_weighted_outcomes(votes, reliabilities)
    assert outcomes == [
        (0, 1, pytest.approx(0.9)), (1, 0, pytest.approx(0.1)),
        (2, 3, pytest.approx(0.25)), (3, 2, pytest.approx(0.75)),
        (4, 5, pytest.approx(10 / 11)), (5, 4, pytest.approx(1 / 11)),
    ]
    # A contrarian's vote counts for the other idea.
    scores = bradley_terry(6, outcomes).scores
    assert scores[0] > scores[1] and scores[3] > scores[2]


# --- Crowd-BT update -------------------------------------------------------------------------


def test_update_moves_winner_up_and_loser_down_and_shrinks_variances():
    winner, loser, _ = crowd_bt_update(Belief(0.3, 0.8), Belief(-0.1, 0.5), Reliability())
    assert winner.mu > 0.3 and loser.mu < -0.1
    assert winner.sigma2 < 0.8 and loser.sigma2 < 0.5


def test_update_from_a_symmetric_start_is_a_mirror_image():
    winner, loser, _ = crowd_bt_update(Belief(), Belief(), Reliability())
    assert winner.mu == pytest.approx(-loser.mu) and winner.mu > 0
    assert winner.sigma2 == pytest.approx(loser.sigma2)
    # By hand: slope = expit(log 10) - expit(0) = 10/11 - 1/2, curvature = (10/121) - 1/4.
    assert winner.mu == pytest.approx(10 / 11 - 0.5)
    assert winner.sigma2 == pytest.approx(1 + 10 / 121 - 0.25)


def test_adversarial_voter_moves_beliefs_the_other_way():
    winner, loser, _ = crowd_bt_update(Belief(), Belief(), Reliability(alpha=1, beta=10))
    assert winner.mu < 0 < loser.mu
    # A coin-flipping voter teaches nothing about the ideas.
    winner, loser, _ = crowd_bt_update(Belief(0.2, 0.7), Belief(), Reliability(alpha=5, beta=5))
    assert winner == Belief(0.2, 0.7) and loser == Belief()


def test_reliability_follows_agreement_with_a_confident_belief():
    voter = Reliability()
    strong, weak = Belief(2.0, 0.05), Belief(-2.0, 0.05)
    _, _, agreed = crowd_bt_update(strong, weak, voter)
    _, _, contradicted = crowd_bt_update(weak, strong, voter)
    assert agreed.expected > voter.expected > contradicted.expected
    # Without any knowledge about the two ideas the answer says nothing about the voter.
    _, _, neutral = crowd_bt_update(Belief(), Belief(), voter)
    assert neutral.expected == pytest.approx(voter.expected)
    # A voter who keeps contradicting clear differences ends up below a coin flip.
    for _ in range(30):
        _, _, voter = crowd_bt_update(weak, strong, voter)
    assert voter.expected < 0.5


def test_update_survives_extreme_beliefs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        winner, loser, voter = crowd_bt_update(Belief(-800.0, 1.0), Belief(800.0, 1.0), Reliability(1e6, 1e-3))
    assert all(math.isfinite(x) for x in (winner.mu, winner.sigma2, loser.mu, loser.sigma2, voter.alpha, voter.beta))
    assert winner.sigma2 > 0 and loser.sigma2 > 0 and voter.alpha > 0 and voter.beta > 0


def test_win_probability():
    assert win_probability(0.0, 0.0) == 0.5
    assert win_probability(math.log(3), 0.0) == pytest.approx(0.75)
    assert win_probability(1000.0, -1000.0) == 1.0
    # A voter who tells the truth 9 times in 10: 0.9 * 0.75 + 0.1 * 0.25.
    assert win_probability(math.log(3), 0.0, Reliability(9, 1)) == pytest.approx(0.7)
    np.testing.assert_allclose(win_probability(np.array([0.0, math.log(3)]), 0.0), [0.5, 0.75])


# --- Expected information gain ---------------------------------------------------------------


def test_information_gain_prefers_uncertain_items():
    gain = expected_information_gain(Reliability(), 0.0, 1.0, np.array([0.0, 0.0]), np.array([1.0, 0.01]))
    assert gain[0] > gain[1]
    certain = expected_information_gain(Reliability(), 0.0, 0.01, np.array([0.0]), np.array([0.01]))
    assert certain[0] < gain[1]


def test_information_gain_prefers_close_pairs():
    gain = expected_information_gain(Reliability(), 0.0, 0.3, np.array([0.1, 4.0, -4.0]), np.full(3, 0.3))
    assert gain[0] > gain[1] and gain[0] > gain[2]
    assert gain[1] == pytest.approx(gain[2])


def test_information_gain_is_non_negative_and_broadcasts():
    rng = np.random.default_rng(3)
    mu_b, s2_b = rng.normal(0, 3, 500), rng.uniform(1e-4, 3, 500)
    for voter in (Reliability(), Reliability(1, 10), Reliability(5, 5), Reliability(300, 2)):
        gain = expected_information_gain(voter, 0.5, 0.7, mu_b, s2_b)
        assert gain.shape == (500,) and np.all(gain >= 0) and np.all(np.isfinite(gain))
    matrix = expected_information_gain(Reliability(), mu_b[:3, None], s2_b[:3, None], mu_b[None, :], s2_b[None, :])
    np.testing.assert_allclose(matrix[1], expected_information_gain(Reliability(), mu_b[1], s2_b[1], mu_b, s2_b))


# --- Choosing pairs --------------------------------------------------------------------------


def state(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, n), rng.uniform(0.1, 1, n), rng.integers(0, 10, n).astype(float)


@pytest.mark.parametrize("epsilon", [0.0, 1.0])
def test_choose_pair_never_shows_blocked_items_or_repeats(epsilon):
    mu, sigma2, counts = state(8)
    blocked = np.zeros(8, dtype=bool)
    blocked[[1, 5]] = True
    rng = np.random.default_rng(1)
    seen = set()
    allowed = [k for k in range(8) if not blocked[k]]
    for _ in range(len(allowed) * (len(allowed) - 1) // 2):
        pair = choose_pair(mu, sigma2, counts, Reliability(), rng=rng, seen=seen, blocked=blocked, epsilon=epsilon)
        assert pair is not None
        i, j = pair
        assert i != j and not blocked[i] and not blocked[j]
        assert (min(i, j), max(i, j)) not in seen
        seen.add((min(i, j), max(i, j)))
    # Every allowed pair seen: nothing is left.
    assert choose_pair(mu, sigma2, counts, Reliability(), rng=rng, seen=seen, blocked=blocked, epsilon=epsilon) is None


def test_choose_pair_none_when_fewer_than_two_allowed():
    mu, sigma2, counts = state(3)
    rng = np.random.default_rng(0)
    assert choose_pair(mu[:1], sigma2[:1], counts[:1], Reliability(), rng=rng) is None
    assert choose_pair(mu[:0], sigma2[:0], counts[:0], Reliability(), rng=rng) is None
    blocked = np.array([True, False, True])
    assert choose_pair(mu, sigma2, counts, Reliability(), rng=rng, blocked=blocked) is None


def test_choose_pair_finds_the_last_unseen_pair():
    mu, sigma2, counts = state(5)
    every = {(i, j) for i in range(5) for j in range(i + 1, 5)}
    for last in sorted(every):
        pair = choose_pair(mu, sigma2, counts, Reliability(), rng=np.random.default_rng(0), seen=every - {last}, epsilon=0)
        assert tuple(sorted(pair)) == last


def test_choose_pair_catches_up_on_rarely_compared_items():
    # Equal beliefs everywhere; item 6 has never been compared, the others 20 times each.
    n = 10
    counts = np.full(n, 20.0)
    counts[6] = 0
    for seed in range(20):
        pair = choose_pair(np.zeros(n), np.full(n, 0.2), counts, Reliability(), rng=np.random.default_rng(seed), epsilon=0, anchors=1)
        assert 6 in pair


def test_choose_pair_prefers_the_most_informative_pair():
    # Two uncertain, equally rated items among certain ones: they should meet.
    mu = np.array([0.0, 3.0, 0.1, -3.0, 0.0])
    sigma2 = np.array([0.05, 0.05, 1.0, 0.05, 1.0])
    pair = choose_pair(mu, sigma2, np.full(5, 5.0), Reliability(), rng=np.random.default_rng(0), epsilon=0)
    assert sorted(pair) == [2, 4]


def test_choose_pair_is_deterministic_with_a_seeded_rng():
    mu, sigma2, counts = state(30, seed=4)

    def run(seed):
        rng = np.random.default_rng(seed)
        return [choose_pair(mu, sigma2, counts, Reliability(), rng=rng, epsilon=0.3) for _ in range(50)]

    assert run(7) == run(7)
    assert len(set(run(7))) > 1  # and not stuck on one pair


# --- Ratings ---------------------------------------------------------------------------------


def test_mean_interval_known_values():
    mean, low, high = mean_interval([1, 2, 3])
    # sd 1, se 1/sqrt(3), t(0.975, 2 df) = 4.302653
    assert mean == 2 and high - mean == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)
    assert mean - low == pytest.approx(high - mean)
    assert mean_interval([1, 2, 3], z=1.96)[2] == pytest.approx(2 + 1.96 / math.sqrt(3))
    assert mean_interval([1, 2, 3], bounds=(1, 5)) == (2, 1, pytest.approx(4.484137718))
    assert mean_interval([]) is None
    assert mean_interval([4]) == (4, 4, 4)
    assert mean_interval([4], bounds=(1, 5)) == (4, 1, 5)


def test_weighted_score():
    assert weighted_score({"impact": 4.0, "feasibility": 2.0}, {"impact": 3, "feasibility": 1}) == pytest.approx(3.5)
    # A criterion nobody rated does not count; one without a weight weighs 1.
    assert weighted_score({"impact": 4.0, "feasibility": None, "fun": 1.0}, {"impact": 2, "feasibility": 5}) == pytest.approx(3.0)
    assert weighted_score({"impact": None}, {"impact": 1}) is None
    assert weighted_score({}, {}) is None


def test_wilson_interval_known_values():
    # The textbook value for 5/10 at the exact 97.5% normal quantile.
    low, high = wilson_interval(5, 10, z=1.959963985)
    assert low == pytest.approx(0.236593, abs=1e-6) and high == pytest.approx(0.763407, abs=1e-6)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0


def test_kendall_tau_and_top_k_precision():
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert kendall_tau([1, 2, 3], [5, 5, 5]) == 0.0
    assert top_k_precision([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], 2) == 0.0
    assert top_k_precision([1, 2, 3, 4, 5], [1, 2, 3, 5, 4], 2) == 1.0
    # All tied: random tie-breaking finds k/n of the true top k on average.
    assert top_k_precision([1, 2, 3, 4, 5], [0, 0, 0, 0, 0], 2) == pytest.approx(0.4)
    # One certain (item 4), one of the three tied others (items 1-3) by chance.
    assert top_k_precision([1, 2, 3, 4, 5], [0, 1, 1, 1, 9], 2) == pytest.approx(0.5 + 0.5 * 1 / 3)


# --- Properties ------------------------------------------------------------------------------


@st.composite
def outcome_sets(draw):
    n = draw(st.integers(2, 6))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    weight = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])
    outcomes = draw(st.lists(st.tuples(pair, weight).map(lambda t: (*t[0], t[1])), max_size=12))
    return n, outcomes


@settings(max_examples=60, deadline=None)
@given(outcome_sets(), st.data())
def test_property_one_more_win_never_hurts_the_winner(case, data):
    n, outcomes = case
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
    before = bradley_terry(n, outcomes).scores
    after = bradley_terry(n, [*outcomes, (i, j, 1.0)]).scores
    assert after[i] >= before[i] - 1e-8
    assert after[j] <= before[j] + 1e-8


@settings(max_examples=40, deadline=None)
@given(outcome_sets(), st.randoms(use_true_random=False))
def test_property_order_of_outcomes_does_not_matter(case, random):
    n, outcomes = case
    shuffled = list(outcomes)
    random.shuffle(shuffled)
    np.testing.assert_allclose(bradley_terry(n, shuffled).scores, bradley_terry(n, outcomes).scores, atol=1e-6)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(finite, finite, st.none() | st.builds(Reliability, st.floats(1e-3, 1e3), st.floats(1e-3, 1e3)))
def test_property_win_probability_is_a_probability(a, b, voter):
    p = win_probability(a, b, voter)
    assert 0.0 <= p <= 1.0
    if voter is None:
        assert p + win_probability(b, a) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 1000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_property_wilson_interval_contains_the_share(case):
    k, n = case
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low <= k / n <= high


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(1, 5), min_size=1, max_size=30), st.booleans())
def test_property_mean_interval_contains_the_mean(values, with_bounds):
    mean, low, high = mean_interval(values, bounds=(1.0, 5.0) if with_bounds else None)
    assert low <= mean <= high
    assert min(values) <= mean <= max(values)
    if with_bounds:
        assert 1.0 <= low and high <= 5.0


def test_it_keeps_an_interval_open_when_a_few_values_agree():
    mean, low, high = mean_interval([4.0, 4.0, 4.0], bounds=(1.0, 5.0), min_sd=0.5)

    assert mean == 4.0
    assert low < 4.0 - 0.5 and high == 5.0  # t(2) * 0.5 / sqrt(3) ≈ 1.24 either side, clipped
    assert mean_interval([4.0, 4.0, 4.0]) == (4.0, 4.0, 4.0)
