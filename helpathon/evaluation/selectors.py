"""Evaluation reads: budgets, a person's own evaluations, rankings with their uncertainty, and
the jury's progress and scores. Rankings are computed from the rows by the pure functions of
`evaluation.ranking` and cached until the edition's next live event."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Challenge, Edition
from helpathon.editions.phases import Action, phase_allows
from helpathon.editions.rules import is_organizer
from helpathon.evaluation import ranking, targets
from helpathon.evaluation.criteria import DEFAULTS
from helpathon.evaluation.models import (
    Comparison,
    Criterion,
    EvaluationSettings,
    JuryMember,
    Panel,
    Rating,
    Support,
    TargetKind,
    VoterReliability,
)
from helpathon.ideas.models import Idea
from helpathon.ideas.selectors import edition_version
from helpathon.registrations.models import Registration

# The least spread assumed between raters' scores (on the 1-5 scale): a few raters who agree
# by chance must not make an idea's score look certain.
RATING_MIN_SD = 0.5
VOTING_ACTIONS = (Action.SUPPORT, Action.RATE, Action.COMPARE)



@dataclass(frozen=True)
class Budget:
    total: int
    used: int
    scope: str

    @property
    def remaining(self) -> int:
        # A merge can move a support into a scope that was full; never show a negative rest.
        return max(0, self.total - self.used)



def evaluation_settings(edition: Edition) -> EvaluationSettings:
    """The edition's settings; defaults (unsaved) when the organizers set none."""
    found = EvaluationSettings.objects.filter(edition=edition).first()
    return found or EvaluationSettings(edition=edition)



def budget_of(*, user, challenge: Challenge, config: "EvaluationSettings | None" = None) -> Budget:
    config = config or evaluation_settings(challenge.edition)
    if not user.is_authenticated:
        return Budget(total=config.support_budget, used=0, scope=config.budget_scope)
    # A support of an idea hidden by moderation does not use up the budget: it cannot be
    # withdrawn while the idea is hidden, and it counts again (clamped) if the idea returns.
    supports = Support.objects.filter(user=user, idea__hidden_at__isnull=True)
    if config.budget_scope == EvaluationSettings.BudgetScope.EDITION:
        supports = supports.filter(edition_id=challenge.edition_id)
    else:
        supports = supports.filter(challenge_id=challenge.pk)
    return Budget(total=config.support_budget, used=supports.count(), scope=config.budget_scope)




def criteria(edition: Edition, panel: str) -> list[Criterion]:
    """The criteria a panel rates, in order. An edition that has none yet shows the defaults
    (unsaved: the first rating stores them, `services.criteria_ensure_defaults`)."""
    field_name = "for_jury" if panel == Panel.JURY else "for_participants"
    found = list(Criterion.objects.filter(edition=edition, **{field_name: True}))
    if found or Criterion.objects.filter(edition=edition).exists():
        return found
    return default_criteria(edition)


def default_criteria(edition: Edition) -> list[Criterion]:
    return [Criterion(edition=edition, key=key, weight=weight, order=i) for i, (key, _n, _t, weight) in enumerate(DEFAULTS)]


def voting_open(edition: Edition) -> bool:
    current = agenda_for(edition).current
    kind = current.kind if current else None
    return any(phase_allows(kind, action, edition.phase_actions_extra) for action in VOTING_ACTIONS)


def rankings_public(edition: Edition) -> bool:
    """Everybody sees rankings unless evaluation is open and the edition hides them then."""
    return evaluation_settings(edition).rankings_while_open or not voting_open(edition)


def rankings_visible(user, edition: Edition) -> bool:
    return rankings_public(edition) or is_organizer(user, edition)


def supported_ids(user, edition: Edition) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Support.objects.filter(user=user, edition=edition).values_list("idea_id", flat=True))


def my_ratings(user, *, kind: str, target_id: int, panel: str) -> dict[str, int]:
    if not user.is_authenticated:
        return {}
    return dict(
        Rating.objects.filter(rater=user, panel=panel, target_kind=kind, target_id=target_id)
        .values_list("criterion__key", "value")
    )


