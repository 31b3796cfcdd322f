"""The evaluation API: budget, supports, criteria, ratings, pairwise comparisons, rankings and
the jury, under /api/v1/editions/<slug>/…"""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.evaluation import services
from helpathon.evaluation.models import Comparison, Criterion, EvaluationSettings, Rating, Support
from helpathon.ideas import services as idea_services
from helpathon.ideas.limits import (
    COMPARISONS_GROUP, RATE_COMPARISONS, RATE_RATINGS, RATE_SUPPORTS, RATINGS_GROUP, SUPPORTS_GROUP, limited,
)
from helpathon.ideas.models import Idea
from helpathon.moderation.services import content_hide
from tests.evaluation import conftest as evaluation_fixtures
from tests.factories import make_edition, make_user

# The evaluation tests' fixtures: six ideas in challenge-1 and two in challenge-2 by `author`,
# the edition in its evaluation (`evaluation`) or jury phase (`jury_phase`), a `juror`.
make_participant = evaluation_fixtures.make_participant
author = evaluation_fixtures.author
ideas = evaluation_fixtures.ideas
evaluation = evaluation_fixtures.evaluation
jury_phase = evaluation_fixtures.jury_phase
juror = evaluation_fixtures.juror

pytestmark = pytest.mark.django_db

API = "/api/v1/editions"
REASON = "Werbung, die nichts mit der Herausforderung zu tun hat."


def budget_url(edition, challenge="challenge-1") -> str:
    return f"{API}/{edition.slug}/challenges/{challenge}/budget"


def support_url(idea, slug=None) -> str:
    return f"{API}/{slug or idea.edition.slug}/ideas/{idea.pk}/support"


def rating_url(idea, slug=None) -> str:
    return f"{API}/{slug or idea.edition.slug}/ideas/{idea.pk}/rating"


def criteria_url(edition) -> str:
    return f"{API}/{edition.slug}/criteria"


def next_url(edition, challenge="challenge-1") -> str:
    return f"{API}/{edition.slug}/challenges/{challenge}/pairs/next"


def answer_url(edition, pk) -> str:
    return f"{API}/{edition.slug}/comparisons/{pk}"


def rankings_url(edition, challenge="challenge-1") -> str:
    return f"{API}/{edition.slug}/challenges/{challenge}/rankings"


def jury_url(idea, kind="idea") -> str:
    return f"{API}/{idea.edition.slug}/jury/scores/{kind}/{idea.pk}"


def progress_url(edition) -> str:
    return f"{API}/{edition.slug}/jury/progress"


def send(client, method: str, url: str, data=None, **extra):
    body = "" if data is None else json.dumps(data)
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))


def sign_in(client, request, who: str):
    """Sign in one of the cast ("visitor" stays anonymous) and return the user."""
    if who == "visitor":
        return None
    user = request.getfixturevalue(who)
    client.force_login(user)
    return user


def assert_refused(response, status: int) -> None:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def assert_input_error(response, loc: list) -> str:
    """A 422 in the one shape; returns the message for `loc`."""
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert all(set(error) >= {"type", "loc", "msg"} for error in errors), errors
    matching = [error["msg"] for error in errors if error["loc"][: len(loc)] == loc]
    assert matching, errors
    return matching[0]


def use_up(user, group: str, rate: str) -> None:
    """Use up a person's rate limit as the pages would, with POSTs."""
    request = RequestFactory().post("/")
    request.user = user
    for _ in range(int(rate.split("/")[0])):
        limited(request, group, rate)


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


# --- budget -------------------------------------------------------------------------------------


def test_it_shows_my_budget_and_what_i_support(client, evaluation, participant, ideas):
    for idea in (ideas[0], ideas[3], ideas[6]):
        services.support_add(actor=participant, idea=idea)
    client.force_login(participant)

    response = client.get(budget_url(evaluation))

    assert response.status_code == 200
    # The budget counts per challenge by default; the list spans the edition.
    assert response.json() == {
        "total": 5, "used": 2, "remaining": 3, "scope": "challenge",
        "supported": sorted([ideas[0].pk, ideas[3].pk, ideas[6].pk]),
    }


def test_it_counts_the_budget_per_edition_when_the_edition_says_so(client, evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=3, budget_scope="edition")
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[6])
    client.force_login(participant)

    data = client.get(budget_url(evaluation, "challenge-2")).json()

    assert (data["total"], data["used"], data["remaining"], data["scope"]) == (3, 2, 1, "edition")


@pytest.mark.parametrize(("who", "status"), [("visitor", 401), ("citizen", 200), ("organizer", 200)])
def test_it_shows_the_budget_to_anyone_signed_in(client, evaluation, who, status, request):
    sign_in(client, request, who)

    response = client.get(budget_url(evaluation))

    assert response.status_code == status
    if status == 200:
        assert response.json() == {"total": 5, "used": 0, "remaining": 5, "scope": "challenge", "supported": []}


