"""`make bench`: the public results pages of a past edition, over HTTP in-process
(django.test.Client, an anonymous visitor), at the size of a large edition.

Scenario: one edition whose agenda lies in the past (prototyping is over), 4 challenges, 300
confirmed participants with sectors and roles (most checked in), 2,000 ideas (each with its
version 1, one or two tags, a theme; some build on others), 3,000 comments on ideas, 5,000
supports of ideas; 20 teams (a lead, three members and a mentor each, founded around two ideas
of which one builds on the other) with submitted prototypes (two versions, all eight sections).
Their innovation templates are made by `results.services.templates_ensure` and get a status
history through `results.services.template_status_set` (one to three steps each); the city's
voice on them is 10 comments and 15 to 40 supports per template (citizens, participants, jury).
Rows are bulk-created where the services would be too slow; the counters the pages read
(`Idea.comment_count`, `Idea.support_count`) are set to match.

Times (median and p99 over BENCH_RESULTS_REPEAT calls, default 20; the PDFs over
BENCH_RESULTS_PDF_REPEAT, default 5), after one untimed warm-up call of each address (its time is
kept as `first_call_ms`): the results list, one template's page, its PDF, Markdown and JSON, the
edition report cold (cache cleared before every call: the charts are drawn anew) and warm
(charts cached), the report PDF (warm), the open data JSON and the open data ZIP of CSV files.
For each: the number of queries of one call (the cold report with the cache cleared) and the
size of the response in bytes.

Uses DATABASE_URL (default: a scratch SQLite file in bench-results/), which it migrates and
fills; the edition is made anew on every run. Writes bench-results/results-<db>.json.
"""

import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench-results"
OUT.mkdir(exist_ok=True)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench-results.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpathon.settings")
os.environ["RANKINGS_AUTO"] = "0"  # background work, not measured here
os.environ["THEMES_AUTO"] = "0"
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # status mails to the team

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress lines, one per step and page

import numpy as np  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpathon.accounts.models import Role, Sector, User  # noqa: E402
from helpathon.editions.models import Edition  # noqa: E402
from helpathon.evaluation.models import Support  # noqa: E402
from helpathon.ideas.markdown import render_markdown  # noqa: E402
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion, Tag, Theme  # noqa: E402
from helpathon.registrations.models import Registration  # noqa: E402
from helpathon.results import services as results_services  # noqa: E402
from helpathon.results.models import (  # noqa: E402
    FollowUp, InnovationTemplate, StatusChange, TemplateComment, TemplateSupport, Voice,
)
from helpathon.teams.models import SECTION_FIELDS, Membership, Prototype, PrototypeVersion, Team  # noqa: E402
from tests.factories import make_edition  # noqa: E402

IDEAS = int(os.environ.get("BENCH_RESULTS_IDEAS", "2000"))
PEOPLE = int(os.environ.get("BENCH_RESULTS_PEOPLE", "300"))
COMMENTS = int(os.environ.get("BENCH_RESULTS_COMMENTS", "3000"))
SUPPORTS = int(os.environ.get("BENCH_RESULTS_SUPPORTS", "5000"))
TEAMS = int(os.environ.get("BENCH_RESULTS_TEAMS", "20"))
CHALLENGES = 4
REPEAT = int(os.environ.get("BENCH_RESULTS_REPEAT", "20"))
PDF_REPEAT = int(os.environ.get("BENCH_RESULTS_PDF_REPEAT", "5"))
SLUG = "bench-results"
EMAIL_PREFIX = "bench-results-"

IDEA_BODY = (
    "## Worum es geht\n\nIdee {i}: In unserem Quartier fehlt **{what}**. Viele Nachbarinnen und "
    "Nachbarn wünschen sich einen Ort, an dem sie sich treffen, Dinge leihen und gemeinsam "
    "Projekte anstoßen können.\n\n- Wer: Anwohnende, Vereine, Läden\n- Wo: am Marktplatz\n"
    "- Wann: ab dem nächsten Frühjahr\n\nMehr dazu im [Stadtportal](https://example.org/idee-{i})."
)
WHATS = ["ein Repair-Café", "eine Leihbar", "ein Gemeinschaftsgarten", "ein Lastenradverleih",
         "ein offener Bücherschrank", "ein Nachbarschaftstreff", "eine Werkstatt", "ein Trinkbrunnen"]
SECTION_TEXT = (
    "### {label}\n\nTeam {team}, Abschnitt {label}: Wir haben mit **zwölf Händlern** gesprochen und "
    "drei Standorte geprüft. Der Vorschlag verbindet bestehende Angebote der Stadt mit neuen "
    "Partnern aus dem Quartier.\n\n1. Erster Schritt: Gespräch mit dem Tiefbauamt\n"
    "2. Zweiter Schritt: Pilot für sechs Monate\n3. Dritter Schritt: Auswertung mit den Nutzenden\n\n"
    "> Die Innenstadt soll lebendig bleiben.\n"
)


