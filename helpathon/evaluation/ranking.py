"""Ranking ideas from pairwise choices and from ratings: the maths, as plain functions.

Nothing here knows about Django; the services feed numbers in and store what comes out.

Pairwise choices ("which of these two ideas is better?") follow the Bradley-Terry model: every
idea has a hidden log-strength s, and idea a beats idea b with probability 1 / (1 + exp(s_b - s_a)).
People are not all careful, so Crowd-BT (Chen, Bennett, Collins-Thompson and Horvitz, 2013) adds a
reliability eta per voter: with probability eta the voter reports what they really think, otherwise
the opposite. A voter who clicks at random has eta near 0.5; one who deliberately picks the worse
idea has eta below 0.5, and their votes then count the other way round.

Three uses of that model live here:

- `crowd_bt_update` learns online, one vote at a time. Each idea keeps a normal belief (mu, sigma2)
  about its log-strength and each voter a Beta(alpha, beta) belief about eta. After a vote the
  beliefs are moved by one Newton-like step of the vote's log-likelihood (the mean by the slope,
  the variance by the curvature), and the voter's Beta is replaced by the Beta with the same mean
  and variance as the exact posterior (moment matching). That is cheap enough to run inside the
  request that records the vote.
- `choose_pair` decides which two ideas a voter should see next. A vote teaches most when its
  outcome is uncertain and the ideas' beliefs are wide, so it picks the pair with the largest
  expected information gain (the expected Kullback-Leibler divergence between the beliefs after
  and before the vote). Ideas that have been compared rarely are given a head start, a small share
  of pairs is chosen at random (so that a wrong belief cannot hide an idea for ever), and a voter
  never sees the same pair twice while there are pairs they have not seen.
- `bradley_terry` refits every vote at once (maximum a posteriori with a normal prior), for the
  published ranking and its error bars. Online updates depend on the order of the votes; the
  batch fit does not, and it uses each vote fully. `reliability_weighted_outcomes` turns the
  votes into weighted wins using what was learned about each voter.

For ratings (scores on a fixed scale per criterion) the helpers give a mean with a Student-t
interval, a weighted mean over criteria, and a Wilson interval for shares. Kendall's tau and
top-k precision are for the benchmark and the tests: how well an estimated order matches a known
true one.

Numerics: probabilities are computed with `expit` / `log_expit` (never exp of a difference), so
large differences in strength do not overflow, and variances are kept positive with a floor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import linalg, special, stats

PRIOR_MU = 0.0  # belief about a new idea's quality (log-strength): mean ...
PRIOR_SIGMA2 = 1.0  # ... and variance
ALPHA_PRIOR = 10.0  # Beta prior of a voter's reliability (P(voter reports truthfully)):
BETA_PRIOR = 1.0  # most people mean what they click, about 10 in 11 times until they show otherwise
KAPPA = 1e-4  # floor factor keeping variances positive


@dataclass(frozen=True)
class Belief:
    """Normal belief about one idea's log-strength."""

    mu: float = PRIOR_MU
    sigma2: float = PRIOR_SIGMA2


@dataclass(frozen=True)
class Reliability:
    """Beta(alpha, beta) belief about the probability that a voter reports truthfully."""

    alpha: float = ALPHA_PRIOR
    beta: float = BETA_PRIOR

    @property
    def expected(self) -> float:
        return self.alpha / (self.alpha + self.beta)


# --- Crowd-BT: online updates ----------------------------------------------------------------


def _mean_win_probability(mu_a, sigma2_a, mu_b, sigma2_b):
    """P(a is really stronger than b), averaged over both beliefs.

    The logistic averaged over a normal has no closed form; dividing the mean difference by
    sqrt(1 + pi * variance / 8) (MacKay's probit approximation) is accurate to about 0.02 and,
    unlike a Taylor expansion, always stays a probability."""
    spread = np.sqrt(1.0 + np.pi * (sigma2_a + sigma2_b) / 8.0)
    return special.expit((mu_a - mu_b) / spread)