def test_it_answers_404_for_the_budget_of_unknown_challenges_and_editions(client, evaluation, participant):
    client.force_login(participant)

    for url in (budget_url(evaluation, "nope"), f"{API}/nope/challenges/challenge-1/budget"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}


# --- supports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "evaluation", 401),
        ("citizen", "evaluation", 403),
        ("organizer", "evaluation", 403),
        ("juror", "evaluation", 403),
        ("author", "evaluation", 403),
        ("participant", "evaluation", 200),
        ("participant", "ideation", 403),
        ("participant", "jury", 403),
    ],
)
def test_it_lets_only_participants_support_during_evaluation(
    client, evaluation, organizer, ideas, method, who, phase, status, request
):
    move_to(evaluation, organizer, phase)
    sign_in(client, request, who)

    response = send(client, method, support_url(ideas[0]))

    if status == 200:
        assert response.status_code == 200, response.content
        assert response.json()["supported"] is (method == "put")
    else:
        assert_refused(response, status)
    assert Support.objects.count() == (1 if (status, method) == (200, "put") else 0)


def test_it_supports_an_idea_once_however_often_asked(client, evaluation, participant, ideas):
    client.force_login(participant)

    first = send(client, "put", support_url(ideas[0]))
    again = send(client, "put", support_url(ideas[0]))

    expected = {
        "idea": ideas[0].pk, "supported": True, "supports": 1,
        "budget": {"total": 5, "used": 1, "remaining": 4, "scope": "challenge"},
    }
    assert first.json() == again.json() == expected
    assert Support.objects.count() == 1


def test_it_withdraws_a_support_once_however_often_asked(client, evaluation, participant, make_participant, ideas):
    services.support_add(actor=make_participant(), idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)

    first = send(client, "delete", support_url(ideas[0]))
    again = send(client, "delete", support_url(ideas[0]))

    expected = {
        "idea": ideas[0].pk, "supported": False, "supports": 1,
        "budget": {"total": 5, "used": 0, "remaining": 5, "scope": "challenge"},
    }
    assert first.json() == again.json() == expected
    assert Idea.objects.get(pk=ideas[0].pk).support_count == 1


def test_it_answers_409_when_the_budget_is_used_up(client, evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=2)
    services.support_add(actor=participant, idea=ideas[0])
    services.support_add(actor=participant, idea=ideas[1])
    client.force_login(participant)

    response = send(client, "put", support_url(ideas[2]))

    assert_refused(response, 409)
    assert "2" in response.json()["detail"]
    assert not Support.objects.filter(idea=ideas[2]).exists()
    # Another challenge has a budget of its own.
    assert send(client, "put", support_url(ideas[6])).status_code == 200


def test_it_answers_409_for_supporting_a_merged_idea(client, evaluation, organizer, participant, ideas):
    idea_services.idea_merge(actor=organizer, idea=ideas[1], target=ideas[0])
    client.force_login(participant)

    response = send(client, "put", support_url(ideas[1]))

    assert_refused(response, 409)
    assert not Support.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_answers_404_for_supports_on_hidden_missing_and_foreign_ideas(
    client, evaluation, organizer, participant, ideas, method
):
    content_hide(actor=organizer, idea=ideas[0], reason=REASON)
    other = make_edition(slug="elsewhere")
    client.force_login(participant)

    for url in (
        support_url(ideas[0]),
        f"{API}/{evaluation.slug}/ideas/999999/support",
        f"{API}/{evaluation.slug}/ideas/{10**30}/support",
        support_url(ideas[1], slug=other.slug),
    ):
        response = send(client, method, url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}
    assert not Support.objects.exists()


def test_it_limits_the_rate_of_supports_together_with_the_page(client, evaluation, participant, ideas):
    use_up(participant, SUPPORTS_GROUP, RATE_SUPPORTS)
    client.force_login(participant)

    response = send(client, "put", support_url(ideas[0]))

    assert_refused(response, 429)
    assert not Support.objects.exists()


# --- criteria -----------------------------------------------------------------------------------


def test_it_lists_the_criteria_of_a_panel(client, evaluation):
    response = client.get(criteria_url(evaluation))

    assert response.status_code == 200
    data = response.json()
    assert [c["key"] for c in data] == ["impact", "feasibility", "novelty", "sustainability"]
    # German first, like the pages.
    assert data[0] == {
        "key": "impact", "label": "Wirkung",
        "description": "Wie sehr würde sie das Leben oder Wirtschaften in der Stadt verbessern?", "weight": 1.0,
    }


