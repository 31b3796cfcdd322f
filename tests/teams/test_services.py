"""The team services: founding around ideas, requests and invitations, leaving and handing
over, mentors, the team's texts, notes, room and settings, and the board of people looking for
a team. State is set up through the services, as requests would; the edition is in its
team-building phase (`team_building`) unless a test moves it."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpathon.editions.services import phase_set
from helpathon.ideas import services as idea_services
from helpathon.ideas.models import Idea
from helpathon.live.models import LiveEvent
from helpathon.moderation.services import content_hide
from helpathon.teams import selectors, services
from helpathon.teams.models import JoinRequest, Membership, Team, TeamSeeker

pytestmark = pytest.mark.django_db

Status = JoinRequest.Status
Role = Membership.Role
REASON = "Werbung, die nichts mit der Herausforderung zu tun hat."


# --- helpers -----------------------------------------------------------------------------------


def fresh(obj):
    """The object as the next request loads it (no role or agenda cached on it)."""
    return type(obj).objects.get(pk=obj.pk)


def events(edition, type_: str) -> list[dict]:
    return [e.payload for e in LiveEvent.objects.filter(edition=edition, type=type_).order_by("seq")]


def roles(team) -> dict[str, str]:
    return {m.user.display_name: m.role for m in Membership.objects.filter(team=team).select_related("user")}


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))


def found(actor, ideas, name="Team", **extra):
    return services.team_found(actor=actor, challenge=ideas[0].challenge, name=name, ideas=ideas, **extra)


def join(person, team, lead):
    """`person` asks and the lead of `team` accepts."""
    request = services.join_request_create(actor=fresh(person), team=fresh(team))
    return services.join_request_decide(actor=fresh(lead), request=request, accept=True)


def set_settings(organizer, edition, **fields):
    return services.settings_update(actor=organizer, edition=edition, **fields)


# --- founding -----------------------------------------------------------------------------------


def test_it_founds_a_team_led_by_the_founder(team, participant, ideas):
    assert roles(team) == {"Paul Participant": Role.LEAD}
    assert list(team.ideas.all()) == [ideas[0]]
    assert team.skills_needed == "design, recht"


def test_it_moves_the_ideas_into_prototyping_and_announces_it(team_building, make_participant, ideas):
    founder = make_participant()

    found(founder, ideas[:2])

    assert [fresh(i).status for i in ideas[:3]] == [Idea.Status.IN_PROTOTYPING] * 2 + [Idea.Status.OPEN]
    announced = sorted(events(team_building, "idea.status_changed"), key=lambda e: e["idea"])
    assert announced == [
        {"idea": ideas[0].pk, "status": "in_prototyping"}, {"idea": ideas[1].pk, "status": "in_prototyping"},
    ]


def test_it_announces_the_founding(team, ideas):
    assert events(team.edition, "team.founded") == [
        {"team": team.pk, "challenge": ideas[0].challenge_id, "name": "Die Radler", "ideas": [ideas[0].pk]}
    ]


def test_it_announces_no_status_change_for_an_idea_in_prototyping_already(team, make_participant, ideas):
    found(make_participant(), [ideas[0]], name="Zweites Team")

    assert len(events(team.edition, "idea.status_changed")) == 1


@pytest.mark.parametrize("kind", ["ideation", "evaluation", "prototyping", "results"])
def test_it_refuses_founding_outside_team_building(edition, organizer, participant, ideas, kind):
    move_to(edition, organizer, kind)

    with pytest.raises(PermissionDenied):
        found(fresh(participant), [fresh(ideas[0])])
    assert not Team.objects.exists()


@pytest.mark.parametrize("who", ["citizen", "organizer", "stranger_organizer"])
def test_it_lets_only_confirmed_participants_found(request, team_building, ideas, who):
    with pytest.raises(PermissionDenied):
        found(request.getfixturevalue(who), [ideas[0]])


def test_it_refuses_ideas_of_another_challenge(team_building, participant, ideas):
    with pytest.raises(ValidationError) as error:
        found(participant, [ideas[0], ideas[3]])
    assert error.value.message_dict == {"ideas": ["Choose visible ideas of this challenge."]}


def test_it_refuses_a_hidden_idea(team_building, organizer, participant, ideas):
    content_hide(actor=organizer, idea=ideas[1], reason=REASON)

    with pytest.raises(ValidationError) as error:
        found(participant, [fresh(ideas[1])])
    assert "ideas" in error.value.message_dict


def test_it_refuses_a_merged_idea(team_building, organizer, participant, ideas):
    idea_services.idea_merge(actor=organizer, idea=ideas[1], target=ideas[2])

    with pytest.raises(ValidationError) as error:
        found(participant, [fresh(ideas[1])])
    assert "ideas" in error.value.message_dict


def test_it_refuses_a_team_without_ideas(team_building, participant):
    with pytest.raises(ValidationError) as error:
        services.team_found(actor=participant, challenge=team_building.challenges.first(), name="Leer", ideas=[])
    assert "ideas" in error.value.message_dict


def test_it_refuses_a_duplicate_name_in_the_edition(team, make_participant, ideas):
    with pytest.raises(ValidationError) as error:
        found(make_participant(), [ideas[1]], name="Die  Radler ")
    assert error.value.message_dict == {"name": ["A team of this edition has this name already."]}
    assert Team.objects.count() == 1


def test_it_refuses_a_second_team_for_the_same_person(team, participant, ideas):
    with pytest.raises(ValidationError):
        found(fresh(participant), [ideas[1]], name="Noch ein Team")
    assert Team.objects.count() == 1


def test_it_allows_a_second_team_when_the_edition_allows_two(team, organizer, participant, ideas):
    set_settings(organizer, team.edition, teams_per_person=2)

    found(fresh(participant), [ideas[1]], name="Noch ein Team")

    assert selectors.teams_joined(participant, team.edition) == 2


# --- requests to join ---------------------------------------------------------------------------


def test_it_records_a_pending_request(team, make_participant):
    person = make_participant()

    request = services.join_request_create(actor=person, team=team, message="  Ich kann Design. ")

    assert (request.kind, request.status, request.message, request.user) == ("request", "pending", "Ich kann Design.", person)


def test_it_returns_the_same_request_when_asked_twice(team, make_participant):
    person = make_participant()

    first = services.join_request_create(actor=person, team=team)
    second = services.join_request_create(actor=person, team=team)

    assert first.pk == second.pk
    assert JoinRequest.objects.count() == 1


def test_it_refuses_a_request_to_a_full_team(team, organizer, participant, make_participant):
    set_settings(organizer, team.edition, max_team_size=2)
    join(make_participant(), team, participant)

    with pytest.raises(ValidationError) as error:
        services.join_request_create(actor=make_participant(), team=fresh(team))
    assert error.value.messages == ["This team is full."]


def test_it_refuses_a_request_from_a_member(team, participant):
    with pytest.raises(ValidationError):
        services.join_request_create(actor=participant, team=team)


@pytest.mark.parametrize("who", ["citizen", "organizer"])
def test_it_refuses_a_request_from_a_non_participant(request, team, who):
    with pytest.raises(PermissionDenied):
        services.join_request_create(actor=request.getfixturevalue(who), team=team)


def test_it_lets_the_lead_accept_a_request(team, participant, make_participant):
    person = make_participant("Nina Neu")

    accepted = join(person, team, participant)

    assert accepted.status == Status.ACCEPTED
    assert roles(team) == {"Paul Participant": Role.LEAD, "Nina Neu": Role.MEMBER}
    assert events(team.edition, "team.member_joined") == [{"team": team.pk, "members": 2}]


def test_it_refuses_acceptance_by_a_member_who_is_not_lead(team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)
    request = services.join_request_create(actor=make_participant(), team=fresh(team))

    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=fresh(member), request=request, accept=True)
    assert fresh(request).status == Status.PENDING


def test_it_refuses_acceptance_by_the_requester(team, make_participant):
    person = make_participant()
    request = services.join_request_create(actor=person, team=team)

    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=person, request=request, accept=True)


def test_it_lets_the_lead_decline(team, participant, make_participant):
    request = services.join_request_create(actor=make_participant(), team=team)

    declined = services.join_request_decide(actor=participant, request=request, accept=False)

    assert (declined.status, declined.decided_by) == (Status.DECLINED, participant)
    assert selectors.team_size(team) == 1


def test_it_lets_the_requester_withdraw(team, make_participant):
    person = make_participant()
    request = services.join_request_create(actor=person, team=team)

    withdrawn = services.join_request_decide(actor=person, request=request, accept=False)

    assert withdrawn.status == Status.WITHDRAWN


def test_it_refuses_to_answer_twice(team, participant, make_participant):
    request = services.join_request_create(actor=make_participant(), team=team)
    services.join_request_decide(actor=participant, request=request, accept=False)

    with pytest.raises(ValidationError):
        services.join_request_decide(actor=participant, request=request, accept=True)


def test_it_accepts_an_invited_person_who_asks(team, participant, make_participant):
    person = make_participant()
    invitation = services.team_invite(actor=participant, team=team, user=person)

    answer = services.join_request_create(actor=person, team=team)

    assert (answer.pk, answer.status) == (invitation.pk, Status.ACCEPTED)
    assert selectors.is_member(fresh(person), team)


def test_it_lets_requests_join_in_prototyping(team, edition, organizer, participant, make_participant):
    move_to(edition, organizer, "prototyping")

    accepted = join(make_participant(), team, participant)

    assert accepted.status == Status.ACCEPTED


def test_it_refuses_requests_after_prototyping(team, edition, organizer, make_participant):
    move_to(edition, organizer, "pitches")

    with pytest.raises(PermissionDenied):
        services.join_request_create(actor=make_participant(), team=fresh(team))


# --- invitations --------------------------------------------------------------------------------


def test_it_lets_the_lead_invite(team, participant, make_participant):
    person = make_participant()

    invitation = services.team_invite(actor=participant, team=team, user=person, message="Komm!")

    assert (invitation.kind, invitation.status, invitation.created_by) == ("invite", "pending", participant)


def test_it_refuses_invitations_by_members(team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)

    with pytest.raises(PermissionDenied):
        services.team_invite(actor=fresh(member), team=fresh(team), user=make_participant())


def test_it_invites_only_confirmed_participants(team, participant, citizen):
    with pytest.raises(ValidationError) as error:
        services.team_invite(actor=participant, team=team, user=citizen)
    assert "user" in error.value.message_dict


def test_it_lets_the_invited_person_accept(team, participant, make_participant):
    person = make_participant()
    invitation = services.team_invite(actor=participant, team=team, user=person)

    services.join_request_decide(actor=person, request=invitation, accept=True)

    assert selectors.team_size(team) == 2


def test_it_lets_the_invited_person_decline(team, participant, make_participant):
    person = make_participant()
    invitation = services.team_invite(actor=participant, team=team, user=person)

    declined = services.join_request_decide(actor=person, request=invitation, accept=False)

    assert declined.status == Status.DECLINED


def test_it_refuses_the_lead_accepting_their_own_invitation(team, participant, make_participant):
    invitation = services.team_invite(actor=participant, team=team, user=make_participant())

    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=participant, request=invitation, accept=True)


def test_it_refuses_an_invitation_answered_by_someone_else(team, participant, make_participant):
    invitation = services.team_invite(actor=participant, team=team, user=make_participant())

    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=make_participant(), request=invitation, accept=True)


def test_it_accepts_a_requester_when_the_lead_invites_them(team, participant, make_participant):
    person = make_participant()
    request = services.join_request_create(actor=person, team=team)

    answer = services.team_invite(actor=participant, team=team, user=person)

    assert (answer.pk, answer.status) == (request.pk, Status.ACCEPTED)


def test_it_refuses_to_invite_a_requester_who_is_in_a_team_already(
    team, organizer, participant, make_participant, ideas
):
    # Two teams allowed while the person asks to join, then only one: the invitation must not
    # take them into a second team.
    set_settings(organizer, team.edition, teams_per_person=2)
    person = make_participant()
    request = services.join_request_create(actor=person, team=team)
    found(fresh(person), [ideas[1]], name="Eigenes Team")
    set_settings(organizer, team.edition, teams_per_person=1)

    with pytest.raises(ValidationError):
        services.team_invite(actor=fresh(participant), team=fresh(team), user=fresh(person))
    assert fresh(request).status == Status.PENDING
    assert selectors.teams_joined(person, team.edition) == 1


# --- lapsing ------------------------------------------------------------------------------------


def test_it_lapses_other_requests_and_invitations_when_a_person_joins_their_last_team(
    team, participant, make_participant, ideas
):
    other_lead = make_participant()
    other = found(other_lead, [ideas[1]], name="Andere")
    person = make_participant()
    services.seeker_set(actor=person, edition=team.edition, skills="design")
    elsewhere = services.join_request_create(actor=person, team=other)

    join(person, team, participant)

    assert fresh(elsewhere).status == Status.WITHDRAWN
    assert not TeamSeeker.objects.filter(user=person).exists()


def test_it_keeps_other_requests_while_a_person_may_join_more_teams(team, organizer, participant, make_participant, ideas):
    set_settings(organizer, team.edition, teams_per_person=2)
    other = found(make_participant(), [ideas[1]], name="Andere")
    person = make_participant()
    elsewhere = services.join_request_create(actor=person, team=other)

    join(person, team, participant)

    assert fresh(elsewhere).status == Status.PENDING


# --- leaving and handing over -------------------------------------------------------------------


def test_it_hands_the_lead_to_the_longest_standing_member_when_the_lead_leaves(team, participant, make_participant):
    first, second = make_participant("Erste"), make_participant("Zweite")
    join(first, team, participant)
    join(second, team, participant)

    services.membership_leave(actor=participant, team=fresh(team))

    assert roles(team) == {"Erste": Role.LEAD, "Zweite": Role.MEMBER}
    assert events(team.edition, "team.member_left") == [{"team": team.pk, "members": 2}]


def test_it_lets_a_member_leave(team, participant, make_participant):
    member = make_participant("Erste")
    join(member, team, participant)

    services.membership_leave(actor=member, team=fresh(team))

    assert roles(team) == {"Paul Participant": Role.LEAD}


def test_it_keeps_the_last_member_in(team, participant):
    with pytest.raises(ValidationError):
        services.membership_leave(actor=participant, team=team)
    assert selectors.team_size(team) == 1


def test_it_lets_a_mentor_leave_a_team_of_one(team, organizer, citizen):
    services.mentor_appoint(actor=organizer, team=team, user=citizen)

    services.membership_leave(actor=citizen, team=team)

    assert roles(team) == {"Paul Participant": Role.LEAD}


def test_it_refuses_leaving_a_team_one_is_not_in(team, make_participant):
    with pytest.raises(ValidationError):
        services.membership_leave(actor=make_participant(), team=team)


def test_it_hands_over_the_lead(team, participant, make_participant):
    member = make_participant("Erste")
    join(member, team, participant)

    services.lead_hand_over(actor=fresh(participant), team=fresh(team), user=member)

    assert roles(team) == {"Paul Participant": Role.MEMBER, "Erste": Role.LEAD}


def test_it_refuses_handing_over_to_an_outsider(team, participant, make_participant):
    with pytest.raises(ValidationError):
        services.lead_hand_over(actor=participant, team=team, user=make_participant())


def test_it_refuses_handing_over_by_a_member(team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)

    with pytest.raises(PermissionDenied):
        services.lead_hand_over(actor=fresh(member), team=fresh(team), user=participant)


# --- mentors ------------------------------------------------------------------------------------


def test_it_lets_organizers_appoint_mentors_who_do_not_count(team, organizer, citizen):
    services.mentor_appoint(actor=organizer, team=team, user=citizen)

    assert selectors.role_in(citizen, team) == Role.MENTOR
    assert selectors.team_size(team) == 1
    assert selectors.teams_joined(citizen, team.edition) == 0


@pytest.mark.parametrize("who", ["participant", "stranger_organizer", "citizen"])
def test_it_lets_only_organizers_appoint_mentors(request, team, make_participant, who):
    with pytest.raises(PermissionDenied):
        services.mentor_appoint(actor=request.getfixturevalue(who), team=team, user=make_participant())


def test_it_keeps_room_for_members_when_mentors_join(team, organizer, participant, citizen, make_participant):
    set_settings(organizer, team.edition, max_team_size=2)
    services.mentor_appoint(actor=organizer, team=team, user=citizen)

    join(make_participant(), team, participant)

    assert selectors.team_size(team) == 2


# --- the team's texts, notes, room and settings -------------------------------------------------


def update(actor, team, **changes):
    fields = {"name": team.name, "description": team.description, "skills_needed": team.skills_needed,
              "looking_for_members": team.looking_for_members, **changes}
    return services.team_update(actor=actor, team=team, **fields)


def test_it_lets_members_update_the_team(team, participant, make_participant):
    member = make_participant()
    join(member, team, participant)

    update(fresh(member), fresh(team), name=" Die  Schnellen ", skills_needed="Daten, daten , Recht", looking_for_members=False)

    saved = fresh(team)
    assert (saved.name, saved.skills_needed, saved.looking_for_members) == ("Die Schnellen", "daten, recht", False)
    assert events(team.edition, "team.updated") == [{"team": team.pk, "name": "Die Schnellen", "looking_for_members": False}]


@pytest.mark.parametrize("who", ["organizer", "citizen", "mentor", "outsider"])
def test_it_refuses_updates_by_non_members(team, organizer, citizen, make_participant, who):
    actor = {"organizer": organizer, "citizen": citizen, "outsider": make_participant()}.get(who)
    if who == "mentor":
        actor = make_participant()
        services.mentor_appoint(actor=organizer, team=team, user=actor)

    with pytest.raises(PermissionDenied):
        update(actor, team, name="Übernommen")
    assert fresh(team).name == "Die Radler"


@pytest.mark.parametrize(
    "changes, field",
    [({"name": "ab"}, "name"), ({"name": "x" * 121}, "name"), ({"description": "x" * 5001}, "description"),
     ({"skills_needed": ", ".join(f"skill{i}" for i in range(60))}, "skills_needed")],
)
def test_it_validates_updates(team, participant, changes, field):
    with pytest.raises(ValidationError) as error:
        update(participant, team, **changes)
    assert field in error.value.message_dict


def test_it_refuses_renaming_to_another_teams_name(team, participant, make_participant, ideas):
    found(make_participant(), [ideas[1]], name="Andere")

    with pytest.raises(ValidationError) as error:
        update(participant, team, name="Andere")
    assert "name" in error.value.message_dict


@pytest.mark.parametrize("who", ["lead", "mentor", "organizer"])
def test_it_lets_members_mentors_and_organizers_write_notes(team, participant, organizer, citizen, who):
    if who == "mentor":
        services.mentor_appoint(actor=organizer, team=team, user=citizen)
    actor = {"lead": participant, "mentor": citizen, "organizer": organizer}[who]

    services.notes_update(actor=actor, team=team, notes=" Treffen um 10 ")

    assert fresh(team).notes == "Treffen um 10"


@pytest.mark.parametrize("who", ["citizen", "stranger_organizer", "outsider"])
def test_it_refuses_notes_by_outsiders(request, team, make_participant, who):
    actor = make_participant() if who == "outsider" else request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.notes_update(actor=actor, team=team, notes="Übernommen")


def test_it_refuses_notes_that_are_too_long(team, participant):
    with pytest.raises(ValidationError) as error:
        services.notes_update(actor=participant, team=team, notes="x" * 20_001)
    assert "notes" in error.value.message_dict


def test_it_lets_organizers_set_a_room(team, organizer):
    services.room_set(actor=organizer, team=team, url="https://talk.example.org/radler")

    assert selectors.room_url(fresh(team)) == "https://talk.example.org/radler"


@pytest.mark.parametrize("url", ["http://talk.example.org/x", "javascript:alert(1)", "kein link",
                                 "https://example.org/" + "x" * 300])
def test_it_refuses_bad_room_links(team, organizer, url):
    with pytest.raises(ValidationError) as error:
        services.room_set(actor=organizer, team=team, url=url)
    assert "room_url" in error.value.message_dict
    assert fresh(team).room_url == ""


def test_it_refuses_rooms_set_by_the_lead(team, participant):
    with pytest.raises(PermissionDenied):
        services.room_set(actor=participant, team=team, url="https://talk.example.org/radler")


def test_it_lets_organizers_change_the_settings(team_building, organizer):
    config = set_settings(organizer, team_building, max_team_size=4, room_url_pattern="https://meet.example.org/{room}")

    assert (selectors.team_settings(team_building).max_team_size, config.room_url_pattern) == (
        4, "https://meet.example.org/{room}"
    )


@pytest.mark.parametrize(
    "fields, field",
    [({"max_team_size": 1}, "max_team_size"), ({"max_team_size": 51}, "max_team_size"),
     ({"teams_per_person": 0}, "teams_per_person"), ({"room_url_pattern": "https://meet.example.org/"}, "room_url_pattern"),
     ({"room_url_pattern": "http://meet.example.org/{room}"}, "room_url_pattern")],
)
def test_it_validates_the_settings(team_building, organizer, fields, field):
    with pytest.raises(ValidationError) as error:
        set_settings(organizer, team_building, **fields)
    assert field in error.value.message_dict


@pytest.mark.parametrize("who", ["participant", "stranger_organizer"])
def test_it_lets_only_organizers_change_the_settings(request, team_building, who):
    with pytest.raises(PermissionDenied):
        set_settings(request.getfixturevalue(who), team_building, max_team_size=3)


# --- looking for a team -------------------------------------------------------------------------


def test_it_puts_a_seeker_on_the_board(team_building, participant):
    first = team_building.challenges.first()

    seeker = services.seeker_set(actor=participant, edition=team_building, skills="Recht, Design", challenges=[first])

    assert (seeker.skills, list(seeker.challenges.all())) == ("recht, design", [first])


def test_it_updates_a_seeker_in_place(team_building, participant):
    services.seeker_set(actor=participant, edition=team_building, skills="Recht")
    services.seeker_set(actor=participant, edition=team_building, skills="Daten", message="Hallo")

    assert list(TeamSeeker.objects.values_list("skills", "message")) == [("daten", "Hallo")]


def test_it_refuses_a_seeker_without_skills(team_building, participant):
    with pytest.raises(ValidationError) as error:
        services.seeker_set(actor=participant, edition=team_building, skills=" , ")
    assert "skills" in error.value.message_dict


def test_it_refuses_challenges_of_another_edition(team_building, participant, stranger_organizer):
    from helpathon.editions.models import Challenge

    foreign = Challenge.objects.exclude(edition=team_building).first()
    with pytest.raises(ValidationError) as error:
        services.seeker_set(actor=participant, edition=team_building, skills="Recht", challenges=[foreign])
    assert "challenges" in error.value.message_dict


def test_it_refuses_seekers_who_are_not_participants(team_building, citizen):
    with pytest.raises(PermissionDenied):
        services.seeker_set(actor=citizen, edition=team_building, skills="Recht")


def test_it_refuses_a_seeker_in_as_many_teams_as_allowed(team, participant):
    with pytest.raises(ValidationError):
        services.seeker_set(actor=participant, edition=team.edition, skills="Recht")
    assert not TeamSeeker.objects.exists()


def test_it_takes_a_seeker_off_the_board(team_building, participant):
    services.seeker_set(actor=participant, edition=team_building, skills="Recht")

    services.seeker_remove(actor=participant, edition=team_building)

    assert not TeamSeeker.objects.exists()


# --- live events --------------------------------------------------------------------------------


def test_it_never_puts_the_room_or_the_notes_into_live_events(team, organizer, participant, make_participant, citizen):
    services.room_set(actor=organizer, team=team, url="https://talk.example.org/geheimraum")
    services.notes_update(actor=participant, team=team, notes="Geheime Notiz")
    member = make_participant()
    join(member, team, participant)
    update(fresh(participant), fresh(team), name="Die Neuen", looking_for_members=False)
    services.mentor_appoint(actor=organizer, team=team, user=citizen)
    services.membership_leave(actor=fresh(member), team=fresh(team))
    saved = fresh(team)
    secrets = [saved.room_secret, selectors.room_name(saved), "geheimraum", "Geheime Notiz", "meet.jit.si"]

    rows = list(LiveEvent.objects.filter(edition=team.edition))

    assert {r.type for r in rows} >= {"team.founded", "team.member_joined", "team.updated", "team.member_left"}
    for row in rows:
        text = json.dumps(row.payload)
        assert not any(secret in text for secret in secrets), (row.type, text)


# --- found in review ------------------------------------------------------------------------------


def test_it_refuses_to_accept_someone_appointed_mentor_meanwhile(team, participant, organizer, make_participant):
    person = make_participant()
    asked = services.join_request_create(actor=person, team=team)

    services.mentor_appoint(actor=organizer, team=team, user=person)

    assert fresh(asked).status == JoinRequest.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.join_request_decide(actor=fresh(participant), request=fresh(asked), accept=True)
    assert Membership.objects.get(team=team, user=person).role == Membership.Role.MENTOR


def test_it_settles_the_team_after_prototyping(team, participant, organizer, make_participant, team_building):
    person = make_participant()
    services.join_request_decide(actor=fresh(participant),
                                 request=services.join_request_create(actor=person, team=team), accept=True)
    phase_set(actor=organizer, edition=team_building, phase=team_building.phases.get(kind="jury"))

    with pytest.raises(ValidationError):
        services.membership_leave(actor=fresh(person), team=fresh(team))
    with pytest.raises(PermissionDenied):
        services.team_update(actor=fresh(participant), team=fresh(team), name="Neuer Name", description="",
                             skills_needed="", looking_for_members=False)
    assert selectors.team_size(team) == 2 and fresh(team).name == "Die Radler"


def test_it_checks_the_room_pattern_also_outside_the_service(team_building):
    from helpathon.teams.models import TeamSettings

    for pattern in ("https://meet.example.org/same-room", "http://meet.example.org/{room}"):
        with pytest.raises(ValidationError):
            TeamSettings(edition=team_building, room_url_pattern=pattern).full_clean()
