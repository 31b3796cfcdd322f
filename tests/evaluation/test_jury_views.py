"""The jury's pages: the organizers' jury administration, results and CSV exports, and the
jurors' scoring page, for each role in and out of the jury phase."""

import csv
import io
import re

import pytest

from helpathon.evaluation import services
from helpathon.evaluation.models import JuryMember, Rating
from helpathon.ideas import services as idea_services
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _url(edition, rest=""):
    return f"/editions/{edition.slug}/jury/{rest}"


def _score_url(edition, idea):
    return _url(edition, f"score/idea/{idea.pk}/")


def _html(response) -> str:
    return response.content.decode()


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _score(juror, idea, **values):
    return services.rating_set(actor=juror, kind="idea", target=idea, panel="jury", values=values)


ALL = {"impact": 5, "feasibility": 4, "novelty": 3, "sustainability": 2}


# --- the organizers' page ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["citizen", "participant", "juror", "stranger_organizer"])
@pytest.mark.parametrize("page", ["", "results/", "export.csv"])
def test_it_does_not_exist_for_non_organizers(client, edition, who, page, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(edition, page)).status_code == 404


def test_it_sends_visitors_to_log_in(client, edition):
    response = client.get(_url(edition))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_jurors_with_email_and_progress(client, jury_phase, organizer, juror, ideas):
    _score(juror, ideas[0], **ALL)
    _score(juror, ideas[1], impact=3)  # not every criterion: not yet scored
    client.force_login(organizer)
    html = _html(client.get(_url(jury_phase)))
    assert "Julia Juror" in html and "juror@example.org" in html
    assert "1 of 8 scored" in html
    assert 'href="/editions/test-edition/jury/export.csv?by=juror"' in html
    assert "all challenges" in html


def test_it_appoints_a_juror_by_email_with_challenges(client, edition, organizer, citizen):
    second = edition.challenges.order_by("order")[1]
    client.force_login(organizer)
    response = client.post(_url(edition), {"email": "CITIZEN@example.org", "challenges": [second.pk]})
    assert response.status_code == 302
    member = JuryMember.objects.get(edition=edition, user=citizen)
    assert list(member.challenges.all()) == [second]
    assert "Cora Citizen is on the jury." in _html(client.get(_url(edition)))


