"""Writes for `make bench` (driven by tests/bench/run.py, on the server it measures pages on).

Many distinct signed-in participants write through the JSON API (`/api/v1/`, a session cookie
and a CSRF token each, made here in the database), at the bench's fixed concurrency:

- supports: `PUT /api/v1/editions/<slug>/ideas/<id>/support`, every request a new (person,
  idea) pair, at most the support budget per person and challenge, so each acknowledged
  request adds one row;
- comments: `POST /api/v1/editions/<slug>/ideas/<id>/comments`, spread over the challenge's ideas;
- idea submissions: `POST /api/v1/editions/<slug>/ideas` to the big challenge.

The edition is put into its ideation phase (by the phase service, as an organizer would), with
supporting added to ideation (`Edition.phase_actions_extra`), so that all three are allowed
at once. After the run the database is counted: the rows written by the bench's participants
must equal the acknowledged writes exactly (and the ideas' support counters their rows).

Run on its own only through run.py; `--prepare` and `--count` are its in-Django helpers.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench import loadgen  # noqa: E402

SLUG = "comeback-stronger"
CHALLENGE = "comeback-handel-und-lokale-wirtschaft"
EMAIL_PREFIX = "bench-writer-"
API = f"/api/v1/editions/{SLUG}"


# --- In Django (subprocesses with the bench's environment) ------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpathon.settings")
    import django

    django.setup()


def _prepare(writers: int) -> dict:
    """Ideation with supporting allowed; `writers` participants with confirmed places and fresh
    sessions; the writes of an earlier run removed and the counters recounted."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from helpathon.accounts.models import User
    from helpathon.editions import services as edition_services
    from helpathon.editions.agenda import agenda_for
    from helpathon.editions.models import Edition
    from helpathon.evaluation.models import Support
    from helpathon.evaluation.selectors import evaluation_settings
    from helpathon.ideas.models import Comment, Idea
    from helpathon.registrations.models import Registration

    edition = Edition.objects.get(slug=SLUG)
    if edition.phase_actions_extra != {"ideation": ["support"]}:
        edition.phase_actions_extra = {"ideation": ["support"]}
        edition.save(update_fields=["phase_actions_extra"])
    ideation = edition.phases.get(kind="ideation")
    if agenda_for(edition).current != ideation or edition.phase_override_id != ideation.pk:
        organizer = User.objects.filter(is_superuser=True).first()
        edition_services.phase_set(actor=organizer, edition=edition, phase=ideation)

    people = list(User.objects.filter(email__startswith=EMAIL_PREFIX).order_by("pk"))
    # An earlier run's writes go, so that every run starts from the imported ideas.
    Comment.objects.filter(author__in=people).delete()
    Idea.objects.filter(author__in=people).delete()
    Support.objects.filter(user__in=people).delete()
    ideas = Idea.objects.filter(edition=edition)
    ideas.update(
        support_count=Coalesce(Subquery(
            Support.objects.filter(idea=OuterRef("pk")).values("idea").annotate(n=Count("pk")).values("n")[:1]
        ), 0),
        comment_count=Coalesce(Subquery(
            Comment.objects.filter(idea=OuterRef("pk")).values("idea").annotate(n=Count("pk")).values("n")[:1]
        ), 0),
    )
    now = timezone.now()
    if len(people) < writers:
        made = User.objects.bulk_create([
            User(email=f"{EMAIL_PREFIX}{i}@example.org", display_name=f"Schreibende {i}", password="!")
            for i in range(len(people), writers)
        ])
        Registration.objects.bulk_create([
            Registration(edition=edition, user=u, status="confirmed", sector="civil_society", role="citizen",
                         consent_at=now, confirmed_at=now)
            for u in made
        ])
        people += made
    people = people[:writers]

    def session(user) -> dict:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        token = secrets.token_hex(16)  # 32 characters: Django's form of an unmasked CSRF secret
        return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={token}",
                "csrf": token}

    config = evaluation_settings(edition)
    targets = list(
        Idea.objects.filter(challenge__edition=edition, challenge__slug=CHALLENGE, hidden_at=None)
        .exclude(status=Idea.Status.MERGED).order_by("pk").values_list("pk", flat=True)
    )
    return {
        "writers": [session(u) for u in people],
        "ideas": targets,
        "support_budget": config.support_budget,
        "budget_scope": config.budget_scope,
        "database": connection.vendor,
    }


