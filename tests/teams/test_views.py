"""The team pages: the board, founding a team, the team page with its requests, invitations
and private part, editing, looking for a team and the settings, for each role in and out of
the team-building phase."""

import pytest

from helpathon.editions.services import phase_set
from helpathon.teams import selectors, services
from helpathon.teams.models import JoinRequest, Membership, Team, TeamSeeker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _board(edition):
    return f"/editions/{edition.slug}/teams/"


def _page(team, suffix=""):
    return f"/editions/{team.edition.slug}/teams/{team.pk}/{suffix}"


def _login(client, user):
    if user is not None and user.is_authenticated:
        client.force_login(user)


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def member(team, make_participant, participant):
    user = make_participant("Mia Member")
    request = services.join_request_create(actor=user, team=team)
    services.join_request_decide(actor=participant, request=request, accept=True)
    return user


@pytest.fixture
def mentor(team, organizer, make_participant):
    user = make_participant("Max Mentor")
    services.mentor_appoint(actor=organizer, team=team, user=user)
    return user


@pytest.fixture
def outsider(make_participant):
    return make_participant("Otto Outsider")


@pytest.fixture
def with_notes(team, participant):
    return services.notes_update(actor=participant, team=team, notes="Geheime Notiz 42")


def _prototyping(edition, organizer):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="prototyping"))


# --- the board ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "organizer"])
def test_it_shows_the_board_to_everybody(client, request, team, who):
    _login(client, request.getfixturevalue(who))
    response = client.get(_board(team.edition))
    assert response.status_code == 200
    html = _html(response)
    assert "Die Radler" in html
    assert "Looking for members" in html
    assert "1 of 6 members" in html
    assert "Teamidee 1" in html


def test_it_shows_the_found_button_only_to_participants_in_team_building(client, team, citizen, outsider):
    _login(client, citizen)
    assert "Found a team" not in _html(client.get(_board(team.edition)))
    _login(client, outsider)
    assert f"/editions/{team.edition.slug}/teams/new/" in _html(client.get(_board(team.edition)))


def test_it_hides_the_found_button_from_people_in_a_team_already(client, team, participant):
    _login(client, participant)
    assert f"/editions/{team.edition.slug}/teams/new/" not in _html(client.get(_board(team.edition)))


def test_it_hides_the_found_button_outside_team_building(client, team, organizer, outsider):
    _prototyping(team.edition, organizer)
    _login(client, outsider)
    assert f"/editions/{team.edition.slug}/teams/new/" not in _html(client.get(_board(team.edition)))


def test_it_lists_people_looking_for_a_team_without_emails(client, team_building, outsider, ideas):
    services.seeker_set(actor=outsider, edition=team_building, skills="Daten, Recht", message="Ich helfe gern")
    html = _html(client.get(_board(team_building)))
    assert "Otto Outsider" in html
    assert "daten" in html
    assert "Ich helfe gern" in html
    assert "@example.org" not in html


def test_it_filters_the_board_by_skill(client, team, participant, ideas, make_participant):
    other = make_participant()
    services.team_found(actor=other, challenge=ideas[1].challenge, name="Die Coder", ideas=[ideas[1]],
                        skills_needed="python")
    html = _html(client.get(_board(team.edition), {"skill": "Recht"}))
    assert "Die Radler" in html
    assert "Die Coder" not in html


def test_it_filters_the_board_by_challenge(client, team, ideas, make_participant):
    other = make_participant()
    services.team_found(actor=other, challenge=ideas[3].challenge, name="Die Anderen", ideas=[ideas[3]])
    html = _html(client.get(_board(team.edition), {"challenge": ideas[3].challenge.slug}))
    assert "Die Anderen" in html
    assert "Die Radler" not in html


def test_it_ignores_a_junk_challenge_filter(client, team):
    response = client.get(_board(team.edition), {"challenge": "no-such'<x>", "skill": "x" * 5000})
    assert response.status_code == 200
    assert "Die Radler" in _html(response)