def _item_updates(mu_w, s2_w, mu_l, s2_l, alpha, beta):
    """New (mu, sigma2) of winner and loser after one vote; works elementwise on arrays.

    With eta integrated out, the vote's likelihood is E[eta] * p + (1 - E[eta]) * (1 - p) where
    p = expit(s_w - s_l). Its log has slope expit(d + c) - expit(d) in s_w (c = logit E[eta]),
    and curvature q(1 - q) - p(1 - p) with q = expit(d + c). Moving the mean by variance x slope
    and scaling the variance by (1 + variance x curvature) is the Crowd-BT update."""
    d = mu_w - mu_l
    p = special.expit(d)
    q = special.expit(d + (np.log(alpha) - np.log(beta)))
    slope = q - p
    curvature = q * (1.0 - q) - p * (1.0 - p)
    new_mu_w = mu_w + s2_w * slope
    new_mu_l = mu_l - s2_l * slope
    # The curvature can be positive (e.g. for a voter believed adversarial): the floor keeps the
    # variance positive instead of letting it flip sign.
    new_s2_w = s2_w * np.maximum(1.0 + s2_w * curvature, KAPPA)
    new_s2_l = s2_l * np.maximum(1.0 + s2_l * curvature, KAPPA)
    return new_mu_w, new_s2_w, new_mu_l, new_s2_l


def _reliability_update(p_true, alpha, beta):
    """New (alpha, beta) of a voter whose answer is right with probability `p_true`.

    The answer's likelihood is eta * p_true + (1 - eta) * (1 - p_true), so the exact posterior is
    a mixture of Beta(alpha + 1, beta) (the voter told the truth) and Beta(alpha, beta + 1) (they
    did not). It is replaced by the single Beta with the same mean and variance."""
    total = alpha + beta
    # Posterior weight of "the voter told the truth".
    truthful = p_true * alpha / (p_true * alpha + (1.0 - p_true) * beta)
    mean = (alpha + truthful) / (total + 1.0)
    # Variance of the mixture = mean of the two variances + variance of the two means; written
    # this way it has no cancellation even when alpha + beta is large.
    within = (truthful * (alpha + 1.0) * beta + (1.0 - truthful) * alpha * (beta + 1.0)) / (
        (total + 1.0) ** 2 * (total + 2.0)
    )
    between = truthful * (1.0 - truthful) / (total + 1.0) ** 2
    variance = within + between
    size = mean * (1.0 - mean) / variance - 1.0  # alpha + beta of the matching Beta
    return mean * size, (1.0 - mean) * size


def crowd_bt_update(winner: Belief, loser: Belief, voter: Reliability) -> tuple[Belief, Belief, Reliability]:
    """Online Crowd-BT (moment-matching) update after `voter` said winner beats loser."""
    mu_w, s2_w, mu_l, s2_l = _item_updates(winner.mu, winner.sigma2, loser.mu, loser.sigma2, voter.alpha, voter.beta)
    # The voter is judged against the beliefs held before their vote.
    p_true = _mean_win_probability(winner.mu, winner.sigma2, loser.mu, loser.sigma2)
    alpha, beta = _reliability_update(p_true, voter.alpha, voter.beta)
    return (
        Belief(float(mu_w), float(s2_w)),
        Belief(float(mu_l), float(s2_l)),
        Reliability(float(alpha), float(beta)),
    )


def win_probability(mu_a, mu_b, voter: Reliability | None = None):
    """P(voter reports a beats b) for log-strengths mu_a, mu_b; without a voter, P(a beats b).
    Works on floats (returns a float) and on numpy arrays (broadcast)."""
    p = special.expit(np.subtract(mu_a, mu_b, dtype=float))
    if voter is not None:
        eta = voter.expected
        p = eta * p + (1.0 - eta) * (1.0 - p)
    return float(p) if np.ndim(p) == 0 else p


# --- Choosing the next pair ------------------------------------------------------------------


def _gaussian_kl(mu1, s1, mu0, s0):
    """KL(N(mu1, s1) || N(mu0, s0))."""
    change = s1 / s0 - 1.0
    # change - log1p(change) is >= 0 in exact arithmetic; clip the rounding.
    return np.maximum(0.5 * (change - np.log1p(change) + (mu1 - mu0) ** 2 / s0), 0.0)


def _beta_kl(a1, b1, a0, b0):
    """KL(Beta(a1, b1) || Beta(a0, b0))."""
    kl = (
        special.betaln(a0, b0)
        - special.betaln(a1, b1)
        + (a1 - a0) * special.digamma(a1)
        + (b1 - b0) * special.digamma(b1)
        + (a0 - a1 + b0 - b1) * special.digamma(a1 + b1)
    )
    return np.maximum(kl, 0.0)


def _gain_if(winner_mu, winner_s2, loser_mu, loser_s2, p_true, voter: Reliability):
    """Information gained (summed KL of the three beliefs) if the voter names `winner`."""
    mu_w, s2_w, mu_l, s2_l = _item_updates(winner_mu, winner_s2, loser_mu, loser_s2, voter.alpha, voter.beta)
    alpha, beta = _reliability_update(p_true, voter.alpha, voter.beta)
    return (
        _gaussian_kl(mu_w, s2_w, winner_mu, winner_s2)
        + _gaussian_kl(mu_l, s2_l, loser_mu, loser_s2)
        + _beta_kl(alpha, beta, voter.alpha, voter.beta)
    )


