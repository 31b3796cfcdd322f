"""The city's voice on an innovation template, counted by whose voice it is: citizens,
participants and the jury side by side; who may give feedback now and why not; and the
follow-up of an edition's templates ("what became of it").

Reads only; writes are in `results.services`. Every function here costs a fixed number of
queries, whatever the number of templates or comments."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, PhaseKind
from helpathon.editions.phases import Action, phase_allows
from helpathon.editions.rules import is_citizen, may
from helpathon.evaluation import selectors as evaluation
from helpathon.evaluation.models import Panel, TargetKind
from helpathon.results.models import (
    FollowUp, InnovationTemplate, StatusChange, TemplateComment, TemplateSupport, Voice,
)


def _empty() -> dict:
    result = {voice: {"supports": 0, "comments": 0} for voice in Voice.values}
    result["supports_total"] = 0
    result["comments_total"] = 0
    return result


def summary(template: InnovationTemplate) -> dict:
    """Supports and visible comments per voice, and their totals (two queries):
    {"citizen": {"supports": n, "comments": n}, "participant": {...}, "jury": {...},
    "supports_total": n, "comments_total": n}."""
    return summaries([template])[template.pk]


def summaries(templates) -> dict[int, dict]:
    """`summary` of each of `templates`, by template id (two queries for any number)."""
    ids = [t.pk for t in templates]
    result = {pk: _empty() for pk in ids}
    supports = (
        TemplateSupport.objects.filter(template_id__in=ids)
        .values_list("template_id", "voice").annotate(n=Count("pk")).order_by()
    )
    comments = (
        TemplateComment.objects.filter(template_id__in=ids, hidden_at__isnull=True)
        .values_list("template_id", "voice").annotate(n=Count("pk")).order_by()
    )
    for rows, key in ((supports, "supports"), (comments, "comments")):
        for template_id, voice, n in rows:
            result[template_id][voice][key] = n
            result[template_id][f"{key}_total"] += n
    return result


# --- evaluation beside the feedback ------------------------------------------------------------


@dataclass
class Ratings:
    """The prototype's jury score and participants' rating (weighted means on the 1-5 scale),
    as the public sees them; a row is None when that panel did not rate prototypes, or while
    the rankings are not public yet (`public` False)."""

    public: bool
    jury: object | None = None  # evaluation.selectors.RatingRow
    participants: object | None = None


def ratings(edition: Edition, templates) -> dict[int, Ratings]:
    """`Ratings` of each of `templates`, by template id. Follows the results' rule
    (`results.selectors._evaluation`): shown once rankings are public, for the panels that
    rate prototypes. A fixed number of queries."""
    templates = list(templates)
    config = evaluation.evaluation_settings(edition)
    public = evaluation.rankings_public(edition)
    prototypes = [t.prototype for t in templates]
    jury = participants = {}
    if public and config.jury_rates == TargetKind.PROTOTYPE:
        jury = evaluation.item_ratings(edition, prototypes, kind=TargetKind.PROTOTYPE, panel=Panel.JURY)
    if public and config.participants_rate == TargetKind.PROTOTYPE:
        participants = evaluation.item_ratings(
            edition, prototypes, kind=TargetKind.PROTOTYPE, panel=Panel.PARTICIPANTS
        )
    return {
        t.pk: Ratings(public, jury.get(t.prototype_id), participants.get(t.prototype_id)) for t in templates
    }


@dataclass
class VoiceRow:
    voice: str
    label: str
    supports: int
    comments: int
    rating: object | None  # RatingRow of the panel that speaks with this voice, if it rated


def voice_rows(feedback: dict, rating: Ratings) -> list[VoiceRow]:
    """Citizens, participants and jury as table rows: supports, comments and (for the two
    panels of the evaluation) their rating of the prototype."""
    panel_rating = {Voice.CITIZEN: None, Voice.PARTICIPANT: rating.participants, Voice.JURY: rating.jury}
    return [
        VoiceRow(voice, str(label), feedback[voice]["supports"], feedback[voice]["comments"], panel_rating[voice])
        for voice, label in Voice.choices
    ]


# --- comments and supports ---------------------------------------------------------------------


def comments(template: InnovationTemplate, *, with_hidden: bool = False) -> list[TemplateComment]:
    """The template's comments, oldest first, with their authors; hidden ones only for those
    who moderate (`with_hidden`), as evidence."""
    found = TemplateComment.objects.filter(template=template).select_related("author")
    if not with_hidden:
        found = found.filter(hidden_at__isnull=True)
    return list(found.order_by("created_at", "pk"))


def comment_get(*, edition: Edition, pk: int) -> TemplateComment | None:
    return (
        TemplateComment.objects.filter(template__edition=edition, pk=pk)
        .select_related("template__prototype__team", "author").first()
    )


def supports(user, template: InnovationTemplate) -> bool:
    if not user.is_authenticated:
        return False
    return TemplateSupport.objects.filter(template=template, user=user).exists()


# --- who may give feedback, and why not --------------------------------------------------------


@dataclass
class Gate:
    """Whether `user` may support and comment on templates of the edition now, and if not,
    what to tell them: `phase` says when (or that) public feedback opens or ended, `who` what
    they need (an account, a verified address)."""

    allowed: bool
    open_now: bool
    opens_at: datetime | None
    ended: bool
    who: str  # "" | "visitor" | "unverified"

    @property
    def phase_message(self) -> str:
        if self.open_now:
            return ""
        if self.opens_at is not None:
            moment = formats.date_format(timezone.localtime(self.opens_at), "DATETIME_FORMAT")
            return _("Public feedback opens on %(date)s.") % {"date": moment}
        if self.ended:
            return _("Public feedback has ended.")
        return _("This edition has no public feedback phase.")

    @property
    def message(self) -> str:
        """One sentence why the person cannot take part now (empty if they can)."""
        if self.allowed:
            return ""
        if not self.open_now:
            return self.phase_message
        if self.who == "visitor":
            return _("Please log in to support and comment.")
        if self.who == "unverified":
            return _("Please confirm your email address to support and comment.")
        return _("This is not possible at the moment.")


def gate(user, edition: Edition) -> Gate:
    """The public feedback gate for `user` (the same rule as `may(..., PUBLIC_FEEDBACK, ...)`,
    with the reasons spelled out)."""
    agenda = agenda_for(edition)
    current = agenda.current
    open_now = phase_allows(current.kind if current else None, Action.PUBLIC_FEEDBACK, edition.phase_actions_extra)
    feedback_phases = [p for p in agenda.phases if p.kind == PhaseKind.PUBLIC_FEEDBACK]
    opens_at, ended = None, False
    if not open_now:
        # After the current phase in the agenda (organizers may hold or move it), else by the clock.
        if current is not None:
            index = agenda.phases.index(current)
            later = [p for p in feedback_phases if agenda.phases.index(p) > index]
        else:
            later = [p for p in feedback_phases if p.starts_at > agenda.now]
        if later:
            opens_at = later[0].starts_at
        elif feedback_phases:
            ended = True
    if not user.is_authenticated:
        who = "visitor"
    elif not is_citizen(user, edition):
        who = "unverified"
    else:
        who = ""
    return Gate(may(user, Action.PUBLIC_FEEDBACK, edition), open_now, opens_at, ended, who)


# --- follow-up ---------------------------------------------------------------------------------


def history(template: InnovationTemplate) -> list[StatusChange]:
    """Every step of the template's follow-up, newest first."""
    return list(template.status_changes.order_by("-changed_at", "-pk"))


