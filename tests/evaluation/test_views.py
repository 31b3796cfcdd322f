"""The evaluation pages: the hub with supports, pairwise comparison, rating, rankings and the
links to them, for each role in and out of the evaluation phase."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpathon.editions.services import phase_set
from helpathon.evaluation import services
from helpathon.evaluation.models import Comparison, Rating, Support
from helpathon.ideas import services as idea_services
from helpathon.ideas.limits import RATE_COMPARISONS, RATE_SUPPORTS
from tests.factories import make_edition

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Assertions read the English source strings, whatever the German catalog says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def first(edition):
    return edition.challenges.order_by("order").first()


@pytest.fixture
def second(edition):
    return edition.challenges.order_by("order")[1]


def _hub(edition, challenge=None):
    if challenge is None:
        return f"/editions/{edition.slug}/evaluate/"
    return f"/editions/{edition.slug}/challenges/{challenge.slug}/evaluate/"


def _support_url(idea):
    return f"/editions/{idea.edition.slug}/ideas/{idea.pk}/support/"


def _compare(edition, challenge):
    return f"/editions/{edition.slug}/challenges/{challenge.slug}/compare/"


def _rankings(edition, challenge):
    return f"/editions/{edition.slug}/challenges/{challenge.slug}/rankings/"


def _rate(idea):
    return f"/editions/{idea.edition.slug}/ideas/{idea.pk}/rate/"


def _go_to(edition, organizer, kind):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))
    edition.refresh_from_db()


def _pending(user, challenge) -> Comparison:
    return Comparison.objects.get(voter=user, challenge=challenge, outcome="")


def _html(response) -> str:
    return response.content.decode()


def _text(html: str) -> str:
    """The visible text: no tags, plain spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html).replace("&nbsp;", " "))


# --- every page, every role, in and out of the phase ------------------------------------------

# (page, role, status in the evaluation phase, status in ideation)
MATRIX = [
    ("hub", "visitor", 200, 200), ("hub", "citizen", 200, 200), ("hub", "participant", 200, 200),
    ("hub", "author", 200, 200), ("hub", "organizer", 200, 200), ("hub", "juror", 200, 200),
    ("compare", "visitor", 302, 302), ("compare", "citizen", 403, 403), ("compare", "participant", 200, 403),
    ("compare", "author", 200, 403), ("compare", "organizer", 403, 403), ("compare", "juror", 403, 403),
    ("rankings", "visitor", 200, 200), ("rankings", "citizen", 200, 200), ("rankings", "participant", 200, 200),
    ("rankings", "author", 200, 200), ("rankings", "organizer", 200, 200), ("rankings", "juror", 200, 200),
    ("rate", "visitor", 302, 302), ("rate", "citizen", 403, 403), ("rate", "participant", 200, 403),
    ("rate", "author", 403, 403), ("rate", "organizer", 403, 403), ("rate", "juror", 403, 403),
]


@pytest.mark.parametrize("page, who, during, before", MATRIX)
def test_it_answers_each_role_in_and_out_of_the_phase(client, edition, organizer, ideas, first, page, who, during,
                                                      before, request):
    user = request.getfixturevalue(who)
    if who != "visitor":
        client.force_login(user)
    url = {"hub": _hub(edition, first), "compare": _compare(edition, first), "rankings": _rankings(edition, first),
           "rate": _rate(ideas[0])}[page]
    assert client.get(url).status_code == before  # `ideas` leaves the edition in ideation
    _go_to(edition, organizer, "evaluation")
    assert client.get(url).status_code == during


def test_it_tells_the_author_there_is_nothing_to_compare(client, evaluation, author, first):
    client.force_login(author)  # every idea of the challenge is theirs
    html = _html(client.get(_compare(evaluation, first)))
    assert "There are no pairs for you to compare here." in html
    assert not Comparison.objects.exists()


# --- the hub -----------------------------------------------------------------------------------