def expected_information_gain(
    voter: Reliability, mu_a: float, sigma2_a: float, mu_b: np.ndarray, sigma2_b: np.ndarray
) -> np.ndarray:
    """Vectorized over the b arrays: expected KL divergence (posterior vs prior of the two item beliefs, plus of the voter's Beta) over the two outcomes, weighted by their probabilities."""
    mu_a, sigma2_a, mu_b, sigma2_b = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (mu_a, sigma2_a, mu_b, sigma2_b))
    )
    a_better = _mean_win_probability(mu_a, sigma2_a, mu_b, sigma2_b)
    b_better = _mean_win_probability(mu_b, sigma2_b, mu_a, sigma2_a)
    eta = voter.expected
    says_a = eta * a_better + (1.0 - eta) * b_better
    gain_a = _gain_if(mu_a, sigma2_a, mu_b, sigma2_b, a_better, voter)
    gain_b = _gain_if(mu_b, sigma2_b, mu_a, sigma2_a, b_better, voter)
    return says_a * gain_a + (1.0 - says_a) * gain_b


def _seen_local(seen: Iterable[tuple[int, int]], position: np.ndarray) -> set[tuple[int, int]]:
    """The seen pairs between allowed items, in positions among the allowed items, (low, high)."""
    n = len(position)
    local = set()
    for a, b in seen:
        if 0 <= a < n and 0 <= b < n and a != b:
            pa, pb = position[a], position[b]
            if pa >= 0 and pb >= 0:
                local.add((min(pa, pb), max(pa, pb)))
    return local


def _random_unseen_pair(m: int, seen: set[tuple[int, int]], rng: np.random.Generator) -> tuple[int, int]:
    """A uniformly random pair of positions in range(m) that is not in `seen` (one must exist)."""
    # Usually most pairs are unseen, so a few rejection draws suffice ...
    for _ in range(32):
        a, b = rng.choice(m, size=2, replace=False)
        if (min(a, b), max(a, b)) not in seen:
            return int(a), int(b)
    # ... and if not, list the unseen ones.
    rows, cols = np.triu_indices(m, k=1)
    unseen = [k for k, pair in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)) if pair not in seen]
    k = unseen[int(rng.integers(len(unseen)))]
    return int(rows[k]), int(cols[k])


def choose_pair(
    mu: np.ndarray,
    sigma2: np.ndarray,
    counts: np.ndarray,
    voter: Reliability,
    *,
    rng: np.random.Generator,
    seen: set[tuple[int, int]] = frozenset(),
    blocked: np.ndarray | None = None,
    epsilon: float = 0.1,
    anchors: int = 8,
    catch_up: float = 1.0,
) -> tuple[int, int] | None:
    """Indices (i, j), i != j, of the next pair to show. `seen` holds index pairs (min, max) this voter judged already (never repeat while unseen pairs exist); `blocked` is a bool mask of items this voter may not see (own ideas). With probability epsilon a uniformly random allowed pair. Otherwise choose a few anchor items by need = sigma2 + catch_up / (1 + counts) (ideas with few comparisons get a boost), compute expected information gain of each anchor against all allowed others (vectorized) and return the best pair. None when fewer than two allowed items or no unseen pair remains.

    The order of i and j carries no meaning; the caller decides which side each is shown on."""
    mu = np.asarray(mu, dtype=float)
    sigma2 = np.asarray(sigma2, dtype=float)
    counts = np.asarray(counts, dtype=float)
    n = len(mu)
    allowed = np.arange(n) if blocked is None else np.flatnonzero(~np.asarray(blocked, dtype=bool))
    m = len(allowed)
    if m < 2:
        return None
    position = np.full(n, -1)
    position[allowed] = np.arange(m)
    seen_here = _seen_local(seen, position)
    if len(seen_here) >= m * (m - 1) // 2:
        return None

    if rng.random() < epsilon:
        a, b = _random_unseen_pair(m, seen_here, rng)
        return int(allowed[a]), int(allowed[b])

    # Partners each allowed item has been shown with already: an anchor needs an unseen one.
    partners: dict[int, list[int]] = {}
    for a, b in seen_here:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    degree = np.bincount(np.array(list(seen_here), dtype=int).reshape(-1), minlength=m)
    open_items = np.flatnonzero(degree < m - 1)

    need = sigma2[allowed[open_items]] + catch_up / (1.0 + counts[allowed[open_items]])
    # Highest need first; ties (e.g. at the start, when all beliefs are equal) in random order,
    # so that the first ideas in the list are not always the first shown.
    order = np.lexsort((rng.random(len(open_items)), -need))
    chosen = open_items[order[: max(1, anchors)]]

    others_mu, others_s2 = mu[allowed], sigma2[allowed]
    gain = expected_information_gain(
        voter, others_mu[chosen, None], others_s2[chosen, None], others_mu[None, :], others_s2[None, :]
    )
    # Rule out an item against itself and pairs this voter has seen.
    gain[np.arange(len(chosen)), chosen] = -np.inf
    for row, anchor in enumerate(chosen.tolist()):
        for partner in partners.get(anchor, ()):
            gain[row, partner] = -np.inf
    row, col = np.unravel_index(int(np.argmax(gain)), gain.shape)
    return int(allowed[chosen[row]]), int(allowed[col])