def test_it_says_when_there_is_no_such_account(client, edition, organizer):
    client.force_login(organizer)
    response = client.post(_url(edition), {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert "There is no account with this email address." in _html(response)
    assert not JuryMember.objects.exists()


def test_it_rejects_a_challenge_of_another_edition(client, edition, organizer, citizen, stranger_organizer):
    from helpathon.editions.models import Challenge

    foreign = Challenge.objects.exclude(edition=edition).first()
    client.force_login(organizer)
    response = client.post(_url(edition), {"email": citizen.email, "challenges": [foreign.pk]})
    assert response.status_code == 400
    assert not JuryMember.objects.exists()


def test_it_changes_a_jurors_challenges(client, edition, organizer, juror):
    first = edition.challenges.order_by("order").first()
    member = JuryMember.objects.get(user=juror)
    client.force_login(organizer)
    client.post(_url(edition, f"{member.pk}/challenges/"), {"challenges": [first.pk]})
    assert list(member.challenges.all()) == [first]
    client.post(_url(edition, f"{member.pk}/challenges/"), {})
    assert list(member.challenges.all()) == []


def test_it_dismisses_a_juror(client, edition, organizer, juror):
    member = JuryMember.objects.get(user=juror)
    client.force_login(organizer)
    response = client.post(_url(edition, f"{member.pk}/dismiss/"), follow=True)
    assert not JuryMember.objects.exists()
    assert "Julia Juror is no longer on the jury." in _html(response)


def test_it_answers_a_member_of_another_edition_with_not_found(client, edition, organizer, stranger_organizer):
    from helpathon.editions.models import Edition

    other = Edition.objects.get(slug="other-edition")
    member = services.jury_appoint(actor=stranger_organizer, edition=other, user=make_user("x@example.org"))
    client.force_login(organizer)
    assert client.post(_url(edition, f"{member.pk}/dismiss/")).status_code == 404
    assert JuryMember.objects.filter(pk=member.pk).exists()


# --- the jurors' page --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["citizen", "participant", "organizer"])
def test_it_hides_the_scoring_page_from_non_jurors(client, jury_phase, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(jury_phase, "score/")).status_code == 404


def test_it_shows_a_juror_their_items_and_progress(client, jury_phase, juror, ideas):
    _score(juror, ideas[0], **ALL)
    client.force_login(juror)
    html = _html(client.get(_url(jury_phase, "score/")))
    assert "1 of 8 scored" in html
    for idea in ideas:
        assert idea.title in html
    assert html.count("Save score") == 8
    assert re.search(rf'name="idea-{ideas[0].pk}-impact" value="5"[^>]*checked', html)


def test_it_shows_a_juror_only_their_challenges(client, jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    services.jury_appoint(actor=organizer, edition=jury_phase, user=juror, challenges=[second])
    client.force_login(juror)
    html = _html(client.get(_url(jury_phase, "score/")))
    assert "0 of 2 scored" in html
    assert "Zweite Idee 1" in html and "Idee Nummer 1" not in html


def test_it_saves_a_jury_score(client, jury_phase, juror, ideas):
    client.force_login(juror)
    data = {f"idea-{ideas[0].pk}-{key}": value for key, value in ALL.items()}
    response = client.post(_score_url(jury_phase, ideas[0]), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/jury/score/#item-idea-{ideas[0].pk}")
    scores = dict(Rating.objects.filter(rater=juror, panel="jury").values_list("criterion__key", "value"))
    assert scores == ALL
    html = _html(client.get(response["Location"]))
    assert f"Your score of “{ideas[0].title}” has been saved." in html
    assert "1 of 8 scored" in html


def test_it_saves_a_jury_score_with_htmx(client, jury_phase, juror, ideas):
    client.force_login(juror)
    response = client.post(_score_url(jury_phase, ideas[1]), {f"idea-{ideas[1].pk}-impact": "2"}, headers=HTMX)
    html = _html(response)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith(f'<article class="card jury-item" id="item-idea-{ideas[1].pk}"')
    assert "Your score has been saved." in html
    assert "Not scored yet" in html  # one criterion of four


def test_it_shows_a_bad_jury_score_next_to_its_criterion(client, jury_phase, juror, ideas):
    client.force_login(juror)
    response = client.post(_score_url(jury_phase, ideas[0]), {f"idea-{ideas[0].pk}-impact": "0"})
    html = _html(response)
    assert response.status_code == 400
    assert f'id="id_idea-{ideas[0].pk}-impact_error">Please choose a value from 1 to 5.' in html
    assert not Rating.objects.exists()


def test_it_shows_items_read_only_outside_the_jury_phase(client, edition, ideas, juror):
    client.force_login(juror)  # ideation
    html = _html(client.get(_url(edition, "score/")))
    assert "Scoring is possible in the jury phase." in html
    assert "Save score" not in html and 'type="radio"' not in html
    assert "Idee Nummer 1" in html


def test_it_refuses_a_score_outside_the_jury_phase(client, edition, ideas, juror):
    client.force_login(juror)
    response = client.post(_score_url(edition, ideas[0]), {f"idea-{ideas[0].pk}-impact": "4"})
    assert response.status_code == 403
    assert "You cannot score this item now." in _html(response)
    assert not Rating.objects.exists()


def test_it_refuses_a_score_outside_the_jurors_challenges(client, jury_phase, organizer, juror, ideas):
    second = jury_phase.challenges.order_by("order")[1]
    services.jury_appoint(actor=organizer, edition=jury_phase, user=juror, challenges=[second])
    client.force_login(juror)
    response = client.post(_score_url(jury_phase, ideas[0]), {f"idea-{ideas[0].pk}-impact": "4"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_it_answers_an_unknown_item_kind_with_not_found(client, jury_phase, juror, ideas):
    client.force_login(juror)
    assert client.post(_url(jury_phase, f"score/spaceship/{ideas[0].pk}/"), {}).status_code == 404


# --- results and exports -----------------------------------------------------------------------


def test_it_shows_the_organizers_the_jury_results(client, jury_phase, organizer, juror, ideas):
    _score(juror, ideas[3], **ALL)
    client.force_login(organizer)
    html = _html(client.get(_url(jury_phase, "results/")))
    table = html[html.index("<tbody>"):]
    assert table.index(ideas[3].title) < table.index(ideas[0].title)
    # Equal weights: (5 + 4 + 3 + 2) / 4; one juror says nothing about the spread.
    assert "3.5 (1.0–5.0)" in re.sub(r"<[^>]+>", "", table)
    assert "not scored yet" in table


def test_it_exports_one_row_per_score(client, jury_phase, organizer, juror, ideas):
    _score(juror, ideas[0], impact=5, novelty=2)
    client.force_login(organizer)
    response = client.get(_url(jury_phase, "export.csv?by=juror"))
    rows = _csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert rows[0] == ["juror", "challenge", "item_id", "title", "criterion", "weight", "value", "updated_at", "on_jury"]
    assert [(r[0], r[2], r[3], r[4], r[6], r[8]) for r in rows[1:]] == [
        ("Julia Juror", str(ideas[0].pk), ideas[0].title, "Impact", "5", "yes"),
        ("Julia Juror", str(ideas[0].pk), ideas[0].title, "Novelty", "2", "yes"),
    ]
    assert "juror@example.org" not in response.content.decode()


def test_it_keeps_a_dismissed_jurors_scores_in_the_export_marked_as_such(client, jury_phase, organizer, juror, ideas):
    _score(juror, ideas[0], impact=5)
    services.jury_dismiss(actor=organizer, member=JuryMember.objects.get(user=juror))
    client.force_login(organizer)

    rows = _csv(client.get(_url(jury_phase, "export.csv?by=juror")))

    assert [(r[0], r[4], r[6], r[8]) for r in rows[1:]] == [("Julia Juror", "Impact", "5", "no")]


def test_it_exports_one_row_per_item(client, jury_phase, organizer, juror, make_participant, ideas):
    other = make_participant()
    services.jury_appoint(actor=organizer, edition=jury_phase, user=other)
    _score(juror, ideas[0], **ALL)
    _score(other, ideas[0], impact=3)
    client.force_login(organizer)
    rows = _csv(client.get(_url(jury_phase, "export.csv?by=item")))
    header = rows[0]
    assert header == ["challenge", "item_id", "title", "mean_impact", "mean_feasibility", "mean_novelty",
                      "mean_sustainability", "weighted_score", "jurors"]
    by_id = {row[1]: dict(zip(header, row)) for row in rows[1:]}
    assert len(by_id) == 8
    first = by_id[str(ideas[0].pk)]
    assert first["mean_impact"] == "4.0" and first["mean_novelty"] == "3.0"
    assert first["jurors"] == "2"
    assert by_id[str(ideas[1].pk)]["weighted_score"] == ""


def test_it_keeps_spreadsheets_from_running_exported_text(client, edition, organizer, author, make_participant):
    from helpathon.editions.services import phase_set

    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="ideation"))
    challenge = edition.challenges.order_by("order").first()
    idea = idea_services.idea_create(actor=author, challenge=challenge, title='=HYPERLINK("http://evil.example")')
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="jury"))
    sneaky = make_user("sneaky@example.org", display_name="@SUM(1+1)")
    services.jury_appoint(actor=organizer, edition=edition, user=sneaky)
    _score(sneaky, idea, impact=4)
    client.force_login(organizer)
    by_juror = _csv(client.get(_url(edition, "export.csv?by=juror")))[1]
    by_item = _csv(client.get(_url(edition, "export.csv?by=item")))[1]
    assert by_juror[0] == "'@SUM(1+1)"
    assert by_juror[3] == by_item[2] == "'" + idea.title
    assert by_juror[6] == "4"  # numbers stay numbers


def test_it_explains_an_unknown_export(client, edition, organizer):
    client.force_login(organizer)
    response = client.get(_url(edition, "export.csv?by=mood"))
    assert response.status_code == 400
    assert "by=juror or by=item" in response.content.decode()


def test_it_links_the_jury_pages_for_jurors_and_organizers(client, edition, organizer, juror, participant):
    client.force_login(juror)
    assert f'href="{_url(edition, "score/")}"' in _html(client.get(edition.get_absolute_url()))
    client.force_login(organizer)
    assert f'href="{_url(edition)}"' in _html(client.get(edition.get_absolute_url()))
    client.force_login(participant)
    assert "/jury/" not in _html(client.get(edition.get_absolute_url()))


JUNK = [
    {},
    {"action": "\x00", "outcome": ["left", "right"], "next": "javascript:alert(1)"},
    {"impact": "9" * 50, "novelty": "-1", "feasibility": "\x00", "nope": "3"},
    {"email": "x" * 5000, "challenges": ["99999999999999999999", "a", "-5"]},
]


@pytest.mark.parametrize("who", ["participant", "organizer", "juror"])
def test_it_never_answers_junk_with_a_server_error(client, evaluation, organizer, juror, participant, ideas, who,
                                                    request):
    from helpathon.evaluation.models import JuryMember

    first = evaluation.challenges.order_by("order").first()
    comparison = services.pair_next(actor=participant, challenge=first)
    member = JuryMember.objects.get(user=juror)
    client.force_login(request.getfixturevalue(who))
    base = f"/editions/{evaluation.slug}"
    posts = [
        f"{base}/ideas/{ideas[0].pk}/support/", f"{base}/ideas/{ideas[0].pk}/rate/",
        f"{base}/challenges/{first.slug}/compare/{comparison.pk}/", f"{base}/jury/",
        f"{base}/jury/{member.pk}/challenges/",
        f"{base}/jury/score/idea/{ideas[0].pk}/", f"{base}/ideas/99999999999999999999/support/",
    ]
    for url in posts:
        for data in JUNK:
            for headers in ({}, HTMX):
                assert client.post(url, data, headers=headers).status_code < 500, (url, data)
    for url in (f"{base}/jury/export.csv?by=%00", f"{base}/challenges/{first.slug}/rankings/?x=%00",
                f"{base}/jury/score/", f"{base}/evaluate/?page=-1"):
        assert client.get(url).status_code < 500, url
