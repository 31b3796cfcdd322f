"""The teams API: the list and one team (private fields only for members, mentors and
organizers), founding, requests, invitations, answers, leaving, editing and notes, under
/api/v1/editions/<slug>/…"""

import json

import pytest
from django.test import Client

from helpathon.editions.services import phase_set
from helpathon.teams import selectors, services
from helpathon.teams.models import JoinRequest, Membership, Team
from tests.teams import conftest as team_fixtures

# The team tests' fixtures: English messages, `make_participant`, `author`, `ideas` (three in
# challenge-1, one in challenge-2), `team_building`, and `team` founded by `participant`.
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


def teams_url(edition) -> str:
    return f"{API}/{edition.slug}/teams"


def team_url(team, suffix="") -> str:
    return f"{API}/{team.edition.slug}/teams/{team.pk}{suffix}"


def decide_url(edition, pk) -> str:
    return f"{API}/{edition.slug}/join-requests/{pk}"


def send(client, method: str, url: str, data=None, **extra):
    body = "" if data is None else json.dumps(data)
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))


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


def join(person, team, lead):
    request = services.join_request_create(actor=fresh(person), team=fresh(team))
    return services.join_request_decide(actor=fresh(lead), request=request, accept=True)


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


# --- reading ------------------------------------------------------------------------------------


def test_it_lists_the_teams(client, team, participant, ideas):
    response = client.get(teams_url(team.edition))

    assert response.status_code == 200
    assert response.json() == [{
        "id": team.pk, "name": "Die Radler", "challenge": "challenge-1", "description": "",
        "ideas": [{"id": ideas[0].pk, "title": "Teamidee 1"}],
        "members": [{"name": "Paul Participant", "role": "lead"}],
        "size": 1, "max_size": 6, "skills_needed": ["design", "recht"], "looking_for_members": True,
    }]


def test_it_counts_members_but_not_mentors(client, team, participant, organizer, citizen, make_participant):
    join(make_participant("Nina Neu"), team, participant)
    services.mentor_appoint(actor=organizer, team=team, user=citizen)

    listed = client.get(teams_url(team.edition)).json()[0]

    assert listed["size"] == 2
    assert listed["members"] == [
        {"name": "Paul Participant", "role": "lead"}, {"name": "Nina Neu", "role": "member"},
        {"name": "Cora Citizen", "role": "mentor"},
    ]


def _many_teams(edition, make_participant, ideas, count):
    for i in range(count):
        lead = make_participant()
        made = services.team_found(actor=lead, challenge=ideas[0].challenge, name=f"Team {i}", ideas=[ideas[i % 3]])
        join(make_participant(), made, lead)


@pytest.mark.parametrize("count", [2, 8])
def test_it_lists_teams_in_a_fixed_number_of_queries(client, team_building, make_participant, ideas,
                                                     django_assert_num_queries, count):
    _many_teams(team_building, make_participant, ideas, count)
    client.get(teams_url(team_building))  # warm up anything cached per process (content types, …)

    # 1. the edition, 2. its challenges, 3. its phases, 4. its partners (the program);
    # 5. the teams with challenge and edition, 6. their ideas, 7. their memberships with users;
    # 8. the team settings
    with django_assert_num_queries(8):
        response = client.get(teams_url(team_building))
    assert len(response.json()) == count


def test_it_answers_404_for_a_team_of_another_edition(client, team, stranger_organizer):
    assert_refused(client.get(f"{API}/other-edition/teams/{team.pk}"), 404)
    assert_refused(client.get(f"{API}/{team.edition.slug}/teams/{10**6}"), 404)


PRIVATE_ROLES = ["lead", "member", "mentor", "organizer"]
OUTSIDERS = ["visitor", "citizen", "outsider", "requester", "stranger_organizer"]


def _sign_in_as(client, request, team, who):
    participant, organizer = request.getfixturevalue("participant"), request.getfixturevalue("organizer")
    if who == "visitor":
        return
    if who == "lead":
        user = participant
    elif who == "member":
        user = request.getfixturevalue("make_participant")()
        join(user, team, participant)
    elif who == "mentor":
        user = request.getfixturevalue("citizen")
        services.mentor_appoint(actor=organizer, team=team, user=user)
    elif who in ("outsider", "requester"):
        user = request.getfixturevalue("make_participant")()
        if who == "requester":
            services.join_request_create(actor=user, team=team)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)