def test_it_lists_only_the_juries_criteria_for_the_jury(client, evaluation):
    services.criteria_ensure_defaults(edition=evaluation)  # stored with the first rating
    # Organizers choose which panel rates by what in the admin; there is no service for it.
    Criterion.objects.filter(edition=evaluation, key="novelty").update(for_jury=False)

    jury = client.get(criteria_url(evaluation), {"panel": "jury"}).json()
    participants = client.get(criteria_url(evaluation), {"panel": "participants"}).json()

    assert [c["key"] for c in jury] == ["impact", "feasibility", "sustainability"]
    assert len(participants) == 4


def test_it_rejects_an_unknown_panel_and_edition(client, evaluation):
    assert assert_input_error(client.get(criteria_url(evaluation), {"panel": "nope"}), ["query", "panel"])
    assert client.get(f"{API}/nope/criteria").status_code == 404


# --- ratings ------------------------------------------------------------------------------------


def test_it_rates_and_answers_my_ratings(client, evaluation, participant, ideas):
    client.force_login(participant)

    first = send(client, "put", rating_url(ideas[0]), {"values": {"impact": 4, "novelty": 2}})
    second = send(client, "put", rating_url(ideas[0]), {"values": {"novelty": None, "feasibility": 5}})

    assert first.status_code == 200, first.content
    assert first.json() == {"values": {"impact": 4, "novelty": 2}}
    # Left out: kept; null: taken back.
    assert second.json() == {"values": {"impact": 4, "feasibility": 5}}
    assert client.get(rating_url(ideas[0])).json() == {"values": {"impact": 4, "feasibility": 5}}


def test_it_rates_the_same_way_however_often_asked(client, evaluation, participant, ideas):
    client.force_login(participant)

    for _ in range(3):
        assert send(client, "put", rating_url(ideas[0]), {"values": {"impact": 3}}).json() == {"values": {"impact": 3}}

    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "evaluation", 401),
        ("citizen", "evaluation", 403),
        ("organizer", "evaluation", 403),
        ("juror", "evaluation", 403),
        ("author", "evaluation", 403),
        ("participant", "evaluation", 200),
        ("participant", "ideation", 403),
        ("participant", "jury", 403),
    ],
)
def test_it_lets_only_participants_rate_during_evaluation(client, evaluation, organizer, ideas, who, phase, status,
                                                         request):
    move_to(evaluation, organizer, phase)
    sign_in(client, request, who)

    response = send(client, "put", rating_url(ideas[0]), {"values": {"impact": 4}})

    if status == 200:
        assert response.json() == {"values": {"impact": 4}}
    else:
        assert_refused(response, status)
    assert Rating.objects.count() == (1 if status == 200 else 0)


def test_it_refuses_ratings_of_ideas_when_participants_rate_prototypes(client, evaluation, organizer, participant,
                                                                      ideas):
    # Set before the teams app was removed, say: the service no longer accepts it.
    EvaluationSettings.objects.update_or_create(edition=evaluation, defaults={"participants_rate": "prototype"})
    client.force_login(participant)

    assert_refused(send(client, "put", rating_url(ideas[0]), {"values": {"impact": 4}}), 403)


@pytest.mark.parametrize(
    ("values", "loc"),
    [
        ({"impact": 6}, ["body", "payload", "values", "impact"]),
        ({"impact": 0}, ["body", "payload", "values", "impact"]),
        ({"impact": 2.5}, ["body", "payload", "values", "impact"]),
        ({"impact": "3"}, ["body", "payload", "values", "impact"]),
        ({"impact": True}, ["body", "payload", "values", "impact"]),
        ({"impact": [3]}, ["body", "payload", "values", "impact"]),
        ({"impact": 3, "nope": 3}, ["body", "payload", "values", "nope"]),
        ({"nul\x00": 3}, ["body", "payload", "values", "nul\x00"]),
        ({}, ["body", "payload", "values"]),
        ([4], ["body", "payload", "values"]),
        (None, ["body", "payload", "values"]),
        ({f"key{i}": 1 for i in range(51)}, ["body", "payload", "values"]),
    ],
)
def test_it_rejects_invalid_ratings_with_one_error_shape(client, evaluation, participant, ideas, values, loc):
    client.force_login(participant)

    response = send(client, "put", rating_url(ideas[0]), {"values": values})

    assert assert_input_error(response, loc)
    assert not Rating.objects.exists()


def test_it_names_the_missing_values(client, evaluation, participant, ideas):
    client.force_login(participant)

    assert assert_input_error(send(client, "put", rating_url(ideas[0]), {}), ["body", "payload", "values"])


@pytest.mark.parametrize("method", ["put", "get"])
def test_it_answers_404_for_ratings_of_hidden_merged_and_missing_ideas(
    client, evaluation, organizer, participant, ideas, method
):
    content_hide(actor=organizer, idea=ideas[0], reason=REASON)
    idea_services.idea_merge(actor=organizer, idea=ideas[1], target=ideas[2])
    client.force_login(participant)

    for url in (rating_url(ideas[0]), rating_url(ideas[1]), f"{API}/{evaluation.slug}/ideas/999999/rating",
                rating_url(ideas[2], slug="nope")):
        response = send(client, method, url, {"values": {"impact": 4}} if method == "put" else None)
        assert response.status_code == 404, url
    assert not Rating.objects.exists()