def _setup(rng):
    call_command("migrate", "--noinput", verbosity=0)
    Edition.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__startswith=EMAIL_PREFIX).delete()
    # A past edition: every phase of its agenda is over, so prototyping is over.
    edition = make_edition(slug=SLUG, challenges=CHALLENGES, starts_in=-timedelta(days=20),
                           duration=timedelta(days=2), capacity=PEOPLE + 10, registration_open=False)
    challenges = list(edition.challenges.order_by("order"))
    start = edition.starts_at
    now = timezone.now()

    def during(hours_from: float, hours_to: float):
        return start + timedelta(hours=float(rng.uniform(hours_from, hours_to)))

    people = User.objects.bulk_create([
        User(email=f"{EMAIL_PREFIX}{i}@example.org", display_name=f"Bench Person {i}", password="!",
             named_in_results=(i % 3 == 0))
        for i in range(PEOPLE + 1)
    ])
    organizer, people = people[0], people[1:]
    edition.organizers.add(organizer)
    sectors, roles = Sector.values, Role.values
    Registration.objects.bulk_create([
        Registration(edition=edition, user=u, status=Registration.Status.CONFIRMED, sector=sectors[i % len(sectors)],
                     role=roles[(i * 7) % len(roles)], consent_at=start - timedelta(days=10),
                     email_confirmed_at=start - timedelta(days=10), confirmed_at=start - timedelta(days=10),
                     checked_in_at=(start + timedelta(minutes=i) if i % 5 else None))
        for i, u in enumerate(people)
    ])

    # Ideas over the first 36 hours, each with its version 1, tags and a theme.
    authors = people[: PEOPLE * 2 // 3]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("mobilität", "klima", "nachbarschaft", "kultur",
                                                                 "digitales", "bildung")]
    themes = Theme.objects.bulk_create([
        Theme(edition=edition, label=f"Thema {k}", keywords=[f"wort{k}", f"begriff{k}"], size=0, computed_at=now)
        for k in range(8)
    ])
    ideas = []
    for i in range(IDEAS):
        body = IDEA_BODY.format(i=i, what=WHATS[i % len(WHATS)])
        created = during(0, 36)
        ideas.append(Idea(
            edition=edition, challenge=challenges[i % CHALLENGES], author=authors[i % len(authors)],
            title=f"Idee {i}: {WHATS[i % len(WHATS)]}", body=body, body_html=render_markdown(body),
            created_at=created, updated_at=created, theme=themes[i % len(themes)],
        ))
    ideas = Idea.objects.bulk_create(ideas)
    IdeaVersion.objects.bulk_create([
        IdeaVersion(idea=idea, number=1, title=idea.title, body=idea.body, tags="", editor=idea.author,
                    created_at=idea.created_at)
        for idea in ideas
    ])
    Idea.tags.through.objects.bulk_create(
        [Idea.tags.through(idea_id=idea.pk, tag_id=tags[k % len(tags)].pk) for k, idea in enumerate(ideas)]
        + [Idea.tags.through(idea_id=idea.pk, tag_id=tags[(k + 1) % len(tags)].pk)
           for k, idea in enumerate(ideas) if k % 2]
    )
    for k, theme in enumerate(themes):
        theme.size = sum(1 for i in range(IDEAS) if i % len(themes) == k)
    Theme.objects.bulk_update(themes, ["size"])

    # Comments, spread over the ideas, written after the idea.
    comment_bodies = ["Gute Idee, das brauchen wir!", "Wie wird das **finanziert**?",
                      "Gibt es dafür schon ein Beispiel in einer anderen Stadt?"]
    comment_html = {b: render_markdown(b) for b in comment_bodies}
    comments = []
    for k in range(COMMENTS):
        idea = ideas[int(rng.integers(0, len(ideas)))]
        body = comment_bodies[k % len(comment_bodies)]
        comments.append(Comment(idea=idea, author=people[int(rng.integers(0, len(people)))], body=body,
                                body_html=comment_html[body],
                                created_at=idea.created_at + timedelta(minutes=float(rng.uniform(1, 600)))))
    Comment.objects.bulk_create(comments)

    # Supports: distinct (idea, person) pairs, during evaluation (hours 12 to 40).
    pairs = set()
    while len(pairs) < SUPPORTS:
        pairs.add((int(rng.integers(0, len(ideas))), int(rng.integers(0, len(people)))))
    Support.objects.bulk_create([
        Support(edition=edition, challenge_id=ideas[i].challenge_id, idea=ideas[i], user=people[p],
                created_at=during(12, 40))
        for i, p in sorted(pairs)
    ])
    comment_counts = {}
    for c in comments:
        comment_counts[c.idea_id] = comment_counts.get(c.idea_id, 0) + 1
    support_counts = {}
    for i, _p in pairs:
        support_counts[ideas[i].pk] = support_counts.get(ideas[i].pk, 0) + 1
    for idea in ideas:
        idea.comment_count = comment_counts.get(idea.pk, 0)
        idea.support_count = support_counts.get(idea.pk, 0)
    Idea.objects.bulk_update(ideas, ["comment_count", "support_count"], batch_size=500)

    # Some ideas build on others (within a challenge), for lineages and the open data.
    links = []
    for k in range(min(IDEAS, 800) - CHALLENGES):
        if (k // CHALLENGES) % 2:
            continue
        links.append(IdeaLink(source=ideas[k + CHALLENGES], target=ideas[k], kind=IdeaLink.Kind.BUILDS_ON,
                              created_by=ideas[k + CHALLENGES].author))
    IdeaLink.objects.bulk_create(links, ignore_conflicts=True)

    # Teams: a lead, three members and a mentor (each person in one team), founded around two
    # ideas of their challenge, one building on the other; a prototype of two versions, submitted.
    members_pool = people[PEOPLE // 3:]
    teams = []
    for t in range(TEAMS):
        challenge = challenges[t % CHALLENGES]
        crew = members_pool[t * 5:(t + 1) * 5]
        founded = during(40, 42)
        team = Team.objects.create(edition=edition, challenge=challenge, name=f"Team {t + 1}: {WHATS[t % len(WHATS)]}",
                                   description="Wir bauen es.", created_by=crew[0], created_at=founded,
                                   looking_for_members=False)
        Membership.objects.bulk_create([
            Membership(team=team, user=u, role=("lead" if n == 0 else "mentor" if n == 4 else "member"),
                       joined_at=founded + timedelta(minutes=n))
            for n, u in enumerate(crew)
        ])
        # ideas[k] and ideas[k + CHALLENGES] share a challenge and are linked above.
        base = (t // CHALLENGES) * 2 * CHALLENGES + t % CHALLENGES
        root, child = ideas[base], ideas[base + CHALLENGES]
        assert root.challenge_id == challenge.pk == child.challenge_id
        team.ideas.add(root, child)
        Idea.objects.filter(pk__in=[root.pk, child.pk]).update(status=Idea.Status.IN_PROTOTYPING)
        sections = {field: SECTION_TEXT.format(label=field.replace("_", " ").title(), team=t + 1)
                    for field in SECTION_FIELDS}
        submitted = during(44, 46)
        prototype = Prototype.objects.create(
            team=team, edition=edition, challenge=challenge, version=2, status=Prototype.Status.SUBMITTED,
            submitted_at=submitted, updated_at=submitted, pitch_url="https://example.org/pitch", **sections,
        )
        PrototypeVersion.objects.bulk_create([
            PrototypeVersion(prototype=prototype, number=1, sections={**sections, "risks": ""}, editor=crew[0],
                             created_at=submitted - timedelta(hours=2)),
            PrototypeVersion(prototype=prototype, number=2, sections=sections, editor=crew[1], created_at=submitted),
        ])
        teams.append(team)

    # Innovation templates through the service, and a follow-up history through the service.
    edition = Edition.objects.get(pk=edition.pk)
    assert results_services.prototyping_over(edition), "the agenda must be past prototyping"
    made = results_services.templates_ensure(edition=edition)
    assert len(made) == TEAMS, made
    today = timezone.localdate()
    steps = [FollowUp.UNDER_REVIEW, FollowUp.BEING_IMPLEMENTED, FollowUp.IMPLEMENTED]
    for k, template in enumerate(InnovationTemplate.objects.filter(edition=edition).select_related("edition")):
        for n, status in enumerate(steps[: 1 + k % 3] if k % 5 else [FollowUp.UNDER_REVIEW, FollowUp.NOT_PURSUED]):
            template = results_services.template_status_set(
                actor=organizer, template=template, status=status,
                statement=f"Stand {n + 1}: Die Verwaltung prüft den Vorschlag mit dem Fachamt.",
                status_date=today - timedelta(days=10 - 3 * n),
            )
            template.edition = edition
        # The city's voice: supports and comments (citizens, participants, jury).
        voices = Voice.values
        voters = people[(k * 13) % 100:(k * 13) % 100 + 15 + (k * 7) % 26]
        TemplateSupport.objects.bulk_create([
            TemplateSupport(template=template, user=u, voice=voices[n % 3], created_at=now - timedelta(days=5))
            for n, u in enumerate(voters)
        ])
        TemplateComment.objects.bulk_create([
            TemplateComment(template=template, author=people[(k * 11 + n) % len(people)], voice=voices[n % 3],
                            body=f"Kommentar {n}: Das würde unserem Viertel helfen.",
                            created_at=now - timedelta(days=5, minutes=-n))
            for n in range(10)
        ])
    return edition, organizer


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


def _db_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return cursor.fetchone()[0]


def main() -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()
    rng = np.random.default_rng(7)
    edition, _organizer = _setup(rng)
    setup_seconds = round(time.perf_counter() - started, 1)
    template = (
        InnovationTemplate.objects.filter(edition=edition)
        .order_by("challenge__order", "prototype__team__name", "pk").first()
    )
    slug, pk = edition.slug, template.pk
    client = Client(HTTP_HOST="127.0.0.1")  # anonymous visitor, German (the default language)

    pages = [
        # name, URL, repeat, clear the cache before each call
        ("results_list", reverse("results:list", kwargs={"slug": slug}), REPEAT, False),
        ("template_page", reverse("results:template", kwargs={"slug": slug, "pk": pk}), REPEAT, False),
        ("template_pdf", reverse("results:template_pdf", kwargs={"slug": slug, "pk": pk}), PDF_REPEAT, False),
        ("template_markdown", reverse("results:template_markdown", kwargs={"slug": slug, "pk": pk}), REPEAT, False),
        ("template_json", reverse("results:template_json", kwargs={"slug": slug, "pk": pk}), REPEAT, False),
        ("report_cold", reverse("results:report", kwargs={"slug": slug}), REPEAT, True),
        ("report_warm", reverse("results:report", kwargs={"slug": slug}), REPEAT, False),
        ("report_pdf", reverse("results:report_pdf", kwargs={"slug": slug}), PDF_REPEAT, False),
        ("open_data_json", reverse("results:open_data_json", kwargs={"slug": slug}), REPEAT, False),
        ("open_data_zip", reverse("results:open_data_csv", kwargs={"slug": slug}), REPEAT, False),
    ]

    def get(url: str, cold: bool):
        if cold:
            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    results = {}
    for name, url, repeat, cold in pages:
        # Untimed first call (templates compiled, WeasyPrint imported, charts drawn); its queries
        # counted (with the cache cleared first for the cold report) and its size kept.
        if cold:
            cache.clear()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = get(url, False)
        first = (time.perf_counter() - start) * 1000
        # Read now: `captured_queries` slices the connection's log, which is gone once the
        # connection is closed at the end of the next request (CONN_MAX_AGE 0, as configured).
        count = len(queries.captured_queries)
        figures = _timed(lambda _i, url=url, cold=cold: get(url, cold), repeat)
        figures.update({"queries": count, "bytes": len(response.content),
                        "first_call_ms": round(first, 2), "url": url})
        results[name] = figures

    report = {
        "benchmark": "results pages (django.test.Client in-process, anonymous visitor)",
        "when": datetime.now(dt_timezone.utc).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "database_version": _db_version(),
        "machine": {
            "python": platform.python_version(), "django": django.get_version(), "cpus": os.cpu_count(),
            "platform": platform.platform(), "load_average_at_start": [round(x, 2) for x in load_before],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "scenario": {
            "challenges": CHALLENGES,
            "ideas": Idea.objects.filter(edition=edition).count(),
            "idea_versions": IdeaVersion.objects.filter(idea__edition=edition).count(),
            "participants": Registration.objects.filter(edition=edition, status="confirmed").count(),
            "comments": Comment.objects.filter(idea__edition=edition).count(),
            "supports": Support.objects.filter(edition=edition).count(),
            "teams": Team.objects.filter(edition=edition).count(),
            "templates": InnovationTemplate.objects.filter(edition=edition).count(),
            "status_changes": StatusChange.objects.filter(template__edition=edition).count(),
            "template_supports": TemplateSupport.objects.filter(template__edition=edition).count(),
            "template_comments": TemplateComment.objects.filter(template__edition=edition).count(),
            "repeat": REPEAT, "pdf_repeat": PDF_REPEAT, "setup_seconds": setup_seconds,
            "process": "one; django.test.Client, no network; one untimed warm-up call per address",
        },
        "results": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = OUT / f"results-{connection.vendor}.json"
    path.write_text(json.dumps(report, indent=2))
    s = report["scenario"]
    print(f"\nResults pages on {connection.vendor} {report['database_version']}: {s['ideas']} ideas, "
          f"{s['participants']} participants, {s['comments']} comments, {s['supports']} supports, "
          f"{s['templates']} templates ({s['status_changes']} status changes)")
    print(f"{'page':20} {'median ms':>10} {'p99 ms':>10} {'calls':>6} {'queries':>8} {'bytes':>10}")
    for name, f in results.items():
        print(f"{name:20} {f['median_ms']:>10} {f['p99_ms']:>10} {f['calls']:>6} {f['queries']:>8} {f['bytes']:>10}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
