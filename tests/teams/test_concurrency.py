"""Team writes under concurrency, on SQLite and PostgreSQL alike: the team size and the number
of teams per person hold when many answers arrive at once.

These tests commit for real (transaction=True) and run the services from a pool of threads,
each with its own database connection, as concurrent requests would. The services lock the
person's registration and the team row (PostgreSQL); SQLite serializes writers with its
immediate transactions.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from helpathon.accounts.models import User
from helpathon.live.models import LiveEvent
from helpathon.teams import selectors, services
from helpathon.teams.models import JoinRequest, Membership, Team

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def _in_own_connection(work):
    """Run `work` as a request would: its own connection, closed when done. A refusal is
    returned, not raised, so that the test can count them."""

    def run(*args):
        try:
            return work(*args)
        except ValidationError as refused:
            return refused
        finally:
            connection.close()

    return run


def _all_at_once(work, argument_lists) -> list:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(work, *zip(*argument_lists, strict=True)))


@_in_own_connection
def _decide(actor_pk: int, request_pk: int):
    request = JoinRequest.objects.select_related("team", "team__edition").get(pk=request_pk)
    return services.join_request_decide(actor=User.objects.get(pk=actor_pk), request=request, accept=True)


def test_it_takes_exactly_6_of_20_requests_accepted_at_once_into_a_team_of_6(team, participant, make_participant):
    requests = [services.join_request_create(actor=make_participant(), team=team) for _ in range(20)]

    results = _all_at_once(_decide, [(participant.pk, r.pk) for r in requests])

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(results) - len(refused), len(refused)) == (5, 15)
    assert selectors.team_size(team) == Membership.objects.filter(team=team).count() == 6
    # Each event states the size its transaction left behind, in commit order.
    joined = LiveEvent.objects.filter(edition=team.edition, type="team.member_joined").order_by("seq")
    assert [e.payload["members"] for e in joined] == [2, 3, 4, 5, 6]


def test_it_takes_a_person_who_accepts_5_invitations_at_once_into_one_team(team_building, make_participant, ideas):
    person = make_participant()
    invitations = []
    for i in range(5):
        lead = make_participant()
        team = services.team_found(actor=lead, challenge=ideas[0].challenge, name=f"Team {i}", ideas=[ideas[i % 3]])
        invitations.append(services.team_invite(actor=lead, team=team, user=person))

    results = _all_at_once(_decide, [(person.pk, invitation.pk) for invitation in invitations])

    assert len([r for r in results if not isinstance(r, ValidationError)]) == 1
    assert Membership.objects.filter(user=person).count() == 1
    assert sorted(Team.objects.values_list("pk", flat=True)) == sorted(i.team_id for i in invitations)
    statuses = sorted(JoinRequest.objects.filter(user=person).values_list("status", flat=True))
    assert statuses == ["accepted"] + ["withdrawn"] * 4