def test_it_shows_only_my_own_ratings(client, evaluation, participant, make_participant, ideas):
    services.rating_set(actor=make_participant(), kind="idea", target=ideas[0], panel="participants",
                        values={"impact": 1})
    client.force_login(participant)

    assert client.get(rating_url(ideas[0])).json() == {"values": {}}
    assert Client().get(rating_url(ideas[0])).status_code == 401


def test_it_limits_the_rate_of_ratings_together_with_the_page(client, evaluation, participant, ideas):
    use_up(participant, RATINGS_GROUP, RATE_RATINGS)
    client.force_login(participant)

    response = send(client, "put", rating_url(ideas[0]), {"values": {"impact": 4}})

    assert_refused(response, 429)
    assert not Rating.objects.exists()


# --- pairwise comparison ------------------------------------------------------------------------


def test_it_gives_a_pair_until_it_is_answered_then_the_next(client, evaluation, participant, ideas):
    client.force_login(participant)

    first = send(client, "post", next_url(evaluation))
    again = send(client, "post", next_url(evaluation))

    assert first.status_code == 200, first.content
    pair = first.json()
    assert again.json() == pair
    challenge_ideas = {idea.pk: idea for idea in ideas[:6]}
    assert pair["left"]["id"] != pair["right"]["id"]
    for side in ("left", "right"):
        idea = challenge_ideas[pair[side]["id"]]
        assert pair[side] == {"id": idea.pk, "title": idea.title, "challenge": "challenge-1",
                              "url": idea.get_absolute_url()}
    assert pair["compared"] == 0

    answer = send(client, "post", answer_url(evaluation, pair["id"]), {"outcome": "left"})
    following = send(client, "post", next_url(evaluation))

    assert answer.status_code == 200
    assert answer.json() == {"id": pair["id"], "outcome": "left"}
    assert following.json()["id"] != pair["id"]
    assert following.json()["compared"] == 1
    assert Comparison.objects.get(pk=pair["id"]).outcome == "left"


def test_it_answers_204_when_nothing_is_left_to_compare(client, evaluation, participant, ideas):
    client.force_login(participant)
    pair = send(client, "post", next_url(evaluation, "challenge-2")).json()  # two ideas: one pair
    send(client, "post", answer_url(evaluation, pair["id"]), {"outcome": "tie"})

    response = send(client, "post", next_url(evaluation, "challenge-2"))

    assert response.status_code == 204
    assert response.content == b""


def test_it_never_gives_me_my_own_ideas_to_compare(client, evaluation, author):
    client.force_login(author)

    assert send(client, "post", next_url(evaluation)).status_code == 204
    assert not Comparison.objects.exists()


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "evaluation", 401),
        ("citizen", "evaluation", 403),
        ("organizer", "evaluation", 403),
        ("juror", "evaluation", 403),
        ("participant", "evaluation", 200),
        ("participant", "ideation", 403),
        ("participant", "jury", 403),
    ],
)
def test_it_lets_only_participants_compare_during_evaluation(client, evaluation, organizer, ideas, who, phase, status,
                                                            request):
    move_to(evaluation, organizer, phase)
    sign_in(client, request, who)

    response = send(client, "post", next_url(evaluation))

    if status == 200:
        assert set(response.json()) == {"id", "left", "right", "compared"}
    else:
        assert_refused(response, status)
    assert Comparison.objects.count() == (1 if status == 200 else 0)


def test_it_answers_404_for_pairs_of_unknown_challenges(client, evaluation, participant):
    client.force_login(participant)

    assert send(client, "post", next_url(evaluation, "nope")).status_code == 404


def test_it_answers_404_for_someone_elses_or_a_missing_comparison(client, evaluation, participant, make_participant,
                                                                  ideas):
    other = make_participant()
    theirs = services.pair_next(actor=other, challenge=evaluation.challenges.first())
    mine = services.pair_next(actor=participant, challenge=evaluation.challenges.first())
    elsewhere = make_edition(slug="elsewhere")
    client.force_login(participant)

    for url in (answer_url(evaluation, theirs.pk), answer_url(evaluation, 999999), answer_url(evaluation, 10**30),
                answer_url(elsewhere, mine.pk)):
        response = send(client, "post", url, {"outcome": "left"})
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}
    assert not Comparison.objects.exclude(outcome="").exists()


