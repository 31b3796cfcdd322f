"""The prototypes API: one team's prototype (public once submitted, a draft only for members,
mentors and organizers), saving with conflicts, submitting, and the public list, under
/api/v1/editions/<slug>/…"""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpathon.api.schemas import PrototypeSectionsIn
from helpathon.editions.services import phase_set
from helpathon.teams import services
from helpathon.teams.models import SECTION_FIELDS, Prototype, PrototypeDraft, PrototypeVersion
from tests.teams import conftest as team_fixtures
from tests.teams.test_uploads import picture

# The team tests' fixtures: English messages, `make_participant`, `author`, `ideas`,
# `team_building`, and `team` founded by `participant`.
_english = team_fixtures._english
make_participant = team_fixtures.make_participant
author = team_fixtures.author
ideas = team_fixtures.ideas
team_building = team_fixtures.team_building
team = team_fixtures.team


@pytest.fixture(autouse=True)
def _english_answers(client, settings):
    # The API speaks German unless asked otherwise (the language cookie, as on the pages);
    # these tests read the English source messages.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

pytestmark = pytest.mark.django_db

API = "/api/v1/editions"
FULL = {"problem": "Zu viele Autos", "solution": "Lastenräder leihen", "future_scenario": "Ruhige Straßen"}


def url(team, suffix="") -> str:
    return f"{API}/{team.edition.slug}/teams/{team.pk}/prototype{suffix}"


def send(client, method: str, address: str, data=None, **extra):
    body = "" if data is None else json.dumps(data)
    return getattr(client, method)(address, body, content_type="application/json", **extra)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=fresh(organizer), edition=fresh(edition), phase=edition.phases.get(kind=kind))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_refused(response, status: int) -> None:
    assert response.status_code == status, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def assert_input_error(response, loc: list) -> str:
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert all(set(error) >= {"type", "loc", "msg"} for error in errors), errors
    matching = [error["msg"] for error in errors if error["loc"][: len(loc)] == loc]
    assert matching, errors
    return matching[0]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def member(team, participant, make_participant):
    person = make_participant("Mia Member")
    request = services.join_request_create(actor=person, team=fresh(team))
    services.join_request_decide(actor=fresh(participant), request=request, accept=True)
    return person


@pytest.fixture
def prototyping(team, member, edition, organizer):
    move_to(edition, organizer, "prototyping")
    return fresh(team)


@pytest.fixture
def mentor(prototyping, organizer, citizen):
    services.mentor_appoint(actor=fresh(organizer), team=prototyping, user=citizen)
    return citizen


def submit(team, person):
    services.prototype_save(actor=fresh(person), team=fresh(team), sections=FULL, base_version=0)
    return services.prototype_submit(actor=fresh(person), team=fresh(team))


# --- reading ------------------------------------------------------------------------------------


def test_it_shows_a_submitted_prototype_to_everyone(client, prototyping, participant):
    submit(prototyping, participant)

    response = client.get(url(prototyping))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "team": prototyping.pk, "name": "Die Radler", "challenge": "challenge-1", "version": 1,
        "status": "submitted", "sections": {**dict.fromkeys(SECTION_FIELDS, ""), **FULL}, "pitch_url": "",
        "pitch_pdf_url": None, "images": [], "submitted_at": body["submitted_at"],
    }
    assert body["submitted_at"]


def test_it_shows_images_with_their_description(client, prototyping, participant):
    added = services.image_add(actor=fresh(participant), team=prototyping,
                               upload=SimpleUploadedFile("karte.png", picture("PNG")), alt="Karte des Viertels")
    submit(prototyping, participant)

    images = client.get(url(prototyping)).json()["images"]

    assert images == [{"id": added.pk, "alt": "Karte des Viertels", "width": 40, "height": 30,
                       "url": f"/editions/{prototyping.edition.slug}/teams/{prototyping.pk}/prototype/images/{added.pk}/"}]


