"""The end of `make bench`: one file and one table from every benchmark's JSON.

Reads bench-results/*.json (bench-<db> pages and writes, themes, ranking, evaluation-<db>, live,
results-<db>; whichever exist), writes bench-results/summary.json (and the pages and writes as a
Markdown table, summary.md) and prints one table: every
figure with the exact scenario it was measured in, and the machine (cores, CPU model, RAM,
Python, database versions). Files it does not know are listed, not guessed at.

Run: `.venv/bin/python tests/bench/summary.py`.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench-results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version() -> str | None:
    """The local PostgreSQL server's version, if one answers (as `make bench` uses it)."""
    try:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def machine() -> dict:
    """The machine a figure was measured on."""
    try:
        import django

        django_version = django.get_version()
    except ImportError:
        django_version = None
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "django": django_version,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# --- One extractor per benchmark: (rows of figure, value, scenario; the setup they share) -------


def _row(source: str, figure: str, value: str, scenario: str, data: dict | None = None) -> dict:
    """One figure; `scenario` is what this figure alone measured, its source's setup is added."""
    return {"source": source, "figure": figure, "value": value, "scenario": scenario, "data": data or {}}


def _bench(name: str, report: dict) -> list[dict]:
    setup = report["setup"]
    common = (f"{setup['database']}; {setup['server']}; concurrency {setup['concurrency']}; "
              f"{setup['edition']}; client {setup['client']}; rate limits {setup['rate_limits']}; "
              f"queries {setup['queries']}")
    rows = []
    for r in report["results"]:
        who = "a signed-in participant" if r.get("signed_in") else "a visitor (page cache)"
        scenario = (f"GET {r['path']} as {who}, {setup['requests_per_page']} requests or "
                    f"{setup['max_seconds_per_scenario']:g} s after {setup['warm_up_per_page']}")
        value = (f"{r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                 f"{r['ratio_to_floor']:.2f}x floor, {r['queries_warm']} queries ({r['queries_cold']} cold), "
                 f"{r.get('bytes', 0) / 1024:.0f} KB, {r['errors']} errors")
        rows.append(_row(name, f"page: {r['scenario']}", value, scenario,
                         {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "ratio_to_floor", "queries_warm",
                                            "queries_cold", "bytes", "errors", "requests") if k in r}))
    writes = report.get("writes") or {}
    for r in writes.get("results", []):
        scenario = (f"{r['requests_made']}; {writes['participants']} signed-in participants (session + CSRF); "
                    f"{setup['requests_per_write_kind']} requests or {setup['max_seconds_per_scenario']:g} s")
        check = "rows = acknowledged" if r["rows_match_acknowledged"] else "ROWS DIFFER FROM ACKNOWLEDGED"
        value = (f"{r['rps']:.0f} writes/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                 f"{r['ratio_to_floor']:.2f}x floor, {r['acknowledged']} acknowledged, {r['rows_in_database']} rows "
                 f"({check}), {r['errors']} errors")
        rows.append(_row(name, f"write: {r['scenario']}", value, scenario,
                         {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "ratio_to_floor", "acknowledged",
                                            "rows_in_database", "rows_match_acknowledged", "errors")}))
    return rows, common


def _themes(name: str, report: dict) -> list[dict]:
    data = report["data"]
    corpus = f"{data['file']} ({data['ideas']} ideas, {data['categories']} human categories as truth)"
    common = f"in-process; scikit-learn {report['machine'].get('scikit_learn')}; BLAS {report['machine'].get('blas')}"
    rows = []
    for key, label in (("themes_auto", "themes, k chosen automatically"), ("themes_k8", "themes, k=8"),
                       ("baseline_k8", "baseline TF-IDF + KMeans(8)")):
        block = report["bonn"].get(key)
        if not block:
            continue
        s = block["over_seeds"]
        rows.append(_row(name, f"themes quality: {label}",
                         f"NMI {s['nmi_mean']:.3f} ± {s['nmi_std']:.3f}, ARI {s['ari_mean']:.3f} ± {s['ari_std']:.3f}, "
                         f"{s['n_themes_mean']:g} themes", f"{corpus}; {report['metrics']}; {s['n_runs']} random states",
                         s))
    for size, block in report.get("time", {}).items():
        rows.append(_row(name, f"themes time: {int(size):,} ideas",
                         f"{block['seconds_median']} s wall, {block['cpu_seconds_median']} s CPU",
                         f"{block['corpus']}; {report.get('time_what', '')}; load average before "
                         f"{block['load_average_1min_before_last_run']}", block))
    return rows, common