def my_scores_of(user, kind: str, ids: list[int], panel: str = Panel.JURY) -> dict[int, dict[str, int]]:
    """A person's own ratings of many targets, in one query (target id -> criterion key -> value)."""
    scores: dict[int, dict[str, int]] = {}
    rows = Rating.objects.filter(rater=user, panel=panel, target_kind=kind, target_id__in=ids).values_list(
        "target_id", "criterion__key", "value"
    )
    for target_id, key, value in rows:
        scores.setdefault(target_id, {})[key] = value
    return scores


def comparisons_done(user, challenge: Challenge) -> int:
    return Comparison.objects.filter(voter=user, challenge=challenge).exclude(outcome__in=["", "skip"]).count()


# --- rankings --------------------------------------------------------------------------------


@dataclass
class SupportRow:
    idea: Idea
    supports: int
    share: float  # of the edition's participants
    low: float
    high: float


@dataclass
class RatingRow:
    idea: Idea
    score: float | None  # weighted mean, 1-5
    low: float | None
    high: float | None
    raters: int
    by_criterion: dict = field(default_factory=dict)  # key -> (mean, n)


@dataclass
class PairwiseRow:
    idea: Idea
    score: float  # chance in % to be preferred to an average idea
    low: float
    high: float
    comparisons: int


@dataclass
class Rankings:
    supports: list[SupportRow]
    rating: list[RatingRow]
    pairwise: list[PairwiseRow]
    participants: int
    criteria: list[Criterion]
    comparisons: int

    def by_method(self) -> dict[str, list]:
        return {"supports": self.supports, "rating": self.rating, "pairwise": self.pairwise}


def challenge_rankings(challenge: Challenge) -> Rankings:
    """The challenge's ideas ranked three ways, each with counts and a 95% interval. Cached
    per edition version (every evaluation writes a live event), number of participants and
    criteria weights (changed without an event); a fixed number of queries."""
    edition = challenge.edition
    participants = Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED).count()
    rated_criteria = criteria(edition, Panel.PARTICIPANTS)
    weights = ",".join(f"{c.pk}:{c.weight}" for c in rated_criteria)
    key = f"evaluation:rankings:{challenge.pk}:{edition_version(edition)}:{participants}:{weights}"
    found = cache.get(key)
    if found is None:
        found = _compute_rankings(challenge, participants, rated_criteria)
        cache.set(key, found, 600)
    return found


def rankings_without_order(challenge: Challenge) -> Rankings:
    """The counts of the rankings without the rankings themselves (for those who may not see
    them yet): no fit is computed and no idea is named."""
    edition = challenge.edition
    return Rankings(
        supports=[], rating=[], pairwise=[],
        participants=Registration.objects.filter(edition=edition, status=Registration.Status.CONFIRMED).count(),
        criteria=criteria(edition, Panel.PARTICIPANTS),
        comparisons=Comparison.objects.filter(challenge=challenge).exclude(outcome__in=["", "skip"]).count(),
    )


def _compute_rankings(challenge: Challenge, participants: int, rated_criteria: list[Criterion]) -> Rankings:
    ideas = list(targets.targets_of(challenge, TargetKind.IDEA).order_by("pk"))
    return Rankings(
        supports=_support_ranking(ideas, participants),
        rating=_rating_ranking(ideas, rated_criteria, panel=Panel.PARTICIPANTS, kind=TargetKind.IDEA),
        pairwise=_pairwise_ranking(challenge, ideas),
        participants=participants,
        criteria=rated_criteria,
        comparisons=Comparison.objects.filter(challenge=challenge).exclude(outcome__in=["", "skip"]).count(),
    )


def _support_ranking(ideas: list[Idea], participants: int) -> list[SupportRow]:
    rows = []
    for idea in ideas:
        n = max(participants, idea.support_count)
        low, high = ranking.wilson_interval(idea.support_count, n)
        rows.append(SupportRow(idea, idea.support_count, idea.support_count / n if n else 0.0, low, high))
    rows.sort(key=lambda r: (-r.supports, r.idea.pk))
    return rows


