"""Open data of an edition: the page, the JSON (page and API), the ZIP of CSV files; what is in
it, what is left out, who may fetch it, and that it costs a fixed number of queries."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpathon.editions.models import Edition, Licence
from helpathon.evaluation import services as evaluation_services
from helpathon.ideas import services as idea_services
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from helpathon.results.opendata import TABLES
from helpathon.teams import services as team_services
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english_client(client):
    # Pseudonyms and "deleted account" are written in the reader's language.
    client.cookies["django_language"] = "en"

def _json(client, edition):
    response = client.get(reverse("results:open_data_json", kwargs={"slug": edition.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _api(client, edition):
    return client.get(f"/api/v1/editions/{edition.slug}/open-data")


def _zip(client, edition) -> zipfile.ZipFile:
    response = client.get(reverse("results:open_data_csv", kwargs={"slug": edition.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{edition.slug}-open-data.zip"' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


# --- content ---------------------------------------------------------------------------------


def test_it_holds_the_edition_its_licence_and_every_table(client, template):
    data = _json(client, template.edition)
    assert data["edition"]["slug"] == template.edition.slug
    assert data["edition"]["title"] == template.edition.title
    assert data["licence"] == {
        "id": "CC-BY-4.0", "name": Licence.CC_BY_4.label, "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert data["generated_at"]
    assert data["withheld"] == []
    for table in TABLES:
        assert isinstance(data[table], list), table


def test_it_lists_ideas_versions_links_and_comments(client, template, lineage):
    root, child = lineage
    data = _json(client, template.edition)
    assert [idea["id"] for idea in data["ideas"]] == [root.pk, child.pk]
    assert data["ideas"][1]["title"] == "Lastenrad-Hubs am Markt"
    assert data["ideas"][1]["challenge"] == child.challenge_id
    assert data["ideas"][1]["status"] == child.__class__.Status.IN_PROTOTYPING
    assert {(v["idea"], v["number"]) for v in data["idea_versions"]} == {(root.pk, 1), (child.pk, 1)}
    assert data["idea_links"] == [
        {"from": child.pk, "to": root.pk, "kind": "builds_on", "created_at": data["idea_links"][0]["created_at"]}
    ]
    [comment] = data["comments"]
    assert comment["idea"] == child.pk and comment["body"] == "Gute Idee, mit Ladestation!"


def test_it_names_people_who_agreed_and_pseudonymizes_the_others(client, template, participant, member):
    data = _json(client, template.edition)
    [team] = data["teams"]
    assert team["name"] == "Die Radler"
    assert team["members_count"] == 2
    assert team["named_members"] == ["Mia Member"]
    authors = {idea["author"] for idea in data["ideas"]}
    assert all(author.startswith("Participant ") for author in authors)
    assert "Paul Participant" not in json.dumps(data)


def test_it_lists_the_submitted_prototype_and_the_template_without_who_changed_it(
    client, template, organizer, submitted_team
):
    from helpathon.results.services import template_status_set

    template_status_set(actor=organizer, template=template, status="under_review", statement="Wir prüfen das.")
    data = _json(client, template.edition)
    [prototype] = data["prototypes"]
    assert prototype["team"] == submitted_team.pk
    assert prototype["status"] == "submitted"
    assert prototype["sections"]["solution"] == "Drei Lastenrad-Hubs mit Buchungssystem."
    [row] = data["templates"]
    assert row["id"] == template.pk and row["status"] == "under_review" and row["statement"] == "Wir prüfen das."
    assert [step["status"] for step in row["history"]] == ["received", "under_review"]
    assert all(set(step) == {"status", "statement", "status_date", "changed_at"} for step in row["history"])


def test_draft_prototypes_are_not_published(client, edition, go_to, lineage, participant):
    go_to("team_building")
    team = team_services.team_found(actor=participant, challenge=lineage[0].challenge, name="Noch geheim",
                                    ideas=lineage)
    go_to("prototyping")
    prototype = team_services.prototype_of(team)
    team_services.prototype_save(actor=participant, team=team, base_version=prototype.version,
                                 sections={"problem": "Entwurf, nicht öffentlich"})
    data = _json(client, edition)
    assert data["prototypes"] == []
    assert "Entwurf, nicht öffentlich" not in json.dumps(data)
    assert data["teams"][0]["name"] == "Noch geheim"


def test_hidden_ideas_and_comments_are_left_out(client, edition, organizer, lineage, idea_author):
    root, child = lineage
    reply = idea_services.comment_create(actor=idea_author, idea=root, body="Bitte verstecken")
    kept = idea_services.comment_create(actor=idea_author, idea=root, body="Bleibt sichtbar")
    content_hide(actor=organizer, comment=reply, reason="Beleidigend gegenüber anderen")
    content_hide(actor=organizer, idea=child, reason="Doppelt eingereicht, bitte zusammenführen")
    data = _json(client, edition)
    assert [idea["id"] for idea in data["ideas"]] == [root.pk]
    assert [v["idea"] for v in data["idea_versions"]] == [root.pk]
    assert data["idea_links"] == []
    assert [c["id"] for c in data["comments"]] == [kept.pk]
    text = json.dumps(data, ensure_ascii=False)
    assert "Bitte verstecken" not in text and "Lastenrad-Hubs am Markt" not in text


def test_a_deleted_account_appears_as_such(client, edition, lineage, idea_author):
    idea_author.deleted_at = timezone.now()
    idea_author.save(update_fields=["deleted_at"])
    data = _json(client, edition)
    assert data["ideas"][0]["author"] == "deleted account"
    assert data["comments"][0]["author"] == "deleted account"


def test_evaluations_are_totals_per_idea(client, edition, go_to, lineage, participant, member, idea_author):
    root, child = lineage
    go_to("evaluation")
    evaluation_services.support_add(actor=member, idea=root)
    evaluation_services.support_add(actor=participant, idea=root)
    evaluation_services.rating_set(actor=member, kind="idea", target=root, panel="participants",
                                   values={"impact": 4, "feasibility": 2})
    evaluation_services.rating_set(actor=participant, kind="idea", target=root, panel="participants",
                                   values={"impact": 5})
    go_to("results")
    data = _json(client, edition)
    row = next(r for r in data["evaluations"] if r["idea"] == root.pk)
    assert row["supports"] == 2
    assert row["raters"] == 2
    assert row["ratings"] == {"impact": {"mean": 4.5, "raters": 2}, "feasibility": {"mean": 2.0, "raters": 1}}
    assert {"key": "impact"}.items() <= data["criteria"][0].items()
    # No row names a person.
    assert all("user" not in r and "rater" not in r for r in data["evaluations"])
    archive = _zip(client, edition)
    [csv_row] = [r for r in _csv(archive, "evaluations.csv") if r["idea"] == str(root.pk)]
    assert csv_row["ratings.impact.mean"] == "4.5" and csv_row["ratings.impact.raters"] == "2"


def test_evaluations_are_withheld_while_rankings_are_hidden(client, edition, go_to, lineage, member):
    go_to("evaluation")
    evaluation_services.support_add(actor=member, idea=lineage[0])
    data = _json(client, edition)
    assert data["evaluations"] == []
    assert {"evaluations", "jury"} <= {item["table"] for item in data["withheld"]}


def test_jury_scores_are_totals_per_item_once_the_jury_is_done(client, edition, go_to, organizer, lineage):
    juror = make_user("judge.jury@example.org", display_name="Judith Jury")
    evaluation_services.jury_appoint(actor=organizer, edition=edition, user=juror)
    go_to("jury")
    evaluation_services.rating_set(actor=juror, kind="idea", target=lineage[0], panel="jury",
                                   values={"impact": 4, "feasibility": 4, "novelty": 4, "sustainability": 4})
    assert _json(client, edition)["jury"] == []
    go_to("results")
    [row] = _json(client, edition)["jury"]
    assert row["kind"] == "idea" and row["item"] == lineage[0].pk
    assert row["score"] == 4.0 and row["jurors"] == 1
    assert row["criteria"]["impact"] == {"mean": 4.0, "jurors": 1}


def test_the_api_answers_the_same_json(client, template):
    page = _json(client, template.edition)
    response = _api(client, template.edition)
    assert response.status_code == 200
    api = response.json()
    page.pop("generated_at"), api.pop("generated_at")
    assert api == page


# --- the ZIP -----------------------------------------------------------------------------------


def test_the_zip_has_a_csv_per_table_a_datapackage_and_a_readme(client, template):
    archive = _zip(client, template.edition)
    assert set(archive.namelist()) == {f"{t}.csv" for t in TABLES} | {"datapackage.json", "README.md"}
    package = json.loads(archive.read("datapackage.json"))
    assert package["licenses"] == [{
        "name": "CC-BY-4.0", "title": Licence.CC_BY_4.label, "path": "https://creativecommons.org/licenses/by/4.0/",
    }]
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {f"{t}.csv" for t in TABLES}
    # The described columns are the columns of the file.
    for path, resource in resources.items():
        header = next(csv.reader(io.StringIO(archive.read(path).decode("utf-8-sig"))))
        assert [f["name"] for f in resource["schema"]["fields"]] == header, path
    teams = _csv(archive, "teams.csv")
    assert teams[0]["name"] == "Die Radler" and teams[0]["named_members"] == "Mia Member"
    prototypes = _csv(archive, "prototypes.csv")
    assert prototypes[0]["sections.solution"] == "Drei Lastenrad-Hubs mit Buchungssystem."
    readme = archive.read("README.md").decode()
    assert "CC-BY-4.0" in readme and "https://creativecommons.org/licenses/by/4.0/" in readme


def test_csv_cells_do_not_run_as_formulas(client, edition, lineage, participant):
    idea_services.idea_create(actor=participant, challenge=lineage[0].challenge, title="=HYPERLINK(\"x\")",
                              body="@SUM(A1)")
    ideas = _csv(_zip(client, edition), "ideas.csv")
    row = next(r for r in ideas if "HYPERLINK" in r["title"])
    assert row["title"] == "'=HYPERLINK(\"x\")"
    assert row["body"] == "'@SUM(A1)"
    # The JSON keeps the text as written.
    assert any(idea["title"] == "=HYPERLINK(\"x\")" for idea in _json(client, edition)["ideas"])


def test_another_licence_is_in_every_format(client, template):
    edition = template.edition
    edition.licence = Licence.DL_DE_BY
    edition.save(update_fields=["licence"])
    url = "https://www.govdata.de/dl-de/by-2-0"
    assert _json(client, edition)["licence"] == {"id": "dl-de/by-2-0", "name": Licence.DL_DE_BY.label, "url": url}
    assert _api(client, edition).json()["licence"]["id"] == "dl-de/by-2-0"
    archive = _zip(client, edition)
    assert json.loads(archive.read("datapackage.json"))["licenses"][0]["name"] == "dl-de/by-2-0"
    readme = archive.read("README.md").decode()
    assert Licence.DL_DE_BY.label in readme and url in readme
    page = client.get(reverse("results:open_data", kwargs={"slug": edition.slug})).content.decode()
    assert Licence.DL_DE_BY.label in page and url in page


# --- the page ----------------------------------------------------------------------------------


def test_the_page_explains_the_files_fields_and_licence(client, template):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("results:open_data", kwargs={"slug": template.edition.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Open data</h1>" in page
    assert reverse("results:open_data_json", kwargs={"slug": template.edition.slug}) in page
    assert reverse("results:open_data_csv", kwargs={"slug": template.edition.slug}) in page
    assert f"/api/v1/editions/{template.edition.slug}/open-data" in page
    assert Licence.CC_BY_4.label in page and 'rel="license"' in page
    for table, (_description, fields) in TABLES.items():
        assert f"{table}.csv" in page
        for field in fields:
            assert f"<code>{field.name}</code>" in page
    assert '<th scope="col">' in page and '<th scope="row">' in page


# --- who may fetch it --------------------------------------------------------------------------


@pytest.fixture
def draft(edition):
    edition.status = Edition.Status.DRAFT
    edition.save(update_fields=["status"])
    return edition


@pytest.mark.parametrize("name", ["results:open_data", "results:open_data_json", "results:open_data_csv"])
def test_a_draft_is_not_found_except_by_its_organizers(client, draft, participant, organizer, name):
    url = reverse(name, kwargs={"slug": draft.slug})
    assert client.get(url).status_code == 404
    client.force_login(participant)
    assert client.get(url).status_code == 404
    client.force_login(organizer)
    assert client.get(url).status_code == 200


def test_the_api_hides_a_draft_too(client, draft, organizer):
    assert _api(client, draft).status_code == 404
    assert _api(client, draft).json() == {"detail": "Not Found"}
    client.force_login(organizer)
    assert _api(client, draft).status_code == 200


def test_an_unknown_edition_is_not_found(client, db):
    assert client.get(reverse("results:open_data_json", kwargs={"slug": "nope"})).status_code == 404
    assert client.get("/api/v1/editions/nope/open-data").status_code == 404


# --- cost --------------------------------------------------------------------------------------


def _fresh(ideas):
    from helpathon.ideas.models import Idea

    return list(Idea.objects.filter(pk__in=[i.pk for i in ideas]).order_by("pk"))


def _grow(edition, go_to, organizer, start: int, stop: int):
    """Ideas start..stop-1, each by its own participant, with a second version, a comment and a
    reply, a support and a rating by the next person, a comparison, a team with two members and
    a submitted prototype, and so an innovation template; a jury score for each idea."""
    challenge = edition.challenges.first()
    people = []
    for n in range(start, stop + 1):
        user = make_user(f"grow{n}@example.org", display_name=f"Grow {n}", named_in_results=n % 2 == 0)
        now = timezone.now()
        Registration.objects.create(edition=edition, user=user, status=Registration.Status.CONFIRMED,
                                    sector="science", role="student", consent_at=now, confirmed_at=now,
                                    email_confirmed_at=now)
        people.append(user)
    go_to("ideation")
    ideas = []
    for i, author in enumerate(people[:-1]):
        idea = idea_services.idea_create(actor=author, challenge=challenge, title=f"Idee {start + i}", body="Text",
                                         tags=["mobil"], builds_on=ideas[-1:])
        idea = idea_services.idea_update(actor=author, idea=idea, title=f"Idee {start + i} (neu)", body="Mehr",
                                         tags=["mobil"], note="mehr Text")
        comment = idea_services.comment_create(actor=people[i + 1], idea=idea, body="Frage")
        idea_services.comment_create(actor=author, idea=idea, body="Antwort", parent=comment)
        ideas.append(idea)
    go_to("evaluation")
    ideas = _fresh(ideas)  # objects loaded in an earlier phase remember it
    for i, idea in enumerate(ideas):
        evaluation_services.support_add(actor=people[i + 1], idea=idea)
        evaluation_services.rating_set(actor=people[i + 1], kind="idea", target=idea, panel="participants",
                                       values={"impact": 3})
    pair = evaluation_services.pair_next(actor=people[-1], challenge=challenge)
    if pair is not None:
        evaluation_services.comparison_answer(actor=people[-1], pk=pair.pk, outcome="left")
    go_to("team_building")
    ideas = _fresh(ideas)
    for i, idea in enumerate(ideas[::2]):
        lead, member = people[2 * i], people[2 * i + 1]
        team = team_services.team_found(actor=lead, challenge=challenge, name=f"Team {start + 2 * i}", ideas=[idea])
        request = team_services.join_request_create(actor=member, team=team)
        team_services.join_request_decide(actor=lead, request=request, accept=True)
    go_to("prototyping")
    for team in edition.teams.filter(prototype__isnull=True).select_related("edition", "challenge"):
        lead = team.memberships.get(role="lead").user
        prototype = team_services.prototype_of(team)
        team_services.prototype_save(actor=lead, team=team, base_version=prototype.version,
                                     sections={"problem": "Problem", "solution": "Lösung", "future_scenario": "2030"})
        team_services.prototype_submit(actor=lead, team=team)
    juror = make_user(f"juror{start}@example.org", display_name=f"Juror {start}")
    evaluation_services.jury_appoint(actor=organizer, edition=edition, user=juror)
    go_to("jury")
    for idea in _fresh(ideas):
        evaluation_services.rating_set(actor=juror, kind="idea", target=idea, panel="jury", values={"impact": 4})
    go_to("results")


@pytest.mark.parametrize("url", [
    "/editions/{slug}/open-data.json", "/editions/{slug}/open-data.zip", "/editions/{slug}/open-data/",
    "/api/v1/editions/{slug}/open-data",
])
def test_the_number_of_queries_does_not_grow_with_the_edition(client, edition, go_to, organizer, url):
    url = url.format(slug=edition.slug)
    _grow(edition, go_to, organizer, 0, 5)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    _grow(edition, go_to, organizer, 6, 31)
    assert edition.ideas.count() == 30
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 30
