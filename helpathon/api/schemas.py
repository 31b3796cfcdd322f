"""The shapes the API answers with. Public data only: no emails, user ids or names of people.

Fields that are not plain model columns (the agenda, the timing, URLs) are resolved from the
edition here, so that pages and API read them through the same functions
(`editions.agenda`). Resolvers run no queries: the endpoints prefetch what they need.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import AfterValidator, ValidationInfo, field_validator

from helpathon.accounts.models import Sector
from helpathon.editions.agenda import agenda_for, edition_timing, registration_is_open
from helpathon.editions.models import Challenge, Edition, Phase, PhaseKind
from helpathon.evaluation.models import Comparison, Criterion, EvaluationSettings
from helpathon.ideas.models import Comment, Idea, IdeaVersion
from helpathon.ideas.selectors import SORTS

Timing = Literal["upcoming", "running", "past"]


class ErrorOut(Schema):
    detail: str


class PhaseBriefOut(Schema):
    kind: PhaseKind
    title: str
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_title(obj: Phase) -> str:
        return obj.display_title


class PhaseOut(PhaseBriefOut):
    kind_label: str
    description: str
    is_current: bool

    @staticmethod
    def resolve_kind_label(obj: Phase) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_is_current(obj: Phase) -> bool:
        # The prefetch sets `phase.edition`, and the agenda is cached on that edition.
        current = agenda_for(obj.edition).current
        return current is not None and current.pk == obj.pk


class PartnerOut(Schema):
    name: str
    url: str


class ChallengeOut(Schema):
    slug: str
    title: str
    description: str
    guiding_questions: list[str]
    partner: str | None
    url: str

    @staticmethod
    def resolve_guiding_questions(obj: Challenge) -> list[str]:
        return obj.question_list

    @staticmethod
    def resolve_partner(obj: Challenge) -> str | None:
        return obj.partner.name if obj.partner is not None else None

    @staticmethod
    def resolve_url(obj: Challenge) -> str:
        return obj.get_absolute_url()


class SectorCountOut(Schema):
    sector: Sector
    label: str
    count: int


class RegistrationCountsOut(Schema):
    confirmed: int
    waitlisted: int
    capacity: int
    places_left: int
    by_sector: list[SectorCountOut]


class EditionOut(Schema):
    slug: str
    title: str
    motto: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    registration_open: bool
    timing: Timing
    current_phase: PhaseBriefOut | None
    url: str

    @staticmethod
    def resolve_registration_open(obj: Edition) -> bool:
        return registration_is_open(obj)

    @staticmethod
    def resolve_timing(obj: Edition) -> str:
        return edition_timing(obj)

    @staticmethod
    def resolve_current_phase(obj: Edition) -> Phase | None:
        return agenda_for(obj).current

    @staticmethod
    def resolve_url(obj: Edition) -> str:
        return obj.get_absolute_url()


class EditionListItemOut(EditionOut):
    # Annotated by the list query.
    challenge_count: int


class EditionDetailOut(EditionOut):
    description: str
    capacity: int
    partners: list[PartnerOut]
    challenges: list[ChallengeOut]
    phases: list[PhaseOut]
    next_phase: PhaseBriefOut | None
    manual_phase: bool
    registrations: RegistrationCountsOut

    @staticmethod
    def resolve_partners(obj: Edition) -> list:
        return list(obj.partners.all())

    @staticmethod
    def resolve_challenges(obj: Edition) -> list:
        return list(obj.challenges.all())

    @staticmethod
    def resolve_phases(obj: Edition) -> list:
        return agenda_for(obj).phases

    @staticmethod
    def resolve_next_phase(obj: Edition) -> Phase | None:
        return agenda_for(obj).next

    @staticmethod
    def resolve_manual_phase(obj: Edition) -> bool:
        return agenda_for(obj).manual

    @staticmethod
    def resolve_registrations(obj: Edition) -> dict:
        # Set by the endpoint from `registrations.selectors.registration_summary`.
        return obj.registration_counts


# --- ideas --------------------------------------------------------------------------------------
# Authors, editors and commenters appear by their public display name only (`public_name`, or an
# imported idea's `author_name`), never by email or user id.

IdeaSort = Literal["new", "supported", "discussed", "random"]
assert set(IdeaSort.__args__) == set(SORTS)
# Ids beyond a 32-bit integer cannot exist, and some databases reject them in a query.
MAX_ID = 2**31 - 1
IdeaId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable_text(value: str) -> str:
    # JSON may carry NUL characters and lone surrogates; neither can be stored (PostgreSQL
    # rejects NUL, no database encodes a lone surrogate), so they are a 422, not a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Text = Annotated[str, AfterValidator(_storable_text)]


class ValidationErrorItemOut(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict | None = None


class ValidationErrorOut(Schema):
    """The one shape of every 422: ninja's own for malformed input, and the same for what the
    services reject (`loc` ends with the field's name; `["body", "payload"]` for the whole)."""

    detail: list[ValidationErrorItemOut]


class IdeaListQuery(Schema):
    challenge: Text | None = Field(
        None, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$", description="A challenge's slug."
    )
    status: Idea.Status | None = Field(
        None, description="Without it, all ideas but merged duplicates."
    )
    tag: Text = Field("", max_length=40)
    q: Text = Field("", max_length=200, description="Words to find in title, description or tags.")
    sort: IdeaSort = "new"
    seed: int | None = Field(
        None, ge=0, le=99_999, description="For sort=random: the same seed, the same order. Default: today's."
    )
    page: int = Field(1, ge=1, le=100_000, description="Past the last page, the last page is returned.")
    per_page: int = Field(20, ge=1, le=100)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_means_default(cls, value, info: ValidationInfo):
        # `?status=&sort=` (what a form with empty fields sends) means "no filter", as on the page.
        if value == "":
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)
        return value