def test_it_takes_the_same_answer_twice_but_not_another(client, evaluation, participant, ideas):
    pair = services.pair_next(actor=participant, challenge=evaluation.challenges.first())
    client.force_login(participant)

    first = send(client, "post", answer_url(evaluation, pair.pk), {"outcome": "right"})
    again = send(client, "post", answer_url(evaluation, pair.pk), {"outcome": "right"})
    other = send(client, "post", answer_url(evaluation, pair.pk), {"outcome": "left"})

    assert first.json() == again.json() == {"id": pair.pk, "outcome": "right"}
    assert assert_input_error(other, ["body", "payload", "outcome"])
    pair.refresh_from_db()
    assert pair.outcome == "right"


@pytest.mark.parametrize("body", [{"outcome": "up"}, {"outcome": ""}, {"outcome": None}, {}, {"outcome": ["left"]}])
def test_it_rejects_unknown_answers(client, evaluation, participant, ideas, body):
    pair = services.pair_next(actor=participant, challenge=evaluation.challenges.first())
    client.force_login(participant)

    assert assert_input_error(send(client, "post", answer_url(evaluation, pair.pk), body), ["body", "payload", "outcome"])
    pair.refresh_from_db()
    assert pair.outcome == ""


def test_it_refuses_answers_once_evaluation_is_over(client, evaluation, organizer, participant, ideas):
    pair = services.pair_next(actor=participant, challenge=evaluation.challenges.first())
    move_to(evaluation, organizer, "jury")
    client.force_login(participant)

    assert_refused(send(client, "post", answer_url(evaluation, pair.pk), {"outcome": "left"}), 403)
    pair.refresh_from_db()
    assert pair.outcome == ""


def test_it_limits_the_rate_of_comparisons_together_with_the_page(client, evaluation, participant, ideas):
    pair = services.pair_next(actor=participant, challenge=evaluation.challenges.first())
    use_up(participant, COMPARISONS_GROUP, RATE_COMPARISONS)
    client.force_login(participant)

    response = send(client, "post", answer_url(evaluation, pair.pk), {"outcome": "left"})

    assert_refused(response, 429)
    pair.refresh_from_db()
    assert pair.outcome == ""


# --- rankings -----------------------------------------------------------------------------------


def evaluate(edition, participant, make_participant, ideas) -> dict:
    """Supports, ratings and comparisons by a few people; returns what to expect."""
    challenge = edition.challenges.first()
    voters = [participant, make_participant(), make_participant()]
    for voter in voters:
        services.support_add(actor=voter, idea=ideas[1])
    services.support_add(actor=participant, idea=ideas[0])
    for voter, impact in zip(voters[:2], (5, 4), strict=True):
        services.rating_set(actor=voter, kind="idea", target=ideas[2], panel="participants",
                            values={"impact": impact, "novelty": 3})
    answered = 0
    for voter in voters:
        for _ in range(3):
            pair = services.pair_next(actor=voter, challenge=challenge)
            services.comparison_answer(actor=voter, pk=pair.pk, outcome="left")
            answered += 1
    return {"answered": answered}


def test_it_ranks_the_ideas_three_ways_once_rankings_are_public(client, evaluation, organizer, participant,
                                                               make_participant, ideas):
    expected = evaluate(evaluation, participant, make_participant, ideas)
    move_to(evaluation, organizer, "jury")

    response = client.get(rankings_url(evaluation))

    assert response.status_code == 200
    data = response.json()
    assert data["visible"] is True
    assert data["participants"] == 4  # the cast's participant, two more voters, the author
    assert data["comparisons"] == expected["answered"]
    assert [c["key"] for c in data["criteria"]] == ["impact", "feasibility", "novelty", "sustainability"]
    assert [row["idea"]["id"] for row in data["supports"][:2]] == [ideas[1].pk, ideas[0].pk]
    top = data["supports"][0]
    assert (top["supports"], top["share"]) == (3, 0.75)
    assert top["low"] < 0.75 < top["high"]
    assert top["idea"] == {"id": ideas[1].pk, "title": ideas[1].title, "challenge": "challenge-1",
                           "url": ideas[1].get_absolute_url()}
    rated = data["rating"][0]
    assert rated["idea"]["id"] == ideas[2].pk
    assert rated["raters"] == 2
    assert rated["criteria"] == {"impact": {"mean": 4.5, "n": 2}, "novelty": {"mean": 3.0, "n": 2}}
    assert all(row["score"] is None and row["raters"] == 0 for row in data["rating"][1:])
    assert sum(row["comparisons"] for row in data["pairwise"]) == 2 * expected["answered"]
    assert all(row["low"] <= row["score"] <= row["high"] for row in data["pairwise"])
    assert {len(data[method]) for method in ("supports", "rating", "pairwise")} == {6}