@pytest.mark.parametrize("who", PRIVATE_ROLES)
def test_it_shows_the_room_and_notes_to_the_team_and_organizers(client, request, team, participant, who):
    services.notes_update(actor=participant, team=team, notes="Treffen um 10")
    _sign_in_as(client, request, team, who)

    body = client.get(team_url(team)).json()

    assert body["room_url"] == selectors.room_url(fresh(team))
    assert body["notes"] == "Treffen um 10"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_it_hides_the_room_and_notes_from_outsiders(client, request, team, participant, who):
    services.notes_update(actor=participant, team=team, notes="Treffen um 10")
    _sign_in_as(client, request, team, who)

    response = client.get(team_url(team))

    assert (response.json()["room_url"], response.json()["notes"]) == (None, None)
    text = response.content.decode()
    assert selectors.room_name(fresh(team)) not in text and "Treffen" not in text and team.room_secret not in text


@pytest.mark.parametrize("who", OUTSIDERS + PRIVATE_ROLES)
def test_it_never_lists_the_room_or_notes(client, request, team, participant, who):
    services.notes_update(actor=participant, team=team, notes="Treffen um 10")
    _sign_in_as(client, request, team, who)

    response = client.get(teams_url(team.edition))

    assert not {"room_url", "notes"} & keys(response.json())
    assert selectors.room_name(fresh(team)) not in response.content.decode()
    assert "Treffen" not in response.content.decode()


# --- founding -----------------------------------------------------------------------------------


def found_payload(known, **changes):
    return {"challenge": "challenge-1", "name": "Neues Team", "ideas": [known[1].pk], "skills_needed": "Daten",
            **changes}


def test_it_founds_a_team(client, team_building, participant, ideas):
    client.force_login(participant)

    response = send(client, "post", teams_url(team_building), found_payload(ideas))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["members"], body["skills_needed"]) == (
        "Neues Team", [{"name": "Paul Participant", "role": "lead"}], ["daten"]
    )
    assert body["room_url"].startswith("https://meet.jit.si/helpathon-")
    assert Team.objects.get().created_by == participant


@pytest.mark.parametrize("who", ["citizen", "organizer"])
def test_it_refuses_founding_by_non_participants(client, request, team_building, ideas, who):
    client.force_login(request.getfixturevalue(who))

    assert_refused(send(client, "post", teams_url(team_building), found_payload(ideas)), 403)
    assert not Team.objects.exists()


@pytest.mark.parametrize("kind", ["ideation", "prototyping"])
def test_it_refuses_founding_outside_team_building(client, edition, organizer, participant, ideas, kind):
    move_to(edition, organizer, kind)
    client.force_login(participant)

    assert_refused(send(client, "post", teams_url(edition), found_payload(ideas)), 403)


def test_it_refuses_founding_without_a_session(client, team_building, ideas):
    assert_refused(send(client, "post", teams_url(team_building), found_payload(ideas)), 401)


@pytest.mark.parametrize(
    "changes, loc",
    [({"challenge": "nope"}, "challenge"), ({"ideas": [10**6]}, "ideas"), ({"ideas": []}, "ideas"),
     ({"name": "ab"}, "name"), ({"ideas": "x"}, "ideas"), ({"name": None}, "name")],
)
def test_it_rejects_bad_founding_input_in_the_one_shape(client, team_building, participant, ideas, changes, loc):
    client.force_login(participant)

    response = send(client, "post", teams_url(team_building), found_payload(ideas, **changes))

    assert_input_error(response, ["body", "payload", loc])


def test_it_refuses_an_idea_of_another_challenge(client, team_building, participant, ideas):
    client.force_login(participant)

    response = send(client, "post", teams_url(team_building), found_payload(ideas, ideas=[ideas[3].pk]))

    assert assert_input_error(response, ["body", "payload", "ideas"]) == "Choose visible ideas of this challenge."


# --- requests, invitations, answers -------------------------------------------------------------


def test_it_asks_to_join(client, team, make_participant):
    person = make_participant()
    client.force_login(person)

    response = send(client, "post", team_url(team, "/requests"), {"message": "Ich kann Design."})

    assert response.status_code == 200, response.content
    made = JoinRequest.objects.get()
    assert response.json() == {"id": made.pk, "team": team.pk, "kind": "request", "status": "pending"}


@pytest.mark.parametrize("who", ["citizen", "organizer"])
def test_it_refuses_requests_by_non_participants(client, request, team, who):
    client.force_login(request.getfixturevalue(who))

    assert_refused(send(client, "post", team_url(team, "/requests"), {}), 403)


def test_it_refuses_a_request_to_a_full_team(client, team, organizer, participant, make_participant):
    services.settings_update(actor=organizer, edition=team.edition, max_team_size=2)
    join(make_participant(), team, participant)
    client.force_login(make_participant())

    response = send(client, "post", team_url(team, "/requests"), {})

    assert assert_input_error(response, ["body", "payload"]) == "This team is full."