class IdeaRefOut(Schema):
    id: int
    title: str


class IdeaListItemOut(Schema):
    id: int
    title: str
    challenge: str
    author: str
    status: Idea.Status
    tags: list[str]
    support_count: int
    comment_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    merged_into: int | None
    url: str

    @staticmethod
    def resolve_challenge(obj: Idea) -> str:
        return obj.challenge.slug

    @staticmethod
    def resolve_author(obj: Idea) -> str:
        return obj.public_author

    @staticmethod
    def resolve_tags(obj: Idea) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_merged_into(obj: Idea) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        return obj.get_absolute_url()


class IdeaListOut(Schema):
    items: list[IdeaListItemOut]
    count: int
    page: int
    pages: int


class IdeaVersionOut(Schema):
    number: int
    title: str
    body: str
    tags: list[str]
    editor: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_tags(obj: IdeaVersion) -> list[str]:
        return [tag for tag in obj.tags.split(", ") if tag]

    @staticmethod
    def resolve_editor(obj: IdeaVersion) -> str:
        # The endpoint sets `public_editor`: an imported idea's versions name the idea's public
        # author, not the organizer who ran the import.
        return obj.public_editor


class IdeaLinksOut(Schema):
    builds_on: list[IdeaRefOut]
    built_upon_by: list[IdeaRefOut]
    merged_here: list[IdeaRefOut]


def _comment_gone(obj: Comment) -> bool:
    # Deleted or hidden: the thread keeps a placeholder, without text or name (as the page does).
    return obj.deleted_at is not None or obj.hidden_at is not None


class CommentOut(Schema):
    id: int
    parent: int | None
    author: str | None = Field(description="Null when the comment is deleted or hidden.")
    body_html: str | None = Field(description="Sanitized HTML; null when the comment is deleted or hidden.")
    deleted: bool
    hidden: bool
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_parent(obj: Comment) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_author(obj: Comment) -> str | None:
        return None if _comment_gone(obj) else obj.author.public_name

    @staticmethod
    def resolve_body_html(obj: Comment) -> str | None:
        return None if _comment_gone(obj) else obj.body_html

    @staticmethod
    def resolve_deleted(obj: Comment) -> bool:
        return obj.deleted_at is not None

    @staticmethod
    def resolve_hidden(obj: Comment) -> bool:
        return obj.hidden_at is not None