def test_it_answers_the_htmx_filter_with_the_results_only(client, team):
    response = client.get(_board(team.edition), {"skill": "design"}, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert 'id="board-results"' in html
    assert "<html" not in html


def test_it_suggests_teams_that_need_the_seekers_skills(client, team, outsider):
    services.seeker_set(actor=outsider, edition=team.edition, skills="recht")
    _login(client, outsider)
    html = _html(client.get(_board(team.edition)))
    assert "Teams that need your skills" in html
    assert "needs recht" in html


def test_it_suggests_nothing_to_people_not_on_the_list(client, team, outsider):
    _login(client, outsider)
    assert "Teams that need your skills" not in _html(client.get(_board(team.edition)))


def _found_teams(ideas, make_participant, count):
    for n in range(count):
        user = make_participant()
        team = services.team_found(actor=user, challenge=ideas[0].challenge, name=f"Team {n}", ideas=[ideas[n % 3]],
                                   skills_needed="design")
        services.seeker_set(actor=make_participant(), edition=team.edition, skills="design")
        joiner = make_participant()
        services.join_request_decide(
            actor=user, request=services.join_request_create(actor=joiner, team=team), accept=True
        )


@pytest.mark.parametrize("count", [2, 8])
def test_it_loads_the_board_in_the_same_number_of_queries_for_any_number_of_teams(
    client, team_building, ideas, make_participant, outsider, django_assert_num_queries, count
):
    _found_teams(ideas, make_participant, count)
    services.seeker_set(actor=outsider, edition=team_building, skills="design")
    _login(client, outsider)
    client.get(_board(team_building))  # warm the session
    # session, user, edition + challenges + phases + partners (4), team settings, own teams
    # count, teams + ideas + members (3); board(): team settings, looking teams + ideas + members (3),
    # seekers + their challenges (2); own seeker + its challenges (2); is-participant and
    # is-organizer (2), the live banner's current announcements (1)
    with django_assert_num_queries(22):
        response = client.get(_board(team_building))
    assert response.status_code == 200
    assert _html(response).count("team-card") == count


# --- founding a team ---------------------------------------------------------------------------


def test_it_founds_a_team_through_the_form(client, team_building, ideas, outsider):
    _login(client, outsider)
    url = f"/editions/{team_building.slug}/teams/new/?idea={ideas[1].pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{ideas[1].pk}" id="id_ideas_0" checked' in _html(page) or "checked" in _html(page)
    response = client.post(url, {
        "challenge": ideas[1].challenge.slug, "name": "Neues Team", "ideas": [ideas[1].pk, ideas[2].pk],
        "skills_needed": "Daten", "description": "Wir bauen",
    })
    team = Team.objects.get(name="Neues Team")
    assert response.status_code == 302
    assert response["Location"] == _page(team)
    assert selectors.is_lead(outsider, team)
    assert "has been founded" in _html(client.get(response["Location"]))


def test_it_asks_for_the_challenge_first(client, team_building, outsider):
    _login(client, outsider)
    html = _html(client.get(f"/editions/{team_building.slug}/teams/new/"))
    assert "First choose the challenge" in html


def test_it_prechecks_the_idea_from_the_link(client, team_building, ideas, outsider):
    _login(client, outsider)
    html = _html(client.get(f"/editions/{team_building.slug}/teams/new/?idea={ideas[1].pk}"))
    checked = [line for line in html.splitlines() if "checked" in line and 'name="ideas"' in line]
    assert len(checked) == 1 and f'value="{ideas[1].pk}"' in checked[0]


@pytest.mark.parametrize("data, field_error", [
    ({"name": ""}, "This field is required."),
    ({"name": "ab"}, "Please give the team a name of 3 to 120 characters."),
    ({"name": "x" * 5000}, "Ensure this value has at most 120 characters"),
    ({"ideas": ["junk"]}, "Choose visible ideas of this challenge."),
    ({"ideas": ["999999999999999999999"]}, "Choose visible ideas of this challenge."),
    ({"ideas": []}, "A team forms around at least one idea."),
    ({"description": "y" * 100_000}, "Ensure this value has at most 5000 characters"),
    ({"name": "Die Radler"}, "A team of this edition has this name already."),
])
def test_it_shows_bad_input_at_the_fields(client, team, ideas, outsider, data, field_error):
    _login(client, outsider)
    post = {"challenge": ideas[0].challenge.slug, "name": "Gutes Team", "ideas": [ideas[1].pk], **data}
    response = client.post(f"/editions/{team.edition.slug}/teams/new/", post)
    assert response.status_code == 400
    assert field_error in _html(response)
    assert not Team.objects.filter(name="Gutes Team").exists()


def test_it_refuses_an_idea_of_another_challenge(client, team_building, ideas, outsider):
    _login(client, outsider)
    post = {"challenge": ideas[0].challenge.slug, "name": "Gemischt", "ideas": [ideas[0].pk, ideas[3].pk]}
    response = client.post(f"/editions/{team_building.slug}/teams/new/", post)
    assert response.status_code == 400
    assert "Choose visible ideas of this challenge." in _html(response)


@pytest.mark.parametrize("who, status", [("citizen", 403), ("organizer", 403)])
def test_it_refuses_founding_to_non_participants(client, request, team_building, who, status):
    _login(client, request.getfixturevalue(who))
    response = client.get(f"/editions/{team_building.slug}/teams/new/")
    assert response.status_code == status
    assert "Only confirmed participants" in _html(response)


def test_it_sends_visitors_to_log_in_before_founding(client, team_building):
    response = client.get(f"/editions/{team_building.slug}/teams/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_refuses_founding_outside_team_building(client, team_building, organizer, outsider):
    _prototyping(team_building, organizer)
    _login(client, outsider)
    response = client.get(f"/editions/{team_building.slug}/teams/new/")
    assert response.status_code == 403
    assert "only during the team-building phase" in _html(response)


# --- the team page: what each role sees --------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "citizen", "outsider", "stranger_organizer"])
def test_it_never_shows_the_room_or_the_notes_to_outsiders(client, request, team, with_notes, who):
    _login(client, request.getfixturevalue(who))
    response = client.get(_page(team))
    html = _html(response)
    assert response.status_code == 200
    assert "Die Radler" in html
    assert selectors.room_name(team) not in html
    assert "Geheime Notiz 42" not in html
    assert "Open the video room" not in html


@pytest.mark.parametrize("who", ["participant", "member", "mentor", "organizer"])
def test_it_shows_the_room_and_the_notes_to_the_team(client, request, team, with_notes, who):
    _login(client, request.getfixturevalue(who))
    html = _html(client.get(_page(team)))
    assert selectors.room_name(team) in html
    assert 'rel="noopener noreferrer"' in html
    assert "Geheime Notiz 42" in html


def test_it_uses_the_teams_own_room_link(client, team, organizer, participant):
    services.room_set(actor=organizer, team=team, url="https://video.example.net/radler")
    _login(client, participant)
    assert 'href="https://video.example.net/radler"' in _html(client.get(_page(team)))


def test_it_keeps_the_room_private_after_the_team_building_phase(client, team, organizer, outsider, participant):
    _prototyping(team.edition, organizer)
    _login(client, outsider)
    assert selectors.room_name(team) not in _html(client.get(_page(team)))
    _login(client, participant)
    assert selectors.room_name(team) in _html(client.get(_page(team)))


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "member", "mentor", "outsider", "organizer"])
def test_it_shows_no_email_addresses_on_the_team_page(client, request, team, member, mentor, outsider, who):
    services.join_request_create(actor=outsider, team=team, message="Hallo")
    _login(client, request.getfixturevalue(who))
    html = _html(client.get(_page(team)))
    assert "@example.org" not in html