@pytest.mark.parametrize(
    ("who", "while_open", "visible"),
    [
        ("visitor", False, False),
        ("citizen", False, False),
        ("participant", False, False),
        ("author", False, False),
        ("juror", False, False),
        ("stranger_organizer", False, False),
        ("organizer", False, True),
        ("visitor", True, True),
        ("participant", True, True),
    ],
)
def test_it_hides_rankings_while_evaluation_is_open_unless_the_edition_shows_them(
    client, evaluation, organizer, participant, make_participant, ideas, who, while_open, visible, request
):
    evaluate(evaluation, participant, make_participant, ideas)
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=while_open)
    sign_in(client, request, who)

    response = client.get(rankings_url(evaluation))

    assert response.status_code == 200
    data = response.json()
    assert data["visible"] is visible
    assert data["participants"] == 4
    for method in ("supports", "rating", "pairwise"):
        assert (len(data[method]) == 6) is visible
    if not visible:
        # Not even the order leaks: no idea is named.
        body = response.content.decode()
        assert not any(idea.title in body for idea in ideas)
        assert "/ideas/" not in body


def test_it_answers_404_for_rankings_of_unknown_challenges_and_draft_editions(client, evaluation, participant):
    assert client.get(rankings_url(evaluation, "nope")).status_code == 404
    evaluation.status = "draft"
    evaluation.save()
    response = client.get(rankings_url(evaluation))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("who", "phase", "expected"),
    [("visitor", "jury", (13, 8)), ("participant", "jury", (15, 10)), ("organizer", "evaluation", (16, 11))],
)
def test_it_ranks_with_a_constant_number_of_queries(client, evaluation, organizer, participant, make_participant,
                                                   ideas, who, phase, expected, request):
    evaluate(evaluation, participant, make_participant, ideas)
    move_to(evaluation, organizer, phase)

    def queries_for(total: int) -> tuple[int, int]:
        # Bulk-created, as many ideas as it takes: they publish no live event, so the cached
        # rankings are cleared by hand (which signs everybody out).
        now = timezone.now()
        count = Idea.objects.filter(challenge__slug="challenge-1").count()
        Idea.objects.bulk_create([
            Idea(edition=evaluation, challenge=evaluation.challenges.first(), author=participant,
                 title=f"Weitere Idee {count + i}", body="Text", body_html="<p>Text</p>", created_at=now,
                 updated_at=now)
            for i in range(total - count)
        ])
        cache.clear()
        sign_in(client, request, who)
        with CaptureQueriesContext(connection) as cold:
            response = client.get(rankings_url(evaluation))
        assert response.json()["visible"] is True
        assert len(response.json()["pairwise"]) == total
        with CaptureQueriesContext(connection) as warm:
            client.get(rankings_url(evaluation))
        return len(cold), len(warm)

    few, many = queries_for(8), queries_for(60)

    # Warm: the edition with its program (4), the evaluation settings (are rankings public?),
    # the cache key (participants, the criteria, the live cursor); signed in, the session and
    # the user; while evaluation is open, whether they organize. Cold adds the ranking: the
    # ideas, the ratings, the answered comparisons, the voters' reliabilities, the count of
    # comparisons.
    assert few == many == expected


# --- the jury -----------------------------------------------------------------------------------


def test_it_lets_a_juror_score_in_the_jury_phase(client, jury_phase, juror, ideas):
    client.force_login(juror)

    response = send(client, "put", jury_url(ideas[0]), {"values": {"impact": 5, "feasibility": 2}})

    assert response.status_code == 200, response.content
    assert response.json() == {"values": {"impact": 5, "feasibility": 2}}
    assert set(Rating.objects.values_list("panel", flat=True)) == {"jury"}


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "jury", 401),
        ("citizen", "jury", 403),
        ("participant", "jury", 403),
        ("organizer", "jury", 403),
        ("juror", "jury", 200),
        ("juror", "evaluation", 403),
        ("juror", "results", 403),
    ],
)
def test_it_lets_only_jurors_score_during_the_jury_phase(client, evaluation, organizer, ideas, juror, who, phase,
                                                        status, request):
    move_to(evaluation, organizer, phase)
    sign_in(client, request, who)

    response = send(client, "put", jury_url(ideas[0]), {"values": {"impact": 4}})

    if status == 200:
        assert response.json() == {"values": {"impact": 4}}
    else:
        assert_refused(response, status)
    assert Rating.objects.count() == (1 if status == 200 else 0)


def test_it_lets_jurors_score_only_their_challenges_and_not_their_own_ideas(client, jury_phase, organizer, author,
                                                                          ideas):
    second = jury_phase.challenges.all()[1]
    assigned = make_user("assigned@example.org", display_name="Anna Assigned")
    services.jury_appoint(actor=organizer, edition=jury_phase, user=assigned, challenges=[second])
    services.jury_appoint(actor=organizer, edition=jury_phase, user=author)

    client.force_login(assigned)
    assert_refused(send(client, "put", jury_url(ideas[0]), {"values": {"impact": 4}}), 403)
    assert send(client, "put", jury_url(ideas[6]), {"values": {"impact": 4}}).status_code == 200
    client.force_login(author)
    assert_refused(send(client, "put", jury_url(ideas[6]), {"values": {"impact": 4}}), 403)
    assert Rating.objects.count() == 1