class IdeaDetailOut(IdeaListItemOut):
    body: str = Field(description="The Markdown source.")
    body_html: str = Field(description="The rendered, sanitized HTML.")
    hidden: bool = Field(description="True only for moderators, who see hidden ideas; 404 for everyone else.")
    versions: list[IdeaVersionOut] = Field(description="Newest first.")
    links: IdeaLinksOut
    comments: list[CommentOut] = Field(description="In thread order: each comment, then its replies.")

    @staticmethod
    def resolve_hidden(obj: Idea) -> bool:
        return obj.hidden_at is not None

    # Set by the endpoint from the selectors (`idea_versions`, `idea_relations`, `comment_threads`).
    @staticmethod
    def resolve_versions(obj: Idea) -> list:
        return obj.version_list

    @staticmethod
    def resolve_links(obj: Idea):
        return obj.relations

    @staticmethod
    def resolve_comments(obj: Idea) -> list:
        return obj.comment_list


class IdeaCreateIn(Schema):
    challenge: Text = Field(max_length=80, description="The challenge's slug.")
    title: Text
    body: Text = ""
    tags: list[Text] = Field(default_factory=list, max_length=50)
    builds_on: list[IdeaId] = Field(default_factory=list, max_length=50, description="Ids of ideas it builds on.")


class IdeaUpdateIn(Schema):
    """Fields left out keep their value."""

    title: Text | None = None
    body: Text | None = None
    tags: list[Text] | None = Field(None, max_length=50)
    builds_on: list[IdeaId] | None = Field(None, max_length=50, description="Replaces the list when given.")
    base_version: IdeaId | None = Field(
        None, description="The version the edit is based on; if another was saved since, 409 and nothing changes."
    )
    note: Text = Field("", max_length=200, description="What changed.")


class IdeaCurrentOut(Schema):
    version: int
    title: str
    body: str
    body_html: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Idea) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class IdeaConflictOut(Schema):
    detail: str
    current: IdeaCurrentOut


class CommentCreateIn(Schema):
    body: Text
    parent: IdeaId | None = Field(None, description="The id of a comment on the same idea to reply to.")


# --- evaluation ---------------------------------------------------------------------------------
# Aggregates, and the requester's own supports and ratings: never who supported, rated or
# compared what. Ideas appear as a brief without their author.


class IdeaBriefOut(IdeaRefOut):
    challenge: str = Field(description="The challenge's slug.")
    url: str

    @staticmethod
    def resolve_challenge(obj: Idea) -> str:
        return obj.challenge.slug

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        # The endpoints attach their edition to the ideas, so that this runs no query.
        return obj.get_absolute_url()


class BudgetOut(Schema):
    total: int = Field(description="Supports per person in the scope.")
    used: int
    remaining: int
    scope: EvaluationSettings.BudgetScope = Field(description="Whether the budget counts per challenge or per edition.")


class BudgetStateOut(BudgetOut):
    supported: list[int] = Field(description="The ids of the ideas of the edition you support.")


class SupportOut(Schema):
    idea: int
    supported: bool = Field(description="Whether you support the idea now.")
    supports: int = Field(description="How many people support the idea.")
    budget: BudgetOut

    @staticmethod
    def resolve_idea(obj) -> int:
        return obj.idea_id


class CriterionOut(Schema):
    key: str
    label: str
    description: str
    weight: float

    @staticmethod
    def resolve_description(obj: Criterion) -> str:
        return obj.help


RatingValue = Annotated[int, Field(ge=1, le=5, strict=True)]


class RatingIn(Schema):
    values: dict[Text, RatingValue | None] = Field(
        max_length=50,
        description="Criterion keys (see the criteria) with a value from 1 to 5, or null to take a rating back."
        " Criteria left out keep their rating.",
    )


class RatingOut(Schema):
    values: dict[str, int] = Field(description="Your ratings afterwards, by criterion key.")


class PairOut(Schema):
    id: int = Field(description="The comparison to answer.")
    left: IdeaBriefOut
    right: IdeaBriefOut
    compared: int = Field(description="How many pairs of this challenge you have compared (skips not counted).")


class ComparisonIn(Schema):
    outcome: Comparison.Outcome = Field(description="The better idea, “tie” when you cannot decide, or “skip”.")


class ComparisonOut(Schema):
    id: int
    outcome: Comparison.Outcome


class SupportRankOut(Schema):
    idea: IdeaBriefOut
    supports: int
    share: float = Field(description="The share of the edition's participants who support it, 0-1.")
    low: float = Field(description="The share's 95% interval (Wilson).")
    high: float


class CriterionMeanOut(Schema):
    mean: float
    n: int


