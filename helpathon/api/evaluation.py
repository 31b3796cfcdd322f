"""Evaluation: the support budget, supports, ratings by criteria, pairwise comparisons, the
rankings, and the jury's scores and progress.

The endpoints do what the pages do: read through `evaluation.selectors`, write through
`evaluation.services` (which ask `may()` again), refuse up front what `may()` refuses, and
count writes against the pages' rate limits. Answers carry aggregates and the requester's own
evaluations only, never who supported, rated or compared what; rankings stay empty for whoever
may not see them yet, so that not even their order leaks.

Errors have the shapes of the ideas endpoints (`api.errors`); a support the budget cannot pay
for is a 409 with `{"detail": "<message>"}`.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import django_auth

from helpathon.api.errors import BODY, WRITE_AUTH, WRITE_ERRORS, service_errors
from helpathon.api.schemas import (
    BudgetStateOut,
    ComparisonIn,
    ComparisonOut,
    CriterionOut,
    ErrorOut,
    JurorProgressOut,
    PairOut,
    RankingsOut,
    RatingIn,
    RatingOut,
    SupportOut,
    ValidationErrorOut,
)
from helpathon.editions.models import Challenge, Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import challenge_get, edition_get
from helpathon.evaluation import selectors, services, targets
from helpathon.evaluation.models import Panel, TargetKind
from helpathon.ideas.limits import (
    COMPARISONS_GROUP,
    RATE_COMPARISONS,
    RATE_RATINGS,
    RATE_SUPPORTS,
    RATINGS_GROUP,
    SUPPORTS_GROUP,
    TOO_MANY_COMPARISONS,
    TOO_MANY_RATINGS,
    TOO_MANY_SUPPORTS,
    limited,
)
from helpathon.ideas.models import Idea
from helpathon.ideas.selectors import idea_get

router = Router(tags=["evaluation"])

READ_AUTH = """