def test_it_lets_the_lead_accept_a_request(client, team, participant, make_participant):
    asked = services.join_request_create(actor=make_participant(), team=team)
    client.force_login(participant)

    response = send(client, "post", decide_url(team.edition, asked.pk), {"accept": True})

    assert response.json()["status"] == "accepted"
    assert selectors.team_size(team) == 2


def test_it_hides_a_request_from_other_members(client, team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)
    asked = services.join_request_create(actor=make_participant(), team=fresh(team))
    client.force_login(member)

    assert_refused(send(client, "post", decide_url(team.edition, asked.pk), {"accept": True}), 404)
    assert fresh(asked).status == "pending"


def test_it_lets_the_requester_withdraw_but_not_accept(client, team, make_participant):
    person = make_participant()
    asked = services.join_request_create(actor=person, team=team)
    client.force_login(person)

    assert_refused(send(client, "post", decide_url(team.edition, asked.pk), {"accept": True}), 403)
    response = send(client, "post", decide_url(team.edition, asked.pk), {"accept": False})

    assert response.json()["status"] == "withdrawn"


def test_it_rejects_a_decision_without_accept(client, team, participant, make_participant):
    asked = services.join_request_create(actor=make_participant(), team=team)
    client.force_login(participant)

    assert_input_error(send(client, "post", decide_url(team.edition, asked.pk), {}), ["body", "payload", "accept"])


def test_it_lets_the_lead_invite_by_email_without_echoing_it(client, team, participant, make_participant):
    person = make_participant()
    client.force_login(participant)

    response = send(client, "post", team_url(team, "/invitations"), {"email": person.email.upper()})

    assert response.status_code == 200, response.content
    assert "@" not in response.content.decode()
    invitation = JoinRequest.objects.get()
    assert (invitation.user, invitation.kind) == (person, "invite")


@pytest.mark.parametrize("email", ["nobody@example.org", "citizen@example.org"])
def test_it_answers_the_same_for_unknown_addresses_and_non_participants(client, team, participant, citizen, email):
    client.force_login(participant)

    response = send(client, "post", team_url(team, "/invitations"), {"email": email})

    message = assert_input_error(response, ["body", "payload", "email"])
    assert message == "Only confirmed participants of this edition can be invited."
    assert "@" not in response.content.decode()


def test_it_lets_only_the_lead_invite(client, team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)
    client.force_login(member)

    response = send(client, "post", team_url(team, "/invitations"), {"email": make_participant().email})

    assert_refused(response, 403)


def test_it_lets_the_invited_person_accept(client, team, participant, make_participant):
    person = make_participant()
    invitation = services.team_invite(actor=participant, team=team, user=person)
    client.force_login(person)

    response = send(client, "post", decide_url(team.edition, invitation.pk), {"accept": True})

    assert response.json()["status"] == "accepted"
    assert Membership.objects.filter(team=team, user=person, role="member").exists()


def test_it_hides_an_invitation_from_others(client, team, participant, make_participant):
    invitation = services.team_invite(actor=participant, team=team, user=make_participant())
    client.force_login(make_participant())

    assert_refused(send(client, "post", decide_url(team.edition, invitation.pk), {"accept": True}), 404)


def test_it_refuses_joining_after_prototyping(client, team, organizer, make_participant):
    move_to(team.edition, organizer, "pitches")
    client.force_login(make_participant())

    assert_refused(send(client, "post", team_url(team, "/requests"), {}), 403)


# --- leaving, editing, notes --------------------------------------------------------------------


def test_it_lets_a_lead_leave_and_hands_over(client, team, participant, make_participant):
    join(make_participant("Nina Neu"), team, participant)
    client.force_login(participant)

    response = client.delete(team_url(team, "/membership"))

    assert response.status_code == 204
    assert client.get(team_url(team)).json()["members"] == [{"name": "Nina Neu", "role": "lead"}]


def test_it_keeps_the_last_member_in(client, team, participant):
    client.force_login(participant)

    response = client.delete(team_url(team, "/membership"))

    assert_input_error(response, ["body", "payload"])
    assert selectors.team_size(team) == 1


