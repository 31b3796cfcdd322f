"""`make bench`: serve the app with uvicorn on loopback and measure its pages and writes.

Pages (issue 8): home, edition, the challenge's idea list with 2,314 real Bonn ideas in that one
challenge (first page, default sort), idea detail, live snapshot, and `/health/live` as the
framework's floor: a plain Django view behind the whole middleware stack (sessions, CSRF, auth,
locale, CSP, logging), doing no query. Requests per second, p50 and p99 latency at a fixed
concurrency, each also as a ratio to the floor; the queries of each page, counted once in a
separate process (django.test.Client, CaptureQueriesContext) cold (empty cache) and warm.

Writes (tests/bench/bench_writes.py): supports, comments and idea submissions per second with
p99 and the ratio to the floor, by many signed-in participants through the JSON API; afterwards
the database must hold exactly as many rows as writes were acknowledged.

The server is one uvicorn process (uvloop, httptools) with the production settings except the
per-person write limits, which are off (tests/bench/bench_settings.py, DISABLE_RATE_LIMITS=1;
for this server process only). Runs on SQLite (var/bench.sqlite3) without Redis by default; set
DATABASE_URL to measure PostgreSQL, which runs with Redis (BENCH_REDIS_URL, database 13). Writes
bench-results/bench-<vendor>.json and prints a table.

Sizes: BENCH_CONCURRENCY (16), BENCH_REQUESTS per page (3,000), BENCH_SECONDS per page (20),
BENCH_WRITE_REQUESTS per kind of write (2,000), BENCH_PAGES=all adds more pages (sorts, search,
API).
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

from tests.bench import bench_writes, loadgen  # noqa: E402
from tests.bench.summary import machine  # noqa: E402

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
MAX_SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WRITE_REQUESTS = int(os.environ.get("BENCH_WRITE_REQUESTS", "2000"))
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "2000"))
MIN_IDEAS = 2000

SLUG = "comeback-stronger"
CHALLENGE = "comeback-handel-und-lokale-wirtschaft"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage_cmd() -> list[str]:
    return [sys.executable, str(ROOT / "manage.py")]


def _shell(env: dict, script: str) -> str:
    """The last line printed by `script` in `manage.py shell`."""
    out = subprocess.run([*manage_cmd(), "shell", "-c", script], env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def _static_fresh() -> bool:
    """Is the collected static files' manifest newer than every source (our static files, the npm
    packages, the installed Python packages)? collectstatic takes minutes on a busy machine."""
    manifest = Path(os.environ.get("STATIC_ROOT", ROOT / "staticfiles")) / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [*(ROOT / "helpathon").rglob("static/**/*"), ROOT / "node_modules" / ".installed",
               ROOT / ".venv" / ".installed"]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0)
    return manifest.stat().st_mtime > newest


def _prepare(env: dict) -> dict:
    manage = manage_cmd()
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    if not _static_fresh():
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--if-empty"], env=env, check=True, stdout=subprocess.DEVNULL)
    # Fill the demo edition with confirmed participants, so that counts are not trivially small.
    script = f"""
from django.utils import timezone
from helpathon.accounts.models import User
from helpathon.editions.models import Edition
from helpathon.registrations.models import Registration
edition = Edition.objects.get(slug="{SLUG}")
have = User.objects.filter(email__startswith="bench", email__endswith="@example.org").exclude(
    email__startswith="bench-").count()
now = timezone.now()
users = User.objects.bulk_create(
    [User(email=f"bench{{i}}@example.org", display_name=f"Bench {{i}}", password="!") for i in range(have, {REGISTRATIONS})]
)
sectors = ["science", "business", "administration", "civil_society"]
Registration.objects.bulk_create(
    [Registration(edition=edition, user=u, status="confirmed", sector=sectors[i % 4], role="citizen", consent_at=now,
                  confirmed_at=now)
     for i, u in enumerate(users)]
)
print("ok")
"""
    _shell(env, script)
    # 2,314 real citizen ideas (Bonn, CC BY 4.0) in one challenge, for the idea pages.
    bonn = ROOT.parent / "shared" / "data" / "citizen-ideas" / "de-bonn-raddialog-2017.csv"
    count = f"from helpathon.ideas.models import Idea; print(Idea.objects.filter(challenge__slug='{CHALLENGE}').count())"
    if _shell(env, count) == "0":
        if not bonn.exists():
            raise SystemExit(f"missing {bonn}: shared/ must lie beside the repository")
        subprocess.run(
            [*manage, "import_ideas", str(bonn), "--edition", SLUG, "--challenge", CHALLENGE,
             "--tags-from", "category", "--no-progress"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )
    # The ideation phase (supporting allowed too), fresh participants for the writes.
    writes = bench_writes.prepare(env, WRITE_REQUESTS)
    facts = json.loads(_shell(env, f"""
