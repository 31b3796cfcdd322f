"""Reads of innovation templates: an edition's templates for its results page (a fixed number
of queries), and one template with everything its page, its documents and the API show —
the prototype's sections as handed over, the ideas it grew from, the team as far as its
members agreed to be named, the evaluation results and the feedback summary.

People appear only through `results.names` (display name where they agreed, otherwise a
pseudonym or a count); no email address or user id leaves this module."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, IntegerField, JSONField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from helpathon.editions.models import Edition
from helpathon.evaluation import selectors as evaluation
from helpathon.evaluation.models import Panel, TargetKind
from helpathon.ideas.markdown import render_markdown
from helpathon.ideas.models import Idea, IdeaLink
from helpathon.results import voices
from helpathon.results.models import InnovationTemplate, StatusChange, TemplateComment, TemplateSupport
from helpathon.results.names import result_name
from helpathon.teams.models import SECTIONS, Membership, PrototypeVersion

EXCERPT_WORDS = 30
# How far back the lineage is followed: one query per generation, and real lineages are short.
LINEAGE_DEPTH = 8


# --- the edition's templates -------------------------------------------------------------------


def _handed_over_sections():
    """The sections of the version that was handed over, as a subquery (one JSON value)."""
    versions = PrototypeVersion.objects.filter(prototype=OuterRef("prototype"), number=OuterRef("prototype_version"))
    return Subquery(versions.values("sections")[:1], output_field=JSONField())


def _count(rows):
    """The number of `rows` of the outer template, as a subquery."""
    counted = rows.filter(template=OuterRef("pk")).order_by().values("template").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def templates_of(edition: Edition) -> list[InnovationTemplate]:
    """The edition's templates by challenge and title, each with `.sections_given` (the
    handed-over sections), `.support_total`, `.comment_total` and `.excerpt` — one query."""
    templates = (
        InnovationTemplate.objects.filter(edition=edition)
        .select_related("prototype__team", "challenge")
        .annotate(
            sections_given=_handed_over_sections(),
            # Subqueries, not joins: joining supports and comments multiplies rows per template.
            support_total=_count(TemplateSupport.objects.all()),
            comment_total=_count(TemplateComment.objects.filter(hidden_at__isnull=True)),
        )
        .order_by("challenge__order", "challenge_id", "prototype__team__name", "pk")
    )
    found = list(templates)
    for template in found:
        template.edition = edition
        sections = template.sections_given or template.prototype.sections()
        template.excerpt = excerpt(sections.get("problem") or "")
    return found


@dataclass
class ChallengeTemplates:
    challenge: object
    templates: list[InnovationTemplate]


def templates_by_challenge(edition: Edition) -> list[ChallengeTemplates]:
    """The edition's templates grouped by challenge (challenges without one are left out)."""
    groups: list[ChallengeTemplates] = []
    for template in templates_of(edition):
        if not groups or groups[-1].challenge.pk != template.challenge_id:
            groups.append(ChallengeTemplates(template.challenge, []))
        groups[-1].templates.append(template)
    return groups


def excerpt(markdown: str) -> str:
    """A few plain words of a Markdown text: no symbols, no markup."""
    return Truncator(strip_tags(render_markdown(markdown[:3000])).replace("\n", " ")).words(EXCERPT_WORDS)


def template_get(*, edition: Edition, pk: int) -> InnovationTemplate:
    """The edition's template `pk` with its prototype, team and challenge, or 404."""
    template = (
        InnovationTemplate.objects.filter(edition=edition, pk=pk)
        .select_related("prototype__team", "challenge")
        .first()
    )
    if template is None:
        raise Http404
    template.edition = edition
    return template


# --- one template ------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    label: str
    markdown: str
    html: SafeString