def test_it_shows_a_participant_the_budget_and_the_challenges_ideas(client, evaluation, participant, ideas, first):
    client.force_login(participant)
    response = client.get(_hub(evaluation, first))
    html = _html(response)
    assert response.status_code == 200
    assert "5 of 5 supports left" in html
    assert 'aria-live="polite"' in html
    for idea in ideas[:6]:
        assert idea.title in html
    assert "Zweite Idee" not in html
    assert html.count('aria-pressed="false"') == 6
    assert f"/challenges/{first.slug}/compare/" in html


def test_it_opens_the_first_challenge_and_switches_to_another(client, evaluation, participant, second):
    client.force_login(participant)
    first_html = _html(client.get(_hub(evaluation)))
    second_html = _html(client.get(_hub(evaluation, second)))
    assert "Idee Nummer 1" in first_html and "Zweite Idee 1" not in first_html
    assert "Zweite Idee 1" in second_html and "Idee Nummer 1" not in second_html
    current = rf'href="/editions/{evaluation.slug}/challenges/{second.slug}/evaluate/" aria-current="page"'
    assert re.search(current, second_html)


def test_it_marks_the_ideas_a_participant_supports(client, evaluation, participant, ideas, first):
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    html = _html(client.get(_hub(evaluation, first)))
    assert "4 of 5 supports left" in html
    assert html.count('aria-pressed="true"') == 1
    assert re.search(rf'id="support-button-{ideas[0].pk}"[^>]*aria-pressed="true"', html)


@pytest.mark.parametrize("who", ["visitor", "citizen", "organizer"])
def test_it_lets_others_read_along_without_controls(client, evaluation, first, who, request):
    user = request.getfixturevalue(who)
    if who != "visitor":
        client.force_login(user)
    response = client.get(_hub(evaluation, first))
    html = _html(response)
    assert response.status_code == 200
    assert "Idee Nummer 1" in html
    assert "support-button" not in html and "supports left" not in html
    assert "open to the confirmed participants" in html


def test_it_shows_the_author_their_ideas_without_a_support_button(client, evaluation, author, first):
    client.force_login(author)
    html = _html(client.get(_hub(evaluation, first)))
    assert html.count("Your idea") == 6
    assert "support-button" not in html
    assert "5 of 5 supports left" in html


def test_it_says_when_evaluation_opens_before_the_phase(client, edition, ideas, participant, first):
    client.force_login(participant)  # `ideas` left the edition in ideation
    html = _html(client.get(_hub(edition, first)))
    evaluation_phase = edition.phases.get(kind="evaluation")
    assert "Evaluation is not open at the moment." in html
    assert "The current phase is: Ideation." in html
    assert f"Evaluation opens with the phase “{evaluation_phase.display_title}”" in html
    assert "support-button" not in html


def test_it_answers_an_unknown_challenge_with_not_found(client, evaluation):
    assert client.get(f"/editions/{evaluation.slug}/challenges/nope/evaluate/").status_code == 404
    assert client.get("/editions/nope/evaluate/").status_code == 404


# --- supports ----------------------------------------------------------------------------------


def test_it_supports_with_a_plain_form_and_goes_back(client, evaluation, participant, ideas, first):
    client.force_login(participant)
    hub = _hub(evaluation, first)
    response = client.post(_support_url(ideas[0]), {"action": "add", "next": hub})
    assert response.status_code == 302 and response["Location"] == hub
    assert Support.objects.filter(user=participant, idea=ideas[0]).exists()
    html = _html(client.get(hub))
    assert f"You support “{ideas[0].title}”." in html
    assert "4 of 5 supports left" in html


def test_it_withdraws_with_a_plain_form(client, evaluation, participant, ideas, first):
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    response = client.post(_support_url(ideas[0]), {"action": "withdraw", "next": _hub(evaluation, first)}, follow=True)
    assert not Support.objects.filter(user=participant).exists()
    assert "You have withdrawn your support" in _html(response)