# --- Bradley-Terry: batch fit ----------------------------------------------------------------


@dataclass(frozen=True)
class BTResult:
    scores: np.ndarray
    stderr: np.ndarray
    iterations: int


def _aggregate(n: int, outcomes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum the outcomes per unordered pair: (low, high, wins of low, wins of high)."""
    rows = [(int(w), int(l), float(x)) for w, l, x in outcomes]
    if not rows:
        empty = np.zeros(0)
        return empty.astype(int), empty.astype(int), empty, empty
    winners, losers, weights = (np.array(column) for column in zip(*rows, strict=True))
    if np.any(winners == losers):
        raise ValueError("an item cannot beat itself")
    if np.any((winners < 0) | (winners >= n) | (losers < 0) | (losers >= n)):
        raise ValueError("item index out of range")
    if np.any(~np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("weights must be finite and >= 0")
    low, high = np.minimum(winners, losers), np.maximum(winners, losers)
    keys, inverse = np.unique(low * n + high, return_inverse=True)
    wins_low = np.bincount(inverse, weights=np.where(winners == low, weights, 0.0), minlength=len(keys))
    wins_high = np.bincount(inverse, weights=np.where(winners == high, weights, 0.0), minlength=len(keys))
    return keys // n, keys % n, wins_low, wins_high


def _log_posterior(s, low, high, wins_low, wins_high, prior_variance):
    d = s[low] - s[high]
    return float(
        np.sum(wins_low * special.log_expit(d) + wins_high * special.log_expit(-d)) - s @ s / (2.0 * prior_variance)
    )


def _gradient_and_precision(s, low, high, wins_low, wins_high, prior_variance):
    """Gradient of the log posterior and minus its Hessian (the precision matrix)."""
    n = len(s)
    p = special.expit(s[low] - s[high])
    total = wins_low + wins_high
    slope = wins_low - total * p  # observed minus expected wins of `low` in the pair
    gradient = np.bincount(low, slope, n) - np.bincount(high, slope, n) - s / prior_variance
    h = total * p * (1.0 - p)
    precision = np.diag(1.0 / prior_variance + np.bincount(low, h, n) + np.bincount(high, h, n))
    precision[low, high] -= h  # pairs are unique, so plain assignment does not lose anything
    precision[high, low] -= h
    return gradient, precision


def bradley_terry(n: int, outcomes, *, prior_variance: float = 1.0, tol: float = 1e-9, max_iter: int = 100) -> BTResult:
    """MAP Bradley-Terry fit. `outcomes`: iterable of (winner_index, loser_index, weight) with weight >= 0 (a tie may be given as two half wins). Gaussian prior N(0, prior_variance) on each log-strength (keeps it finite for undefeated items and makes it identifiable). Newton's method on the log posterior (dense Hessian is fine up to ~2,000 items); stderr = sqrt(diag(inverse Hessian)) at the optimum (Laplace approximation). Must be deterministic."""
    if not (prior_variance > 0 and math.isfinite(prior_variance)):
        raise ValueError("prior_variance must be positive and finite")
    data = _aggregate(n, outcomes)
    s = np.zeros(n)
    if n == 0:
        return BTResult(scores=s, stderr=np.zeros(0), iterations=0)
    iterations = 0
    # The log posterior is strictly concave, so Newton converges; the step is halved only when
    # it would go downhill (far from the optimum with extreme data).
    for iterations in range(1, max_iter + 1):
        gradient, precision = _gradient_and_precision(s, *data, prior_variance)
        step = linalg.cho_solve(linalg.cho_factor(precision), gradient)
        current = _log_posterior(s, *data, prior_variance)
        scale = 1.0
        while scale > 1e-6 and _log_posterior(s + scale * step, *data, prior_variance) < current - 1e-12 * (
            1.0 + abs(current)
        ):
            scale /= 2.0
        s = s + scale * step
        if np.max(np.abs(scale * step), initial=0.0) < tol:
            break
    _, precision = _gradient_and_precision(s, *data, prior_variance)
    covariance = linalg.cho_solve(linalg.cho_factor(precision), np.eye(n))
    return BTResult(scores=s, stderr=np.sqrt(np.diag(covariance)), iterations=iterations)


def reliability_weighted_outcomes(votes, reliabilities: Mapping) -> list[tuple[int, int, float]]:
    """votes: iterable of (winner, loser, voter_key); a voter whose expected reliability is eta contributes eta to winner>loser and (1-eta) to loser>winner (Crowd-BT's noise model as weights).

    A voter missing from `reliabilities` counts with the prior reliability."""
    prior = Reliability()
    outcomes = []
    for winner, loser, key in votes:
        eta = reliabilities.get(key, prior).expected
        if eta > 0:
            outcomes.append((winner, loser, eta))
        if eta < 1:
            outcomes.append((loser, winner, 1.0 - eta))
    return outcomes


# --- Ratings ---------------------------------------------------------------------------------


def mean_interval(
    values, z: float | None = None, *, bounds: tuple[float, float] | None = None, min_sd: float = 0.0
) -> tuple[float, float, float] | None:
    """(mean, low, high): the mean of the values and a 95% interval for it, from Student's t with
    n - 1 degrees of freedom (or mean ± z standard errors when `z` is given). None for no values.
    The interval is clipped to `bounds` (the rating scale); for a single value, where the sample
    says nothing about the spread, it is `bounds` if given, else (v, v). `min_sd` is the least
    spread assumed: two raters who happen to agree do not make a score certain."""
    x = np.asarray(list(values), dtype=float)
    if x.size == 0:
        return None
    # Clamping to the data's range only undoes rounding: the mean lies there exactly.
    mean = float(min(max(x.mean(), x.min()), x.max()))
    if x.size == 1:
        low, high = bounds if bounds is not None else (mean, mean)
        return mean, float(low), float(high)
    quantile = z if z is not None else float(stats.t.ppf(0.975, x.size - 1))
    half = quantile * max(float(x.std(ddof=1)), min_sd) / math.sqrt(x.size)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, float(low), float(high)


def weighted_score(criterion_means: Mapping, weights: Mapping) -> float | None:
    """Weighted mean over the criteria that have a mean (not None); a criterion missing from
    `weights` weighs 1. None if no criterion has a mean or their weights sum to 0."""
    total = weight_sum = 0.0
    for criterion, mean in criterion_means.items():
        if mean is None:
            continue
        weight = float(weights.get(criterion, 1.0))
        if weight < 0:
            raise ValueError("weights must be >= 0")
        total += weight * float(mean)
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else None


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for the share k/n (good also near 0 and 1, unlike mean ± z se).
    (0.0, 1.0) for n == 0: nothing is known."""
    if n == 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError("need 0 <= k <= n")
    share = k / n
    z2 = z * z
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # The exact ends are 0 for k == 0 and 1 for k == n; min/max only undo rounding.
    low = 0.0 if k == 0 else max(0.0, min(share, centre - half))
    high = 1.0 if k == n else min(1.0, max(share, centre + half))
    return low, high


# --- Comparing orders (benchmark and tests) --------------------------------------------------


def kendall_tau(a, b) -> float:
    """Kendall's tau-b between two score lists (scipy). 0.0 where it is undefined (a list with
    all scores equal says nothing about the order)."""
    tau = stats.kendalltau(a, b).statistic
    return 0.0 if math.isnan(tau) else float(tau)


def top_k_precision(true_scores, estimated_scores, k: int) -> float:
    """Share of the true top k among the estimated top k. Ties in the estimate at the cut are
    shared out: the result is the expectation over breaking those ties at random."""
    true_scores = np.asarray(true_scores, dtype=float)
    estimated = np.asarray(estimated_scores, dtype=float)
    if not 1 <= k <= len(true_scores) or len(estimated) != len(true_scores):
        raise ValueError("need 1 <= k <= n and two lists of the same length")
    true_top = np.zeros(len(true_scores), dtype=bool)
    true_top[np.argsort(-true_scores, kind="stable")[:k]] = True
    cut = np.sort(estimated)[::-1][k - 1]
    above = estimated > cut
    tied = estimated == cut
    slots = k - int(above.sum())
    hits = true_top[above].sum() + slots * true_top[tied].sum() / tied.sum()
    return float(hits / k)