def test_it_shows_members_with_roles(client, team, member, mentor):
    html = _html(client.get(_page(team)))
    assert "Paul Participant" in html and "Mia Member" in html and "Max Mentor" in html
    assert "Lead" in html and "Mentor" in html
    assert "2 of 6 members" in html


def test_it_shows_the_lead_tools_only_to_the_lead(client, team, member):
    _login(client, member)
    html = _html(client.get(_page(team)))
    assert "Invite someone" not in html
    assert "Leave the team" in html
    _login(client, team.created_by)
    html = _html(client.get(_page(team)))
    assert "Invite someone" in html and "Hand over the lead" in html


def test_it_shows_organizer_tools_only_to_organizers(client, team, organizer, participant):
    _login(client, participant)
    assert "Appoint as mentor" not in _html(client.get(_page(team)))
    _login(client, organizer)
    assert "Appoint as mentor" in _html(client.get(_page(team)))


def test_it_answers_404_for_a_team_of_another_edition(client, team):
    assert client.get(f"/editions/other-edition/teams/{team.pk}/").status_code == 404
    assert client.get(f"/editions/{team.edition.slug}/teams/999999/").status_code == 404


# --- ask, accept, invite, leave ----------------------------------------------------------------


def test_it_runs_the_ask_and_accept_flow(client, team, participant, outsider):
    _login(client, outsider)
    html = _html(client.get(_page(team)))
    assert "Ask to join" in html
    response = client.post(_page(team, "join/"), {"message": "Ich kann Recht"})
    assert response.status_code == 302
    assert "Withdraw my request" in _html(client.get(_page(team)))
    request = JoinRequest.objects.get(team=team, user=outsider)

    _login(client, participant)
    html = _html(client.get(_page(team)))
    assert "Otto Outsider" in html and "Ich kann Recht" in html
    response = client.post(_page(team, f"requests/{request.pk}/"), {"accept": "1"})
    assert response.status_code == 302
    assert selectors.is_member(outsider, team)