@dataclass
class LineageIdea:
    """An idea in a template's lineage. `relation` says how it reached its parent in the tree:
    "" for the ideas the team was founded around, "builds_on" when the parent builds on it,
    "merged_into" when it was merged into the parent."""

    idea: Idea
    author: str
    relation: str
    depth: int
    children: list["LineageIdea"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.idea.title

    @property
    def supports(self) -> int:
        return self.idea.support_count

    @property
    def relation_label(self) -> str:
        return str(IdeaLink.Kind(self.relation).label) if self.relation else ""


@dataclass
class TeamNames:
    """The team as the results show it: names of those who agreed, a count of the others."""

    names: list[str]
    others: int
    mentors: list[str]
    other_mentors: int

    @property
    def size(self) -> int:
        return len(self.names) + self.others


@dataclass
class Score:
    score: float | None
    low: float | None
    high: float | None
    raters: int


@dataclass
class Evaluation:
    public: bool  # False while evaluation is open and the edition hides rankings until then
    jury: Score | None  # None when the jury did not rate prototypes
    participants: Score | None  # None when participants did not rate prototypes
    idea_supports: int  # supports of the ideas in the lineage


@dataclass
class TemplateDetail:
    template: InnovationTemplate
    edition: Edition
    title: str
    sections: list[Section]
    lineage: list[LineageIdea]  # the founding ideas, each with the ideas it grew from
    team: TeamNames
    evaluation: Evaluation
    feedback: dict
    history: list[StatusChange]
    submitted_at: datetime | None
    pitch_url: str

    @property
    def status_date(self) -> date:
        return self.template.status_date

    @property
    def lineage_flat(self) -> list[LineageIdea]:
        """The lineage in reading order (depth first), for flat documents."""
        return _flatten(self.lineage)


def template_detail(template: InnovationTemplate) -> TemplateDetail:
    """Everything the template's page, documents and API show, read once."""
    edition = template.edition
    prototype = template.prototype
    return TemplateDetail(
        template=template,
        edition=edition,
        title=prototype.team.name,
        sections=_sections(template),
        lineage=(lineage := _lineage(prototype.team, edition.pk)),
        team=_team_names(prototype.team, edition.pk),
        evaluation=_evaluation(template, lineage),
        feedback=voices.summary(template),
        history=list(template.status_changes.order_by("changed_at", "pk")),
        submitted_at=prototype.submitted_at,
        pitch_url=prototype.pitch_url,
    )


def _sections(template: InnovationTemplate) -> list[Section]:
    """The sections of the version handed over (the prototype's own text when that version is
    missing), in their order, empty ones left out."""
    handed_over = (
        PrototypeVersion.objects.filter(prototype_id=template.prototype_id, number=template.prototype_version)
        .values_list("sections", flat=True).first()
    )
    values = handed_over or template.prototype.sections()
    sections = []
    for key, label, _help in SECTIONS:
        text = (values.get(key) or "").strip()
        if text:
            html = mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3 in render_markdown
            sections.append(Section(key, str(label), text, html))
    return sections


def _lineage(team, edition_id: int) -> list[LineageIdea]:
    """The ideas the team was founded around and, generation by generation, the ideas those
    build on and the ideas merged into them. Each idea appears once (where it is first met);
    hidden ideas do not exist for the public. One query per generation."""
    founding = list(team.ideas.filter(hidden_at__isnull=True).select_related("author", "edition").order_by("created_at", "pk"))
    roots = [LineageIdea(idea, result_name(idea.author, edition_id), "", 0) for idea in founding]
    seen = {node.idea.pk for node in roots}
    frontier = {node.idea.pk: node for node in roots}
    depth = 1
    while frontier and depth <= LINEAGE_DEPTH:
        links = (
            IdeaLink.objects.filter(
                Q(source_id__in=frontier, kind=IdeaLink.Kind.BUILDS_ON, target__hidden_at__isnull=True)
                | Q(target_id__in=frontier, kind=IdeaLink.Kind.MERGED_INTO, source__hidden_at__isnull=True)
            )
            .select_related("source__author", "source__edition", "target__author", "target__edition")
            .order_by("created_at", "pk")
        )
        following = {}
        for link in links:
            if link.kind == IdeaLink.Kind.BUILDS_ON:
                parent, idea = frontier[link.source_id], link.target
            else:
                parent, idea = frontier[link.target_id], link.source
            if idea.pk in seen:
                continue
            seen.add(idea.pk)
            node = LineageIdea(idea, result_name(idea.author, edition_id), link.kind, depth)
            parent.children.append(node)
            following[idea.pk] = node
        frontier = following
        depth += 1
    return roots


def _team_names(team, edition_id: int) -> TeamNames:
    memberships = Membership.objects.filter(team=team).select_related("user").order_by("joined_at", "pk")
    names, others, mentors, other_mentors = [], 0, [], 0
    for membership in memberships:
        user = membership.user
        named = user.deleted_at is None and user.named_in_results and bool(user.display_name)
        if membership.role == Membership.Role.MENTOR:
            if named:
                mentors.append(result_name(user, edition_id))
            else:
                other_mentors += 1
        elif named:
            names.append(result_name(user, edition_id))
        else:
            others += 1
    return TeamNames(names, others, mentors, other_mentors)


def _score(row) -> Score | None:
    if row is None:
        return None
    return Score(row.score, row.low, row.high, row.raters)


def _evaluation(template: InnovationTemplate, lineage: list[LineageIdea]) -> Evaluation:
    """The prototype's jury score and participants' rating (when they rated prototypes), as the
    public sees them: not while evaluation is open in an edition that hides rankings then."""
    edition = template.edition
    prototype = template.prototype
    config = evaluation.evaluation_settings(edition)
    public = evaluation.rankings_public(edition)
    jury = participants = None
    if public and config.jury_rates == TargetKind.PROTOTYPE:
        rows = evaluation.item_ratings(edition, [prototype], kind=TargetKind.PROTOTYPE, panel=Panel.JURY)
        jury = _score(rows.get(prototype.pk)) or Score(None, None, None, 0)
    if public and config.participants_rate == TargetKind.PROTOTYPE:
        rows = evaluation.item_ratings(edition, [prototype], kind=TargetKind.PROTOTYPE, panel=Panel.PARTICIPANTS)
        participants = _score(rows.get(prototype.pk)) or Score(None, None, None, 0)
    supports = sum(node.supports for node in _flatten(lineage))
    return Evaluation(public=public, jury=jury, participants=participants, idea_supports=supports)


def _flatten(nodes: list[LineageIdea]) -> list[LineageIdea]:
    flat = []
    for node in nodes:
        flat.append(node)
        flat.extend(_flatten(node.children))
    return flat