def _rating_ranking(
    items: list, criteria_list: list[Criterion], *, panel: str, kind: str, raters=None
) -> list[RatingRow]:
    """Each rater's weighted mean over the criteria they rated is one observation of an item;
    the item's score is the mean of those, with a t-interval over raters (only `raters`, a
    queryset of user ids, when given)."""
    weights = {c.pk: c.weight for c in criteria_list}
    keys = {c.pk: c.key for c in criteria_list}
    per_rater = defaultdict(lambda: defaultdict(dict))  # item -> rater -> criterion -> value
    ratings = Rating.objects.filter(
        panel=panel, target_kind=kind, target_id__in=[i.pk for i in items], criterion_id__in=list(weights)
    )
    if raters is not None:
        ratings = ratings.filter(rater_id__in=raters)
    for target_id, rater_id, criterion_id, value in ratings.values_list(
        "target_id", "rater_id", "criterion_id", "value"
    ):
        per_rater[target_id][rater_id][criterion_id] = value
    rows = []
    for item in items:
        raters = per_rater.get(item.pk, {})
        observations = [
            s for s in (ranking.weighted_score(given, weights) for given in raters.values()) if s is not None
        ]
        by_criterion = {}
        for criterion_id, key in keys.items():
            given = [r[criterion_id] for r in raters.values() if criterion_id in r]
            if given:
                by_criterion[key] = (sum(given) / len(given), len(given))
        interval = ranking.mean_interval(observations, bounds=(1.0, 5.0), min_sd=RATING_MIN_SD)
        score, low, high = interval if interval else (None, None, None)
        rows.append(RatingRow(item, score, low, high, len(observations), by_criterion))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.raters, r.idea.pk))
    return rows


def _pairwise_ranking(challenge: Challenge, ideas: list[Idea]) -> list[PairwiseRow]:
    """A Bradley-Terry fit of every answered pair, each vote weighted by its voter's estimated
    reliability; "can't decide" counts half for each side."""
    index = {idea.pk: i for i, idea in enumerate(ideas)}
    answered = list(
        Comparison.objects.filter(challenge=challenge, outcome__in=["left", "right", "tie"])
        .values_list("left_id", "right_id", "outcome", "voter_id")
    )
    reliabilities = {
        voter: ranking.Reliability(alpha, beta)
        for voter, alpha, beta in VoterReliability.objects.filter(edition_id=challenge.edition_id).values_list(
            "voter_id", "alpha", "beta"
        )
    }
    votes, outcomes, counts = [], [], [0] * len(ideas)
    for left, right, outcome, voter in answered:
        if left not in index or right not in index:
            continue
        a, b = index[left], index[right]
        counts[a] += 1
        counts[b] += 1
        if outcome == "tie":
            outcomes += [(a, b, 0.5), (b, a, 0.5)]
        else:
            votes.append((a, b, voter) if outcome == "left" else (b, a, voter))
    outcomes += ranking.reliability_weighted_outcomes(votes, reliabilities)
    fit = ranking.bradley_terry(len(ideas), outcomes)
    rows = []
    for i, idea in enumerate(ideas):
        score, se = float(fit.scores[i]), float(fit.stderr[i])
        rows.append(PairwiseRow(
            idea, 100 * _expit(score), 100 * _expit(score - 1.96 * se), 100 * _expit(score + 1.96 * se), counts[i]
        ))
    rows.sort(key=lambda r: (-r.score, r.idea.pk))
    return rows


def _expit(x: float) -> float:
    from scipy.special import expit

    return float(expit(x))


# --- the jury --------------------------------------------------------------------------------


@dataclass
class JurorProgress:
    member: JuryMember
    assigned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 100


def jury_members(edition: Edition) -> list[JuryMember]:
    return list(
        JuryMember.objects.filter(edition=edition).select_related("user").prefetch_related("challenges")
    )


def juror_of(user, edition: Edition) -> JuryMember | None:
    if not user.is_authenticated:
        return None
    return JuryMember.objects.filter(edition=edition, user=user).prefetch_related("challenges").first()


