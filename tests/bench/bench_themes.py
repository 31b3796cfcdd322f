"""Benchmark of the automatic themes (helpathon/ideas/themes.py).

Run: `.venv/bin/python tests/bench/bench_themes.py` (about two minutes on 2 cores).

Quality: normalized mutual information (NMI) and adjusted Rand index (ARI, scikit-learn) between
the themes and the human `category` of the 2,314 ideas of the Raddialog Bonn 2017 (8 categories),
for `n_themes=None` (automatic) and `n_themes=8`, at random_state 0 and as mean ± std over
random states 0–4; beside it the baseline (plain TF-IDF of word unigrams, scikit-learn's
defaults, + KMeans k=8, n_init=10) and a fairer variant of it (German + English stop words,
sublinear tf, min_df=2, max_df=0.5). As a check that nothing is tuned to Bonn only, the same on
the English NYC participatory budgeting projects (1,491 ideas, 48 raw human categories).
Time: wall clock of `compute_themes(n_themes=None)` for 2,000 and 10,000 ideas.

Prints a table and the theme labels found on Bonn, and writes bench-results/themes.json.

Data: Romberg, J. and Escher, T. (2022), "Automated Topic Categorisation of Citizens'
Contributions: Reducing Manual Labelling Efforts Through Active Learning", EGOV 2022, pp. 369–385;
contributions CC BY 4.0 (raddialog.bonn.de, see `source_url`), annotations CC BY-SA 4.0.
NYC Open Data "Participatory Budgeting Projects" (Terms of Use of NYC Open Data).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from helpathon.ideas.themes import _STOP_FOR, Theme, compute_themes

STOP_WORDS = _STOP_FOR["de"] | _STOP_FOR["en"]

DATA = ROOT.parent / "shared" / "data" / "citizen-ideas"
BONN = DATA / "de-bonn-raddialog-2017.csv"
NYC = DATA / "en-nyc-participatory-budgeting-2012-2017.csv"
OUT = ROOT / "bench-results" / "themes.json"
SEEDS = range(int(os.environ.get("BENCH_THEMES_SEEDS", "5")))
BIG = 10_000
DROP_WORD_P = 0.1


def load(path: Path, label: str) -> tuple[list[tuple[int, str]], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    docs = [(i, f"{r['title']}\n{r['body']}") for i, r in enumerate(rows)]
    return docs, [r[label] for r in rows]


def assignment(themes: list[Theme], docs: list[tuple[int, str]]) -> list[int]:
    theme_of = {}
    for j, theme in enumerate(themes):
        for idea_id in theme.members:
            assert idea_id not in theme_of, "an idea in two themes"
            theme_of[idea_id] = j
    assert len(theme_of) == len(docs), "an idea in no theme"
    return [theme_of[i] for i, _ in docs]


def scores(truth: list[str], found: list[int]) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(normalized_mutual_info_score(truth, found), 4),
        "ari": round(adjusted_rand_score(truth, found), 4),
    }


def baseline_labels(docs: list[tuple[int, str]], k: int, seed: int, stop_words: bool = False) -> list[int]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    if stop_words:
        vectorizer = TfidfVectorizer(stop_words=sorted(STOP_WORDS), sublinear_tf=True, min_df=2, max_df=0.5)
    else:
        vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([text for _, text in docs])
    return KMeans(k, n_init=10, random_state=seed).fit_predict(matrix).tolist()


def summary(runs: list[dict]) -> dict:
    out = {"n_runs": len(runs)}
    for key in ("nmi", "ari", "n_themes"):
        values = [r[key] for r in runs]
        out[f"{key}_mean"] = round(statistics.mean(values), 4)
        out[f"{key}_std"] = round(statistics.pstdev(values), 4)
    return out


def evaluate(docs, truth, n_themes, language_hint="de") -> dict:
    runs = []
    first_themes = None
    for seed in SEEDS:
        started = time.perf_counter()
        themes = compute_themes(docs, n_themes=n_themes, language_hint=language_hint, random_state=seed)
        seconds = time.perf_counter() - started
        runs.append({"random_state": seed, **scores(truth, assignment(themes, docs)),
                     "n_themes": len(themes), "seconds": round(seconds, 2)})
        if first_themes is None:
            first_themes = themes
    return {"random_state_0": runs[0], "over_seeds": summary(runs), "runs": runs,
            "themes": [{"label": t.label, "size": len(t.members), "keywords": t.keywords, "is_other": t.is_other}
                       for t in first_themes]}


def evaluate_baseline(docs, truth, k, stop_words=False) -> dict:
    runs = []
    for seed in SEEDS:
        found = baseline_labels(docs, k, seed, stop_words)
        runs.append({"random_state": seed, **scores(truth, found), "n_themes": k})
    return {"random_state_0": runs[0], "over_seeds": summary(runs), "runs": runs}


def perturbed_corpus(docs: list[tuple[int, str]], size: int, seed: int = 0) -> list[tuple[int, str]]:
    """`size` ideas from the Bonn rows: copy 0 of each row as it is, every further copy with each
    word dropped with probability DROP_WORD_P (so copies are near-duplicates, not duplicates),
    all shuffled and numbered 1…size."""
    rnd = random.Random(seed)
    out = []
    copy = 0
    while len(out) < size:
        for _, text in docs:
            if len(out) >= size:
                break
            if copy:
                text = "\n".join(
                    " ".join(w for w in line.split(" ") if rnd.random() >= DROP_WORD_P) for line in text.split("\n")
                )
            out.append(text)
        copy += 1
    rnd.shuffle(out)
    return [(i + 1, text) for i, text in enumerate(out)]


def timed(docs, repeat: int) -> dict:
    times, cpu_times = [], []
    themes = []
    for _ in range(repeat):
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        themes = compute_themes(docs, random_state=0)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    return {"ideas": len(docs), "seconds_median": round(statistics.median(times), 2),
            "seconds_all": [round(t, 2) for t in times],
            "cpu_seconds_median": round(statistics.median(cpu_times), 2),
            "load_average_1min_before_last_run": round(load_before, 2), "n_themes": len(themes)}


def main() -> None:
    if not BONN.exists():
        sys.exit(f"missing {BONN}: shared/ must lie beside the repository")
    import sklearn
    import threadpoolctl

    bonn, bonn_truth = load(BONN, "category")
    print(f"Bonn: {len(bonn)} ideas, {len(set(bonn_truth))} human categories; random states {list(SEEDS)}")

    results = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "scikit_learn": sklearn.__version__,
                    "blas": [f"{i.get('internal_api')} {i.get('version')} threads={i.get('num_threads')}"
                             for i in threadpoolctl.threadpool_info()]},
        "data": {"file": "shared/data/citizen-ideas/de-bonn-raddialog-2017.csv", "ideas": len(bonn),
                 "label": "category", "categories": len(set(bonn_truth)),
                 "text": "title + newline + body"},
        "metrics": "sklearn.metrics.normalized_mutual_info_score (arithmetic mean) and adjusted_rand_score",
        "baseline": "TfidfVectorizer() with defaults (word unigrams, no stop words) + KMeans(8, n_init=10)",
        "baseline_stop_words": ("TfidfVectorizer(stop_words=German+English list of themes.py, sublinear_tf=True, "
                                "min_df=2, max_df=0.5) + KMeans(8, n_init=10)"),
    }
    results["bonn"] = {
        "themes_auto": evaluate(bonn, bonn_truth, None),
        "themes_k8": evaluate(bonn, bonn_truth, 8),
        "baseline_k8": evaluate_baseline(bonn, bonn_truth, 8),
        "baseline_stop_words_k8": evaluate_baseline(bonn, bonn_truth, 8, stop_words=True),
    }

    if NYC.exists():
        nyc, nyc_truth = load(NYC, "category")
        k = len(set(load(NYC, "category_norm")[1]))
        results["nyc_generality_check"] = {
            "data": f"shared/data/citizen-ideas/{NYC.name}, {len(nyc)} ideas, English, label `category` "
                    f"({len(set(nyc_truth))} raw human categories); k={k}, the number of `category_norm` groups",
            "themes_auto": evaluate(nyc, nyc_truth, None, language_hint="en"),
            f"themes_k{k}": evaluate(nyc, nyc_truth, k, language_hint="en"),
            f"baseline_k{k}": evaluate_baseline(nyc, nyc_truth, k),
            f"baseline_stop_words_k{k}": evaluate_baseline(nyc, nyc_truth, k, stop_words=True),
        }

    sample = random.Random(0).sample(bonn, 2_000)
    big = perturbed_corpus(bonn, BIG)
    results["time"] = {
        "2000": {**timed(sample, 3), "corpus": "2,000 Bonn ideas drawn at random (seed 0)"},
        "10000": {**timed(big, 1), "corpus": (
            f"{BIG} ideas: the 2,314 Bonn rows repeated (4.3 copies); in every copy after the first each word "
            f"is dropped with probability {DROP_WORD_P}; shuffled (seed 0) and renumbered 1..{BIG}")},
    }
    results["time_what"] = (
        "wall clock (and CPU time of all threads) of compute_themes(n_themes=None, random_state=0), "
        "tokenizing to labels; median of 3 runs for 2,000, one run for 10,000. Other work on the "
        "machine slows it: see the load average recorded with each figure.")

    print_report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {OUT.relative_to(ROOT)}")


def print_report(results: dict) -> None:
    def row(name, block):
        r0, s = block["random_state_0"], block["over_seeds"]
        print(f"{name:34s} {r0['n_themes']:>3d} {r0['nmi']:>7.3f} {r0['ari']:>7.3f}   "
              f"{s['nmi_mean']:.3f} ± {s['nmi_std']:.3f}   {s['ari_mean']:.3f} ± {s['ari_std']:.3f}")

    header = f"{'':34s} {'k':>3s} {'NMI':>7s} {'ARI':>7s}   {'NMI mean ± std':15s}  {'ARI mean ± std'}"
    print("\nBonn Raddialog 2017 vs. human `category` (random_state 0; mean over random states)")
    print(header)
    bonn = results["bonn"]
    row("themes, n_themes=None (auto)", bonn["themes_auto"])
    row("themes, n_themes=8", bonn["themes_k8"])
    row("baseline TF-IDF + k-means k=8", bonn["baseline_k8"])
    row("  same, with stop words etc.", bonn["baseline_stop_words_k8"])
    if "nyc_generality_check" in results:
        print("\nGenerality check: NYC participatory budgeting (English) vs. its raw human categories")
        print(header)
        for name, block in results["nyc_generality_check"].items():
            if name != "data":
                row(name, block)
    print("\nTime of compute_themes(n_themes=None)")
    for block in results["time"].values():
        print(f"  {block['ideas']:>6d} ideas: {block['seconds_median']:6.2f} s wall, {block['cpu_seconds_median']:6.2f} s CPU "
              f"({block['n_themes']} themes; load average before: {block['load_average_1min_before_last_run']})")
    for key, title in (("themes_auto", "automatic"), ("themes_k8", "n_themes=8")):
        print(f"\nThemes on Bonn, {title} (random_state 0): size, label | keywords")
        for t in bonn[key]["themes"]:
            print(f"  {t['size']:>5d}  {t['label']:45s} | {', '.join(t['keywords'])}")


if __name__ == "__main__":
    main()