def test_it_lets_the_lead_decline_a_request(client, team, participant, outsider):
    request = services.join_request_create(actor=outsider, team=team)
    _login(client, participant)
    client.post(_page(team, f"requests/{request.pk}/"), {"accept": "0"})
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.DECLINED


def test_it_lets_the_asker_withdraw(client, team, outsider):
    request = services.join_request_create(actor=outsider, team=team)
    _login(client, outsider)
    client.post(_page(team, f"requests/{request.pk}/"), {"accept": "0"})
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.WITHDRAWN


def test_it_refuses_accepting_ones_own_request(client, team, outsider):
    request = services.join_request_create(actor=outsider, team=team)
    _login(client, outsider)
    response = client.post(_page(team, f"requests/{request.pk}/"), {"accept": "1"})
    assert response.status_code == 403
    assert not selectors.is_member(outsider, team)


@pytest.mark.parametrize("answer", ["", "yes", "2"])
def test_it_refuses_a_junk_answer(client, team, participant, outsider, answer):
    request = services.join_request_create(actor=outsider, team=team)
    _login(client, participant)
    assert client.post(_page(team, f"requests/{request.pk}/"), {"accept": answer}).status_code == 400


def test_it_refuses_joining_for_citizens(client, team, citizen):
    _login(client, citizen)
    assert "Ask to join" not in _html(client.get(_page(team)))
    response = client.post(_page(team, "join/"), {"message": "hi"})
    assert response.status_code == 403
    assert not JoinRequest.objects.filter(user=citizen).exists()


def test_it_shows_a_too_long_join_message_at_the_field(client, team, outsider):
    _login(client, outsider)
    response = client.post(_page(team, "join/"), {"message": "z" * 10_000})
    assert response.status_code == 400
    assert "at most 500 characters" in _html(response)


def test_it_runs_the_invite_flow_by_display_name(client, team, participant, outsider):
    _login(client, participant)
    response = client.post(_page(team, "invite/"), {"user": "otto outsider", "message": "Komm dazu"})
    assert response.status_code == 302
    _login(client, outsider)
    html = _html(client.get(_page(team)))
    assert "You are invited to this team" in html and "Komm dazu" in html
    invitation = JoinRequest.objects.get(team=team, user=outsider, kind="invite")
    client.post(_page(team, f"requests/{invitation.pk}/"), {"accept": "1"})
    assert selectors.is_member(outsider, team)