class RatingRankOut(Schema):
    idea: IdeaBriefOut
    score: float | None = Field(description="The mean of the raters' weighted ratings, 1-5; null when unrated.")
    low: float | None = Field(description="The score's 95% interval.")
    high: float | None
    raters: int
    criteria: dict[str, CriterionMeanOut] = Field(description="Per criterion key: the mean rating and how many gave one.")

    @staticmethod
    def resolve_criteria(obj) -> dict:
        return {key: {"mean": mean, "n": n} for key, (mean, n) in obj.by_criterion.items()}


class PairwiseRankOut(Schema):
    idea: IdeaBriefOut
    score: float = Field(description="The chance in % that it is preferred to an average idea (Bradley-Terry).")
    low: float = Field(description="The score's 95% interval.")
    high: float
    comparisons: int


class RankingsOut(Schema):
    visible: bool = Field(
        description="False while evaluation is open and the edition hides rankings until it ends; the lists are"
        " empty then."
    )
    participants: int
    comparisons: int = Field(description="Answered comparisons in the challenge (skips not counted).")
    criteria: list[CriterionOut]
    supports: list[SupportRankOut] = Field(description="Most supported first.")
    rating: list[RatingRankOut] = Field(description="Best rated first; unrated ideas last.")
    pairwise: list[PairwiseRankOut] = Field(description="Most preferred first.")


class JurorProgressOut(Schema):
    juror: str = Field(description="The juror's public name.")
    assigned: int = Field(description="What the juror is to score.")
    done: int = Field(description="What the juror has scored on every jury criterion.")

    @staticmethod
    def resolve_juror(obj) -> str:
        return obj.member.user.public_name


# --- teams --------------------------------------------------------------------------------------
# Members appear by their public display name and role only, never by email or user id. The
# room link and the notes are private: null for everyone but members, mentors and organizers.


class TeamMemberOut(Schema):
    name: str = Field(description="The member's public name.")
    role: str = Field(description="lead, member or mentor.")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.public_name


class TeamOut(Schema):
    id: int
    name: str
    challenge: str = Field(description="The challenge's slug.")
    description: str
    ideas: list[IdeaRefOut] = Field(description="The ideas the team formed around.")
    members: list[TeamMemberOut] = Field(description="In the order they joined.")
    size: int = Field(description="Leads and members; mentors do not count.")
    max_size: int = Field(description="The edition's largest team.")
    skills_needed: list[str]
    looking_for_members: bool

    # The endpoints load teams through `teams.selectors.teams_of` (challenge, ideas and
    # memberships with their users prefetched), so these run no query.
    @staticmethod
    def resolve_challenge(obj) -> str:
        return obj.challenge.slug

    @staticmethod
    def resolve_ideas(obj) -> list:
        return list(obj.ideas.all())

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.memberships.all())

    @staticmethod
    def resolve_size(obj) -> int:
        return sum(1 for m in obj.memberships.all() if m.role != "mentor")

    @staticmethod
    def resolve_max_size(obj) -> int:
        # Set by the endpoint from the edition's team settings.
        return obj.max_size

    @staticmethod
    def resolve_skills_needed(obj) -> list[str]:
        return obj.skill_list


class TeamDetailOut(TeamOut):
    room_url: str | None = Field(description="The team's video room; null unless you are a member, mentor or organizer.")
    notes: str | None = Field(description="The team's private notes; null unless you are a member, mentor or organizer.")

    # Set by the endpoint after asking `teams.selectors.may_see_private`.
    @staticmethod
    def resolve_room_url(obj) -> str | None:
        return obj.private_room_url

    @staticmethod
    def resolve_notes(obj) -> str | None:
        return obj.private_notes


class TeamCreateIn(Schema):
    challenge: Text = Field(max_length=80, description="The challenge's slug.")
    name: Text = Field(max_length=200)
    description: Text = ""
    ideas: list[IdeaId] = Field(max_length=20, description="Ids of the challenge's ideas the team forms around.")
    skills_needed: Text = Field("", max_length=1000, description="Separated by commas.")


class TeamUpdateIn(Schema):
    """Fields left out keep their value."""

    name: Text | None = Field(None, max_length=200)
    description: Text | None = None
    skills_needed: Text | None = Field(None, max_length=1000, description="Separated by commas.")
    looking_for_members: bool | None = None