@dataclass
class StatusGroup:
    status: str
    label: str
    templates: list[InnovationTemplate] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.templates)


@dataclass
class FollowUpBoard:
    edition: Edition
    groups: list[StatusGroup]  # every status, in the order of the workflow
    total: int
    ratings_public: bool

    @property
    def templates(self) -> list[InnovationTemplate]:
        return [t for group in self.groups for t in group.templates]


def follow_up(edition: Edition) -> FollowUpBoard:
    """The edition's templates grouped by follow-up status (newest statement first), each with
    `.feedback` (its `summary`) and `.ratings` (its `Ratings`). A fixed number of queries."""
    templates = list(
        InnovationTemplate.objects.filter(edition=edition)
        .select_related("prototype__team", "challenge")
        .order_by("-status_date", "challenge__order", "prototype__team__name", "pk")
    )
    feedback, rated = summaries(templates), ratings(edition, templates)
    groups = {status: StatusGroup(status, str(label)) for status, label in FollowUp.choices}
    for template in templates:
        template.edition = edition
        template.feedback, template.ratings = feedback[template.pk], rated[template.pk]
        groups[template.status].templates.append(template)
    return FollowUpBoard(
        edition=edition, groups=list(groups.values()), total=len(templates),
        ratings_public=evaluation.rankings_public(edition),
    )
