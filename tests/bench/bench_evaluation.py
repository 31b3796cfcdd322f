"""`make bench`: evaluation through the real services and database, at the size of a large
challenge — 1,000 ideas, 300 participants, 5,000 answered comparisons.

Times (median and p99 over repeated calls, one process, no HTTP): a support (add and
withdraw), a rating of four criteria, the next pair (Crowd-BT choice over 1,000 ideas), an
answer (the Crowd-BT update with its locks and live event), and the rankings of the challenge
computed afresh (three rankings; the Bradley-Terry fit of 5,000 answers over 1,000 ideas).

Uses DATABASE_URL (default: a scratch SQLite file in bench-results/), which it migrates and
fills; the edition is made anew on every run. Writes bench-results/evaluation-<db>.json.
"""

import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench-results"
OUT.mkdir(exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench-evaluation.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpathon.settings")
os.environ["RANKINGS_AUTO"] = "0"  # announcing runs in the background worker, not measured here
os.environ["THEMES_AUTO"] = "0"

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpathon.accounts.models import User  # noqa: E402
from helpathon.editions.models import Edition  # noqa: E402
from helpathon.editions.services import phase_set  # noqa: E402
from helpathon.evaluation import selectors, services  # noqa: E402
from helpathon.evaluation.models import Comparison, IdeaScore  # noqa: E402
from helpathon.ideas.models import Idea  # noqa: E402
from helpathon.registrations.models import Registration  # noqa: E402
from tests.factories import make_edition  # noqa: E402

IDEAS = int(os.environ.get("BENCH_EVAL_IDEAS", "1000"))
PEOPLE = int(os.environ.get("BENCH_EVAL_PEOPLE", "300"))
COMPARISONS = int(os.environ.get("BENCH_EVAL_COMPARISONS", "5000"))
REPEAT = int(os.environ.get("BENCH_EVAL_REPEAT", "200"))
SLUG = "bench-evaluation"


def _setup():
    call_command("migrate", "--noinput", verbosity=0)
    Edition.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__startswith="bench-eval-").delete()
    edition = make_edition(slug=SLUG, challenges=1, starts_in=-timezone.timedelta(hours=1), capacity=PEOPLE + 10)
    challenge = edition.challenges.get()
    now = timezone.now()
    people = User.objects.bulk_create(
        [User(email=f"bench-eval-{i}@example.org", display_name=f"Bench {i}", password="!") for i in range(PEOPLE + 1)]
    )
    organizer, people = people[0], people[1:]
    edition.organizers.add(organizer)
    Registration.objects.bulk_create(
        [Registration(edition=edition, user=u, status="confirmed", sector="science", role="citizen", consent_at=now,
                      confirmed_at=now) for u in people]
    )
    rng = np.random.default_rng(7)
    authors = people[: PEOPLE // 3]
    Idea.objects.bulk_create([
        Idea(edition=edition, challenge=challenge, author=authors[i % len(authors)], title=f"Idee {i}", body="Text",
             body_html="<p>Text</p>", created_at=now, updated_at=now)
        for i in range(IDEAS)
    ])
    ideas = list(Idea.objects.filter(challenge=challenge).order_by("pk").values_list("pk", flat=True))
    quality = rng.normal(size=len(ideas))
    # A history of answered pairs and the beliefs they led to, as after a busy hour.
    pairs = rng.integers(0, len(ideas), size=(COMPARISONS, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    Comparison.objects.bulk_create([
        Comparison(edition=edition, challenge=challenge, voter=people[-1 - (k % 50)], left_id=ideas[a], right_id=ideas[b],
                   outcome="left" if quality[a] + rng.normal() > quality[b] else "right", shown_at=now, answered_at=now)
        for k, (a, b) in enumerate(pairs)
    ])
    counts = np.bincount(pairs.ravel(), minlength=len(ideas))
    IdeaScore.objects.bulk_create([
        IdeaScore(idea_id=pk, challenge=challenge, mu=float(quality[i] * 0.8), sigma2=1 / (1 + counts[i] / 4),
                  comparisons=int(counts[i]))
        for i, pk in enumerate(ideas)
    ])
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="evaluation"))
    edition = Edition.objects.get(pk=edition.pk)
    return edition, challenge, people, ideas


def _timed(fn, repeat: int) -> dict:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "calls": repeat,
        "median_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
    }


def main() -> int:
    started = time.perf_counter()
    edition, challenge, people, ideas = _setup()
    voters = [Registration.objects.select_related("user").get(edition=edition, user=p).user for p in people[-REPEAT:]]
    voters = [User.objects.get(pk=v.pk) for v in voters]
    idea_rows = {i.pk: i for i in Idea.objects.filter(pk__in=ideas).select_related("edition", "challenge")}
    own = {i.pk: i.author_id for i in idea_rows.values()}

    def free_idea(voter, i):
        pk = ideas[(i * 7919) % len(ideas)]
        while own[pk] == voter.pk:
            pk = ideas[(ideas.index(pk) + 1) % len(ideas)]
        return idea_rows[pk]

    results = {}
    results["support_add"] = _timed(lambda i: services.support_add(actor=voters[i], idea=free_idea(voters[i], i)), REPEAT)
    results["support_withdraw"] = _timed(
        lambda i: services.support_withdraw(actor=voters[i], idea=free_idea(voters[i], i)), REPEAT
    )
    values = {"impact": 4, "feasibility": 3, "novelty": 5, "sustainability": 2}
    results["rating_set"] = _timed(
        lambda i: services.rating_set(actor=voters[i], kind="idea", target=free_idea(voters[i], i),
                                      panel="participants", values=values),
        REPEAT,
    )
    shown = {}
    rng = np.random.default_rng(11)
    results["pair_next"] = _timed(
        lambda i: shown.__setitem__(i, services.pair_next(actor=voters[i], challenge=challenge, rng=rng)), REPEAT
    )
    results["comparison_answer"] = _timed(
        lambda i: services.comparison_answer(actor=voters[i], pk=shown[i].pk, outcome="left" if i % 2 else "right"),
        REPEAT,
    )

    def rankings(_i):
        cache.clear()
        selectors.challenge_rankings(challenge)

    results["challenge_rankings_cold"] = _timed(rankings, 5)

    report = {
        "benchmark": "evaluation services",
        "when": datetime.now(dt_timezone.utc).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "scenario": {
            "ideas": IDEAS, "participants": PEOPLE, "answered_comparisons": Comparison.objects.filter(
                challenge=challenge).exclude(outcome="").count(),
            "repeat": REPEAT, "process": "one, no HTTP; each call its own transaction",
        },
        "results": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = OUT / f"evaluation-{connection.vendor}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"\nEvaluation services on {connection.vendor}: {IDEAS} ideas, {PEOPLE} participants, "
          f"{report['scenario']['answered_comparisons']} answered comparisons")
    print(f"{'operation':28} {'median ms':>10} {'p99 ms':>10} {'calls':>6}")
    for name, figures in results.items():
        print(f"{name:28} {figures['median_ms']:>10} {figures['p99_ms']:>10} {figures['calls']:>6}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