@pytest.mark.parametrize("who", ["participant", "member", "mentor", "organizer"])
def test_it_shows_a_draft_to_the_team_its_mentors_and_organizers(request, prototyping, participant, who):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections={"problem": "Entwurf"},
                            base_version=0)

    response = logged_in(request.getfixturevalue(who)).get(url(prototyping))

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["sections"]["problem"]) == ("draft", "Entwurf")


@pytest.mark.parametrize("who", ["visitor", "citizen", "outsider", "stranger_organizer"])
def test_it_hides_a_draft_from_everyone_else(request, prototyping, participant, make_participant, who):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections={"problem": "Entwurf"},
                            base_version=0)
    client = Client()
    if who != "visitor":
        client.force_login(make_participant() if who == "outsider" else request.getfixturevalue(who))

    response = client.get(url(prototyping))

    assert_refused(response, 404)
    assert response.json() == client.get(f"{API}/{prototyping.edition.slug}/teams/{10**6}/prototype").json()


def test_it_shows_an_empty_draft_before_the_first_save_and_writes_nothing(prototyping, participant):
    response = logged_in(participant).get(url(prototyping))

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["status"]) == (0, "draft")
    assert not Prototype.objects.exists()


def test_it_answers_404_for_a_team_of_another_edition(client, prototyping, participant, stranger_organizer):
    submit(prototyping, participant)

    assert_refused(client.get(f"{API}/other-edition/teams/{prototyping.pk}/prototype"), 404)


def test_it_lists_only_submitted_prototypes(client, prototyping, participant, make_participant, ideas, organizer):
    move_to(prototyping.edition, organizer, "team_building")
    lead = make_participant()
    other = services.team_found(actor=lead, challenge=ideas[3].challenge, name="Zweites Team", ideas=[ideas[3]])
    move_to(prototyping.edition, organizer, "prototyping")
    services.prototype_save(actor=fresh(lead), team=fresh(other), sections={"problem": "Entwurf"}, base_version=0)
    submit(prototyping, participant)

    response = client.get(f"{API}/{prototyping.edition.slug}/prototypes")

    assert response.status_code == 200
    assert [(p["team"], p["status"]) for p in response.json()] == [(prototyping.pk, "submitted")]


def _many_submitted(edition, organizer, make_participant, ideas, count):
    move_to(edition, organizer, "team_building")
    leads = []
    for i in range(count):
        lead = make_participant()
        leads.append((lead, services.team_found(actor=lead, challenge=ideas[i % 3].challenge, name=f"Team {i}",
                                                ideas=[ideas[i % 3]])))
    move_to(edition, organizer, "prototyping")
    for lead, made in leads:
        services.image_add(actor=fresh(lead), team=fresh(made), upload=SimpleUploadedFile("a.png", picture("PNG")),
                           alt="Ein Bild")
        submit(made, lead)


@pytest.mark.parametrize("count", [1, 5])
def test_it_lists_prototypes_in_a_fixed_number_of_queries(client, team_building, organizer, make_participant, ideas,
                                                          django_assert_num_queries, count):
    _many_submitted(team_building, organizer, make_participant, ideas, count)
    client.get(f"{API}/{team_building.slug}/prototypes")  # warm up anything cached per process

    # 1. the edition, 2. its challenges, 3. its phases, 4. its partners (the program);
    # 5. the submitted prototypes with team and challenge, 6. their images
    with django_assert_num_queries(6):
        response = client.get(f"{API}/{team_building.slug}/prototypes")
    assert len(response.json()) == count
    assert all(len(p["images"]) == 1 for p in response.json())


# --- saving -------------------------------------------------------------------------------------


def test_it_saves_a_new_version(prototyping, member):
    response = send(logged_in(member), "put", url(prototyping),
                    {"sections": {"problem": "Neu"}, "base_version": 0, "note": "Anfang",
                     "pitch_url": "https://example.org/pitch"})

    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["sections"]["problem"]) == (1, "Neu")
    assert response.json()["pitch_url"] == "https://example.org/pitch"
    version = PrototypeVersion.objects.get()
    assert (version.editor_id, version.note) == (member.pk, "Anfang")