def _count() -> dict:
    """Rows written by the bench's participants, and whether the ideas' counters match rows."""
    from django.db.models import Count, Sum

    from helpathon.evaluation.models import Support
    from helpathon.ideas.models import Comment, Idea

    ideas = Idea.objects.filter(edition__slug=SLUG)
    supports = Support.objects.filter(edition__slug=SLUG)
    by_idea = dict(Comment.objects.filter(idea__edition__slug=SLUG).values("idea").annotate(n=Count("pk"))
                   .values_list("idea", "n"))
    comment_counts = dict(ideas.values_list("pk", "comment_count"))
    return {
        "supports": Support.objects.filter(user__email__startswith=EMAIL_PREFIX).count(),
        "comments": Comment.objects.filter(author__email__startswith=EMAIL_PREFIX).count(),
        "ideas": Idea.objects.filter(author__email__startswith=EMAIL_PREFIX).count(),
        "support_counters_match_rows": (ideas.aggregate(s=Sum("support_count"))["s"] or 0) == supports.count(),
        "comment_counters_match_rows": all(comment_counts.get(pk, 0) == n for pk, n in by_idea.items()),
    }


# --- Driven by run.py --------------------------------------------------------------------------


def _in_django(env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(env: dict, requests: int) -> dict:
    """Enough participants that each does at most one budget of supports (5 by default)."""
    budget_guess = 5
    writers = max(200, math.ceil(requests / budget_guess))
    data = _in_django(env, "--prepare", str(writers))
    if len(data["writers"]) * min(data["support_budget"], len(data["ideas"])) < requests:
        raise SystemExit(f"bench_writes: budget {data['support_budget']} x {len(data['writers'])} people is less "
                         f"than {requests} supports")
    return data


def _json_request(port: int, method: str, path: str, who: dict, payload: dict | None) -> bytes:
    body = json.dumps(payload).encode() if payload is not None else b""
    headers = f"Cookie: {who['cookie']}\r\nX-CSRFToken: {who['csrf']}\r\nAccept: application/json\r\n"
    if payload is not None:
        headers += "Content-Type: application/json\r\n"
    return loadgen.request_bytes(port, method, path, headers=headers, body=body)


def scenarios(port: int, data: dict) -> list[tuple[str, str, str, object]]:
    """(name, what it does, the status that acknowledges it, request maker)."""
    writers, ideas, budget = data["writers"], data["ideas"], min(data["support_budget"], len(data["ideas"]))
    w = len(writers)

    def support(n: int) -> bytes:
        person, k = n % w, n // w  # k < budget: the n-th request is a new pair within the budget
        idea = ideas[(person * budget + k) % len(ideas)]
        return _json_request(port, "PUT", f"{API}/ideas/{idea}/support", writers[person], None)

    def comment(n: int) -> bytes:
        idea = ideas[(n * 7919) % len(ideas)]
        return _json_request(port, "POST", f"{API}/ideas/{idea}/comments", writers[n % w],
                             {"body": f"Benchmark-Kommentar {n}: gute Idee, der Radweg braucht das."})

    def idea(n: int) -> bytes:
        return _json_request(port, "POST", f"{API}/ideas", writers[n % w], {
            "challenge": CHALLENGE, "title": f"Bench-Idee {n}: sichere Radwege am Markt",
            "body": "Eine Idee aus dem Benchmark: **Radständer** vor den Läden und eine Lieferzone.",
        })

    return [
        ("supports", f"PUT {API}/ideas/<id>/support, a new (person, idea) pair each, "
                     f"<= {budget} per person (the budget)", "200", support),
        ("comments", f"POST {API}/ideas/<id>/comments, spread over {len(ideas)} ideas", "201", comment),
        ("idea submissions", f"POST {API}/ideas to {CHALLENGE}, title + Markdown body", "201", idea),
    ]


def run(port: int, data: dict, env: dict, *, concurrency: int, requests: int, max_seconds: float) -> dict:
    results = []
    for name, what, ok, make in scenarios(port, data):
        result = asyncio.run(loadgen.run_requests(port, make, concurrency=concurrency, requests=requests,
                                                  max_seconds=max_seconds))
        results.append({"scenario": name, "requests_made": what, **result.as_dict(),
                        "acknowledged": result.statuses.get(int(ok), 0)})
    rows = _in_django(env, "--count")
    for row, key in zip(results, ("supports", "comments", "ideas"), strict=True):
        row["rows_in_database"] = rows[key]
        row["rows_match_acknowledged"] = rows[key] == row["acknowledged"]
    return {
        "participants": len(data["writers"]),
        "results": results,
        "counters_match_rows": {"supports": rows["support_counters_match_rows"],
                                "comments": rows["comment_counters_match_rows"]},
    }


if __name__ == "__main__":
    _django()
    if sys.argv[1] == "--prepare":
        print(json.dumps(_prepare(int(sys.argv[2]))))
    elif sys.argv[1] == "--count":
        print(json.dumps(_count()))