def test_it_answers_404_for_unknown_kinds_and_hidden_targets(client, jury_phase, organizer, juror, ideas):
    content_hide(actor=organizer, idea=ideas[0], reason=REASON)
    client.force_login(juror)

    for url in (jury_url(ideas[1], kind="nope"), jury_url(ideas[1], kind="prototype"), jury_url(ideas[0]),
                f"{API}/{jury_phase.slug}/jury/scores/idea/999999"):
        response = send(client, "put", url, {"values": {"impact": 4}})
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("values", "loc"),
    [
        ({"impact": 9}, ["body", "payload", "values", "impact"]),
        ({"nope": 3}, ["body", "payload", "values", "nope"]),
        ({}, ["body", "payload", "values"]),
    ],
)
def test_it_rejects_invalid_jury_scores(client, jury_phase, juror, ideas, values, loc):
    client.force_login(juror)

    assert assert_input_error(send(client, "put", jury_url(ideas[0]), {"values": values}), loc)
    assert not Rating.objects.exists()


def test_it_shows_the_jurys_progress_to_organizers(client, jury_phase, organizer, juror, ideas):
    services.rating_set(actor=juror, kind="idea", target=ideas[0], panel="jury",
                        values={"impact": 4, "feasibility": 4, "novelty": 4, "sustainability": 4})
    services.rating_set(actor=juror, kind="idea", target=ideas[1], panel="jury", values={"impact": 4})
    client.force_login(organizer)

    response = client.get(progress_url(jury_phase))

    assert response.status_code == 200
    # Done means scored on every criterion.
    assert response.json() == [{"juror": "Julia Juror", "assigned": 8, "done": 1}]


def test_it_shows_the_jurys_progress_with_a_constant_number_of_queries(client, jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.all()[1]
    services.criteria_ensure_defaults(edition=jury_phase)  # as after the first score
    client.force_login(organizer)

    def queries_for(jurors: int) -> int:
        for n in range(len(services.selectors.jury_members(jury_phase)), jurors):
            user = make_user(f"juror{n}@example.org", display_name=f"Juror {n}")
            services.jury_appoint(actor=organizer, edition=jury_phase, user=user, challenges=[second][: n % 2])
            services.rating_set(actor=user, kind="idea", target=ideas[6], panel="jury", values={"impact": 3})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(progress_url(jury_phase))
        assert len(response.json()) == jurors
        return len(captured)

    # The session, the user, the edition with its program (4), whether they organize; the
    # criteria, the settings, the complete scores, the items, the jurors and their challenges.
    assert queries_for(1) == queries_for(6) == 13


@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 401), ("citizen", 404), ("participant", 404), ("juror", 404), ("stranger_organizer", 404)],
)
def test_it_hides_the_jurys_progress_from_everyone_else(client, jury_phase, juror, who, status, request):
    sign_in(client, request, who)

    response = client.get(progress_url(jury_phase))

    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


# --- CSRF, privacy, junk, the schema ------------------------------------------------------------


WRITES = [
    ("put", "support", None),
    ("delete", "support", None),
    ("put", "rating", {"values": {"impact": 4}}),
    ("post", "next", None),
    ("post", "answer", {"outcome": "left"}),
]


def write_url(kind: str, edition, idea, participant) -> str:
    if kind == "support":
        return support_url(idea)
    if kind == "rating":
        return rating_url(idea)
    if kind == "next":
        return next_url(edition)
    return answer_url(edition, services.pair_next(actor=participant, challenge=edition.challenges.first()).pk)