def test_it_toggles_with_htmx_and_updates_the_budget_out_of_band(client, evaluation, participant, ideas):
    client.force_login(participant)
    response = client.post(_support_url(ideas[0]), {"action": "add", "next": "/"}, headers=HTMX)
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert re.search(rf'<div class="support" id="support-{ideas[0].pk}">', html)
    assert 'aria-pressed="true"' in html and 'name="action" value="withdraw"' in html
    assert "1 support (yours included)<" in html
    assert '<div id="budget-box" hx-swap-oob="innerHTML">' in html
    assert "4 of 5 supports left" in html


def test_it_withdraws_with_htmx(client, evaluation, participant, ideas):
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    html = _html(client.post(_support_url(ideas[0]), {"action": "withdraw"}, headers=HTMX))
    assert 'aria-pressed="false"' in html and "0 supports" in html
    assert "5 of 5 supports left" in html
    assert not Support.objects.filter(user=participant).exists()


def test_it_explains_a_used_up_budget_after_a_plain_post(client, evaluation, organizer, participant, ideas, first):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    response = client.post(_support_url(ideas[1]), {"action": "add", "next": _hub(evaluation, first)}, follow=True)
    assert "You have used all 1 supports of this challenge." in _html(response)
    assert Support.objects.filter(user=participant).count() == 1


def test_it_explains_a_used_up_budget_in_the_htmx_fragment(client, evaluation, organizer, participant, ideas):
    services.settings_update(actor=organizer, edition=evaluation, support_budget=1)
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    response = client.post(_support_url(ideas[1]), {"action": "add"}, headers=HTMX)
    html = _html(response)
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert 'role="alert">You have used all 1 supports of this challenge.' in html
    assert 'aria-pressed="false"' in html
    assert "0 of 1 supports left" in html
    assert not Support.objects.filter(user=participant, idea=ideas[1]).exists()


def test_it_refuses_the_author_with_a_clear_sentence(client, evaluation, author, ideas):
    client.force_login(author)
    response = client.post(_support_url(ideas[0]), {"action": "add"})
    assert response.status_code == 403
    assert "You cannot evaluate your own idea." in _html(response)
    fragment = client.post(_support_url(ideas[0]), {"action": "add"}, headers=HTMX)
    assert fragment.status_code == 200 and "You cannot evaluate your own idea." in _html(fragment)
    assert not Support.objects.exists()


def test_it_refuses_a_citizen(client, evaluation, citizen, ideas):
    client.force_login(citizen)
    response = client.post(_support_url(ideas[0]), {"action": "add"})
    assert response.status_code == 403
    assert "Only confirmed participants of this edition can evaluate ideas." in _html(response)


def test_it_refuses_supports_outside_the_evaluation_phase(client, edition, participant, ideas):
    client.force_login(participant)  # still ideation
    response = client.post(_support_url(ideas[0]), {"action": "add"})
    assert response.status_code == 403
    assert "Evaluation is not open at the moment." in _html(response)
    assert not Support.objects.exists()