def test_it_invites_by_email_without_showing_it(client, team, participant, outsider):
    _login(client, participant)
    client.post(_page(team, "invite/"), {"user": outsider.email})
    html = _html(client.get(_page(team)))
    assert "Otto Outsider" in html
    assert outsider.email not in html
    assert JoinRequest.objects.filter(team=team, user=outsider, kind="invite").exists()


@pytest.mark.parametrize("who", ["Nobody Here", "nobody@example.org", "Cora Citizen"])
def test_it_refuses_inviting_people_who_are_not_participants(client, team, participant, citizen, who):
    _login(client, participant)
    response = client.post(_page(team, "invite/"), {"user": who})
    assert response.status_code == 400
    assert "There is no confirmed participant" in _html(response)


def test_it_refuses_invitations_from_members(client, team, member, outsider):
    _login(client, member)
    assert client.post(_page(team, "invite/"), {"user": "Otto Outsider"}).status_code == 403


def test_it_lets_a_member_leave(client, team, member):
    _login(client, member)
    response = client.post(_page(team, "leave/"))
    assert response.status_code == 302
    assert not selectors.is_member(member, team)


def test_it_keeps_the_last_member_with_a_clear_message(client, team, participant):
    _login(client, participant)
    response = client.post(_page(team, "leave/"), follow=True)
    assert "last member" in _html(response)
    assert selectors.is_lead(participant, team)


def test_it_hands_over_the_lead(client, team, participant, member):
    _login(client, participant)
    client.post(_page(team, "lead/"), {"lead-user": member.pk})
    assert selectors.role_in(member, team) == Membership.Role.LEAD


@pytest.mark.parametrize("junk", ["", "abc", "999999", "99999999999999999999999"])
def test_it_refuses_handing_the_lead_to_junk(client, team, participant, member, junk):
    _login(client, participant)
    response = client.post(_page(team, "lead/"), {"lead-user": junk})
    assert response.status_code == 400


# --- private part: notes, room, mentor ---------------------------------------------------------


def test_it_saves_the_notes(client, team, member):
    _login(client, member)
    client.post(_page(team, "notes/"), {"notes": "Treffen um 10"})
    team.refresh_from_db()
    assert team.notes == "Treffen um 10"


def test_it_refuses_huge_notes_at_the_field(client, team, member):
    _login(client, member)
    response = client.post(_page(team, "notes/"), {"notes": "n" * 25_000})
    assert response.status_code == 400
    assert "at most 20000 characters" in _html(response)


def test_it_hides_the_notes_form_from_outsiders(client, team, outsider):
    _login(client, outsider)
    assert client.post(_page(team, "notes/"), {"notes": "hacked"}).status_code == 404
    team.refresh_from_db()
    assert team.notes == ""


def test_it_lets_organizers_appoint_a_mentor(client, team, organizer, outsider):
    _login(client, organizer)
    client.post(_page(team, "mentor/"), {"email": outsider.email})
    assert selectors.role_in(outsider, team) == Membership.Role.MENTOR


def test_it_refuses_a_bad_room_link(client, team, organizer):
    _login(client, organizer)
    response = client.post(_page(team, "room/"), {"room_url": "javascript:alert(1)"})
    assert response.status_code == 400
    assert "Please give an https:// address." in _html(response)


def test_it_hides_organizer_posts_from_others(client, team, participant, outsider):
    _login(client, participant)
    assert client.post(_page(team, "room/"), {"room_url": "https://x.example"}).status_code == 404
    assert client.post(_page(team, "mentor/"), {"email": outsider.email}).status_code == 404


# --- editing -----------------------------------------------------------------------------------