class TeamNotesIn(Schema):
    notes: Text


class TeamNotesOut(Schema):
    notes: str


class JoinRequestIn(Schema):
    message: Text = Field("", max_length=2000)


class InvitationIn(Schema):
    email: Text = Field(max_length=254, description="The email address the person registered with.")
    message: Text = Field("", max_length=2000)


class JoinRequestOut(Schema):
    id: int
    team: int
    kind: str = Field(description="request (a person asks to join) or invite (the lead invites).")
    status: str = Field(description="pending, accepted, declined or withdrawn.")

    @staticmethod
    def resolve_team(obj) -> int:
        return obj.team_id


class JoinDecisionIn(Schema):
    accept: bool = Field(description="True to accept; false to decline, or to withdraw what you sent.")


# --- prototypes ---------------------------------------------------------------------------------
# Sections are the team's Markdown as written (render it sanitized, as the pages do). Teams and
# challenges appear by id, name and slug; the people who wrote it not at all.

MAX_SECTION = 20_000


class PrototypeImageOut(Schema):
    id: int
    alt: str = Field(description="The description for people who cannot see the image.")
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        # Through the view that checks who may see the prototype and sets safe headers, never
        # the storage's own address.
        prototype = obj.prototype
        return reverse("teams:prototype_image", args=[prototype.edition.slug, prototype.team_id, obj.pk])


class PrototypeOut(Schema):
    team: int = Field(description="The team's id.")
    name: str = Field(description="The team's name, the prototype's title.")
    challenge: str = Field(description="The challenge's slug.")
    version: int = Field(description="Send it back as `base_version` when you save; 0 before the first save.")
    status: Literal["draft", "submitted"]
    sections: dict[str, str] = Field(
        description="problem, target_group, solution, future_scenario, stakeholders, resources, next_steps and"
        " risks, in Markdown."
    )
    pitch_url: str = Field(description="A link to the pitch video; empty if none.")
    pitch_pdf_url: str | None = Field(description="The pitch slides (PDF); null if none.")
    images: list[PrototypeImageOut]
    submitted_at: datetime | None

    # The endpoints load the team with its challenge and the images (`image_list`), so these
    # run no query.
    @staticmethod
    def resolve_team(obj) -> int:
        return obj.team_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.team.name

    @staticmethod
    def resolve_challenge(obj) -> str:
        return obj.challenge.slug

    @staticmethod
    def resolve_sections(obj) -> dict[str, str]:
        return obj.sections()

    @staticmethod
    def resolve_pitch_pdf_url(obj) -> str | None:
        if not obj.pitch_pdf:
            return None
        return reverse("teams:prototype_pitch", args=[obj.edition.slug, obj.team_id])

    @staticmethod
    def resolve_images(obj) -> list:
        for image in obj.image_list:
            image.prototype = obj  # the resolver above needs it; no query
        return obj.image_list


class PrototypeSectionsIn(Schema):
    """Sections left out (or null) keep their text."""

    model_config = {"extra": "forbid"}

    problem: Text | None = Field(None, max_length=MAX_SECTION)
    target_group: Text | None = Field(None, max_length=MAX_SECTION)
    solution: Text | None = Field(None, max_length=MAX_SECTION)
    future_scenario: Text | None = Field(None, max_length=MAX_SECTION)
    stakeholders: Text | None = Field(None, max_length=MAX_SECTION)
    resources: Text | None = Field(None, max_length=MAX_SECTION)
    next_steps: Text | None = Field(None, max_length=MAX_SECTION)
    risks: Text | None = Field(None, max_length=MAX_SECTION)


class PrototypeSaveIn(Schema):
    sections: PrototypeSectionsIn
    base_version: int = Field(
        ge=0, le=MAX_ID, description="The version you edited; if another was saved since, 409 and nothing changes."
    )
    note: Text = Field("", max_length=200, description="What changed.")
    pitch_url: Text | None = Field(
        None, max_length=200, description="An https:// link to the pitch video; empty to remove it, left out to keep it."
    )


class PrototypeCurrentOut(Schema):
    version: int
    sections: dict[str, str]

    @staticmethod
    def resolve_sections(obj) -> dict[str, str]:
        return obj.sections()


class PrototypeConflictOut(Schema):
    detail: str
    current: PrototypeCurrentOut
