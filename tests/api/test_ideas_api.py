"""The ideas API: /api/v1/editions/<slug>/ideas, one idea, and the writes (submit, edit, comment)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import services
from helpathon.ideas.models import Comment, Idea
from helpathon.moderation.services import content_hide
from helpathon.registrations.models import Registration
from tests.factories import make_user
from tests.ideas import conftest as ideas_fixtures

# The ideas tests' fixtures: `ideation` (the edition in its ideation phase) and `make_idea`.
ideation = ideas_fixtures.ideation
make_idea = ideas_fixtures.make_idea

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
REASON = "Werbung, die nichts mit der Herausforderung zu tun hat."


def list_url(edition) -> str:
    return f"/api/v1/editions/{edition.slug}/ideas"


def idea_url(idea) -> str:
    return f"/api/v1/editions/{idea.edition.slug}/ideas/{idea.pk}"


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def patch(client, url, data, **extra):
    return client.patch(url, json.dumps(data), content_type="application/json", **extra)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def other_participant(edition, email="other@example.org", display_name="Olli Other"):
    user = make_user(email, display_name=display_name)
    now = timezone.now()
    Registration.objects.create(
        edition=edition, user=user, status=Registration.Status.CONFIRMED, sector="science", role="student",
        consent_at=now, confirmed_at=now, email_confirmed_at=now,
    )
    return user


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))


def bulk_ideas(edition, author, n: int, start: int = 0) -> None:
    now = timezone.now()
    challenge = edition.challenges.first()
    Idea.objects.bulk_create([
        Idea(edition=edition, challenge=challenge, author=author, title=f"Idee Nummer {start + i}", body="Text",
             body_html="<p>Text</p>", created_at=now, updated_at=now, support_count=i % 7, comment_count=i % 5)
        for i in range(n)
    ])


def assert_input_error(response, loc: list) -> str:
    """A 422 in the one shape; returns the message for `loc`."""
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["detail"]
    assert all(set(error) >= {"type", "loc", "msg"} for error in errors), errors
    matching = [error["msg"] for error in errors if error["loc"] == loc]
    assert matching, errors
    return matching[0]


@pytest.fixture
def new_idea(ideation):
    return {"challenge": "challenge-1", "title": "Sitzbänke im Park", "body": "Mehr **Bänke**.", "tags": ["Park"]}


# --- list ---------------------------------------------------------------------------------------


def test_it_lists_visible_ideas_newest_first(client, ideation, participant, make_idea):
    first = make_idea("Erste Idee", tags=["verkehr", "rad"])
    second = make_idea("Zweite Idee", challenge=ideation.challenges.last())

    response = client.get(list_url(ideation))

    data = response.json()
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)
    assert [item["id"] for item in data["items"]] == [second.pk, first.pk]
    item = data["items"][1]
    assert item == {
        "id": first.pk, "title": "Erste Idee", "challenge": "challenge-1", "author": "Paul Participant",
        "status": "open", "tags": ["rad", "verkehr"], "support_count": 0, "comment_count": 0, "version": 1,
        "created_at": item["created_at"], "updated_at": item["updated_at"], "merged_into": None,
        "url": first.get_absolute_url(),
    }
    assert data["items"][0]["challenge"] == "challenge-2"


def test_it_never_lists_hidden_ideas(client, ideation, organizer, make_idea):
    idea = make_idea("Versteckte Idee")
    make_idea("Sichtbare Idee")
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(organizer)

    for params in ({}, {"q": "Idee"}, {"status": "open"}, {"sort": "random"}):
        assert titles(client.get(list_url(ideation), params)) == ["Sichtbare Idee"]


def test_it_filters_like_the_page(client, ideation, organizer, make_idea):
    bike = make_idea("Fahrradständer am Markt", tags=["parken"])
    light = make_idea("Ampel an der Kreuzung", tags=["ampel"], challenge=ideation.challenges.last())
    duplicate = make_idea("Ampel an der Kreuzung, nochmal")
    services.idea_merge(actor=organizer, idea=duplicate, target=light)
    url = list_url(ideation)

    assert titles(client.get(url, {"tag": "parken"})) == [bike.title]
    assert titles(client.get(url, {"challenge": "challenge-2"})) == [light.title]
    assert titles(client.get(url, {"q": "kreuz"})) == [light.title]
    # Merged duplicates show only when asked for.
    assert titles(client.get(url)) == [light.title, bike.title]
    merged = client.get(url, {"status": "merged"}).json()["items"]
    assert [(item["id"], item["merged_into"]) for item in merged] == [(duplicate.pk, light.pk)]


def test_it_sorts_like_the_page(client, ideation, participant, make_idea):
    quiet = make_idea("Leise Idee")
    loved = make_idea("Beliebte Idee")
    talked = make_idea("Diskutierte Idee")
    Idea.objects.filter(pk=loved.pk).update(support_count=9)
    Idea.objects.filter(pk=talked.pk).update(comment_count=4)
    url = list_url(ideation)

    assert titles(client.get(url, {"sort": "supported"}))[0] == loved.title
    assert titles(client.get(url, {"sort": "discussed"}))[0] == talked.title
    assert titles(client.get(url, {"sort": "new"})) == [talked.title, loved.title, quiet.title]


def test_it_shuffles_stably_for_a_seed(client, ideation, participant):
    bulk_ideas(ideation, participant, 40)
    url = list_url(ideation)

    first = titles(client.get(url, {"sort": "random", "seed": 123, "per_page": 40}))
    again = titles(client.get(url, {"sort": "random", "seed": 123, "per_page": 40}))
    other = titles(client.get(url, {"sort": "random", "seed": 999, "per_page": 40}))

    assert first == again
    assert first != other
    assert sorted(first) == sorted(other)


def test_it_paginates(client, ideation, participant):
    bulk_ideas(ideation, participant, 5)

    data = client.get(list_url(ideation), {"per_page": 2, "page": 3}).json()

    assert (data["count"], data["page"], data["pages"]) == (5, 3, 3)
    assert len(data["items"]) == 1
    assert len(client.get(list_url(ideation)).json()["items"]) == 5


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"sort": "evil"}, ["query", "sort"]),
        ({"status": "nope"}, ["query", "status"]),
        ({"seed": -5}, ["query", "seed"]),
        ({"seed": "x"}, ["query", "seed"]),
        ({"page": 0}, ["query", "page"]),
        ({"page": "abc"}, ["query", "page"]),
        ({"page": 10**30}, ["query", "page"]),
        ({"per_page": 0}, ["query", "per_page"]),
        ({"per_page": 101}, ["query", "per_page"]),
        ({"challenge": "nope"}, ["query", "challenge"]),
        ({"challenge": "a b"}, ["query", "challenge"]),
        ({"challenge": "\x00"}, ["query", "challenge"]),
        ({"tag": "\x00"}, ["query", "tag"]),
        ({"tag": "x" * 41}, ["query", "tag"]),
        ({"q": "\x00"}, ["query", "q"]),
        ({"q": "x" * 201}, ["query", "q"]),
    ],
)
def test_it_rejects_bad_filters_with_a_clear_error(client, ideation, params, loc):
    message = assert_input_error(client.get(list_url(ideation), params), loc)

    assert message


def test_it_reads_blank_filters_as_no_filter(client, ideation, participant, make_idea):
    make_idea()

    response = client.get(list_url(ideation), {"challenge": "", "status": "", "tag": "", "q": "", "sort": "",
                                               "seed": "", "page": "", "per_page": ""})

    assert response.json()["count"] == 1


def test_it_names_an_unknown_challenge(client, ideation):
    response = client.get(list_url(ideation), {"challenge": "nope"})

    assert "nope" in assert_input_error(response, ["query", "challenge"])


def test_it_answers_404_for_unknown_and_draft_editions(client, ideation):
    ideation.status = "draft"
    ideation.save()

    for slug in (ideation.slug, "no-such-edition"):
        response = client.get(f"/api/v1/editions/{slug}/ideas")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("sort", ["new", "supported", "random"])
def test_it_lists_with_a_constant_number_of_queries(client, ideation, participant, make_idea, signed_in, sort):
    if signed_in:
        client.force_login(participant)
    make_idea("Mit Schlagworten", tags=["verkehr", "rad"])

    def queries_for(total: int) -> int:
        bulk_ideas(ideation, participant, total - Idea.objects.count(), start=Idea.objects.count())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(list_url(ideation), {"sort": sort, "per_page": 100})
        assert len(response.json()["items"]) == total
        return len(captured)

    few, many = queries_for(5), queries_for(50)

    # The edition with its program (4); the count, the page, the page's tags; a session and its
    # user when signed in.
    assert few == many == (9 if signed_in else 7)


# --- detail -------------------------------------------------------------------------------------


def test_it_shows_an_idea_with_versions_links_and_comments(client, ideation, participant, organizer, make_idea):
    other = other_participant(ideation)
    base = make_idea("Grundidee")
    idea = make_idea("Weiterentwicklung", "Erster *Text*", tags=["rad"], builds_on=[base])
    follow_up = make_idea("Darauf aufbauend", author=other, builds_on=[idea])
    duplicate = make_idea("Doppelt")
    services.idea_merge(actor=organizer, idea=duplicate, target=idea)
    services.idea_update(actor=participant, idea=idea, title="Weiterentwicklung 2", body="Zweiter *Text*",
                         tags=["rad", "bahn"], note="Präziser")
    root = services.comment_create(actor=other, idea=idea, body="Gute **Idee**")
    reply = services.comment_create(actor=participant, idea=idea, body="Danke", parent=root)
    later = services.comment_create(actor=other, idea=idea, body="Noch etwas")

    response = client.get(idea_url(idea))

    assert response.status_code == 200
    data = response.json()
    assert data["id"] == idea.pk
    assert data["title"] == "Weiterentwicklung 2"
    assert data["body"] == "Zweiter *Text*"
    assert data["body_html"] == "<p>Zweiter <em>Text</em></p>\n"
    assert data["tags"] == ["bahn", "rad"]
    assert data["version"] == 2
    assert data["comment_count"] == 3
    assert data["hidden"] is False
    assert [(v["number"], v["title"], v["tags"], v["editor"], v["note"]) for v in data["versions"]] == [
        (2, "Weiterentwicklung 2", ["rad", "bahn"], "Paul Participant", "Präziser"),
        (1, "Weiterentwicklung", ["rad"], "Paul Participant", ""),
    ]
    assert data["versions"][1]["body"] == "Erster *Text*"
    assert data["links"] == {
        "builds_on": [{"id": base.pk, "title": base.title}],
        "built_upon_by": [{"id": follow_up.pk, "title": follow_up.title}],
        "merged_here": [{"id": duplicate.pk, "title": duplicate.title}],
    }
    assert [(c["id"], c["parent"], c["author"], c["body_html"]) for c in data["comments"]] == [
        (root.pk, None, "Olli Other", "<p>Gute <strong>Idee</strong></p>\n"),
        (reply.pk, root.pk, "Paul Participant", "<p>Danke</p>\n"),
        (later.pk, None, "Olli Other", "<p>Noch etwas</p>\n"),
    ]
    assert all(c["deleted"] is False and c["hidden"] is False and c["edited_at"] is None for c in data["comments"])


def test_it_keeps_deleted_and_hidden_comments_as_placeholders(client, ideation, participant, organizer, make_idea):
    idea = make_idea()
    deleted = services.comment_create(actor=participant, idea=idea, body="Zurückgezogen")
    hidden = services.comment_create(actor=participant, idea=idea, body="Beleidigend")
    services.comment_delete(actor=participant, comment=deleted)
    content_hide(actor=organizer, comment=hidden, reason=REASON)

    comments = client.get(idea_url(idea)).json()["comments"]

    assert [(c["author"], c["body_html"], c["deleted"], c["hidden"]) for c in comments] == [
        (None, None, True, False),
        (None, None, False, True),
    ]
    assert "Beleidigend" not in client.get(idea_url(idea)).content.decode()


def test_it_answers_404_for_hidden_unknown_and_foreign_ideas(client, ideation, organizer, citizen, make_idea):
    from tests.factories import make_edition

    hidden = make_idea()
    content_hide(actor=organizer, idea=hidden, reason=REASON)
    elsewhere = make_edition(slug="elsewhere")
    client.force_login(citizen)

    for url in (
        idea_url(hidden),
        f"{list_url(ideation)}/999999",
        f"{list_url(ideation)}/{10**30}",
        f"/api/v1/editions/{elsewhere.slug}/ideas/{hidden.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not Found"}


def test_it_shows_a_hidden_idea_to_moderators_as_the_page_does(client, ideation, organizer, make_idea):
    idea = make_idea()
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(organizer)

    response = client.get(idea_url(idea))

    assert response.status_code == 200
    assert response.json()["hidden"] is True


def test_it_names_the_imported_author_in_versions(client, ideation, organizer):
    idea = services.idea_create(
        actor=organizer, challenge=ideation.challenges.first(), title="Importierte Idee", author_name="Ida Import",
        check_permission=False,
    )

    response = client.get(idea_url(idea))

    data = response.json()
    assert data["author"] == "Ida Import"
    assert data["versions"][0]["editor"] == "Ida Import"
    assert organizer.display_name not in response.content.decode()


def test_it_returns_script_as_plain_text_and_sanitized_html(client, ideation, participant, make_idea):
    idea = make_idea(f"Titel {XSS}", f"Text {XSS} [klick](javascript:alert(1))", tags=["<b>tag</b>"])
    services.comment_create(actor=participant, idea=idea, body=XSS)

    data = client.get(idea_url(idea)).json()

    # JSON carries the title as the string it is; escaping is the rendering client's job.
    assert data["title"] == f"Titel {XSS}"
    assert data["tags"] == ["<b>tag</b>"]
    for html in (data["body_html"], data["comments"][0]["body_html"]):
        assert "<script" not in html
        assert "<img" not in html
        assert 'href="javascript:' not in html
        assert "&lt;script&gt;" in html
    listed = client.get(list_url(ideation)).json()["items"][0]
    assert listed["title"] == f"Titel {XSS}"


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_shows_the_detail_with_a_constant_number_of_queries(client, ideation, participant, make_idea, signed_in):
    if signed_in:
        client.force_login(participant)
    idea = make_idea(tags=["rad"])
    other = other_participant(ideation)
    url = idea_url(idea)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for index in range(20):
        root = services.comment_create(actor=other, idea=idea, body=f"Kommentar {index}")
        services.comment_create(actor=participant, idea=idea, body=f"Antwort {index}", parent=root)
        make_idea(f"Weitere Idee {index}", builds_on=[idea], tags=[f"t{index}"])
        services.idea_update(actor=participant, idea=idea, title=f"Fassung {index}", body="", tags=["rad", f"t{index}"])
    data = client.get(idea_url(idea)).json()
    assert (len(data["comments"]), len(data["versions"]), len(data["links"]["built_upon_by"])) == (40, 21, 20)

    # The edition with its program (4); the idea, its tags; the versions; its links out and in;
    # the comments. Signed in: the session, the user, and whether they moderate (organizer,
    # moderator).
    assert queries() == few == (14 if signed_in else 10)


def test_it_never_shows_emails_or_user_ids(client, ideation, participant, make_idea):
    other = other_participant(ideation)
    idea = make_idea()
    services.comment_create(actor=other, idea=idea, body="Gute Idee")
    client.force_login(participant)

    def keys(value) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    for response in (client.get(list_url(ideation)), client.get(idea_url(idea))):
        body = response.content.decode()
        assert "@" not in body
        assert not {"email", "user", "user_id", "author_id", "editor_id"} & keys(response.json())
        for person in (participant, other):
            assert person.email not in body


# --- create -------------------------------------------------------------------------------------


def test_it_lets_a_participant_submit_an_idea_in_ideation(client, ideation, participant, make_idea, new_idea):
    base = make_idea("Grundidee")
    client.force_login(participant)

    response = post(client, list_url(ideation), {**new_idea, "builds_on": [base.pk]})

    assert response.status_code == 201, response.content
    data = response.json()
    idea = Idea.objects.get(pk=data["id"])
    assert (idea.title, idea.author, idea.challenge.slug) == ("Sitzbänke im Park", participant, "challenge-1")
    assert data["author"] == "Paul Participant"
    assert data["tags"] == ["park"]
    assert data["body_html"] == "<p>Mehr <strong>Bänke</strong>.</p>\n"
    assert data["version"] == 1
    assert [v["number"] for v in data["versions"]] == [1]
    assert data["links"]["builds_on"] == [{"id": base.pk, "title": "Grundidee"}]
    assert data["comments"] == []


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "ideation", 401),
        ("citizen", "ideation", 403),
        ("organizer", "ideation", 403),
        ("participant", "ideation", 201),
        ("participant", "kickoff", 403),
        ("participant", "evaluation", 403),
        ("participant", None, 403),
    ],
)
def test_it_lets_only_participants_submit_during_ideation(client, edition, organizer, who, phase, status, request):
    if phase:
        move_to(edition, organizer, phase)
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))

    response = post(client, list_url(edition), {"challenge": "challenge-1", "title": "Eine neue Idee"})

    assert response.status_code == status, response.content
    if status >= 400:
        assert isinstance(response.json()["detail"], str)
        assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"title": "ab"}, ["body", "payload", "title"]),
        ({"title": "x" * 161}, ["body", "payload", "title"]),
        ({"body": "x" * 20_001}, ["body", "payload", "body"]),
        ({"tags": [f"tag{i}" for i in range(9)]}, ["body", "payload", "tags"]),
        ({"tags": ["a,b"]}, ["body", "payload", "tags"]),
        ({"challenge": "nope"}, ["body", "payload", "challenge"]),
        ({"builds_on": [999999]}, ["body", "payload", "builds_on"]),
        # Malformed input, as ninja reports it: the same shape.
        ({"title": None}, ["body", "payload", "title"]),
        ({"title": 5}, ["body", "payload", "title"]),
        ({"title": "Nul\x00Zeichen"}, ["body", "payload", "title"]),
        ({"body": "\ud800"}, ["body", "payload", "body"]),
        ({"tags": "rad"}, ["body", "payload", "tags"]),
        ({"builds_on": ["x"]}, ["body", "payload", "builds_on", 0]),
        ({"builds_on": [10**30]}, ["body", "payload", "builds_on", 0]),
    ],
)
def test_it_rejects_invalid_ideas_with_one_error_shape(client, ideation, participant, new_idea, change, loc):
    client.force_login(participant)

    response = post(client, list_url(ideation), {**new_idea, **change})

    assert assert_input_error(response, loc)
    assert not Idea.objects.exists()


def test_it_explains_what_is_wrong_in_the_services_words(client, ideation, participant, new_idea):
    from django.utils import translation

    client.force_login(participant)

    response = post(client, list_url(ideation), {**new_idea, "title": "ab"})

    # German is the default language, as on the pages.
    with translation.override("de"):
        expected = translation.gettext("Please give your idea a title of at least 3 characters.")
    assert assert_input_error(response, ["body", "payload", "title"]) == expected


def test_it_refuses_to_build_on_hidden_or_foreign_ideas(client, ideation, participant, organizer, make_idea, new_idea):
    hidden = make_idea("Versteckt")
    content_hide(actor=organizer, idea=hidden, reason=REASON)
    client.force_login(participant)

    response = post(client, list_url(ideation), {**new_idea, "builds_on": [hidden.pk]})

    assert f"#{hidden.pk}" in assert_input_error(response, ["body", "payload", "builds_on"])


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "organizer"])
def test_it_never_answers_junk_with_a_server_error(client, ideation, make_idea, who, request):
    idea = make_idea()
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    junk = ["not json", "", "[]", "null", '"x"', "1e999", '{"title": {"$gt": ""}}', '{"parent": 1e30}',
            '{"builds_on": [1.5]}', '{"tags": [[]]}', '{"base_version": -1}', '{"body": "\u0000"}']
    urls = [list_url(ideation), idea_url(idea), f"{idea_url(idea)}/comments", f"{list_url(ideation)}/{10**30}",
            f"{list_url(ideation)}/{10**30}/comments", f"{list_url(ideation)}/-1"]

    for url in urls:
        for body in junk:
            for send in (client.post, client.patch):
                response = send(url, body, content_type="application/json")
                assert response.status_code < 500, (url, body)
                if response.status_code != 405:  # PATCH on the list, POST on one idea
                    assert response["Content-Type"].startswith("application/json"), (url, body)
    assert client.post(list_url(ideation), "not json", content_type="application/json").status_code in (
        400, 401, 403,
    )


def test_it_limits_the_rate_of_ideas_together_with_the_page(client, ideation, participant, new_idea):
    # RATE_IDEAS is 10 in 10 minutes, for pages and API together.
    client.force_login(participant)
    for index in range(5):
        page = client.post(f"/editions/{ideation.slug}/ideas/new/",
                           {"challenge": ideation.challenges.first().pk, "title": f"Seitenidee {index}"})
        assert page.status_code == 302
    for index in range(5):
        assert post(client, list_url(ideation), {**new_idea, "title": f"API-Idee {index}"}).status_code == 201

    response = post(client, list_url(ideation), new_idea)

    assert response.status_code == 429
    assert isinstance(response.json()["detail"], str)
    assert Idea.objects.count() == 10


def test_it_requires_the_csrf_token_with_a_session(ideation, participant, new_idea):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    refused = post(client, list_url(ideation), new_idea)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not Idea.objects.exists()
    # The token a page hands out (cookie) goes back in the header.
    assert client.get(f"/editions/{ideation.slug}/ideas/new/").status_code == 200
    token = client.cookies["csrftoken"].value
    accepted = post(client, list_url(ideation), new_idea, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content
    wrong = post(client, list_url(ideation), new_idea, HTTP_X_CSRFTOKEN="x" * 32)
    assert wrong.status_code == 403


def test_it_checks_csrf_before_the_session(ideation, new_idea):
    # As documented: without a token a visitor is refused for CSRF (403), not asked to sign in.
    response = post(Client(enforce_csrf_checks=True), list_url(ideation), new_idea)

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    assert post(Client(), list_url(ideation), new_idea).status_code == 401


def test_it_checks_csrf_on_edits_and_comments_too(ideation, participant, make_idea):
    idea = make_idea()
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)

    assert patch(client, idea_url(idea), {"title": "Neuer Titel"}).status_code == 403
    assert post(client, f"{idea_url(idea)}/comments", {"body": "Hallo"}).status_code == 403
    idea.refresh_from_db()
    assert (idea.version, idea.comment_count) == (1, 0)


# --- update -------------------------------------------------------------------------------------


def test_it_lets_the_author_edit_in_ideation(client, ideation, participant, make_idea):
    base = make_idea("Grundidee")
    idea = make_idea(tags=["rad"])
    client.force_login(participant)

    response = patch(client, idea_url(idea), {
        "title": "Besserer Titel", "body": "Neuer *Text*", "tags": ["rad", "bahn"], "builds_on": [base.pk],
        "base_version": 1, "note": "Genauer",
    })

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["title"], data["body_html"], data["tags"], data["version"]) == (
        "Besserer Titel", "<p>Neuer <em>Text</em></p>\n", ["bahn", "rad"], 2,
    )
    assert data["versions"][0]["note"] == "Genauer"
    assert data["links"]["builds_on"] == [{"id": base.pk, "title": "Grundidee"}]


def test_it_keeps_what_a_partial_edit_leaves_out(client, ideation, participant, make_idea):
    base = make_idea("Grundidee")
    idea = make_idea("Alter Titel", "Alter Text", tags=["rad"], builds_on=[base])
    client.force_login(participant)

    data = patch(client, idea_url(idea), {"tags": ["rad", "bus"]}).json()

    assert (data["title"], data["body"], data["tags"], data["version"]) == (
        "Alter Titel", "Alter Text", ["bus", "rad"], 2,
    )
    assert data["links"]["builds_on"] == [{"id": base.pk, "title": "Grundidee"}]
    removed = patch(client, idea_url(idea), {"builds_on": []}).json()
    assert removed["links"]["builds_on"] == []
    assert removed["version"] == 2


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "ideation", 401),
        ("citizen", "ideation", 403),
        ("organizer", "ideation", 403),
        ("other", "ideation", 403),
        ("participant", "ideation", 200),
        ("participant", "evaluation", 403),
        ("participant", "results", 403),
    ],
)
def test_it_lets_only_the_author_edit_during_ideation(client, ideation, organizer, make_idea, who, phase, status,
                                                     request):
    idea = make_idea()
    move_to(ideation, organizer, phase)
    user = other_participant(ideation) if who == "other" else request.getfixturevalue(who)
    if who != "visitor":
        client.force_login(user)

    response = patch(client, idea_url(idea), {"title": "Fremder Titel", "base_version": 1})

    assert response.status_code == status, response.content
    idea.refresh_from_db()
    assert (idea.title == "Fremder Titel") is (status == 200)
    if status != 200:
        assert isinstance(response.json()["detail"], str)


def test_it_refuses_to_edit_a_merged_idea(client, ideation, participant, organizer, make_idea):
    idea = make_idea("Doppelt")
    services.idea_merge(actor=organizer, idea=idea, target=make_idea("Original"))
    client.force_login(participant)

    assert patch(client, idea_url(idea), {"title": "Neuer Titel"}).status_code == 403


def test_it_answers_404_for_editing_a_hidden_idea(client, ideation, participant, organizer, make_idea):
    idea = make_idea()
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(participant)

    response = patch(client, idea_url(idea), {"title": "Neuer Titel"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_it_answers_409_with_the_current_version_on_a_conflict(client, ideation, participant, make_idea):
    idea = make_idea("Erster Titel", "Erster Text", tags=["rad"])
    # Another tab of the author saved version 2 in the meantime.
    services.idea_update(actor=participant, idea=idea, title="Zweiter Titel", body="Zweiter *Text*", tags=["bus"],
                         base_version=1)
    client.force_login(participant)

    response = patch(client, idea_url(idea), {"title": "Dritter Titel", "base_version": 1})

    assert response.status_code == 409
    assert response.json() == {
        "detail": response.json()["detail"],
        "current": {"version": 2, "title": "Zweiter Titel", "body": "Zweiter *Text*",
                    "body_html": "<p>Zweiter <em>Text</em></p>\n", "tags": ["bus"]},
    }
    assert response.json()["detail"]
    idea.refresh_from_db()
    assert (idea.title, idea.version) == ("Zweiter Titel", 2)
    # Based on the current version, the edit goes through.
    assert patch(client, idea_url(idea), {"title": "Dritter Titel", "base_version": 2}).status_code == 200


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"title": "x"}, ["body", "payload", "title"]),
        ({"tags": ["x" * 41]}, ["body", "payload", "tags"]),
        ({"builds_on": [999999]}, ["body", "payload", "builds_on"]),
        ({"note": "x" * 201}, ["body", "payload", "note"]),
        ({"base_version": 0}, ["body", "payload", "base_version"]),
        ({"base_version": "eins"}, ["body", "payload", "base_version"]),
    ],
)
def test_it_rejects_invalid_edits(client, ideation, participant, make_idea, change, loc):
    idea = make_idea()
    client.force_login(participant)

    assert assert_input_error(patch(client, idea_url(idea), change), loc)
    idea.refresh_from_db()
    assert idea.version == 1


def test_it_refuses_an_idea_building_on_itself(client, ideation, participant, make_idea):
    idea = make_idea()
    client.force_login(participant)

    response = patch(client, idea_url(idea), {"builds_on": [idea.pk]})

    assert assert_input_error(response, ["body", "payload", "builds_on"])


# --- comments -----------------------------------------------------------------------------------


def comments_url(idea) -> str:
    return f"{idea_url(idea)}/comments"


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("visitor", "ideation", 401),
        ("citizen", "ideation", 403),
        ("organizer", "ideation", 403),
        ("participant", "ideation", 201),
        ("participant", "evaluation", 201),
        ("participant", "pitches", 403),
        ("participant", "results", 403),
    ],
)
def test_it_lets_participants_comment_while_the_phase_allows(client, ideation, organizer, make_idea, who, phase,
                                                            status, request):
    idea = make_idea()
    move_to(ideation, organizer, phase)
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))

    response = post(client, comments_url(idea), {"body": "Ich finde das *gut*."})

    assert response.status_code == status, response.content
    idea.refresh_from_db()
    assert idea.comment_count == (1 if status == 201 else 0)
    if status == 201:
        data = response.json()
        assert data == {
            "id": Comment.objects.get().pk, "parent": None, "author": "Paul Participant",
            "body_html": "<p>Ich finde das <em>gut</em>.</p>\n", "deleted": False, "hidden": False,
            "created_at": data["created_at"], "edited_at": None,
        }
    else:
        assert isinstance(response.json()["detail"], str)


def test_it_threads_replies_to_replies_under_the_first_comment(client, ideation, participant, make_idea):
    idea = make_idea()
    root = services.comment_create(actor=participant, idea=idea, body="Erster")
    reply = services.comment_create(actor=participant, idea=idea, body="Antwort", parent=root)
    client.force_login(participant)

    response = post(client, comments_url(idea), {"body": "Antwort auf die Antwort", "parent": reply.pk})

    assert response.status_code == 201
    assert response.json()["parent"] == root.pk


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"body": "   "}, ["body", "payload", "body"]),
        ({"body": "x" * 5001}, ["body", "payload", "body"]),
        ({"body": "Hallo", "parent": 999999}, ["body", "payload", "parent"]),
        ({}, ["body", "payload", "body"]),
        ({"body": "Hallo\x00"}, ["body", "payload", "body"]),
        ({"body": "Hallo", "parent": "x"}, ["body", "payload", "parent"]),
    ],
)
def test_it_rejects_invalid_comments(client, ideation, participant, make_idea, data, loc):
    idea = make_idea()
    client.force_login(participant)

    assert assert_input_error(post(client, comments_url(idea), data), loc)
    assert not Comment.objects.exists()


def test_it_refuses_replies_to_comments_on_other_ideas(client, ideation, participant, make_idea):
    idea, other = make_idea("Eine"), make_idea("Andere")
    elsewhere = services.comment_create(actor=participant, idea=other, body="Dort")
    client.force_login(participant)

    response = post(client, comments_url(idea), {"body": "Hallo", "parent": elsewhere.pk})

    assert assert_input_error(response, ["body", "payload", "parent"])


def test_it_answers_404_for_comments_on_hidden_ideas(client, ideation, participant, organizer, make_idea):
    idea = make_idea()
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(participant)

    assert post(client, comments_url(idea), {"body": "Hallo"}).status_code == 404


def test_it_limits_the_rate_of_comments_together_with_the_page(client, ideation, participant, make_idea):
    idea = make_idea()
    client.force_login(participant)
    for index in range(15):
        page = client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/comments/", {"body": f"Seite {index}"})
        assert page.status_code == 302
    for index in range(15):
        assert post(client, comments_url(idea), {"body": f"API {index}"}).status_code == 201

    response = post(client, comments_url(idea), {"body": "Einer zu viel"})

    assert response.status_code == 429
    assert isinstance(response.json()["detail"], str)
    assert Comment.objects.count() == 30


# --- the schema ---------------------------------------------------------------------------------


def test_it_documents_the_ideas_endpoints(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]

    base = "/api/v1/editions/{slug}/ideas"
    assert {base, base + "/{id}", base + "/{id}/comments"} <= set(paths)
    assert set(paths[base]) == {"get", "post"}
    assert set(paths[base + "/{id}"]) == {"get", "patch"}
    create, update = paths[base]["post"], paths[base + "/{id}"]["patch"]
    assert {"201", "401", "403", "404", "422", "429"} <= set(create["responses"])
    assert {"200", "401", "403", "404", "409", "422"} <= set(update["responses"])
    assert {"201", "401", "403", "404", "422", "429"} <= set(paths[base + "/{id}/comments"]["post"]["responses"])
    assert "X-CSRFToken" in create["description"]
    assert create["security"]
    assert "security" not in paths[base]["get"]
    listed = {p["name"] for p in paths[base]["get"]["parameters"]}
    assert {"challenge", "status", "tag", "q", "sort", "seed", "page", "per_page"} <= listed
    assert "ValidationErrorOut" in document["components"]["schemas"]
