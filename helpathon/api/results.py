"""Innovation templates: an edition's templates, and one template as its JSON document (the
same as the page's JSON download, `results.documents.template_json`).

Public once the template exists; templates of a draft edition are a 404 for everyone but its
organizers, the same as a missing one. People appear as display names where they agreed,
otherwise as counts; no email address, no user id.
"""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from helpathon.api.schemas import MAX_ID, ErrorOut, ValidationErrorOut
from helpathon.editions.selectors import edition_get
from helpathon.results import documents, selectors
from helpathon.results.models import FollowUp, InnovationTemplate

router = Router(tags=["results"])


# --- schemas -----------------------------------------------------------------------------------


class RefOut(Schema):
    slug: str
    title: str


# The template's page and its downloads: keys "page", "pdf", "markdown" and "json".
TemplateLinksOut = dict[str, str]


class TemplateBriefOut(Schema):
    id: int
    title: str
    challenge: RefOut
    status: FollowUp
    status_label: str
    statement: str
    status_date: date
    excerpt: str
    supports: int
    comments: int
    links: TemplateLinksOut


class StatusChangeOut(Schema):
    status: FollowUp
    status_label: str
    statement: str
    status_date: date


class SectionOut(Schema):
    key: str
    title: str
    markdown: str


class LineageIdeaOut(Schema):
    id: int
    title: str
    author: str
    url: str
    relation: str | None
    relation_label: str | None
    supports: int
    grew_from: list["LineageIdeaOut"]


LineageIdeaOut.model_rebuild()


class TeamNamesOut(Schema):
    name: str
    members: list[str]
    more_members: int
    mentors: list[str]
    more_mentors: int


class ScoreOut(Schema):
    score: float | None
    low: float | None
    high: float | None
    raters: int
    scale: list[int]


class EvaluationOut(Schema):
    published: bool
    jury: ScoreOut | None
    participants: ScoreOut | None
    idea_supports: int


class VoiceCountOut(Schema):
    supports: int
    comments: int


class FeedbackOut(Schema):
    citizen: VoiceCountOut
    participant: VoiceCountOut
    jury: VoiceCountOut
    supports_total: int
    comments_total: int


class TemplateOut(Schema):
    id: int
    title: str
    edition: RefOut
    challenge: RefOut
    licence: str
    licence_name: str
    licence_url: str
    status: FollowUp
    status_label: str
    statement: str
    status_date: date
    status_history: list[StatusChangeOut]
    handed_over_at: str
    submitted_at: str | None
    prototype_version: int
    sections: list[SectionOut]
    pitch_url: str | None
    lineage: list[LineageIdeaOut]
    team: TeamNamesOut
    evaluation: EvaluationOut
    feedback: FeedbackOut
    links: TemplateLinksOut


# --- endpoints ---------------------------------------------------------------------------------


@router.get(
    "/editions/{slug}/templates",
    response={200: list[TemplateBriefOut], 404: ErrorOut},
    operation_id="templates_list",
)
def templates_list(request: HttpRequest, slug: str):
    """The edition's innovation templates by challenge, with their follow-up status and the
    counts of the city's feedback."""
    edition = edition_get(slug=slug, user=request.user)
    return [
        {
            "id": template.pk,
            "title": template.prototype.team.name,
            "challenge": {"slug": template.challenge.slug, "title": template.challenge.title},
            "status": template.status,
            "status_label": str(template.get_status_display()),
            "statement": template.statement,
            "status_date": template.status_date,
            "excerpt": template.excerpt,
            "supports": template.support_total,
            "comments": template.comment_total,
            "links": documents.template_urls(template),
        }
        for template in selectors.templates_of(edition)
    ]


@router.get(
    "/templates/{id}",
    response={200: TemplateOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="templates_detail",
)
def templates_detail(request: HttpRequest, id: int):
    """One innovation template: sections, the ideas it grew from, the team (names of those who
    agreed), evaluation results, the feedback summary, the follow-up and its licence."""
    if not 1 <= id <= MAX_ID:
        raise Http404  # no such id can exist, and some databases reject it in a query
    edition_slug = InnovationTemplate.objects.filter(pk=id).values_list("edition__slug", flat=True).first()
    if edition_slug is None:
        raise Http404
    edition = edition_get(slug=edition_slug, user=request.user)
    template = selectors.template_get(edition=edition, pk=id)
    return documents.template_json(template)