def test_it_lets_members_edit_the_team(client, team, member):
    _login(client, member)
    assert client.get(_page(team, "edit/")).status_code == 200
    response = client.post(_page(team, "edit/"), {"name": "Die Schnellen", "skills_needed": "Daten"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Die Schnellen" and not team.looking_for_members


def test_it_shows_an_empty_name_at_the_field(client, team, participant):
    _login(client, participant)
    response = client.post(_page(team, "edit/"), {"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in _html(response)


@pytest.mark.parametrize("who", ["citizen", "outsider", "mentor", "organizer"])
def test_it_refuses_editing_to_non_members(client, request, team, who):
    _login(client, request.getfixturevalue(who))
    assert client.get(_page(team, "edit/")).status_code == 403


# --- looking for a team and settings -----------------------------------------------------------


def test_it_puts_a_participant_on_the_board_and_off_again(client, team_building, outsider, edition):
    challenge = edition.challenges.first()
    _login(client, outsider)
    url = f"/editions/{team_building.slug}/teams/looking/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"skills": "Design", "challenges": [challenge.pk], "message": "Hallo"})
    assert response.status_code == 302
    assert TeamSeeker.objects.filter(user=outsider).exists()
    client.post(url, {"remove": "1"})
    assert not TeamSeeker.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("data, error", [
    ({"skills": ""}, "This field is required."),
    ({"skills": "a", "challenges": ["junk"]}, "Choose challenges of this edition."),
    ({"skills": "a", "challenges": ["99999999999999999999999"]}, "Choose challenges of this edition."),
    ({"skills": "a", "message": "m" * 5000}, "at most 300 characters"),
])
def test_it_shows_bad_seeker_input_at_the_fields(client, team_building, outsider, data, error):
    _login(client, outsider)
    response = client.post(f"/editions/{team_building.slug}/teams/looking/", data)
    assert response.status_code == 400
    assert error in _html(response)


def test_it_refuses_the_looking_page_to_citizens(client, team_building, citizen):
    _login(client, citizen)
    assert client.get(f"/editions/{team_building.slug}/teams/looking/").status_code == 403


@pytest.mark.parametrize("who", ["citizen", "participant", "stranger_organizer"])
def test_it_hides_the_settings_from_non_organizers(client, request, team_building, who):
    _login(client, request.getfixturevalue(who))
    assert client.get(f"/editions/{team_building.slug}/teams/settings/").status_code == 404


def test_it_saves_the_settings(client, team_building, organizer):
    _login(client, organizer)
    url = f"/editions/{team_building.slug}/teams/settings/"
    response = client.post(url, {"max_team_size": 4, "teams_per_person": 1, "room_url_pattern": "https://v.example/{room}"})
    assert response.status_code == 302
    assert selectors.team_settings(team_building).max_team_size == 4


def test_it_refuses_a_room_pattern_without_the_placeholder(client, team_building, organizer):
    _login(client, organizer)
    url = f"/editions/{team_building.slug}/teams/settings/"
    response = client.post(url, {"max_team_size": 4, "teams_per_person": 1, "room_url_pattern": "https://v.example/"})
    assert response.status_code == 400
    assert "with {room} in it" in _html(response)


# --- links from other pages --------------------------------------------------------------------


def test_it_lists_the_teams_on_the_idea_page(client, team, ideas):
    html = _html(client.get(f"/editions/{team.edition.slug}/ideas/{ideas[0].pk}/"))
    assert "Die Radler" in html


def test_it_offers_founding_a_team_on_the_idea_page(client, team_building, ideas, outsider):
    _login(client, outsider)
    html = _html(client.get(f"/editions/{team_building.slug}/ideas/{ideas[1].pk}/"))
    assert "Found a team around this idea" in html
    assert f"/teams/new/?idea={ideas[1].pk}" in html


def test_it_links_the_board_from_the_edition_page(client, team_building):
    assert f"/editions/{team_building.slug}/teams/" in _html(client.get(team_building.get_absolute_url()))


@pytest.mark.parametrize("suffix", ["999999999999999999999999/", "1/requests/999999999999999999999999/"])
def test_it_answers_404_for_huge_ids_in_the_address(client, team, participant, suffix):
    _login(client, participant)
    url = f"/editions/{team.edition.slug}/teams/{suffix}"
    response = client.post(url, {"accept": "1"}) if "requests" in suffix else client.get(url)
    assert response.status_code == 404
