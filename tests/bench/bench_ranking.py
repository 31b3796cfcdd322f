"""Benchmark of the idea rankings (helpathon/evaluation/ranking.py) on simulated judges.

Run: `.venv/bin/python tests/bench/bench_ranking.py` (about half a minute on 2 cores);
`--quick` runs one seed as a smoke test.

Scenario: 60 ideas with true qualities drawn from N(0, 1) and a pool of 40 judges: 70% normal
(pick idea a over b with the Bradley-Terry probability of the true qualities), 20% noisy (the same
with quality differences scaled by 0.3, close to coin flips), 10% adversarial (pick the worse idea
with that probability). For ratings, a judge gives one idea round(3 + quality + noise) clipped to
1–5 (noise sd 0.8 for normal judges, 2.0 for noisy ones; adversarial judges give 6 minus an honest
rating). Each judgement is made by a judge drawn at random from the pool; one judgement is one
rating of one idea or one answer about one pair, so every method gets the same number of them.

Methods:
  (a) ratings: each idea's mean rating (ideas go round-robin in random order, so each has
      about the same number of ratings; an idea never rated counts as the midpoint 3);
  (b) random pairs, each answered once, then `bradley_terry` (MAP, prior variance 1);
  (c) active pairs: `choose_pair` for the judge at hand (their own Reliability and seen pairs),
      `crowd_bt_update` after every answer; the order is that of the online mu;
  (d) the votes of (c), refitted with `bradley_terry` on `reliability_weighted_outcomes`
      (each judge's reliability as learned by (c) at that point).
Diagnostics, to tell apart the choice of pairs and the estimator: random pairs with online
Crowd-BT, and the active votes with a plain (unweighted) Bradley-Terry fit.

Quality: Kendall's tau-b between the true qualities and the estimated scores, and the share of the
true top 10 among the estimated top 10, as mean ± sd over 10 seeds, at budgets of 100 to 5,000
judgements. Every method is an anytime method: the figure at budget B is the state after the
first B judgements of one run per seed.

Time: `crowd_bt_update` per vote and `choose_pair` per next pair (1,000 ideas, a state as after a
few thousand votes), median and 99th percentile; one `bradley_terry` fit of 1,000 ideas with
5,000 outcomes.

Prints a table and writes bench-results/ranking.json (scenario included).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from helpathon.evaluation import ranking  # noqa: E402
from helpathon.evaluation.ranking import Belief, Reliability  # noqa: E402

OUT = ROOT / "bench-results" / "ranking.json"

N_IDEAS = 60
JUDGES = {"normal": 28, "noisy": 8, "adversarial": 4}  # 70% / 20% / 10% of 40
NOISY_SCALE = 0.3
RATING_SD = {"normal": 0.8, "noisy": 2.0, "adversarial": 0.8}
TOP_K = 10
TABLE_BUDGETS = (100, 300, 1000, 3000)
GRID = (100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)
TAU_TARGET = 0.8
SEEDS = tuple(range(10))

METHODS = {
    "a_ratings_mean": "(a) mean of ratings",
    "b_random_pairs_bt": "(b) random pairs + BT fit",
    "c_active_crowd_bt": "(c) active pairs, Crowd-BT mu",
    "d_active_weighted_bt": "(d) active pairs, reliability-weighted BT",
    "x_random_pairs_crowd_bt": "    random pairs, Crowd-BT mu",
    "x_active_plain_bt": "    active pairs, plain BT fit",
}

# Timing scenario
TIME_IDEAS = 1000
TIME_OUTCOMES = 5000
TIME_UPDATES = 20_000
TIME_CHOICES = 1_000


# --- Simulated judges ------------------------------------------------------------------------


def judge_kinds() -> list[str]:
    return [kind for kind, count in JUDGES.items() for _ in range(count)]


def says_first_wins(kind: str, q_first: float, q_second: float, rng: np.random.Generator) -> bool:
    difference = q_first - q_second
    if kind == "noisy":
        difference *= NOISY_SCALE
    elif kind == "adversarial":
        difference = -difference
    return bool(rng.random() < ranking.win_probability(difference, 0.0))


def rating(kind: str, quality: float, rng: np.random.Generator) -> float:
    honest = float(np.clip(np.round(3 + quality + rng.normal(0, RATING_SD[kind])), 1, 5))
    return 6 - honest if kind == "adversarial" else honest


def measure(truth: np.ndarray, estimate: np.ndarray) -> dict:
    return {"tau": ranking.kendall_tau(truth, estimate), "top10": ranking.top_k_precision(truth, estimate, TOP_K)}


# --- The methods, each as an anytime run returning {budget: measures} ---------------------------


def run_ratings(quality, kinds, rng, budgets) -> dict:
    n, total = len(quality), max(budgets)
    sums, counts = np.zeros(n), np.zeros(n)
    order: list[int] = []
    results = {}
    for t in range(1, total + 1):
        if not order:  # round-robin over the ideas, in a fresh random order each round
            order = list(rng.permutation(n))
        idea = order.pop()
        kind = kinds[rng.integers(len(kinds))]
        sums[idea] += rating(kind, quality[idea], rng)
        counts[idea] += 1
        if t in budgets:
            means = np.where(counts > 0, sums / np.maximum(counts, 1), 3.0)
            results[t] = measure(quality, means)
    return results


def answer(kinds, quality, judge, i, j, rng) -> tuple[int, int]:
    return (i, j) if says_first_wins(kinds[judge], quality[i], quality[j], rng) else (j, i)


def run_random_pairs(quality, kinds, rng, budgets) -> dict:
    n, total = len(quality), max(budgets)
    votes = []
    mu, sigma2 = np.zeros(n), np.ones(n)
    reliabilities = [Reliability() for _ in kinds]
    results = {}
    for t in range(1, total + 1):
        i, j = rng.choice(n, size=2, replace=False)
        judge = int(rng.integers(len(kinds)))
        winner, loser = answer(kinds, quality, judge, i, j, rng)
        votes.append((winner, loser, 1.0))
        w, l, reliabilities[judge] = ranking.crowd_bt_update(
            Belief(mu[winner], sigma2[winner]), Belief(mu[loser], sigma2[loser]), reliabilities[judge]
        )
        mu[winner], sigma2[winner], mu[loser], sigma2[loser] = w.mu, w.sigma2, l.mu, l.sigma2
        if t in budgets:
            results[t] = {
                "b_random_pairs_bt": measure(quality, ranking.bradley_terry(n, votes).scores),
                "x_random_pairs_crowd_bt": measure(quality, mu),
            }
    return results


def run_active_pairs(quality, kinds, rng, budgets, **choice) -> dict:
    n, total = len(quality), max(budgets)
    mu, sigma2, counts = np.zeros(n), np.ones(n), np.zeros(n)
    reliabilities = [Reliability() for _ in kinds]
    seen = [set() for _ in kinds]
    votes = []
    results = {}
    for t in range(1, total + 1):
        judge = int(rng.integers(len(kinds)))
        pair = ranking.choose_pair(mu, sigma2, counts, reliabilities[judge], rng=rng, seen=seen[judge], **choice)
        assert pair is not None, "a judge ran out of pairs"
        i, j = pair
        seen[judge].add((min(i, j), max(i, j)))
        winner, loser = answer(kinds, quality, judge, i, j, rng)
        votes.append((winner, loser, judge))
        w, l, reliabilities[judge] = ranking.crowd_bt_update(
            Belief(mu[winner], sigma2[winner]), Belief(mu[loser], sigma2[loser]), reliabilities[judge]
        )
        mu[winner], sigma2[winner], mu[loser], sigma2[loser] = w.mu, w.sigma2, l.mu, l.sigma2
        counts[[i, j]] += 1
        if t in budgets:
            weighted = ranking.reliability_weighted_outcomes(votes, dict(enumerate(reliabilities)))
            results[t] = {
                "c_active_crowd_bt": measure(quality, mu),
                "d_active_weighted_bt": measure(quality, ranking.bradley_terry(n, weighted).scores),
                "x_active_plain_bt": measure(quality, ranking.bradley_terry(n, [(w, l, 1.0) for w, l, _ in votes]).scores),
            }
            if t == total:
                results["reliability_by_kind"] = {
                    kind: round(statistics.fmean(r.expected for r, k in zip(reliabilities, kinds, strict=True) if k == kind), 3)
                    for kind in JUDGES
                }
    return results


def one_seed(seed: int, budgets, **choice) -> dict:
    """{method: {budget: measures}} for one seed; each method draws from its own random stream."""
    quality = np.random.default_rng([seed, 0]).normal(0, 1, N_IDEAS)
    kinds = judge_kinds()
    by_method: dict[str, dict] = {key: {} for key in METHODS}
    for budget, m in run_ratings(quality, kinds, np.random.default_rng([seed, 1]), budgets).items():
        by_method["a_ratings_mean"][budget] = m
    for budget, block in run_random_pairs(quality, kinds, np.random.default_rng([seed, 2]), budgets).items():
        for key, m in block.items():
            by_method[key][budget] = m
    active = run_active_pairs(quality, kinds, np.random.default_rng([seed, 3]), budgets, **choice)
    reliability = active.pop("reliability_by_kind")
    for budget, block in active.items():
        for key, m in block.items():
            by_method[key][budget] = m
    return {"methods": by_method, "reliability_by_kind": reliability}


def summarize(runs: list[dict], budgets) -> dict:
    summary = {}
    for key in METHODS:
        summary[key] = {}
        for budget in budgets:
            block = {}
            for measure_name in ("tau", "top10"):
                values = [run["methods"][key][budget][measure_name] for run in runs]
                block[f"{measure_name}_mean"] = round(statistics.fmean(values), 4)
                block[f"{measure_name}_sd"] = round(statistics.stdev(values), 4) if len(values) > 1 else 0.0
            summary[key][str(budget)] = block
    return summary


def budget_reaching(summary_of_method: dict, budgets) -> int | None:
    for budget in budgets:
        if summary_of_method[str(budget)]["tau_mean"] >= TAU_TARGET:
            return budget
    return None


# --- Timing ----------------------------------------------------------------------------------


def percentiles(samples_ns: list[int]) -> dict:
    values = np.array(samples_ns) / 1000.0  # microseconds
    return {"median_us": round(float(np.median(values)), 1), "p99_us": round(float(np.percentile(values, 99)), 1),
            "calls": len(samples_ns)}


def time_everything() -> dict:
    rng = np.random.default_rng(12345)
    n = TIME_IDEAS
    quality = rng.normal(0, 1, n)
    # A state as after about 10 comparisons per idea: beliefs near the truth, variances shrunk.
    counts = rng.poisson(10, n).astype(float)
    sigma2 = 1.0 / (1.0 + 0.15 * counts)
    mu = 0.8 * quality + rng.normal(0, np.sqrt(sigma2))
    voter = Reliability(14.0, 2.5)
    seen = set()
    while len(seen) < 60:
        i, j = rng.choice(n, size=2, replace=False)
        seen.add((min(i, j), max(i, j)))
    blocked = np.zeros(n, dtype=bool)
    blocked[rng.choice(n, size=3, replace=False)] = True

    update_ns = []
    pairs = rng.integers(0, n, size=(TIME_UPDATES, 2))
    for i, j in pairs:
        winner, loser = Belief(mu[i], sigma2[i]), Belief(mu[j], sigma2[j])
        start = time.perf_counter_ns()
        ranking.crowd_bt_update(winner, loser, voter)
        update_ns.append(time.perf_counter_ns() - start)

    choice_ns = {}
    for epsilon in (0.0, 0.1):
        samples = []
        for _ in range(TIME_CHOICES):
            start = time.perf_counter_ns()
            ranking.choose_pair(mu, sigma2, counts, voter, rng=rng, seen=seen, blocked=blocked, epsilon=epsilon)
            samples.append(time.perf_counter_ns() - start)
        choice_ns[f"epsilon_{epsilon}"] = percentiles(samples)

    outcomes = []
    for _ in range(TIME_OUTCOMES):
        i, j = rng.choice(n, size=2, replace=False)
        outcomes.append((i, j, 1.0) if rng.random() < ranking.win_probability(quality[i], quality[j]) else (j, i, 1.0))
    fits = []
    for _ in range(3):
        start = time.perf_counter()
        result = ranking.bradley_terry(n, outcomes)
        fits.append(time.perf_counter() - start)
    return {
        "crowd_bt_update": percentiles(update_ns),
        "choose_pair_1000_ideas": choice_ns,
        "bradley_terry_1000_ideas_5000_outcomes": {
            "seconds_median": round(statistics.median(fits), 3), "runs": len(fits), "iterations": result.iterations,
            "tau_vs_truth": round(ranking.kendall_tau(quality, result.scores), 3),
        },
        "state": {"ideas": n, "blocked": 3, "seen_pairs": len(seen), "voter": [voter.alpha, voter.beta],
                  "counts": "Poisson(10)", "sigma2": "1 / (1 + 0.15 counts)", "mu": "0.8 quality + N(0, sigma2)"},
    }


# --- Report ----------------------------------------------------------------------------------


def print_report(results: dict) -> None:
    summary = results["summary"]
    print(f"\nKendall tau / top-10 precision vs. the true order, mean ± sd over seeds {results['scenario']['seeds']}")
    print(f"{'judgements':46s}" + "".join(f"{b:>22,d}" for b in TABLE_BUDGETS))
    for key, name in METHODS.items():
        taus = "".join(f"{summary[key][str(b)]['tau_mean']:>14.3f} ± {summary[key][str(b)]['tau_sd']:.3f}" for b in TABLE_BUDGETS)
        tops = "".join(f"{summary[key][str(b)]['top10_mean']:>14.2f} ± {summary[key][str(b)]['top10_sd']:.2f} " for b in TABLE_BUDGETS)
        print(f"{name + ', tau':46s}{taus}")
        print(f"{'':40s}top-10{tops}")
    print(f"\nSmallest budget (of {', '.join(map(str, GRID))}) at which mean tau >= {TAU_TARGET}:")
    for key, name in METHODS.items():
        reached = results["budget_for_tau_0.8"][key]
        print(f"  {name.strip():44s} {reached if reached else 'not reached'}")
    print("\nMean tau over the whole grid:")
    print(f"{'':44s}" + "".join(f"{b:>7d}" for b in GRID))
    for key, name in METHODS.items():
        print(f"{name:44s}" + "".join(f"{summary[key][str(b)]['tau_mean']:>7.3f}" for b in GRID))
    print("\nLearned reliability (mean E[eta]) by kind of judge after the active run:", results["reliability_by_kind"])
    t = results["time"]
    print("\nTime")
    print(f"  crowd_bt_update:            median {t['crowd_bt_update']['median_us']:8.1f} µs, p99 {t['crowd_bt_update']['p99_us']:8.1f} µs")
    for label, block in t["choose_pair_1000_ideas"].items():
        print(f"  choose_pair, 1,000 ideas, {label:12s} median {block['median_us'] / 1000:6.2f} ms, p99 {block['p99_us'] / 1000:6.2f} ms")
    bt = t["bradley_terry_1000_ideas_5000_outcomes"]
    print(f"  bradley_terry, 1,000 ideas, 5,000 outcomes: {bt['seconds_median']:.3f} s ({bt['iterations']} Newton iterations)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed, as a smoke test")
    args = parser.parse_args()
    seeds = SEEDS[:1] if args.quick else SEEDS
    choice = {"epsilon": 0.1, "anchors": 8, "catch_up": 1.0}  # choose_pair's defaults

    started = time.perf_counter()
    runs = [one_seed(seed, GRID, **choice) for seed in seeds]
    summary = summarize(runs, GRID)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "numpy": np.__version__},
        "scenario": {
            "ideas": N_IDEAS, "true_quality": "N(0, 1) per seed (numpy default_rng([seed, 0]))",
            "judges": JUDGES, "judge_drawn": "uniformly from the pool for every judgement",
            "pairwise_answer": {"normal": "P(a) = expit(q_a - q_b)", "noisy": f"P(a) = expit({NOISY_SCALE} (q_a - q_b))",
                                "adversarial": "P(a) = expit(q_b - q_a)"},
            "rating": {"formula": "clip(round(3 + q + N(0, sd)), 1, 5)", "sd": RATING_SD,
                       "adversarial": "6 - honest rating"},
            "rating_assignment": "round-robin over ideas in random order; unrated ideas count as 3",
            "random_pairs": "uniform over distinct pairs",
            "choose_pair": choice, "bradley_terry_prior_variance": 1.0,
            "budgets": list(GRID), "seeds": list(seeds), "top_k": TOP_K, "tau": "Kendall tau-b (scipy)",
        },
        "summary": summary,
        "budget_for_tau_0.8": {key: budget_reaching(summary[key], GRID) for key in METHODS},
        "reliability_by_kind": {kind: round(statistics.fmean(run["reliability_by_kind"][kind] for run in runs), 3)
                                for kind in JUDGES},
        "simulation_seconds": round(time.perf_counter() - started, 1),
    }
    results["time"] = time_everything()
    print_report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {OUT.relative_to(ROOT)} (simulation {results['simulation_seconds']} s)")


if __name__ == "__main__":
    main()