def _ranking(name: str, report: dict) -> list[dict]:
    sc = report["scenario"]
    scenario = (f"{sc['ideas']} simulated ideas, judges {sc['judges']}, seeds {sc['seeds']}, "
                f"{sc['tau']} vs. true quality")
    common = f"in-process simulation (tests/bench/bench_ranking.py); numpy {report['machine'].get('numpy')}"
    rows = []
    for method, budget in report["budget_for_tau_0.8"].items():
        taus = report["summary"][method]
        at = {b: taus[str(b)]["tau_mean"] for b in (300, 1000, 3000) if str(b) in taus}
        rows.append(_row(name, f"ranking: {method}",
                         (f"tau>=0.8 after {budget} judgements; tau " if budget else "tau>=0.8 not reached; tau ")
                         + ", ".join(f"{v:.3f} @ {b}" for b, v in at.items()), scenario, {"budget": budget, **at}))
    t = report.get("time", {})
    if "crowd_bt_update" in t:
        u = t["crowd_bt_update"]
        rows.append(_row(name, "ranking time: crowd_bt_update per vote",
                         f"median {u['median_us']} µs, p99 {u['p99_us']} µs", f"{u['calls']} calls, in-process", u))
    for label, block in t.get("choose_pair_1000_ideas", {}).items():
        rows.append(_row(name, f"ranking time: choose_pair, 1,000 ideas, {label}",
                         f"median {block['median_us'] / 1000:.2f} ms, p99 {block['p99_us'] / 1000:.2f} ms",
                         f"{block['calls']} calls, in-process; state {t.get('state', {})}", block))
    bt = t.get("bradley_terry_1000_ideas_5000_outcomes")
    if bt:
        rows.append(_row(name, "ranking time: bradley_terry fit", f"{bt['seconds_median']} s ({bt['iterations']} iterations)",
                         f"1,000 ideas, 5,000 outcomes, median of {bt['runs']}", bt))
    return rows, common


def _per_call(name: str, report: dict, label: str) -> list[dict]:
    """evaluation-<db> and results-<db>: {operation: {median_ms, p99_ms, calls, [queries]}}."""
    sc = report.get("scenario", {})
    version = report.get("database_version", "")
    common = (f"{report.get('benchmark', '')}; {report.get('database', '')} {version}".strip() + "; "
              + ", ".join(f"{k} {v}" for k, v in sc.items()))
    rows = []
    for op, f in report.get("results", {}).items():
        value = f"median {f['median_ms']} ms, p99 {f['p99_ms']} ms over {f['calls']} calls"
        if "queries" in f:
            value += f", {f['queries']} queries"
        where = f"GET {f['url']}" if "url" in f else f"{op}, called in-process"
        rows.append(_row(name, f"{label}: {op}", value, where, f))
    return rows, common


def _live(name: str, report: dict) -> list[dict]:
    sc = report["scenario"]
    common = (f"{sc['database']}; {sc['ideas_per_second']:g} ideas/s + {sc['supports_per_second']:g} supports/s "
              f"for {sc['duration_seconds']:g} s; {sc['writes']}; {sc['server']}; clients {sc['clients']}; "
              f"latency {sc['latency']}; memory {sc['memory']}; CPU {sc['cpu']}")
    rows = []
    for r in report["results"]:
        scenario = f"{r['viewers']:,} SSE viewers on {r['processes']} process(es), broker {r['broker']}"
        value = (f"held {r['held']:,}, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms, "
                 f"{r['kb_per_connection']} KB/viewer, server CPU {r['server_cpu_percent']:.0f} %, "
                 f"writes {r['writes']['events_per_second']}/s, page p99 {r['page_probe']['p99_ms']} ms")
        rows.append(_row(name, f"live fan-out: {r['viewers']:,} viewers, {r['processes']} process(es)", value, scenario,
                         {k: r[k] for k in ("viewers", "processes", "held", "p50_ms", "p99_ms", "max_ms",
                                            "kb_per_connection", "server_cpu_percent")}))
    return rows, common