def test_it_lets_members_update_the_team(client, team, participant):
    client.force_login(participant)

    response = send(client, "patch", team_url(team), {"looking_for_members": False, "skills_needed": "Daten"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["looking_for_members"], body["skills_needed"]) == ("Die Radler", False, ["daten"])


@pytest.mark.parametrize("who", ["visitor", "outsider", "mentor", "organizer"])
def test_it_refuses_updates_by_non_members(client, request, team, who):
    _sign_in_as(client, request, team, who)

    response = send(client, "patch", team_url(team), {"name": "Übernommen"})

    assert_refused(response, 401 if who == "visitor" else 403)
    assert fresh(team).name == "Die Radler"


def test_it_rejects_a_short_name(client, team, participant):
    client.force_login(participant)

    assert_input_error(send(client, "patch", team_url(team), {"name": "ab"}), ["body", "payload", "name"])


@pytest.mark.parametrize("who", PRIVATE_ROLES)
def test_it_lets_the_team_and_organizers_write_notes(client, request, team, who):
    _sign_in_as(client, request, team, who)

    response = send(client, "put", team_url(team, "/notes"), {"notes": "Treffen um 10"})

    assert response.json() == {"notes": "Treffen um 10"}
    assert fresh(team).notes == "Treffen um 10"


@pytest.mark.parametrize("who", ["citizen", "outsider", "requester", "stranger_organizer"])
def test_it_refuses_notes_by_outsiders(client, request, team, who):
    _sign_in_as(client, request, team, who)

    assert_refused(send(client, "put", team_url(team, "/notes"), {"notes": "Übernommen"}), 403)
    assert fresh(team).notes == ""


def test_it_rejects_notes_that_are_too_long(client, team, participant):
    client.force_login(participant)

    assert_input_error(send(client, "put", team_url(team, "/notes"), {"notes": "x" * 20_001}),
                       ["body", "payload", "notes"])


# --- CSRF, privacy, junk, the schema ------------------------------------------------------------


def test_it_requires_the_csrf_token_with_a_session(team, make_participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_participant())

    refused = send(client, "post", team_url(team, "/requests"), {})

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not JoinRequest.objects.exists()
    assert client.get(f"/editions/{team.edition.slug}/").status_code == 200
    accepted = send(client, "post", team_url(team, "/requests"), {}, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert accepted.status_code == 200, accepted.content


@pytest.mark.parametrize("method, suffix", [("post", ""), ("patch", "/1"), ("put", "/1/notes"), ("delete", "/1/membership")])
def test_it_checks_csrf_before_the_session(team_building, method, suffix):
    url = f"{teams_url(team_building)}{suffix}"

    response = send(Client(enforce_csrf_checks=True), method, url, {})

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}


def test_it_never_shows_emails_or_user_ids(client, team, participant, organizer, citizen, make_participant):
    person = make_participant()
    services.mentor_appoint(actor=organizer, team=team, user=citizen)
    responses = []
    client.force_login(participant)
    responses += [
        client.get(teams_url(team.edition)),
        client.get(team_url(team)),
        send(client, "post", team_url(team, "/invitations"), {"email": person.email}),
        send(client, "patch", team_url(team), {"description": "Wir bauen"}),
        send(client, "put", team_url(team, "/notes"), {"notes": "Notiz"}),
    ]
    client.force_login(person)
    invitation = JoinRequest.objects.get(user=person)
    responses.append(send(client, "post", decide_url(team.edition, invitation.pk), {"accept": True}))

    for response in responses:
        assert response.status_code == 200, response.content
        assert "@" not in response.content.decode()
        assert not {"email", "user", "user_id", "created_by"} & keys(response.json())


@pytest.mark.parametrize("who", ["visitor", "participant"])
def test_it_never_answers_junk_with_a_server_error(client, request, team, who):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))
    junk = ["not json", "", "[]", "null", '"x"', "1e999", '{"name": "\\u0000"}', '{"notes": "\\ud800"}',
            '{"accept": "maybe"}', '{"email": ["x"]}', '{"ideas": [1e999]}', '{"ideas": [99999999999]}',
            '{"challenge": "\\u0000", "name": "abc", "ideas": [1]}']
    base = f"{API}/{team.edition.slug}"
    urls = [teams_url(team.edition), team_url(team), team_url(team, "/requests"), team_url(team, "/invitations"),
            team_url(team, "/notes"), team_url(team, "/membership"), f"{base}/join-requests/1",
            f"{base}/join-requests/{10**30}", f"{base}/teams/{10**30}", f"{base}/teams/-1/notes"]

    for url in urls:
        for body in junk:
            for method in ("put", "post", "patch", "delete"):
                response = getattr(client, method)(url, body, content_type="application/json")
                assert response.status_code < 500, (url, body, method, response.content)
        assert client.get(url).status_code < 500, url


def test_it_documents_the_team_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    operations = {
        operation["operationId"]: operation
        for methods in response.json()["paths"].values()
        for operation in methods.values()
    }
    names = {"teams_list", "teams_detail", "teams_create", "teams_request", "teams_invite", "teams_decide",
             "teams_leave", "teams_update", "teams_notes"}
    assert names <= set(operations)
    assert {"ideas_list", "evaluation_support"} <= set(operations)
    for name in names - {"teams_list", "teams_detail"}:
        assert operations[name]["security"], name
        assert "X-CSRFToken" in operations[name]["description"], name
        assert {"401", "403", "404", "422"} <= set(operations[name]["responses"]), name
    assert all(operations[name]["tags"] == ["teams"] for name in names)
