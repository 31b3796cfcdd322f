"""An edition's open data: what happened in it, as tables anyone may reuse under the edition's
licence, and nothing about the people beyond the names they agreed to show.

What is left out, on purpose:
- people's email addresses, user ids, registrations (sector, role, consent), check-ins;
- per-person evaluation rows: supports, ratings, comparisons and jury scores appear only as
  aggregates per idea or item;
- everything private to a team: room links, notes, drafts of prototypes (only submitted
  prototypes are listed), join requests;
- who changed a template's follow-up status;
- content hidden by moderation and deleted comments: they are *excluded*, not listed as
  placeholders. So are the versions, links, comments and evaluations of hidden ideas. A reply
  keeps its `parent`, which may name a comment that is not in the dataset.

People appear as `names.result_name`: their display name if they agreed to be named in results,
otherwise a pseudonym that is stable within the edition, or "deleted account".

`build` reads everything in a fixed number of queries, whatever the size of the edition.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, Licence
from helpathon.editions.phases import Action, phase_allows
from helpathon.evaluation import selectors as evaluation_selectors
from helpathon.evaluation.models import Comparison, Criterion, Panel, Rating, Support, TargetKind
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion
from helpathon.results.models import InnovationTemplate, StatusChange, TemplateComment, TemplateSupport, Voice
from helpathon.results.names import result_name
from helpathon.teams.models import Membership, Prototype, Team


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless Table Schema type: string, integer, number, datetime, date, array, object
    description: str


def _f(name, type_, description):
    return Field(name, type_, description)


PERSON = gettext_lazy(
    "Display name if the person agreed to be named in results, otherwise a pseudonym; “deleted account” "
    "for a deleted account"
)

# The tables in the order they are written, with their fields. The JSON holds each table as a
# list of objects with these keys; the CSV files have these columns (see `csv_rows`).
TABLES: dict[str, tuple] = {
    "challenges": (
        gettext_lazy("The challenges (topics) of the edition."),
        [
            _f("id", "integer", gettext_lazy("Number of the challenge")),
            _f("slug", "string", gettext_lazy("Short name used in addresses")),
            _f("title", "string", gettext_lazy("Title")),
            _f("description", "string", gettext_lazy("Description")),
            _f("guiding_questions", "array", gettext_lazy("Guiding questions")),
            _f("partner", "string", gettext_lazy("Partner organisation, if any")),
        ],
    ),
    "ideas": (
        gettext_lazy("The ideas, without those hidden by moderation."),
        [
            _f("id", "integer", gettext_lazy("Number of the idea")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("title", "string", gettext_lazy("Title")),
            _f("body", "string", gettext_lazy("Description (Markdown)")),
            _f("status", "string", gettext_lazy("open, shortlisted, merged, in_prototyping or archived")),
            _f("merged_into", "integer", gettext_lazy("The idea it was merged into, if merged")),
            _f("tags", "array", gettext_lazy("Tags")),
            _f("version", "integer", gettext_lazy("Number of the current version")),
            _f("created_at", "datetime", gettext_lazy("Submitted at")),
            _f("updated_at", "datetime", gettext_lazy("Last changed at")),
            _f("author", "string", PERSON),
        ],
    ),
    "idea_versions": (
        gettext_lazy("Every version of every idea; version 1 is the submission."),
        [
            _f("idea", "integer", gettext_lazy("Idea (id in ideas)")),
            _f("number", "integer", gettext_lazy("Number of the version")),
            _f("title", "string", gettext_lazy("Title")),
            _f("body", "string", gettext_lazy("Description (Markdown)")),
            _f("tags", "string", gettext_lazy("Tags, separated by commas")),
            _f("note", "string", gettext_lazy("What changed")),
            _f("created_at", "datetime", gettext_lazy("Saved at")),
            _f("editor", "string", PERSON),
        ],
    ),
    "idea_links": (
        gettext_lazy("How ideas relate: one builds on another, or was merged into it."),
        [
            _f("from", "integer", gettext_lazy("Idea (id in ideas)")),
            _f("to", "integer", gettext_lazy("The idea it builds on or was merged into")),
            _f("kind", "string", gettext_lazy("builds_on or merged_into")),
            _f("created_at", "datetime", gettext_lazy("Linked at")),
        ],
    ),
    "comments": (
        gettext_lazy("Comments on ideas, without hidden and deleted ones."),
        [
            _f("id", "integer", gettext_lazy("Number of the comment")),
            _f("idea", "integer", gettext_lazy("Idea (id in ideas)")),
            _f("parent", "integer", gettext_lazy("The comment it replies to (may be a comment not listed)")),
            _f("body", "string", gettext_lazy("Text (Markdown)")),
            _f("created_at", "datetime", gettext_lazy("Written at")),
            _f("author", "string", PERSON),
        ],
    ),
    "criteria": (
        gettext_lazy("The criteria ideas and prototypes were rated by (1 to 5)."),
        [
            _f("key", "string", gettext_lazy("Key of the criterion, used in ratings")),
            _f("name", "string", gettext_lazy("Name")),
            _f("weight", "number", gettext_lazy("Weight in the weighted score")),
            _f("for_participants", "boolean", gettext_lazy("Rated by participants")),
            _f("for_jury", "boolean", gettext_lazy("Rated by the jury")),
        ],
    ),
    "evaluations": (
        gettext_lazy("The participants' evaluation of each idea, as totals only."),
        [
            _f("idea", "integer", gettext_lazy("Idea (id in ideas)")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("supports", "integer", gettext_lazy("Number of supports")),
            _f("raters", "integer", gettext_lazy("Number of people who rated the idea")),
            _f("ratings", "object", gettext_lazy(
                "Per criterion key: mean rating (1 to 5) and number of raters; in CSV one column "
                "ratings.<key>.mean and ratings.<key>.raters per criterion")),
            _f("comparisons", "integer", gettext_lazy("Number of pairwise comparisons the idea took part in")),
        ],
    ),
    "jury": (
        gettext_lazy("The jury's scores per item (idea or prototype), as totals only."),
        [
            _f("kind", "string", gettext_lazy("idea or prototype")),
            _f("item", "integer", gettext_lazy("Idea (id in ideas) or prototype (id in prototypes)")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("score", "number", gettext_lazy("Mean of the jurors' weighted scores (1 to 5)")),
            _f("low", "number", gettext_lazy("Lower end of the 95% interval of the score")),
            _f("high", "number", gettext_lazy("Upper end of the 95% interval of the score")),
            _f("jurors", "integer", gettext_lazy("Number of jurors who scored the item")),
            _f("criteria", "object", gettext_lazy(
                "Per criterion key: mean score and number of jurors; in CSV columns "
                "criteria.<key>.mean and criteria.<key>.jurors")),
        ],
    ),
    "teams": (
        gettext_lazy("The teams and the ideas they grew from."),
        [
            _f("id", "integer", gettext_lazy("Number of the team")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("name", "string", gettext_lazy("Name")),
            _f("description", "string", gettext_lazy("What the team wants to build")),
            _f("ideas", "array", gettext_lazy("Ideas the team works on (ids in ideas)")),
            _f("members_count", "integer", gettext_lazy("Number of members (lead and members)")),
            _f("mentors_count", "integer", gettext_lazy("Number of mentors")),
            _f("named_members", "array", gettext_lazy("Display names of the members who agreed to be named")),
            _f("created_at", "datetime", gettext_lazy("Founded at")),
        ],
    ),
    "prototypes": (
        gettext_lazy("The submitted prototypes (drafts are not published)."),
        [
            _f("id", "integer", gettext_lazy("Number of the prototype")),
            _f("team", "integer", gettext_lazy("Team (id in teams)")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("title", "string", gettext_lazy("Title (the team's name)")),
            _f("status", "string", gettext_lazy("submitted")),
            _f("sections", "object", gettext_lazy(
                "The sections (Markdown) by name: problem, target_group, solution, future_scenario, "
                "stakeholders, resources, next_steps, risks; in CSV one column sections.<name> each")),
            _f("pitch_url", "string", gettext_lazy("Link to the pitch video, if any")),
            _f("version", "integer", gettext_lazy("Number of the version")),
            _f("submitted_at", "datetime", gettext_lazy("Submitted at")),
        ],
    ),
    "templates": (
        gettext_lazy("The innovation templates handed to the city, with their follow-up."),
        [
            _f("id", "integer", gettext_lazy("Number of the innovation template")),
            _f("prototype", "integer", gettext_lazy("Prototype (id in prototypes)")),
            _f("team", "integer", gettext_lazy("Team (id in teams)")),
            _f("challenge", "integer", gettext_lazy("Challenge (id in challenges)")),
            _f("title", "string", gettext_lazy("Title")),
            _f("prototype_version", "integer", gettext_lazy("Version of the prototype handed over")),
            _f("status", "string", gettext_lazy(
                "received, under_review, being_implemented, implemented or not_pursued")),
            _f("statement", "string", gettext_lazy("Public statement on the status")),
            _f("status_date", "date", gettext_lazy("Status as of")),
            _f("created_at", "datetime", gettext_lazy("Handed over at")),
            _f("supports", "object", gettext_lazy(
                "Supports in public feedback by voice: citizen, participant, jury; in CSV columns supports.<voice>")),
            _f("comments", "integer", gettext_lazy("Number of public feedback comments")),
            _f("history", "array", gettext_lazy(
                "Every status step, oldest first: status, statement, status_date, changed_at (in CSV as JSON)")),
        ],
    ),
}


# --- building the dataset ----------------------------------------------------------------------


def _when(value):
    if value is None:
        return None
    if hasattr(value, "hour"):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return value.isoformat()


def licence_of(edition: Edition) -> dict:
    name = dict(Licence.choices).get(edition.licence, edition.licence)
    return {"id": edition.licence, "name": name, "url": edition.licence_url}


def evaluations_public(edition: Edition) -> bool:
    """Rankings are public (not while evaluation is open and the edition hides them)."""
    return evaluation_selectors.rankings_public(edition)


def jury_public(edition: Edition) -> bool:
    """Has the jury finished? The current phase comes after the last one in which the jury
    scores, or that phase (or the edition) is over. Before, scores would steer the jury."""
    agenda = agenda_for(edition)
    extra = edition.phase_actions_extra
    scoring = [p for p in agenda.phases if phase_allows(p.kind, Action.JURY_SCORE, extra)]
    if not scoring:
        return agenda.now >= edition.ends_at
    last = scoring[-1]
    if agenda.current is not None:
        return agenda.phases.index(agenda.current) > agenda.phases.index(last)
    return agenda.now >= last.ends_at


def build(edition: Edition) -> dict:
    """The open data of `edition` as a JSON-ready dict (see the module's docstring). Expects
    the edition as `editions.selectors.edition_get` returns it (challenges, phases and partners
    prefetched)."""
    ideas = list(
        Idea.objects.filter(edition=edition, hidden_at__isnull=True)
        .select_related("author").prefetch_related("tags").order_by("pk")
    )
    visible = {idea.pk: idea for idea in ideas}
    withheld = []
    data = {
        "edition": {
            "slug": edition.slug, "title": edition.title, "motto": edition.motto,
            "starts_at": _when(edition.starts_at), "ends_at": _when(edition.ends_at),
        },
        "licence": licence_of(edition),
        "generated_at": _when(timezone.now()),
        "withheld": withheld,
        "challenges": _challenges(edition),
        "ideas": [_idea(idea, edition) for idea in ideas],
        "idea_versions": _versions(edition, visible),
        "idea_links": _links(edition),
        "comments": _comments(edition),
        "criteria": [],
        "evaluations": [],
        "jury": [],
    }
    if evaluations_public(edition):
        data["criteria"] = _criteria(edition)
        data["evaluations"] = _evaluations(edition, ideas)
    else:
        withheld.append({"table": "evaluations", "reason": _("Evaluation is still open.")})
    if jury_public(edition):
        data["jury"] = _jury(edition)
        if not data["criteria"]:
            data["criteria"] = _criteria(edition)
    else:
        withheld.append({"table": "jury", "reason": _("The jury has not finished yet.")})
    data["teams"] = _teams(edition, visible)
    data["prototypes"] = _prototypes(edition)
    data["templates"] = _templates(edition)
    return data


def _challenges(edition: Edition) -> list[dict]:
    return [
        {
            "id": c.pk, "slug": c.slug, "title": c.title, "description": c.description,
            "guiding_questions": c.question_list, "partner": c.partner.name if c.partner else None,
        }
        for c in edition.challenges.all()
    ]


def _author_of(idea: Idea, edition: Edition) -> str:
    # An imported idea's author is the organizer who ran the import; the name given with it
    # belongs to someone who never agreed to be named in results.
    if idea.author_name:
        return _("imported")
    return result_name(idea.author, edition.pk)


def _idea(idea: Idea, edition: Edition) -> dict:
    return {
        "id": idea.pk, "challenge": idea.challenge_id, "title": idea.title, "body": idea.body,
        "status": idea.status, "merged_into": idea.merged_into_id,
        "tags": sorted(tag.name for tag in idea.tags.all()), "version": idea.version,
        "created_at": _when(idea.created_at), "updated_at": _when(idea.updated_at),
        "author": _author_of(idea, edition),
    }


def _versions(edition: Edition, visible: dict[int, Idea]) -> list[dict]:
    versions = (
        IdeaVersion.objects.filter(idea__edition=edition, idea__hidden_at__isnull=True)
        .select_related("editor").order_by("idea_id", "number")
    )
    rows = []
    for v in versions:
        idea = visible[v.idea_id]
        editor = _author_of(idea, edition) if v.editor_id == idea.author_id else result_name(v.editor, edition.pk)
        rows.append({
            "idea": v.idea_id, "number": v.number, "title": v.title, "body": v.body, "tags": v.tags,
            "note": v.note, "created_at": _when(v.created_at), "editor": editor,
        })
    return rows


def _links(edition: Edition) -> list[dict]:
    links = IdeaLink.objects.filter(
        source__edition=edition, source__hidden_at__isnull=True, target__hidden_at__isnull=True
    ).order_by("source_id", "target_id", "kind")
    return [
        {"from": link.source_id, "to": link.target_id, "kind": link.kind, "created_at": _when(link.created_at)}
        for link in links
    ]


def _comments(edition: Edition) -> list[dict]:
    comments = (
        Comment.objects.filter(
            idea__edition=edition, idea__hidden_at__isnull=True, hidden_at__isnull=True, deleted_at__isnull=True
        )
        .select_related("author").order_by("idea_id", "created_at", "pk")
    )
    return [
        {
            "id": c.pk, "idea": c.idea_id, "parent": c.parent_id, "body": c.body,
            "created_at": _when(c.created_at), "author": result_name(c.author, edition.pk),
        }
        for c in comments
    ]


def _criteria(edition: Edition) -> list[dict]:
    # An edition without criteria of its own is rated by the defaults (as `selectors.criteria`).
    found = list(Criterion.objects.filter(edition=edition)) or evaluation_selectors.default_criteria(edition)
    return [
        {"key": c.key, "name": str(c.label), "weight": c.weight, "for_participants": c.for_participants,
         "for_jury": c.for_jury}
        for c in found
    ]


def _evaluations(edition: Edition, ideas: list[Idea]) -> list[dict]:
    supports = dict(
        Support.objects.filter(edition=edition).values("idea_id").annotate(n=Count("pk")).values_list("idea_id", "n")
    )
    ratings = Rating.objects.filter(edition=edition, panel=Panel.PARTICIPANTS, target_kind=TargetKind.IDEA)
    raters = dict(
        ratings.values("target_id").annotate(n=Count("rater_id", distinct=True)).values_list("target_id", "n")
    )
    by_criterion = defaultdict(dict)
    for target_id, key, mean, n in (
        ratings.values("target_id", "criterion__key").annotate(mean=Avg("value"), n=Count("rater_id", distinct=True))
        .values_list("target_id", "criterion__key", "mean", "n")
    ):
        by_criterion[target_id][key] = {"mean": round(mean, 3), "raters": n}
    answered = Comparison.objects.filter(edition=edition, outcome__in=["left", "right", "tie"])
    comparisons = defaultdict(int)
    for side in ("left_id", "right_id"):
        for idea_id, n in answered.values(side).annotate(n=Count("pk")).values_list(side, "n"):
            comparisons[idea_id] += n
    return [
        {
            "idea": idea.pk, "challenge": idea.challenge_id, "supports": supports.get(idea.pk, 0),
            "raters": raters.get(idea.pk, 0), "ratings": by_criterion.get(idea.pk, {}),
            "comparisons": comparisons.get(idea.pk, 0),
        }
        for idea in ideas
    ]


def _jury(edition: Edition) -> list[dict]:
    kind = evaluation_selectors.evaluation_settings(edition).jury_rates
    rows = []
    for row in evaluation_selectors.jury_results(edition):
        if not row.raters:
            continue
        rows.append({
            "kind": kind, "item": row.idea.pk, "challenge": row.idea.challenge_id,
            "score": _round(row.score), "low": _round(row.low), "high": _round(row.high), "jurors": row.raters,
            "criteria": {key: {"mean": _round(mean), "jurors": n} for key, (mean, n) in row.by_criterion.items()},
        })
    rows.sort(key=lambda r: (r["challenge"], r["item"]))
    return rows


def _round(value):
    return round(value, 3) if isinstance(value, float) else value


def _teams(edition: Edition, visible: dict[int, Idea]) -> list[dict]:
    teams = list(Team.objects.filter(edition=edition).order_by("challenge__order", "pk"))
    idea_ids = defaultdict(list)
    for team_id, idea_id in (
        Team.ideas.through.objects.filter(team__edition=edition).order_by("idea_id").values_list("team_id", "idea_id")
    ):
        if idea_id in visible:
            idea_ids[team_id].append(idea_id)
    members = defaultdict(list)
    for m in Membership.objects.filter(team__edition=edition).select_related("user").order_by("joined_at", "pk"):
        members[m.team_id].append(m)
    rows = []
    for team in teams:
        mine = members[team.pk]
        rows.append({
            "id": team.pk, "challenge": team.challenge_id, "name": team.name, "description": team.description,
            "ideas": idea_ids[team.pk],
            "members_count": sum(1 for m in mine if m.role != Membership.Role.MENTOR),
            "mentors_count": sum(1 for m in mine if m.role == Membership.Role.MENTOR),
            "named_members": [m.user.display_name for m in mine if _agreed(m.user)],
            "created_at": _when(team.created_at),
        })
    return rows


def _agreed(user) -> bool:
    return user.deleted_at is None and user.named_in_results and bool(user.display_name)


def _prototypes(edition: Edition) -> list[dict]:
    prototypes = (
        Prototype.objects.filter(edition=edition, status=Prototype.Status.SUBMITTED)
        .select_related("team").order_by("challenge__order", "pk")
    )
    return [
        {
            "id": p.pk, "team": p.team_id, "challenge": p.challenge_id, "title": p.team.name, "status": p.status,
            "sections": p.sections(), "pitch_url": p.pitch_url, "version": p.version,
            "submitted_at": _when(p.submitted_at),
        }
        for p in prototypes
    ]


def _templates(edition: Edition) -> list[dict]:
    templates = list(
        InnovationTemplate.objects.filter(edition=edition).select_related("prototype__team").order_by("pk")
    )
    history = defaultdict(list)
    for change in StatusChange.objects.filter(template__edition=edition).order_by("changed_at", "pk"):
        history[change.template_id].append({
            "status": change.status, "statement": change.statement, "status_date": _when(change.status_date),
            "changed_at": _when(change.changed_at),
        })
    supports = defaultdict(dict)
    for template_id, voice, n in (
        TemplateSupport.objects.filter(template__edition=edition).values("template_id", "voice")
        .annotate(n=Count("pk")).values_list("template_id", "voice", "n")
    ):
        supports[template_id][voice] = n
    comments = dict(
        TemplateComment.objects.filter(template__edition=edition, hidden_at__isnull=True)
        .values("template_id").annotate(n=Count("pk")).values_list("template_id", "n")
    )
    return [
        {
            "id": t.pk, "prototype": t.prototype_id, "team": t.prototype.team_id, "challenge": t.challenge_id,
            "title": t.prototype.team.name, "prototype_version": t.prototype_version, "status": t.status,
            "statement": t.statement, "status_date": _when(t.status_date), "created_at": _when(t.created_at),
            "supports": {voice: supports[t.pk].get(voice, 0) for voice in Voice.values},
            "comments": comments.get(t.pk, 0),
            "history": history[t.pk],
        }
        for t in templates
    ]


# --- CSV -------------------------------------------------------------------------------------


def _flatten(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, out)
    else:
        out[prefix] = value


def csv_rows(name: str, rows: list[dict]) -> tuple[list[str], list[list]]:
    """The header and rows of table `name` as CSV cells: objects become dotted columns
    (`ratings.feasibility.mean`), lists of plain values are joined with "; ", lists of objects
    are written as JSON, and empty values as empty cells."""
    import json

    flat_rows, header = [], []
    for row in rows:
        flat = {}
        for key, value in row.items():
            if isinstance(value, dict):
                _flatten(key, value, flat)
            elif isinstance(value, list):
                if any(isinstance(v, (dict, list)) for v in value):
                    flat[key] = json.dumps(value, ensure_ascii=False)
                else:
                    flat[key] = "; ".join(str(v) for v in value)
            else:
                flat[key] = value
        flat_rows.append(flat)
        for key in flat:
            if key not in header:
                header.append(key)
    if not header:
        header = [f.name for f in TABLES[name][1]]
    cells = [[_cell(row.get(key)) for key in header] for row in flat_rows]
    return header, cells


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# --- the ZIP of CSV files ----------------------------------------------------------------------

CSV_ENCODING = "utf-8-sig"  # with a byte order mark, so that spreadsheet programs read UTF-8


def _csv_text(header: list[str], cells: list[list]) -> str:
    import csv
    import io

    from helpathon.spreadsheets import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in cells:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def _column_schema(table: str, column: str) -> dict:
    fields = {f.name: f for f in TABLES[table][1]}
    parent, _dot, rest = column.partition(".")
    field = fields.get(column) or fields.get(parent)
    if field is None:  # not expected: every key is described
        return {"name": column, "type": "string"}
    if rest:
        counts = rest.endswith(("raters", "jurors")) or parent == "supports"
        kind = "string" if parent == "sections" else ("integer" if counts else "number")
        return {"name": column, "type": kind, "description": f"{field.description} ({rest})"}
    kind = "string" if field.type in ("array", "object") else field.type
    return {"name": column, "type": kind, "description": str(field.description)}


def datapackage(edition: Edition, data: dict, headers: dict[str, list[str]]) -> dict:
    """A Frictionless Data Package (https://specs.frictionlessdata.io/data-package/) that
    describes the CSV files, their columns and the licence."""
    licence = data["licence"]
    return {
        "name": f"helpathon-{edition.slug}",
        "title": edition.title,
        "description": str(_("Open data of the Helpathon edition “%(title)s”, without personal data.")
                           % {"title": edition.title}),
        "created": data["generated_at"],
        "licenses": [{"name": licence["id"], "title": licence["name"], "path": licence["url"]}],
        "resources": [
            {
                "name": table.replace("_", "-"),
                "path": f"{table}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": CSV_ENCODING,
                "description": str(TABLES[table][0]),
                "schema": {"fields": [_column_schema(table, column) for column in headers[table]]},
            }
            for table in TABLES
        ],
    }


def readme(edition: Edition, data: dict) -> str:
    licence = data["licence"]
    lines = [
        f"# {_('Open data')}: {edition.title}",
        "",
        _("Licence: %(name)s (%(id)s), %(url)s") % licence,
        _("Generated at: %(when)s") % {"when": data["generated_at"]},
        "",
        _("What happened in this edition of the Helpathon, as tables: one CSV file per table, described "
          "in datapackage.json. There is no personal data in it: no email addresses, no registrations, "
          "no per-person evaluations. People appear by their display name only if they agreed to be "
          "named in results, otherwise by a pseudonym that is the same throughout this edition."),
        "",
        _("Content hidden by moderation and deleted comments are left out, and so are the versions, "
          "links, comments and evaluations of hidden ideas. Drafts of prototypes are not published."),
        "",
        _("CSV files: UTF-8 with a byte order mark, separated by commas. Lists are joined with “; ”. "
          "Text that would start like a spreadsheet formula (=, +, -, @) has an apostrophe in front."),
        "",
    ]
    for item in data["withheld"]:
        lines.append(_("The table %(table)s is empty for now: %(reason)s") % item)
    if data["withheld"]:
        lines.append("")
    for table, (description, fields) in TABLES.items():
        lines += [f"## {table}.csv", "", str(description), ""]
        lines += [f"- `{f.name}`: {f.description}" for f in fields]
        lines.append("")
    return "\n".join(lines)


def zip_archive(edition: Edition, data: dict) -> bytes:
    import io
    import json
    import zipfile

    buffer = io.BytesIO()
    headers = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            header, cells = csv_rows(table, data[table])
            headers[table] = header
            archive.writestr(f"{table}.csv", _csv_text(header, cells).encode(CSV_ENCODING))
        package = datapackage(edition, data, headers)
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
        archive.writestr("README.md", readme(edition, data))
    return buffer.getvalue()
