"""The team selectors: the room link and its name, who sees private fields, the board with its
filters, matching suggestions, and the queries of the team list."""

import pytest

from helpathon.teams import selectors, services
from helpathon.teams.models import Team

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def found(actor, idea, name, skills=""):
    return services.team_found(actor=actor, challenge=idea.challenge, name=name, ideas=[idea], skills_needed=skills)


def join(person, team, lead):
    request = services.join_request_create(actor=fresh(person), team=fresh(team))
    services.join_request_decide(actor=fresh(lead), request=request, accept=True)


# --- the room -----------------------------------------------------------------------------------


def test_it_builds_the_room_url_from_the_jitsi_pattern(team):
    assert selectors.room_url(team) == f"https://meet.jit.si/{selectors.room_name(team)}"


def test_it_builds_the_room_url_from_the_editions_pattern(team, organizer):
    services.settings_update(actor=organizer, edition=team.edition, room_url_pattern="https://talk.example.org/r/{room}")

    assert selectors.room_url(fresh(team)) == f"https://talk.example.org/r/{selectors.room_name(team)}"


def test_it_prefers_the_teams_own_room(team, organizer):
    services.room_set(actor=organizer, team=team, url="https://zoom.example.org/j/1")

    assert selectors.room_url(fresh(team)) == "https://zoom.example.org/j/1"


def test_it_keeps_the_room_name_stable_and_apart_from_the_secret(team):
    name = selectors.room_name(team)

    assert name == selectors.room_name(fresh(team))
    assert team.room_secret not in name
    assert name.startswith("helpathon-") and len(name) == len("helpathon-") + 24


def test_it_gives_every_team_its_own_room(team, make_participant, ideas):
    other = found(make_participant(), ideas[1], "Andere")

    assert selectors.room_name(other) != selectors.room_name(team)


def test_it_changes_the_room_name_with_the_site_key(team, settings):
    before = selectors.room_name(team)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"

    assert selectors.room_name(team) != before


# --- who sees the private fields ----------------------------------------------------------------


def test_it_shows_private_fields_to_the_lead(team, participant):
    assert selectors.may_see_private(participant, team)


def test_it_shows_private_fields_to_members(team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)

    assert selectors.may_see_private(fresh(member), team)


def test_it_shows_private_fields_to_mentors(team, organizer, citizen):
    services.mentor_appoint(actor=organizer, team=team, user=citizen)

    assert selectors.may_see_private(fresh(citizen), team)


def test_it_shows_private_fields_to_the_editions_organizers(team, organizer):
    assert selectors.may_see_private(organizer, team)


@pytest.mark.parametrize("who", ["visitor", "citizen", "stranger_organizer"])
def test_it_hides_private_fields_from_outsiders(request, team, who):
    assert not selectors.may_see_private(request.getfixturevalue(who), team)


def test_it_hides_private_fields_from_other_participants(team, make_participant):
    assert not selectors.may_see_private(make_participant(), team)


def test_it_hides_private_fields_from_someone_who_only_asked(team, make_participant):
    person = make_participant()
    services.join_request_create(actor=person, team=team)

    assert not selectors.may_see_private(fresh(person), team)


# --- the board ----------------------------------------------------------------------------------


@pytest.fixture
def three_teams(team, make_participant, ideas):
    """`team` (challenge 1, design and recht), a data team in challenge 1, a full-text team in
    challenge 2 that no longer looks for members."""
    data = found(make_participant(), ideas[1], "Datenteam", skills="Daten")
    lead = make_participant()
    closed = found(lead, ideas[3], "Geschlossen", skills="Design")
    services.team_update(actor=lead, team=closed, name=closed.name, description="", skills_needed="design",
                         looking_for_members=False)
    return team, data, closed


def test_it_shows_teams_looking_for_members(three_teams):
    team, data, _closed = three_teams

    assert selectors.board(team.edition).teams == [team, data]


def test_it_filters_the_board_by_challenge(three_teams, make_participant, ideas):
    team, _data, _closed = three_teams
    other = found(make_participant(), ideas[3], "Zweites Thema")

    assert selectors.board(team.edition, challenge=ideas[3].challenge).teams == [other]


def test_it_filters_the_board_by_skill(three_teams):
    team, data, _closed = three_teams

    assert selectors.board(team.edition, skill=" Daten ").teams == [data]