@pytest.mark.parametrize(("method", "kind", "data"), WRITES)
def test_it_requires_the_csrf_token_with_a_session(evaluation, participant, ideas, method, kind, data):
    if kind == "support" and method == "delete":
        services.support_add(actor=participant, idea=ideas[0])
    url = write_url(kind, evaluation, ideas[0], participant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    before = (Support.objects.count(), Rating.objects.count(), Comparison.objects.count(),
              Comparison.objects.exclude(outcome="").count())

    refused = send(client, method, url, data)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert before == (Support.objects.count(), Rating.objects.count(), Comparison.objects.count(),
                      Comparison.objects.exclude(outcome="").count())
    # The token a page hands out (cookie) goes back in the header.
    assert client.get(f"/editions/{evaluation.slug}/").status_code == 200
    token = client.cookies["csrftoken"].value
    accepted = send(client, method, url, data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.content


def test_it_requires_the_csrf_token_for_jury_scores(jury_phase, juror, ideas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(juror)

    refused = send(client, "put", jury_url(ideas[0]), {"values": {"impact": 4}})

    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not Rating.objects.exists()


def test_it_checks_csrf_before_the_session(evaluation, ideas):
    response = send(Client(enforce_csrf_checks=True), "put", support_url(ideas[0]))

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    assert send(Client(), "put", support_url(ideas[0])).status_code == 401


def test_it_reads_without_a_csrf_token(evaluation, participant, ideas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    assert client.get(budget_url(evaluation)).status_code == 200
    assert client.get(rating_url(ideas[0])).status_code == 200


def test_it_never_shows_emails_or_user_ids(client, evaluation, organizer, participant, make_participant, author,
                                           juror, ideas):
    evaluate(evaluation, participant, make_participant, ideas)
    responses = []
    client.force_login(participant)
    responses += [
        client.get(budget_url(evaluation)),
        send(client, "put", support_url(ideas[3])),
        send(client, "delete", support_url(ideas[3])),
        send(client, "put", rating_url(ideas[3]), {"values": {"impact": 2}}),
        client.get(rating_url(ideas[3])),
        client.get(criteria_url(evaluation)),
    ]
    pair = send(client, "post", next_url(evaluation))
    responses += [pair, send(client, "post", answer_url(evaluation, pair.json()["id"]), {"outcome": "right"})]
    client.force_login(organizer)
    responses += [client.get(rankings_url(evaluation)), client.get(progress_url(evaluation))]
    move_to(evaluation, organizer, "jury")
    client.force_login(juror)
    responses.append(send(client, "put", jury_url(ideas[0]), {"values": {"impact": 3}}))

    forbidden_keys = {"email", "user", "user_id", "author", "author_id", "voter", "voter_id", "rater", "rater_id"}
    for response in responses:
        assert response.status_code == 200, response.content
        body = response.content.decode()
        assert "@" not in body
        assert not forbidden_keys & keys(response.json())
        for person in (participant, author, organizer):
            assert person.display_name not in body
    # The jury's progress names jurors by their public name, and nothing else about them.
    assert responses[-2].json() == [{"juror": "Julia Juror", "assigned": 8, "done": 0}]


@pytest.mark.parametrize("who", ["visitor", "participant", "juror"])
def test_it_never_answers_junk_with_a_server_error(client, evaluation, ideas, juror, who, request):
    sign_in(client, request, who)
    junk = ["not json", "", "[]", "null", '"x"', "1e999", '{"values": {"impact": 1e999}}', '{"values": {"": 1}}',
            '{"values": {"impact": {"$gt": 1}}}', '{"values": {"\\ud800": 1}}', '{"outcome": "\\u0000"}',
            '{"outcome": 1}', '{"values": [[]]}']
    base = f"{API}/{evaluation.slug}"
    urls = [support_url(ideas[0]), rating_url(ideas[0]), next_url(evaluation), f"{base}/comparisons/1",
            f"{base}/comparisons/{10**30}", f"{base}/ideas/{10**30}/rating", f"{base}/ideas/-1/support",
            f"{base}/jury/scores/idea/{ideas[0].pk}", f"{base}/jury/scores/x/{10**30}", rankings_url(evaluation, "-"),
            budget_url(evaluation, "x" * 300), f"{base}/jury/progress"]

    for url in urls:
        for body in junk:
            for method in ("put", "post", "delete"):
                response = getattr(client, method)(url, body, content_type="application/json")
                assert response.status_code < 500, (url, body, method)
        assert client.get(url).status_code < 500, url


def test_it_documents_the_evaluation_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    operations = {
        operation["operationId"]: (path, method, operation)
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    names = {
        "evaluation_budget", "evaluation_support", "evaluation_withdraw", "evaluation_criteria", "evaluation_rate",
        "evaluation_rating", "evaluation_pair_next", "evaluation_compare", "evaluation_rankings",
        "evaluation_jury_score", "evaluation_jury_progress",
    }
    assert names <= set(operations)
    assert {"ideas_list", "ideas_create", "editions_list"} <= set(operations)  # the others are still there
    base = "/api/v1/editions/{slug}"
    assert set(paths[base + "/ideas/{id}/support"]) == {"put", "delete"}
    assert set(paths[base + "/ideas/{id}/rating"]) == {"put", "get"}
    support = operations["evaluation_support"][2]
    assert {"200", "401", "403", "404", "409", "422", "429"} <= set(support["responses"])
    assert "409" in support["description"] and "X-CSRFToken" in support["description"]
    assert {"200", "204"} <= set(operations["evaluation_pair_next"][2]["responses"])
    assert {"200", "422"} <= set(operations["evaluation_rate"][2]["responses"])
    for name in names - {"evaluation_criteria", "evaluation_rankings"}:
        assert operations[name][2]["security"], name
        assert operations[name][2]["tags"] == ["evaluation"]
    for name in ("evaluation_criteria", "evaluation_rankings"):
        assert "security" not in operations[name][2]
    for schema in ("RankingsOut", "IdeaBriefOut", "SupportOut", "RatingIn", "PairOut"):
        assert schema in document["components"]["schemas"]