def test_it_sends_visitors_to_log_in_before_supporting(client, evaluation, ideas):
    response = client.post(_support_url(ideas[0]), {"action": "add"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_goes_back_only_to_pages_of_this_site(client, evaluation, participant, ideas, first):
    client.force_login(participant)
    response = client.post(_support_url(ideas[0]), {"action": "add", "next": "https://evil.example/"})
    assert response["Location"] == _hub(evaluation, first)


def test_it_rejects_an_unknown_support_action(client, evaluation, participant, ideas):
    client.force_login(participant)
    assert client.post(_support_url(ideas[0]), {"action": "steal"}).status_code == 400
    assert not Support.objects.exists()


def test_it_answers_a_foreign_idea_with_not_found(client, evaluation, participant, ideas):
    other = make_edition(slug="elsewhere")
    client.force_login(participant)
    assert client.post(f"/editions/{other.slug}/ideas/{ideas[0].pk}/support/", {"action": "add"}).status_code == 404


def test_it_limits_how_often_supports_change(client, evaluation, participant, ideas):
    client.force_login(participant)
    allowed = int(RATE_SUPPORTS.split("/")[0])
    for _ in range(allowed):
        assert client.post(_support_url(ideas[0]), {"action": "add"}).status_code == 302
    response = client.post(_support_url(ideas[0]), {"action": "add"})
    assert response.status_code == 429
    assert "You have changed your supports very often" in _html(response)


def test_it_shows_the_support_control_on_the_idea_page(client, evaluation, participant, ideas):
    client.force_login(participant)
    html = _html(client.get(ideas[0].get_absolute_url()))
    assert f'id="support-button-{ideas[0].pk}"' in html
    assert 'id="budget-box"' in html and "5 of 5 supports left" in html


# --- pairwise comparison -----------------------------------------------------------------------


def test_it_shows_a_participant_a_pair(client, evaluation, participant, first):
    client.force_login(participant)
    response = client.get(_compare(evaluation, first))
    html = _html(response)
    pending = _pending(participant, first)
    assert response.status_code == 200
    assert "Which of these two moves the city further?" in html
    assert f'This one<span class="visually-hidden">: {pending.left.title}</span>' in html
    assert f'This one<span class="visually-hidden">: {pending.right.title}</span>' in html
    assert "Can't decide" in html and "Skip" in html
    assert "You have compared 0 pairs." in html


def test_it_shows_the_same_pair_again_until_it_is_answered(client, evaluation, participant, first):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    client.get(_compare(evaluation, first))
    assert Comparison.objects.filter(voter=participant).count() == 1


def test_it_records_an_answer_and_moves_on_to_another_pair(client, evaluation, participant, first):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    shown = _pending(participant, first)
    response = client.post(f"{_compare(evaluation, first)}{shown.pk}/", {"outcome": "left"})
    assert response.status_code == 302 and response["Location"] == _compare(evaluation, first)
    shown.refresh_from_db()
    assert shown.outcome == "left"
    html = _html(client.get(_compare(evaluation, first)))
    following = _pending(participant, first)
    assert {following.left_id, following.right_id} != {shown.left_id, shown.right_id}
    assert "You have compared 1 pair." in html


def test_it_answers_with_htmx_by_swapping_the_comparison(client, evaluation, participant, first):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    shown = _pending(participant, first)
    response = client.post(f"{_compare(evaluation, first)}{shown.pk}/", {"outcome": "right"}, headers=HTMX)
    html = _html(response)
    following = _pending(participant, first)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('\n<section id="compare-region"') or '<section id="compare-region"' in html[:200]
    assert f"/compare/{following.pk}/" in html
    assert following.pk != shown.pk
    assert "You have compared 1 pair." in html


@pytest.mark.parametrize("outcome, counted", [("tie", 1), ("skip", 0)])
def test_it_counts_a_draw_but_not_a_skip(client, evaluation, participant, first, outcome, counted):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    shown = _pending(participant, first)
    client.post(f"{_compare(evaluation, first)}{shown.pk}/", {"outcome": outcome})
    shown.refresh_from_db()
    assert shown.outcome == outcome
    html = _html(client.get(_compare(evaluation, first)))
    assert f"You have compared {counted} pair" in html


def test_it_keeps_the_pair_when_the_answer_is_unknown(client, evaluation, participant, first):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    shown = _pending(participant, first)
    response = client.post(f"{_compare(evaluation, first)}{shown.pk}/", {"outcome": "both"}, follow=True)
    assert "Please choose one of the two ideas" in _html(response)
    assert _pending(participant, first).pk == shown.pk


def test_it_hides_someone_elses_comparison(client, evaluation, participant, make_participant, first):
    other = make_participant()
    comparison = services.pair_next(actor=other, challenge=first)
    client.force_login(participant)
    response = client.post(f"{_compare(evaluation, first)}{comparison.pk}/", {"outcome": "left"})
    assert response.status_code == 404
    comparison.refresh_from_db()
    assert comparison.outcome == ""


def test_it_thanks_when_every_pair_is_compared(client, evaluation, participant, second):
    client.force_login(participant)  # two ideas: one pair
    client.get(_compare(evaluation, second))
    client.post(f"{_compare(evaluation, second)}{_pending(participant, second).pk}/", {"outcome": "left"})
    html = _html(client.get(_compare(evaluation, second)))
    assert "You have compared every pair you can — thank you!" in html
    assert f"/challenges/{second.slug}/rankings/" in html


def test_it_sends_visitors_to_log_in_before_comparing(client, evaluation, first):
    response = client.get(_compare(evaluation, first))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_comparing_to_a_citizen(client, evaluation, citizen, first):
    client.force_login(citizen)
    response = client.get(_compare(evaluation, first))
    assert response.status_code == 403
    assert "Only confirmed participants of this edition can evaluate ideas." in _html(response)


def test_it_refuses_comparing_outside_the_phase(client, edition, ideas, participant, first):
    client.force_login(participant)
    response = client.get(_compare(edition, first))
    assert response.status_code == 403
    assert "Evaluation is not open at the moment." in _html(response)
    assert not Comparison.objects.exists()


def test_it_limits_how_many_pairs_are_answered(client, evaluation, participant, first):
    client.force_login(participant)
    client.get(_compare(evaluation, first))
    url = f"{_compare(evaluation, first)}{_pending(participant, first).pk}/"
    for _ in range(int(RATE_COMPARISONS.split("/")[0])):
        client.post(url, {"outcome": "skip"})  # a repeated answer changes nothing, but counts
    response = client.post(url, {"outcome": "skip"})
    assert response.status_code == 429
    assert "You have compared very many pairs" in _html(response)


# --- rating ------------------------------------------------------------------------------------


def test_it_shows_the_rating_form_on_the_idea_page(client, evaluation, participant, ideas):
    client.force_login(participant)
    html = _html(client.get(ideas[0].get_absolute_url()))
    assert 'id="rate"' in html
    assert "<legend><span class=\"criterion-label\">Impact</span>" in html
    assert "How much would it improve life or business in the city?" in html
    assert html.count('type="radio" name="impact"') == 5
    assert "very low" in html and "very high" in html
    assert "Save rating" in html


def test_it_fills_the_form_with_the_persons_own_ratings(client, evaluation, participant, ideas):
    services.rating_set(actor=participant, kind="idea", target=ideas[0], panel="participants", values={"impact": 4})
    client.force_login(participant)
    html = _html(client.get(_rate(ideas[0])))
    assert re.search(r'<input type="radio" name="impact" value="4"[^>]*checked', html)
    assert not re.search(r'<input type="radio" name="novelty" value="\d"[^>]*checked', html)


def test_it_saves_a_rating_and_says_so(client, evaluation, participant, ideas):
    client.force_login(participant)
    response = client.post(_rate(ideas[0]), {"impact": "5", "feasibility": "2"})
    assert response.status_code == 302 and response["Location"] == f"{ideas[0].get_absolute_url()}#rate"
    mine = dict(Rating.objects.filter(rater=participant).values_list("criterion__key", "value"))
    assert mine == {"impact": 5, "feasibility": 2}
    assert "Your rating has been saved." in _html(client.get(response["Location"]))


def test_it_shows_a_bad_value_next_to_its_criterion(client, evaluation, participant, ideas):
    client.force_login(participant)
    response = client.post(_rate(ideas[0]), {"impact": "7", "feasibility": "3"})
    html = _html(response)
    assert response.status_code == 200
    assert re.search(r'<fieldset class="criterion has-error" aria-describedby="id_impact_error">', html)
    assert 'id="id_impact_error">Please choose a value from 1 to 5.' in html
    assert not Rating.objects.exists()


def test_it_asks_for_at_least_one_criterion(client, evaluation, participant, ideas):
    client.force_login(participant)
    html = _html(client.post(_rate(ideas[0]), {}))
    assert "Please rate at least one criterion." in html
    assert not Rating.objects.exists()


def test_it_rates_with_htmx_and_returns_the_panel(client, evaluation, participant, ideas):
    client.force_login(participant)
    response = client.post(_rate(ideas[0]), {"novelty": "3"}, headers=HTMX)
    html = _html(response)
    assert response.status_code == 200 and "<html" not in html
    # The form, and the confirmation for the status line that stays in the page.
    assert html.lstrip().startswith('<div id="rate-body">')
    assert re.search(r'<div id="rate-status" hx-swap-oob="innerHTML">.*Your rating has been saved\.', html)
    assert re.search(r'name="novelty" value="3"[^>]*checked', html)


def test_it_tells_the_author_they_cannot_rate_their_own_idea(client, evaluation, author, ideas):
    client.force_login(author)
    html = _html(client.get(ideas[0].get_absolute_url()))
    assert "You cannot rate your own idea." in html
    assert 'type="radio"' not in html
    response = client.post(_rate(ideas[0]), {"impact": "5"})
    assert response.status_code == 403 and not Rating.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "citizen"])