def test_it_leaves_full_teams_off_the_board(three_teams, organizer, participant, make_participant):
    team, data, _closed = three_teams
    services.settings_update(actor=organizer, edition=team.edition, max_team_size=2)
    join(make_participant(), team, participant)

    assert selectors.board(team.edition).teams == [data]


def test_it_shows_seekers_by_challenge_and_skill(team_building, make_participant):
    first, second = list(team_building.challenges.all())[:2]
    anna, ben, cleo = make_participant("Anna"), make_participant("Ben"), make_participant("Cleo")
    services.seeker_set(actor=anna, edition=team_building, skills="Design", challenges=[first])
    services.seeker_set(actor=ben, edition=team_building, skills="Recht", challenges=[second])
    services.seeker_set(actor=cleo, edition=team_building, skills="Design, Daten")

    def names(board):
        return sorted(s.user.display_name for s in board.seekers)

    assert names(selectors.board(team_building, challenge=first)) == ["Anna", "Cleo"]
    assert names(selectors.board(team_building, skill="design")) == ["Anna", "Cleo"]
    assert names(selectors.board(team_building, challenge=second, skill="recht")) == ["Ben"]


# --- suggestions --------------------------------------------------------------------------------


def test_it_suggests_teams_by_shared_skills_then_challenge(three_teams, make_participant, ideas):
    team, data, _closed = three_teams
    person = make_participant()
    seeker = services.seeker_set(actor=person, edition=team.edition, skills="Daten, Recht, Design",
                                 challenges=[ideas[1].challenge])
    third = found(make_participant(), ideas[2], "Nur Thema", skills="Musik")

    suggested = selectors.suggestions_for(seeker, selectors.board(team.edition).teams)

    # The first team shares two skills, the data team one; the third only the challenge.
    assert [(s.team, s.shared_skills, s.same_challenge) for s in suggested] == [
        (team, ["design", "recht"], True), (data, ["daten"], True), (third, [], True),
    ]


def test_it_suggests_nothing_without_shared_skills_or_challenge(three_teams, make_participant, ideas):
    team, *_ = three_teams
    seeker = services.seeker_set(actor=make_participant(), edition=team.edition, skills="Musik",
                                 challenges=[ideas[3].challenge])

    assert selectors.suggestions_for(seeker, selectors.board(team.edition, challenge=ideas[0].challenge).teams) == []


def test_it_limits_the_suggestions(three_teams, make_participant, ideas):
    team, *_ = three_teams
    seeker = services.seeker_set(actor=make_participant(), edition=team.edition, skills="x",
                                 challenges=[ideas[0].challenge])
    for i in range(3):
        found(make_participant(), ideas[i % 3], f"Team {i}")

    assert len(selectors.suggestions_for(seeker, selectors.board(team.edition).teams, limit=2)) == 2


# --- queries ------------------------------------------------------------------------------------


def _list_teams(edition) -> list:
    return [(t.challenge.slug, [i.pk for i in t.ideas.all()], [m.user.display_name for m in t.memberships.all()])
            for t in selectors.teams_of(edition)]


@pytest.mark.parametrize("count", [2, 8])
def test_it_lists_teams_in_three_queries_however_many(team_building, make_participant, ideas, django_assert_num_queries, count):
    for i in range(count):
        lead = make_participant()
        found(lead, ideas[i % 3], f"Team {i}")
        member = make_participant()
        join(member, Team.objects.get(name=f"Team {i}"), lead)

    # 1. the teams with challenge and edition, 2. their ideas, 3. their memberships with users
    with django_assert_num_queries(3):
        listed = _list_teams(team_building)
    assert len(listed) == count and all(len(members) == 2 for _c, _i, members in listed)


def test_it_lists_my_teams(team, participant, make_participant, ideas):
    found(make_participant(), ideas[1], "Andere")

    assert selectors.my_teams(participant, team.edition) == [team]


def test_it_lists_my_open_requests_and_invitations(team, participant, make_participant, ideas):
    person = make_participant()
    other = found(make_participant(), ideas[1], "Andere")
    asked = services.join_request_create(actor=person, team=other)
    invited = services.team_invite(actor=participant, team=team, user=person)

    assert selectors.my_requests(person, team.edition) == [asked, invited]
    assert selectors.open_requests(team) == [invited]