def test_it_answers_409_with_the_current_version_and_keeps_the_draft(prototyping, participant, member):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections={"problem": "Von Paul"},
                            base_version=0)

    response = send(logged_in(member), "put", url(prototyping), {"sections": {"problem": "Von Mia"}, "base_version": 0})

    assert response.status_code == 409, response.content
    from django.utils import translation

    with translation.override("de"):  # a fresh client: the API answers in German
        expected = translation.gettext("Someone else saved this prototype meanwhile")
    assert response.json() == {
        "detail": expected,
        "current": {"version": 1, "sections": {**dict.fromkeys(SECTION_FIELDS, ""), "problem": "Von Paul"}},
    }
    assert Prototype.objects.get().problem == "Von Paul"
    assert PrototypeDraft.objects.get(user=member).sections["problem"] == "Von Mia"


@pytest.mark.parametrize("who", ["mentor", "organizer", "outsider", "citizen"])
def test_it_refuses_saves_by_others_than_members(request, prototyping, make_participant, who):
    person = make_participant() if who == "outsider" else request.getfixturevalue(who)

    response = send(logged_in(person), "put", url(prototyping), {"sections": {"problem": "x"}, "base_version": 0})

    assert_refused(response, 403)
    assert not PrototypeVersion.objects.exists()


def test_it_refuses_saves_outside_prototyping(prototyping, edition, organizer, member):
    move_to(edition, organizer, "pitches")

    response = send(logged_in(member), "put", url(prototyping), {"sections": {"problem": "x"}, "base_version": 0})

    assert_refused(response, 403)


def test_it_asks_for_a_session(client, prototyping):
    assert_refused(send(client, "put", url(prototyping), {"sections": {}, "base_version": 0}), 401)


def test_it_refuses_saving_a_submitted_prototype(prototyping, participant):
    submit(prototyping, participant)

    response = send(logged_in(participant), "put", url(prototyping), {"sections": {"problem": "x"}, "base_version": 1})

    assert assert_input_error(response, ["body", "payload"])
    assert Prototype.objects.get().problem == FULL["problem"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"sections": {"problem": "x"}}, ["body", "payload", "base_version"]),
        ({"sections": {"problem": "x"}, "base_version": -1}, ["body", "payload", "base_version"]),
        ({"sections": {"title": "x"}, "base_version": 0}, ["body", "payload", "sections", "title"]),
        ({"sections": {"problem": 5}, "base_version": 0}, ["body", "payload", "sections", "problem"]),
        ({"sections": {"problem": "x" * 20_001}, "base_version": 0}, ["body", "payload", "sections", "problem"]),
        ({"sections": {"problem": "a\x00b"}, "base_version": 0}, ["body", "payload", "sections", "problem"]),
        ({"sections": [], "base_version": 0}, ["body", "payload", "sections"]),
        ({"sections": {}, "base_version": 0, "pitch_url": "javascript:alert(1)"}, ["body", "payload", "pitch_url"]),
        ({"sections": {}, "base_version": 0, "note": "n" * 201}, ["body", "payload", "note"]),
    ],
    ids=["no-base", "negative-base", "unknown-section", "number", "too-long", "nul", "list", "bad-link", "long-note"],
)
def test_it_answers_422_for_bad_input(prototyping, member, body, loc):
    response = send(logged_in(member), "put", url(prototyping), body)

    assert_input_error(response, loc)
    assert not PrototypeVersion.objects.exists()


def test_it_answers_400_for_a_body_that_is_not_json(prototyping, member):
    response = logged_in(member).put(url(prototyping), "{nope", content_type="application/json")

    assert_refused(response, 400)
    assert not PrototypeVersion.objects.exists()


# --- submitting ---------------------------------------------------------------------------------


def test_it_submits(prototyping, participant, member):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections=FULL, base_version=0)

    response = logged_in(member).post(url(prototyping, "/submit"))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert Prototype.objects.get().status == Prototype.Status.SUBMITTED