def test_it_shows_no_rating_form_to_non_participants(client, evaluation, ideas, who, request):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    html = _html(client.get(ideas[0].get_absolute_url()))
    assert 'id="rate"' not in html and "support-button" not in html


def test_it_refuses_rating_outside_the_phase(client, edition, ideas, participant):
    client.force_login(participant)
    assert 'id="rate"' not in _html(client.get(ideas[0].get_absolute_url()))
    response = client.post(_rate(ideas[0]), {"impact": "5"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


# --- rankings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "participant"])
def test_it_hides_rankings_while_evaluation_is_open(client, evaluation, first, who, request):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    html = _html(client.get(_rankings(evaluation, first)))
    assert "The rankings are hidden while evaluation is open." in html
    assert "bandwagon effect" in html
    assert "<table" not in html


def test_it_shows_organizers_the_rankings_with_a_note(client, evaluation, organizer, first):
    client.force_login(organizer)
    html = _html(client.get(_rankings(evaluation, first)))
    assert html.count("<table") == 3
    assert "Only organizers see these rankings now." in html


def test_it_shows_rankings_while_open_when_the_edition_says_so(client, evaluation, organizer, participant, first):
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)
    client.force_login(participant)
    html = _html(client.get(_rankings(evaluation, first)))
    assert html.count("<table") == 3
    assert "Only organizers" not in html


def test_it_shows_everybody_the_rankings_after_evaluation(client, evaluation, organizer, first):
    _go_to(evaluation, organizer, "team_building")
    html = _html(client.get(_rankings(evaluation, first)))
    assert html.count("<table") == 3
    for caption in ("by supports", "by weighted rating", "by pairwise comparison"):
        assert caption in html
    assert "What do the ranges in brackets mean?" in html


def test_it_ranks_with_counts_and_intervals(client, evaluation, organizer, participant, make_participant, ideas, first):
    services.support_add(actor=participant, idea=ideas[2])
    rater = make_participant()
    services.rating_set(actor=rater, kind="idea", target=ideas[2], panel="participants", values={"impact": 5})
    services.rating_set(actor=participant, kind="idea", target=ideas[2], panel="participants", values={"impact": 3})
    _go_to(evaluation, organizer, "team_building")
    html = _html(client.get(_rankings(evaluation, first)))
    supports = html[html.index('id="by-supports"'):html.index('id="by-rating"')]
    rating = html[html.index('id="by-rating"'):html.index('id="by-pairs"')]
    # 3 participants (participant, author, rater): one supports idea 3, so 33 % with its interval.
    assert supports.index(ideas[2].title) < supports.index(ideas[0].title)
    assert "1 of 3" in supports
    assert re.search(r"33 % \(\d+–\d+ %\)", _text(supports))
    assert re.search(r"4\.0 \(\d\.\d–\d\.\d\)", _text(rating))
    assert 'class="interval"' in supports and 'aria-hidden="true"' in supports
    assert "not rated yet" in rating


def test_it_draws_intervals_with_unlocalized_numbers(client, evaluation, organizer, participant, ideas, first,
                                                     settings):
    services.support_add(actor=participant, idea=ideas[0])
    _go_to(evaluation, organizer, "team_building")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = _html(client.get(_rankings(evaluation, first)))
    xs = re.findall(r'x1="([^"]*)"', html)
    assert xs and all(re.fullmatch(r"\d+(\.\d)?", x) for x in xs)


# --- no personal data, links, query counts -----------------------------------------------------


def test_it_shows_no_email_address_on_the_evaluation_pages(client, evaluation, organizer, participant, ideas, first):
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)
    services.support_add(actor=participant, idea=ideas[0])
    client.force_login(participant)
    for url in (_hub(evaluation, first), _compare(evaluation, first), _rankings(evaluation, first),
                _rate(ideas[0]), ideas[0].get_absolute_url()):
        html = _html(client.get(url))
        assert "@example.org" not in html, url


