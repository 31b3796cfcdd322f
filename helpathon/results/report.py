"""The edition report's data: what an edition brought about, in counts only. Everything is
aggregated in the database (a fixed number of queries, however many ideas, comments and
supports there are) and nothing here names a person: participants appear only as counts by
sector and role, ideas and prototypes by their titles."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncHour
from django.utils import timezone

from helpathon.accounts.models import Role, Sector
from helpathon.editions.models import Challenge, Edition
from helpathon.evaluation.models import Support
from helpathon.evaluation.selectors import rankings_visible
from helpathon.ideas.models import Comment, Idea, Theme
from helpathon.ideas.selectors import visible_ideas
from helpathon.registrations.models import Registration
from helpathon.teams.models import Prototype, Team

# Up to this many hours of activity the chart shows hours; beyond, days (a two-day event
# reads well by the hour, weeks of online ideation do not).
HOURLY_UP_TO_HOURS = 72
TOP_IDEAS = 3
SERIES = ("ideas", "comments", "supports")


@dataclass
class Tally:
    """One bar of a breakdown: a choice's value, its translated label and the number."""

    key: str
    label: str
    count: int


@dataclass
class ChallengeRow:
    challenge: Challenge
    ideas: int = 0
    comments: int = 0
    supports: int = 0
    top_ideas: list[Idea] = field(default_factory=list)


@dataclass
class ActivityBucket:
    start: datetime  # aware, in the current time zone (an hour, or midnight of a day)
    ideas: int = 0
    comments: int = 0
    supports: int = 0

    @property
    def total(self) -> int:
        return self.ideas + self.comments + self.supports


@dataclass
class Activity:
    unit: str  # "hour" or "day"
    buckets: list[ActivityBucket]  # continuous, empty hours or days included

    @property
    def busy(self) -> list[ActivityBucket]:
        """The buckets with anything in them (for the data table)."""
        return [b for b in self.buckets if b.total]


@dataclass
class PrototypeRow:
    title: str
    challenge: str
    status: str  # follow-up status of its innovation template, "" while there is none
    status_label: str
    url: str  # the innovation template's page, "" while there is none


@dataclass
class EditionReport:
    edition: Edition
    participants: int
    checked_in: int
    by_sector: list[Tally]
    by_role: list[Tally]
    challenges: list[ChallengeRow]
    activity: Activity
    themes: list[Theme]
    teams: int
    prototypes: list[PrototypeRow]
    rankings_visible: bool

    @property
    def ideas(self) -> int:
        return sum(row.ideas for row in self.challenges)

    @property
    def comments(self) -> int:
        return sum(row.comments for row in self.challenges)

    @property
    def supports(self) -> int:
        return sum(row.supports for row in self.challenges)


def edition_report(edition: Edition, *, user) -> EditionReport:
    """The report of `edition` as `user` may see it: top ideas only when rankings are visible
    to them. About a dozen queries, none per idea. Content hidden by moderation, deleted
    comments and supports of hidden ideas are not counted."""
    participants, checked_in, by_sector, by_role = _participants(edition)
    challenges = {c.pk: ChallengeRow(c) for c in edition.challenges.all()}
    per_hour: dict[datetime, Counter] = {}
    for name, rows in _activity_rows(edition).items():
        for row in rows:
            challenge = challenges.get(row["in_challenge"])
            if challenge is not None:
                setattr(challenge, name, getattr(challenge, name) + row["n"])
            per_hour.setdefault(row["hour"], Counter())[name] += row["n"]
    visible = rankings_visible(user, edition)
    if visible:
        for idea in _top_ideas(edition):
            idea.edition = edition
            if idea.challenge_id in challenges:
                challenges[idea.challenge_id].top_ideas.append(idea)
    return EditionReport(
        edition=edition,
        participants=participants,
        checked_in=checked_in,
        by_sector=by_sector,
        by_role=by_role,
        challenges=list(challenges.values()),
        activity=_activity(per_hour),
        themes=list(Theme.objects.filter(edition=edition).order_by("-size", "pk")),
        teams=Team.objects.filter(edition=edition).count(),
        prototypes=_prototypes(edition),
        rankings_visible=visible,
    )