def juror_items(member: JuryMember) -> list:
    """What a juror rates: the targets of the kind the jury rates, in their assigned
    challenges (all when none are assigned), without their own work."""
    edition = member.edition
    kind = evaluation_settings(edition).jury_rates
    return _juror_items(member, kind, _jury_items(edition, kind))


def _jury_items(edition: Edition, kind: str) -> list:
    # The settings may name a kind no app provides yet (prototypes before the teams app):
    # then there is nothing to score, rather than a 404 on every jury page.
    if not targets.is_registered(kind):
        return []
    return list(targets.target_type(kind).queryset(edition).order_by("challenge__order", "pk"))


def _juror_items(member: JuryMember, kind: str, items: list) -> list:
    """`juror_items` from the edition's items loaded once (jury_progress asks for every juror)."""
    assigned = {c.pk for c in member.challenges.all()}
    return [
        item for item in items
        if member_covers(assigned, item.challenge_id) and member.user_id not in targets.owners_of(kind, item)
    ]


def member_covers(assigned: set[int], challenge_id: int) -> bool:
    """The assignment rule: a juror with assigned challenges scores those, one without scores all."""
    return not assigned or challenge_id in assigned


def jury_progress(edition: Edition) -> list[JurorProgress]:
    """Per juror: items to rate and items rated on every jury criterion."""
    jury_criteria = {c.pk for c in criteria(edition, Panel.JURY)}
    kind = evaluation_settings(edition).jury_rates
    complete = defaultdict(set)
    rated = (
        Rating.objects.filter(edition=edition, panel=Panel.JURY, target_kind=kind, criterion_id__in=jury_criteria)
        .values("rater_id", "target_id").annotate(n=Count("criterion_id", distinct=True))
    )
    for row in rated:
        if row["n"] >= len(jury_criteria):
            complete[row["rater_id"]].add(row["target_id"])
    progress = []
    items = _jury_items(edition, kind)
    for member in jury_members(edition):
        mine = {item.pk for item in _juror_items(member, kind, items)}
        progress.append(JurorProgress(member, len(mine), len(mine & complete[member.user_id])))
    return progress


def jury_results(edition: Edition) -> list[RatingRow]:
    """The jury's weighted scores per item, best first (jurors' own scores, with interval)."""
    kind = evaluation_settings(edition).jury_rates
    items = _jury_items(edition, kind)
    # A dismissed juror's scores stay for the record but no longer count.
    jurors = JuryMember.objects.filter(edition=edition).values("user_id")
    return _rating_ranking(items, criteria(edition, Panel.JURY), panel=Panel.JURY, kind=kind, raters=jurors)


def item_ratings(edition: Edition, items: list, *, kind: str, panel: str) -> dict[int, RatingRow]:
    """The weighted mean rating of each of `items` (targets of `kind`) by `panel`, by item id
    (used by the results beside the city's voice). The jury's counts only seated jurors, as in
    `jury_results`. A fixed number of queries."""
    raters = JuryMember.objects.filter(edition=edition).values("user_id") if panel == Panel.JURY else None
    rows = _rating_ranking(items, criteria(edition, panel), panel=panel, kind=kind, raters=raters)
    return {row.idea.pk: row for row in rows}


def jury_score_rows(edition: Edition):
    """Every jury score: (juror display name, challenge, item id, item title, criterion,
    weight, value, updated at, whether the juror is still on the jury), for the organizers' CSV
    export. Scores of dismissed jurors are kept for the record; they do not count in results."""
    kind = evaluation_settings(edition).jury_rates
    titles = (
        {item.pk: item.title for item in targets.target_type(kind).queryset(edition)}
        if targets.is_registered(kind) else {}
    )
    scores = (
        Rating.objects.filter(edition=edition, panel=Panel.JURY, target_kind=kind)
        .select_related("rater", "criterion", "challenge")
        .order_by("rater__display_name", "target_id", "criterion__order")
    )
    seated = set(JuryMember.objects.filter(edition=edition).values_list("user_id", flat=True))
    for s in scores:
        yield s.rater.public_name, s.challenge.title, s.target_id, titles.get(s.target_id, ""), s.criterion.label, \
            s.criterion.weight, s.value, s.updated_at, "yes" if s.rater_id in seated else "no"