import json
from django.db import connection
from helpathon.ideas.models import Idea
from helpathon.ideas.selectors import PER_PAGE
from helpathon.registrations.models import Registration
ideas = Idea.objects.filter(edition__slug="{SLUG}", challenge__slug="{CHALLENGE}", hidden_at=None)
with connection.cursor() as cursor:
    cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
    version = cursor.fetchone()[0]
print(json.dumps({{
    "vendor": connection.vendor, "version": version, "ideas_in_challenge": ideas.count(),
    "ideas_in_edition": Idea.objects.filter(edition__slug="{SLUG}").count(), "per_page": PER_PAGE,
    "idea": ideas.order_by("pk").values_list("pk", flat=True).first(),
    "confirmed": Registration.objects.filter(edition__slug="{SLUG}", status="confirmed").count(),
}}))
"""))
    if facts["ideas_in_challenge"] < MIN_IDEAS:
        raise SystemExit(f"the challenge holds {facts['ideas_in_challenge']} ideas, fewer than {MIN_IDEAS}")
    return {**facts, "writes": writes}


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


def scenarios(facts: dict, signed_in: str = "") -> list[tuple[str, str, str]]:
    """(name, path, Cookie header): pages as a visitor (served from the page cache after the first
    request, helpathon/pagecache.py) and, with `signed_in` (a participant's cookie), the pages a
    participant reads most, rendered for them on every request."""
    n, per_page = facts["ideas_in_challenge"], facts["per_page"]
    pages = [
        ("floor: /health/live, a plain Django view, no query", "/health/live"),
        ("home page", "/"),
        ("edition page", f"/editions/{SLUG}/"),
        (f"challenge idea list, {n:,} ideas, page 1 of {-(-n // per_page)}, default sort (newest)",
         f"/editions/{SLUG}/challenges/{CHALLENGE}/ideas/"),
        ("idea detail", f"/editions/{SLUG}/ideas/{facts['idea']}/"),
        ("live snapshot (JSON)", f"/editions/{SLUG}/live/snapshot"),
    ]
    if os.environ.get("BENCH_PAGES") == "all":
        pages += [
            ("challenge page", f"/editions/{SLUG}/challenges/{CHALLENGE}/"),
            ("idea list, most supported", f"/editions/{SLUG}/ideas/?sort=supported"),
            ("idea list, random order", f"/editions/{SLUG}/ideas/?sort=random"),
            ("idea list, full-text search", f"/editions/{SLUG}/ideas/?q=radweg"),
            ("similar ideas (htmx)", f"/editions/{SLUG}/ideas/similar/?title=Radweg%20Beleuchtung"),
            ("API: editions list", "/api/v1/editions"),
            ("API: edition detail", f"/api/v1/editions/{SLUG}"),
        ]
    pages = [(name, path, "") for name, path in pages]
    if signed_in:
        pages += [
            (f"challenge idea list, {n:,} ideas, signed-in participant (no page cache)",
             f"/editions/{SLUG}/challenges/{CHALLENGE}/ideas/", signed_in),
            ("idea detail, signed-in participant (no page cache)", f"/editions/{SLUG}/ideas/{facts['idea']}/", signed_in),
        ]
    return pages


def count_queries(pages: list[list[str]]) -> dict:
    """In this process: each (path, cookie)'s queries, first with an empty cache (cold), then
    again (warm, as the server serves it under load)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpathon.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    counts = {}
    for path, cookie in pages:
        client = Client(headers={"Cookie": cookie} if cookie else {})
        row = {}
        for label in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            row[label] = len(queries.captured_queries)
            row["status"] = response.status_code
            row["bytes"] = len(response.content)
        counts[path + cookie] = row
    return counts


def _query_counts(env: dict, pages: list[tuple[str, str]]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--count-queries", json.dumps(pages)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    env["DEBUG"] = "0"
    env["THEMES_AUTO"] = "0"
    env["RANKINGS_AUTO"] = "0"
    env["LOG_LEVEL"] = "WARNING"
    env["DJANGO_SETTINGS_MODULE"] = "helpathon.settings"
    # SQLite is the laptop set-up: no Redis (local-memory cache, in-process broker). PostgreSQL is
    # measured as in production, with Redis (cache and broker), on a Redis database of its own,
    # emptied first so that no page cached by an earlier run is served.
    if env["DATABASE_URL"].startswith("sqlite"):
        env.pop("REDIS_URL", None)
    else:
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
        env["DATABASE_POOL"] = "1"
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    (ROOT / "var").mkdir(exist_ok=True)
    started = time.perf_counter()
    facts = _prepare(env)
    writes_data = facts.pop("writes")
    pages = scenarios(facts, signed_in=writes_data["writers"][-1]["cookie"])
    queries = _query_counts(env, [(path, cookie) for _name, path, cookie in pages])
    port = _free_port()
    # The server alone runs without the per-person write limits (bench_settings.py).
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "tests.bench.bench_settings", "DISABLE_RATE_LIMITS": "1",
                  "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "helpathon.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--loop", "uvloop", "--http", "httptools", "--lifespan", "off", "--log-level", "warning",
         "--no-access-log"],
        cwd=ROOT, env=server_env,
    )
    results = []
    try:
        _wait_for(port, server)
        for name, path, cookie in pages:
            headers = f"Cookie: {cookie}\r\n" if cookie else ""
            # Warm up caches and connections, then measure.
            asyncio.run(loadgen.run(port, path, concurrency=4, requests=100, max_seconds=5, headers=headers))
            result = asyncio.run(loadgen.run(port, path, concurrency=CONCURRENCY, requests=REQUESTS,
                                             max_seconds=MAX_SECONDS, headers=headers))
            counted = queries[path + cookie]
            results.append({"scenario": name, "path": path, "signed_in": bool(cookie), **result.as_dict(),
                            "queries_warm": counted["warm"], "queries_cold": counted["cold"],
                            "bytes": counted["bytes"]})
            print(f"  {name}: {results[-1]['rps']} req/s", flush=True)
        writes = bench_writes.run(port, writes_data, env, concurrency=CONCURRENCY, requests=WRITE_REQUESTS,
                                  max_seconds=MAX_SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=10)
    floor = results[0]
    for row in [*results, *writes["results"]]:
        row["ratio_to_floor"] = round(row["rps"] / (floor["rps"] or 1), 3)
        row["p99_ratio_to_floor"] = round(row["p99_ms"] / (floor["p99_ms"] or 1), 1)
    database = facts["vendor"]
    report = {
        "benchmark": "pages and writes over HTTP",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": database,
        "database_version": facts["version"],
        "machine": machine(),
        "setup": {
            "server": "uvicorn 1 process (--loop uvloop --http httptools), ASGI, DEBUG off, " + (
                "Redis (cache and live broker), a pool of database connections" if env.get("REDIS_URL") else
                "no Redis (local-memory cache, in-process live broker)"),
            "rate_limits": "OFF for the bench server (tests/bench/bench_settings.py RATELIMIT_ENABLE=False, "
                           "DISABLE_RATE_LIMITS=1); production keeps them",
            "database": f"{database} {facts['version']}",
            "concurrency": CONCURRENCY,
            "requests_per_page": REQUESTS, "requests_per_write_kind": WRITE_REQUESTS,
            "max_seconds_per_scenario": MAX_SECONDS,
            "warm_up_per_page": "100 requests at concurrency 4, not counted",
            "edition": f"'{SLUG}' (seed_demo) in its ideation phase with supporting allowed; "
                       f"{facts['confirmed']:,} confirmed participants; {facts['ideas_in_edition']:,} ideas, "
                       f"{facts['ideas_in_challenge']:,} in challenge '{CHALLENGE}' (Bonn Raddialog 2017, CC BY 4.0)",
            "visitor": "pages as an anonymous visitor (served from the page cache, helpathon/pagecache.py, after "
                       "the first request), two also as a signed-in participant (rendered for them every time); "
                       "writes by signed-in participants (session cookie + CSRF)",
            "client": "tests/bench/loadgen.py (asyncio, HTTP/1.1 keep-alive, one connection per concurrent client), "
                      "same machine, loopback",
            "queries": "counted once per page in a separate process (django.test.Client + CaptureQueriesContext), "
                       "cold = empty cache, warm = the next request",
            "ratio_to_floor": "req/s of the scenario divided by req/s of the floor (/health/live) on the same server",
        },
        "results": results,
        "writes": writes,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = ROOT / "bench-results" / f"bench-{database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    _print(report)
    print(f"written to {out.relative_to(ROOT)}")
    lost = not all(row["rows_match_acknowledged"] for row in writes["results"]) or not all(
        writes["counters_match_rows"].values())
    return 1 if lost or any(row["errors"] for row in [*results, *writes["results"]]) else 0


def _print(report: dict) -> None:
    setup = report["setup"]
    print(f"\nHelpathon pages and writes on {setup['database']}, {setup['server']}, concurrency {setup['concurrency']}")
    print(f"Rate limits: {setup['rate_limits']}")
    print(f"{'scenario':66} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'x floor':>8} {'queries':>8} {'KB':>7}")
    for row in report["results"]:
        print(f"{row['scenario'][:66]:66} {row['rps']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
              f"{row['errors']:6d} {row['ratio_to_floor']:8.3f} {row['queries_warm']:>4}/{row['queries_cold']:<3} {row['bytes'] / 1024:7.1f}")
    writes = report["writes"]
    print(f"writes by {writes['participants']} signed-in participants (JSON API):")
    for row in writes["results"]:
        check = "ok" if row["rows_match_acknowledged"] else "MISMATCH"
        print(f"{row['scenario']:66} {row['rps']:8.1f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
              f"{row['errors']:6d} {row['ratio_to_floor']:8.3f}   acknowledged {row['acknowledged']}, "
              f"rows {row['rows_in_database']} {check}")
    print(f"queries: warm/cold; counters match rows: {writes['counters_match_rows']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--count-queries":
        print(json.dumps(count_queries(json.loads(sys.argv[2]))))
        sys.exit(0)
    sys.exit(main())