def _extract(path: Path, report: dict) -> list[dict]:
    name = path.stem
    if name.startswith("bench-") and "setup" in report:
        return _bench(name, report)
    if name == "themes":
        return _themes(name, report)
    if name == "ranking":
        return _ranking(name, report)
    if name.startswith("evaluation-"):
        return _per_call(name, report, "evaluation service")
    if name.startswith("results-"):
        return _per_call(name, report, "results page")
    if name == "live":
        return _live(name, report)
    return [], ""


def markdown(rows: list[dict], here: dict) -> str:
    """The pages and writes of `run.py` as one Markdown table, SQLite beside PostgreSQL, for the
    README's "Performance and reliability"."""
    columns = [name for name in ("bench-sqlite", "bench-postgresql") if any(r["source"] == name for r in rows)]
    figures: dict[str, dict] = {}
    for r in rows:
        if r["source"] in columns and r["figure"].startswith(("page: ", "write: ")):
            figures.setdefault(r["figure"], {})[r["source"]] = r["data"]
    title = {"bench-sqlite": "SQLite, no Redis", "bench-postgresql": "PostgreSQL + Redis"}

    def cell(d: dict | None, write: bool) -> str:
        if not d:
            return "–"
        extra = "" if write else f", {d['queries_warm']} q"
        return f"{d['rps']:.0f}/s · p50 {d['p50_ms']:.0f} ms · p99 {d['p99_ms']:.0f} ms · {d['ratio_to_floor']:.2f}× floor{extra}"

    lines = ["| scenario (concurrency 16) | " + " | ".join(title[c] for c in columns) + " |",
             "| --- |" + " --- |" * len(columns)]
    for figure, by_source in figures.items():
        write = figure.startswith("write: ")
        name = figure.split(": ", 1)[1]
        lines.append(f"| {'write: ' if write else ''}{name} | " + " | ".join(cell(by_source.get(c), write) for c in columns) + " |")
    m = here
    lines.append("")
    lines.append(f"Machine: {m['cores']} cores ({m['cpu_model']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
                 f"Django {m['django']}, " + ", ".join(f"{k} {v}" for k, v in m["databases"].items()) + ".")
    return "\n".join(lines) + "\n"


def main() -> int:
    files = sorted(p for p in OUT.glob("*.json") if p.name != "summary.json")
    rows, sources, skipped = [], {}, []
    database_versions = {}
    for path in files:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            found, common = _extract(path, report)
        except (ValueError, KeyError, TypeError) as error:
            skipped.append(f"{path.name} ({type(error).__name__}: {error})")
            continue
        if not found:
            skipped.append(f"{path.name} (unknown kind)")
            continue
        for row in found:
            row["setup"] = common
            row["full_scenario"] = f"{row['scenario']}; {common}"
        rows += found
        sources[path.name] = {"when": report.get("when") or report.get("date"), "setup": common,
                              "machine": report.get("machine")}
        if report.get("database") and report.get("database_version"):
            database_versions[report["database"]] = report["database_version"]
    here = machine()
    here["databases"] = {"sqlite": here.pop("sqlite"), **database_versions}
    if "postgresql" not in database_versions and (pg := _postgres_version()):
        here["databases"]["postgresql (local server)"] = pg
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": here,
        "sources": sources,
        "skipped": skipped,
        "figures": rows,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    table = markdown(rows, here)
    (OUT / "summary.md").write_text(table, encoding="utf-8")

    m = here
    print(f"\nMachine: {m['cores']} cores, {m['cpu_model']}, {m['ram_gb']} GB RAM, Python {m['python']}, "
          f"Django {m['django']}, " + ", ".join(f"{k} {v}" for k, v in m["databases"].items()))
    width = max((len(r["value"]) for r in rows), default=10)
    print(f"{'source':18} | {'figure':62} | {'value':{width}} | scenario (+ the setup of its source, below)")
    for r in rows:
        print(f"{r['source']:18} | {r['figure'][:62]:62} | {r['value']:{width}} | {r['scenario']}")
    print("setup of each source:")
    for name, source in sources.items():
        print(f"  {Path(name).stem}: {source['setup']}; measured {source['when']}")
    for name in skipped:
        print(f"not summarized: {name}")
    print("\nPages and writes (bench-results/summary.md, for the README):\n" + table)
    print(f"written to {(OUT / 'summary.json').relative_to(ROOT)} ({len(rows)} figures from {len(sources)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
