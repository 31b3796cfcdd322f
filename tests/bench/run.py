"""`make bench`: serve the app with uvicorn on loopback and measure its pages.

Figures: requests per second, p50 and p99 latency at a fixed concurrency, for the pages of
the foundation, each also as a ratio to a minimal Django view on the same server (the
framework's floor). Runs on SQLite by default; set DATABASE_URL to measure PostgreSQL.
Writes bench-results/bench.json and prints a table.
"""

import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench import loadgen  # noqa: E402

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "2000"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(env: dict) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--if-empty"], env=env, check=True, stdout=subprocess.DEVNULL)
    # Fill the demo edition with confirmed participants, so that counts are not trivially small.
    script = f"""
from django.utils import timezone
from helpathon.accounts.models import User
from helpathon.editions.models import Edition
from helpathon.registrations.models import Registration
edition = Edition.objects.get(slug="comeback-stronger")
have = edition.registrations.count()
now = timezone.now()
users = User.objects.bulk_create(
    [User(email=f"bench{{i}}@example.org", display_name=f"Bench {{i}}", password="!") for i in range(have, {REGISTRATIONS})]
)
sectors = ["science", "business", "administration", "civil_society"]
Registration.objects.bulk_create(
    [Registration(edition=edition, user=u, status="confirmed", sector=sectors[i % 4], role="citizen", consent_at=now)
     for i, u in enumerate(users)]
)
"""
    subprocess.run([*manage, "shell", "-c", script], env=env, check=True, stdout=subprocess.DEVNULL)
    # 2,314 real citizen ideas (Bonn, CC BY 4.0) in one challenge, for the idea pages.
    bonn = ROOT.parent / "shared" / "data" / "citizen-ideas" / "de-bonn-raddialog-2017.csv"
    has_ideas = subprocess.run(
        [*manage, "shell", "-c", "from helpathon.ideas.models import Idea; print(Idea.objects.filter(edition__slug='comeback-stronger').count())"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    if has_ideas == "0" and bonn.exists():
        subprocess.run(
            [*manage, "import_ideas", str(bonn), "--edition", "comeback-stronger", "--challenge",
             "comeback-handel-und-lokale-wirtschaft", "--tags-from", "category", "--no-progress"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )


def manage_cmd() -> list[str]:
    return [sys.executable, str(ROOT / "manage.py")]


def _wait_for(port: int, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


SCENARIOS = [
    ("floor: minimal Django view", "/health/live"),
    ("home page", "/"),
    ("edition page", "/editions/comeback-stronger/"),
    ("challenge page", "/editions/comeback-stronger/challenges/comeback-handel-und-lokale-wirtschaft/"),
    ("idea list (edition, 2,314 ideas)", "/editions/comeback-stronger/ideas/"),
    ("idea list, most supported", "/editions/comeback-stronger/ideas/?sort=supported"),
    ("idea list, random order", "/editions/comeback-stronger/ideas/?sort=random"),
    ("idea list, full-text search", "/editions/comeback-stronger/ideas/?q=radweg"),
    ("idea detail", "/editions/comeback-stronger/ideas/{idea}/"),
    ("similar ideas (htmx)", "/editions/comeback-stronger/ideas/similar/?title=Radweg%20Beleuchtung"),
    ("API: editions list", "/api/v1/editions"),
    ("API: edition detail", "/api/v1/editions/comeback-stronger"),
]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    env["DEBUG"] = "0"
    env["THEMES_AUTO"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "helpathon.settings"
    database = env["DATABASE_URL"].split(":", 1)[0]
    (ROOT / "var").mkdir(exist_ok=True)
    _prepare(env)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "helpathon.asgi:application", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT, env=env,
    )
    results = []
    try:
        _wait_for(port, server)
        idea = subprocess.run(
            [*manage_cmd(), "shell", "-c",
             "from helpathon.ideas.models import Idea; print(Idea.objects.filter(edition__slug='comeback-stronger').order_by('pk').values_list('pk', flat=True).first() or 0)"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        for name, path in SCENARIOS:
            path = path.format(idea=idea)
            # Warm up caches and connections, then measure.
            asyncio.run(loadgen.run(port, path, concurrency=4, requests=100, max_seconds=5))
            result = asyncio.run(
                loadgen.run(port, path, concurrency=CONCURRENCY, requests=REQUESTS, max_seconds=MAX_SECONDS)
            )
            results.append({"scenario": name, "path": path, **result.as_dict()})
    finally:
        server.terminate()
        server.wait(timeout=10)
    floor = results[0]["rps"] or 1
    for row in results:
        row["ratio_to_floor"] = round(row["rps"] / floor, 3)
    report = {
        "when": datetime.now(timezone.utc).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "setup": {
            "server": "uvicorn, 1 process", "database": database, "concurrency": CONCURRENCY,
            "requests_per_scenario": REQUESTS, "max_seconds_per_scenario": MAX_SECONDS,
            "confirmed_registrations": REGISTRATIONS, "client": "tests/bench/loadgen.py (asyncio, keep-alive)",
        },
        "results": results,
    }
    out = ROOT / "bench-results" / f"bench-{database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nHelpathon pages on {database}, uvicorn 1 process, concurrency {CONCURRENCY}")
    print(f"{'scenario':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x floor':>8}")
    for row in results:
        print(f"{row['scenario']:34} {row['rps']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} {row['errors']:7d} "
              f"{row['ratio_to_floor']:8.3f}")
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if any(row["errors"] for row in results) else 0


if __name__ == "__main__":
    sys.exit(main())