def test_it_names_the_missing_sections(prototyping, member):
    response = logged_in(member).post(url(prototyping, "/submit"))

    assert assert_input_error(response, ["body", "sections", "solution"])
    assert assert_input_error(response, ["body", "sections", "future_scenario"])
    assert Prototype.objects.get().status == Prototype.Status.DRAFT


@pytest.mark.parametrize("who", ["mentor", "organizer"])
def test_it_lets_only_members_submit(request, prototyping, participant, who):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections=FULL, base_version=0)

    assert_refused(logged_in(request.getfixturevalue(who)).post(url(prototyping, "/submit")), 403)
    assert Prototype.objects.get().status == Prototype.Status.DRAFT


def test_it_refuses_submitting_after_prototyping(prototyping, edition, organizer, participant):
    services.prototype_save(actor=fresh(participant), team=prototyping, sections=FULL, base_version=0)
    move_to(edition, organizer, "pitches")

    assert_refused(logged_in(participant).post(url(prototyping, "/submit")), 403)
    assert Prototype.objects.get().status == Prototype.Status.DRAFT


# --- CSRF, privacy, the document ------------------------------------------------------------------


def test_it_requires_the_csrf_token_with_a_session(prototyping, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    body = {"sections": {"problem": "x"}, "base_version": 0}

    refused = send(client, "put", url(prototyping), body)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not PrototypeVersion.objects.exists()
    assert client.get(f"/editions/{prototyping.edition.slug}/").status_code == 200
    accepted = send(client, "put", url(prototyping), body, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert accepted.status_code == 200, accepted.content


@pytest.mark.parametrize(("method", "suffix"), [("put", ""), ("post", "/submit")])
def test_it_checks_csrf_before_the_session(prototyping, method, suffix):
    response = send(Client(enforce_csrf_checks=True), method, url(prototyping, suffix), {})

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}


def test_it_sends_no_emails_and_shows_none(client, prototyping, participant, member):
    mail.outbox.clear()
    writer = logged_in(member)
    send(writer, "put", url(prototyping), {"sections": FULL, "base_version": 0})
    writer.post(url(prototyping, "/submit"))

    answers = [client.get(url(prototyping)).content, client.get(f"{API}/{prototyping.edition.slug}/prototypes").content]

    assert mail.outbox == []
    assert all(b"@" not in answer for answer in answers)


def test_it_accepts_exactly_the_prototype_sections():
    assert tuple(PrototypeSectionsIn.model_fields) == SECTION_FIELDS


def test_it_documents_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    operations = {
        operation["operationId"]: operation
        for methods in response.json()["paths"].values()
        for operation in methods.values()
    }
    names = {"prototypes_list", "prototypes_detail", "prototypes_save", "prototypes_submit"}
    assert names <= set(operations)
    assert all(operations[name]["tags"] == ["prototypes"] for name in names)
    assert {"200", "403", "409", "422"} <= set(operations["prototypes_save"]["responses"])


def test_it_links_images_and_slides_through_the_checking_view(prototyping, participant, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from pypdf import PdfWriter

    settings.MEDIA_ROOT = str(tmp_path)
    lead = fresh(participant)
    services.prototype_save(actor=lead, team=prototyping, sections={"problem": "P"}, base_version=0)
    picture, slides = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(picture, "PNG")
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(slides)
    services.image_add(actor=lead, team=prototyping, upload=SimpleUploadedFile("a.png", picture.getvalue()),
                       alt="Eine blaue Fläche")
    services.pitch_pdf_set(actor=lead, team=prototyping, upload=SimpleUploadedFile("p.pdf", slides.getvalue()))
    client = logged_in(lead)

    data = client.get(url(prototyping)).json()

    image = client.get(data["images"][0]["url"])
    pdf = client.get(data["pitch_pdf_url"])
    assert "/media/" not in data["images"][0]["url"] + data["pitch_pdf_url"]
    assert (image.status_code, image["Content-Type"], image["X-Content-Type-Options"]) == (200, "image/png", "nosniff")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert Client().get(data["images"][0]["url"]).status_code == 404  # a draft: not for the public