def test_it_links_the_evaluation_from_the_edition_and_challenge_pages(client, evaluation, participant, first):
    client.force_login(participant)
    edition_html = _html(client.get(evaluation.get_absolute_url()))
    challenge_html = _html(client.get(first.get_absolute_url()))
    assert f'href="{_hub(evaluation)}"' in edition_html
    assert f'href="{_hub(evaluation, first)}"' in challenge_html
    # Rankings are hidden while evaluation is open, so no link to them yet.
    assert "/rankings/" not in edition_html and "/rankings/" not in challenge_html


def test_it_links_the_rankings_once_evaluation_is_over(client, evaluation, organizer, first):
    _go_to(evaluation, organizer, "team_building")
    html = _html(client.get(first.get_absolute_url()))
    assert f'href="{_rankings(evaluation, first)}"' in html
    assert "/evaluate/" not in html


def test_it_links_nothing_before_evaluation(client, edition, first):
    html = _html(client.get(edition.get_absolute_url()))
    assert "/evaluate/" not in html and "/rankings/" not in html and "/jury/" not in html


def _queries(client, url) -> int:
    cache.clear()  # the rankings are cached; measure building them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_ideas(edition, organizer, author, challenge, n):
    _go_to(edition, organizer, "ideation")
    made = [
        idea_services.idea_create(actor=author, challenge=challenge, title=f"Mehr {i}", body="Text") for i in range(n)
    ]
    _go_to(edition, organizer, "evaluation")
    return made