def _participants(edition: Edition) -> tuple[int, int, list[Tally], list[Tally]]:
    """Confirmed registrations by sector and by role, and how many were checked in — one query."""
    rows = (
        Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED)
        .values("sector", "role")
        .annotate(n=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)))
        .order_by()
    )
    sectors, roles, total, checked_in = Counter(), Counter(), 0, 0
    for row in rows:
        sectors[row["sector"]] += row["n"]
        roles[row["role"]] += row["n"]
        total += row["n"]
        checked_in += row["checked_in"]
    return total, checked_in, _breakdown(Sector, sectors), _breakdown(Role, roles)


def _breakdown(choices, counts: Counter) -> list[Tally]:
    # Every choice, in the order of the choices, zeros included: the reader sees who was missing.
    return [Tally(value, str(label), counts.get(value, 0)) for value, label in choices.choices]


def _activity_rows(edition: Edition) -> dict[str, list[dict]]:
    """Ideas, comments and supports per challenge and hour — three grouped queries whose size
    depends on the hours with activity, not on the number of items."""
    ideas = visible_ideas(edition).annotate(in_challenge=F("challenge_id"), hour=TruncHour("created_at"))
    comments = Comment.objects.filter(
        idea__edition=edition, idea__hidden_at__isnull=True, hidden_at__isnull=True, deleted_at__isnull=True
    ).annotate(in_challenge=F("idea__challenge_id"), hour=TruncHour("created_at"))
    supports = Support.objects.filter(edition=edition, idea__hidden_at__isnull=True).annotate(
        in_challenge=F("challenge_id"), hour=TruncHour("created_at")
    )
    return {
        name: list(qs.values("in_challenge", "hour").annotate(n=Count("pk")).order_by())
        for name, qs in (("ideas", ideas), ("comments", comments), ("supports", supports))
    }


def _activity(per_hour: dict[datetime, Counter]) -> Activity:
    """A continuous series from the first to the last busy hour (or day), gaps as zeros."""
    if not per_hour:
        return Activity(unit="hour", buckets=[])
    hours = sorted(per_hour)
    first, last = hours[0], hours[-1]
    if last - first <= timedelta(hours=HOURLY_UP_TO_HOURS):
        buckets = []
        moment = first
        while moment <= last:
            counts = per_hour.get(moment, Counter())
            buckets.append(ActivityBucket(timezone.localtime(moment), **{s: counts[s] for s in SERIES}))
            moment += timedelta(hours=1)
        return Activity(unit="hour", buckets=buckets)
    per_day: dict[date, Counter] = {}
    for hour, counts in per_hour.items():
        per_day.setdefault(timezone.localtime(hour).date(), Counter()).update(counts)
    day, end = min(per_day), max(per_day)
    buckets = []
    while day <= end:
        counts = per_day.get(day, Counter())
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        buckets.append(ActivityBucket(start, **{s: counts[s] for s in SERIES}))
        day += timedelta(days=1)
    return Activity(unit="day", buckets=buckets)


def _top_ideas(edition: Edition) -> list[Idea]:
    """The most supported visible ideas of each challenge (at most TOP_IDEAS each, only ideas
    with supports), best first — one query with a window function."""
    ranked = (
        visible_ideas(edition)
        .exclude(status=Idea.Status.MERGED)
        .filter(support_count__gt=0)
        .annotate(place=Window(RowNumber(), partition_by=F("challenge_id"),
                               order_by=(F("support_count").desc(), F("pk").asc())))
        .filter(place__lte=TOP_IDEAS)
        .only("pk", "title", "challenge_id", "edition_id", "support_count")
    )
    return sorted(ranked, key=lambda idea: (idea.challenge_id, idea.place))


def _prototypes(edition: Edition) -> list[PrototypeRow]:
    """Submitted prototypes with the follow-up status of their innovation template — one query."""
    rows = []
    found = (
        Prototype.objects.filter(edition=edition, status=Prototype.Status.SUBMITTED)
        .select_related("team", "challenge", "template")
        .order_by("challenge__order", "challenge_id", "pk")
    )
    for prototype in found:
        template = getattr(prototype, "template", None)
        if template is not None:
            template.edition = edition
        rows.append(PrototypeRow(
            title=prototype.team.name,
            challenge=prototype.challenge.title,
            status=template.status if template else "",
            status_label=template.get_status_display() if template else "",
            url=template.get_absolute_url() if template else "",
        ))
    return rows