**Authentication:** the Django session of a signed-in person (the `sessionid` cookie); no
session gives 401 `{"detail": "Unauthorized"}`. Reading needs no CSRF token."""

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}

# Where a rating's errors point: the criterion's key inside `values`.
VALUES = (*BODY, "values")


def _challenge_get(request: HttpRequest, slug: str, challenge: str) -> Challenge:
    """The challenge of a visible edition, or 404. Its `edition` is the one loaded with the
    program, so asking `may()` about it costs no further query for the agenda."""
    return challenge_get(edition=edition_get(slug=slug, user=request.user), slug=challenge)


def _in_edition(edition: Edition, ideas) -> None:
    # An idea's URL names its edition's slug; handing over the edition loaded already keeps a
    # list of ideas at a fixed number of queries.
    for idea in ideas:
        idea.edition = edition


def _evaluable_idea(edition: Edition, pk: int) -> Idea:
    """An idea of the edition that can be rated: 404 when missing, hidden or merged."""
    idea = targets.target_get(edition=edition, kind=TargetKind.IDEA, pk=pk)
    _in_edition(edition, [idea])
    return idea


# --- supports --------------------------------------------------------------------------------


@router.get(
    "/editions/{slug}/challenges/{challenge}/budget",
    auth=django_auth,
    response={200: BudgetStateOut, **READ_ERRORS},
    operation_id="evaluation_budget",
    description=(
        "Your support budget where the challenge's ideas are concerned (per challenge or per edition, as the"
        " edition has it), and the ideas of the edition you support." + READ_AUTH
    ),
)
def evaluation_budget(request: HttpRequest, slug: str, challenge: str):
    challenge = _challenge_get(request, slug, challenge)
    budget = selectors.budget_of(user=request.user, challenge=challenge)
    return {
        "total": budget.total,
        "used": budget.used,
        "remaining": budget.remaining,
        "scope": budget.scope,
        "supported": sorted(selectors.supported_ids(request.user, challenge.edition)),
    }


SUPPORT_DESCRIPTION = (
    " Participants support and withdraw during evaluation, never their own ideas. The answer says"
    " whether you support the idea now, how many people do, and what is left of your budget. A hidden"
    " or missing idea is a 404."
)


def _support_change(request: HttpRequest, slug: str, pk: int, change: Callable) -> services.SupportState:
    edition = edition_get(slug=slug, user=request.user)
    idea = idea_get(edition=edition, pk=pk)
    _in_edition(edition, [idea])
    forbidden = _("Only participants can support ideas, during evaluation, and not their own.")
    if not may(request.user, Action.SUPPORT, idea):
        raise HttpError(403, forbidden)
    if limited(request, SUPPORTS_GROUP, RATE_SUPPORTS):
        raise HttpError(429, str(TOO_MANY_SUPPORTS))
    with service_errors(forbidden):
        try:
            return change(actor=request.user, idea=idea)
        except ValidationError as error:
            # Every support of the budget is in use (BudgetExhausted), or the idea was merged
            # into another: the request conflicts with the state, not with its form.
            raise HttpError(409, " ".join(error.messages)) from None


@router.put(
    "/editions/{slug}/ideas/{id}/support",
    auth=django_auth,
    response={200: SupportOut, **WRITE_ERRORS, 409: ErrorOut, 429: ErrorOut},
    operation_id="evaluation_support",
    description=(
        "Support an idea with one support of your budget; supporting it again changes nothing."
        + SUPPORT_DESCRIPTION
        + " When every support of your budget is in use (withdraw one first), or the idea was merged into"
        " another, the answer is 409 `{\"detail\": \"<message>\"}` and nothing changes." + WRITE_AUTH
    ),
)
def evaluation_support(request: HttpRequest, slug: str, id: int):
    return _support_change(request, slug, id, services.support_add)


@router.delete(
    "/editions/{slug}/ideas/{id}/support",
    auth=django_auth,
    response={200: SupportOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="evaluation_withdraw",
    description=(
        "Withdraw your support; it returns to your budget. Withdrawing again changes nothing."
        + SUPPORT_DESCRIPTION + WRITE_AUTH
    ),
)
def evaluation_withdraw(request: HttpRequest, slug: str, id: int):
    return _support_change(request, slug, id, services.support_withdraw)


# --- ratings ---------------------------------------------------------------------------------


@router.get(
    "/editions/{slug}/criteria",
    response={200: list[CriterionOut], 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="evaluation_criteria",
)
def evaluation_criteria(request: HttpRequest, slug: str, panel: Panel = Panel.PARTICIPANTS):
    """The criteria a panel rates by, in order, each from 1 to 5 with its weight in the score."""
    edition = edition_get(slug=slug, user=request.user)
    return selectors.criteria(edition, panel)


def _rate(request: HttpRequest, *, kind: str, target, panel: str, values: dict, forbidden: str) -> dict:
    if not services.may_rate(user=request.user, kind=kind, target=target, panel=panel):
        raise HttpError(403, forbidden)
    if limited(request, RATINGS_GROUP, RATE_RATINGS):
        raise HttpError(429, str(TOO_MANY_RATINGS))
    with service_errors(forbidden, loc=VALUES):
        mine = services.rating_set(actor=request.user, kind=kind, target=target, panel=panel, values=values)
    return {"values": mine}


RATING_DESCRIPTION = (
    " `values` maps criterion keys (see `evaluation_criteria`) to a value from 1 to 5, or to null to take"
    " a rating back; criteria left out keep their rating. The answer holds all your ratings of it. An"
    " unknown criterion or a value out of range is a 422 with `loc` ending in `[\"values\", <key>]`."
)


@router.put(
    "/editions/{slug}/ideas/{id}/rating",
    auth=django_auth,
    response={200: RatingOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="evaluation_rate",
    description=(
        "Rate an idea by the participants' criteria: participants, during evaluation, not their own ideas,"
        " when the edition has participants rate ideas. A hidden, merged or missing idea is a 404."
        + RATING_DESCRIPTION + WRITE_AUTH
    ),
)
def evaluation_rate(request: HttpRequest, slug: str, id: int, payload: RatingIn):
    idea = _evaluable_idea(edition_get(slug=slug, user=request.user), id)
    forbidden = _("Only participants can rate ideas, during evaluation, and not their own.")
    return _rate(
        request, kind=TargetKind.IDEA, target=idea, panel=Panel.PARTICIPANTS, values=payload.values, forbidden=forbidden
    )


@router.get(
    "/editions/{slug}/ideas/{id}/rating",
    auth=django_auth,
    response={200: RatingOut, **READ_ERRORS},
    operation_id="evaluation_rating",
    description="Your own ratings of an idea, by criterion key; empty when you have not rated it." + READ_AUTH,
)
def evaluation_rating(request: HttpRequest, slug: str, id: int):
    idea = _evaluable_idea(edition_get(slug=slug, user=request.user), id)
    mine = selectors.my_ratings(request.user, kind=TargetKind.IDEA, target_id=idea.pk, panel=Panel.PARTICIPANTS)
    return {"values": mine}


# --- pairwise comparison ---------------------------------------------------------------------


def _compare_forbidden() -> str:
    return _("Only participants can compare ideas, during evaluation.")


@router.post(
    "/editions/{slug}/challenges/{challenge}/pairs/next",
    auth=django_auth,
    response={200: PairOut, 204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="evaluation_pair_next",
    description=(
        "The next pair of the challenge's ideas for you to compare, chosen to learn the most: participants,"
        " during evaluation. A POST because it sets a pair aside for you: until you answer it (or skip it),"
        " asking again gives the same pair. 204 without a body when there is nothing (left) for you to"
        " compare; your own ideas are never shown to you." + WRITE_AUTH
    ),
)
def evaluation_pair_next(request: HttpRequest, slug: str, challenge: str):
    challenge = _challenge_get(request, slug, challenge)
    forbidden = _compare_forbidden()
    if not may(request.user, Action.COMPARE, challenge):
        raise HttpError(403, forbidden)
    # Not rate-limited: a new pair needs the last one answered, and answers are limited.
    with service_errors(forbidden):
        pair = services.pair_next(actor=request.user, challenge=challenge)
    if pair is None:
        return Status(204, None)
    _in_edition(challenge.edition, [pair.left, pair.right])
    return {
        "id": pair.pk,
        "left": pair.left,
        "right": pair.right,
        "compared": selectors.comparisons_done(request.user, challenge),
    }


@router.post(
    "/editions/{slug}/comparisons/{id}",
    auth=django_auth,
    response={200: ComparisonOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="evaluation_compare",
    description=(
        "Answer a pair you were given (`evaluation_pair_next`): the better idea (`left` or `right`), `tie`"
        " when you cannot decide, or `skip`. Sending the same answer again changes nothing; a different"
        " answer to a pair you answered is a 422. Someone else's comparison is a 404, like a missing one."
        + WRITE_AUTH
    ),
)
def evaluation_compare(request: HttpRequest, slug: str, id: int, payload: ComparisonIn):
    edition = edition_get(slug=slug, user=request.user)
    comparison = services.comparison_get(actor=request.user, pk=id)
    if comparison.edition_id != edition.pk:
        raise Http404
    comparison.challenge.edition = edition
    forbidden = _compare_forbidden()
    if not may(request.user, Action.COMPARE, comparison.challenge):
        raise HttpError(403, forbidden)
    if limited(request, COMPARISONS_GROUP, RATE_COMPARISONS):
        raise HttpError(429, str(TOO_MANY_COMPARISONS))
    with service_errors(forbidden):
        return services.comparison_answer(actor=request.user, pk=comparison.pk, outcome=payload.outcome)


# --- rankings --------------------------------------------------------------------------------


@router.get(
    "/editions/{slug}/challenges/{challenge}/rankings",
    response={200: RankingsOut, 404: ErrorOut},
    operation_id="evaluation_rankings",
)
def evaluation_rankings(request: HttpRequest, slug: str, challenge: str):
    """The challenge's ideas ranked three ways, by supports, by rating and by pairwise
    comparison, each with a 95% interval. While evaluation is open an edition may hide
    rankings to avoid a bandwagon effect: then `visible` is false and the lists are empty
    (organizers always see them)."""
    challenge = _challenge_get(request, slug, challenge)
    edition = challenge.edition
    visible = selectors.rankings_visible(request.user, edition)
    if visible:
        rankings = selectors.challenge_rankings(challenge)
        for rows in rankings.by_method().values():
            _in_edition(edition, [row.idea for row in rows])
    else:
        rankings = selectors.rankings_without_order(challenge)
    return {
        "visible": visible,
        "participants": rankings.participants,
        "comparisons": rankings.comparisons,
        "criteria": rankings.criteria,
        "supports": rankings.supports,
        "rating": rankings.rating,
        "pairwise": rankings.pairwise,
    }


# --- the jury --------------------------------------------------------------------------------


@router.put(
    "/editions/{slug}/jury/scores/{kind}/{id}",
    auth=django_auth,
    response={200: RatingOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="evaluation_jury_score",
    description=(
        "Score an idea (`kind` \"idea\") or a prototype (\"prototype\") by the jury's criteria: jurors,"
        " during the jury phase, for what the edition's jury rates, in their assigned challenges, never"
        " their own work. An unknown kind, or a hidden, merged or missing target, is a 404."
        + RATING_DESCRIPTION + WRITE_AUTH
    ),
)
def evaluation_jury_score(request: HttpRequest, slug: str, kind: str, id: int, payload: RatingIn):
    edition = edition_get(slug=slug, user=request.user)
    target = targets.target_get(edition=edition, kind=kind, pk=id)
    forbidden = _("Only jurors can score, during the jury phase, in their challenges and not their own work.")
    return _rate(request, kind=kind, target=target, panel=Panel.JURY, values=payload.values, forbidden=forbidden)


@router.get(
    "/editions/{slug}/jury/progress",
    auth=django_auth,
    response={200: list[JurorProgressOut], **READ_ERRORS},
    operation_id="evaluation_jury_progress",
    description=(
        "Per juror, by public name: how many items they are to score and how many they have scored on every"
        " jury criterion. For the edition's organizers; everyone else gets a 404, as on the page." + READ_AUTH
    ),
)
def evaluation_jury_progress(request: HttpRequest, slug: str):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MANAGE_EDITION, edition):
        raise Http404
    return selectors.jury_progress(edition)