def test_it_keeps_the_hub_query_count_flat(client, evaluation, organizer, participant, author, ideas, second,
                                           django_assert_num_queries):
    services.support_add(actor=participant, idea=ideas[6])
    client.force_login(participant)
    url = _hub(evaluation, second)
    few = _queries(client, url)  # 2 ideas
    # session, user, edition + its challenges, phases and partners (4), evaluation settings,
    # the challenge's ideas, the participant role (once for every rule), supported ids and
    # the budget's count, the live banner's current announcements: 12, none per idea.
    assert few == 12
    more = _more_ideas(evaluation, organizer, author, second, 10)
    services.support_add(actor=participant, idea=more[3])
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_it_keeps_the_rankings_query_count_flat(client, evaluation, organizer, participant, author, ideas, second,
                                                django_assert_num_queries):
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)
    services.support_add(actor=participant, idea=ideas[6])
    services.rating_set(actor=participant, kind="idea", target=ideas[6], panel="participants", values={"impact": 4})
    services.comparison_answer(actor=participant, pk=services.pair_next(actor=participant, challenge=second).pk,
                               outcome="left")
    url = _rankings(evaluation, second)
    few = _queries(client, url)  # a visitor; 2 ideas
    # edition + its challenges, phases and partners (4), evaluation settings, the live cursor
    # (the cache key), the ideas, the participants' count, the criteria, ratings, answered
    # pairs, voter reliabilities, the count of answers, the live banner's current
    # announcements: 14, none per idea.
    assert few == 14
    more = _more_ideas(evaluation, organizer, author, second, 10)
    services.support_add(actor=participant, idea=more[0])
    services.rating_set(actor=participant, kind="idea", target=more[1], panel="participants", values={"impact": 2})
    cache.clear()
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200
