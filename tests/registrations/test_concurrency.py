"""Capacity under concurrency, on SQLite and PostgreSQL alike.

The spec: "200 registrations at once for 50 places give exactly 50 confirmed places and 150 on
the waitlist". These tests commit for real (transaction=True) and run the services from a pool
of threads, each with its own database connection, as concurrent requests would.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from helpathon.accounts.models import Sector, User
from helpathon.editions.models import Edition
from helpathon.registrations.models import Registration
from helpathon.registrations.selectors import waitlist_position
from helpathon.registrations.services import (
    AlreadyRegistered,
    make_token,
    places_taken,
    registration_confirm,
    registration_create,
)
from tests.factories import make_edition, make_user

Status = Registration.Status
PEOPLE = 200
PLACES = 50
THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowded():
    return make_edition(slug="crowded", capacity=PLACES)


@pytest.fixture
def crowd(db):
    return [make_user(f"person{i:03}@example.org", display_name=f"Person {i}") for i in range(PEOPLE)]


def _in_own_connection(work):
    """Run `work` as a request would: its own connection, closed when done."""

    def run(*args):
        try:
            return work(*args)
        except AlreadyRegistered as refused:
            return refused
        finally:
            connection.close()

    return run


@_in_own_connection
def _register(user_pk: int, edition_pk: int):
    return registration_create(
        user=User.objects.get(pk=user_pk),
        edition=Edition.objects.get(pk=edition_pk),
        sector=Sector.CIVIL_SOCIETY,
        role="citizen",
        consent=True,
        join_waitlist=True,
    )


@_in_own_connection
def _confirm(token: str):
    return registration_confirm(token=token)


def _all_at_once(work, argument_lists) -> list:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(work, *zip(*argument_lists)))


def _register_everyone(edition: Edition, users: list[User]) -> list:
    return _all_at_once(_register, [(user.pk, edition.pk) for user in users])


def _confirm_everyone(edition: Edition) -> list:
    tokens = [make_token(registration) for registration in Registration.objects.filter(edition=edition)]
    return _all_at_once(_confirm, [(token,) for token in tokens])


def _statuses(edition: Edition) -> dict[str, int]:
    registrations = Registration.objects.filter(edition=edition)
    return {status: registrations.filter(status=status).count() for status in Status.values}


def test_it_gives_exactly_50_places_and_150_waitlist_entries_to_200_people_at_once(crowded, crowd):
    _register_everyone(crowded, crowd)
    _confirm_everyone(crowded)

    assert _statuses(crowded) == {
        Status.PENDING: 0,
        Status.CONFIRMED: PLACES,
        Status.WAITLISTED: PEOPLE - PLACES,
        Status.CANCELLED: 0,
        Status.LAPSED: 0,
    }


def test_it_holds_exactly_50_places_while_200_register_at_once(crowded, crowd):
    _register_everyone(crowded, crowd)

    assert (_statuses(crowded)[Status.PENDING], places_taken(crowded)) == (PLACES, PLACES)


def test_it_registers_each_of_the_200_once(crowded, crowd):
    results = _register_everyone(crowded, crowd)

    assert (
        sorted(r.user_id for r in results)
        == sorted(Registration.objects.filter(edition=crowded).values_list("user_id", flat=True))
        == sorted(user.pk for user in crowd)
    )


def test_it_queues_the_waitlist_behind_the_places_given(crowded, crowd):
    _register_everyone(crowded, crowd)

    registrations = Registration.objects.filter(edition=crowded)
    last_place = max(registrations.filter(status=Status.PENDING).values_list("created_at", flat=True))
    first_queued = min(registrations.filter(status=Status.WAITLISTED).values_list("queued_at", flat=True))
    assert last_place <= first_queued


def test_it_gives_every_waitlisted_person_their_own_position(crowded, crowd):
    _register_everyone(crowded, crowd)

    waitlisted = Registration.objects.filter(edition=crowded, status=Status.WAITLISTED)
    assert sorted(waitlist_position(registration) for registration in waitlisted) == list(range(1, PEOPLE - PLACES + 1))


def test_it_keeps_the_waitlist_order_when_everyone_confirms(crowded, crowd):
    _register_everyone(crowded, crowd)
    queue_before = list(
        Registration.objects.filter(edition=crowded, status=Status.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )

    _confirm_everyone(crowded)

    waitlisted = Registration.objects.filter(edition=crowded, status=Status.WAITLISTED)
    assert list(waitlisted.order_by("queued_at", "pk").values_list("pk", flat=True)) == queue_before
    assert not waitlisted.filter(email_confirmed_at__isnull=True).exists()


def test_it_mails_every_one_of_the_200_an_opt_in_link(crowded, crowd):
    _register_everyone(crowded, crowd)

    assert sorted(address for message in mail.outbox for address in message.to) == sorted(u.email for u in crowd)


def test_it_registers_a_person_clicking_ten_times_at_once_only_once(crowded, citizen):
    eager = citizen

    results = _all_at_once(_register, [(eager.pk, crowded.pk)] * 10)

    refused = [r for r in results if isinstance(r, AlreadyRegistered)]
    assert (len(refused), Registration.objects.filter(edition=crowded, user=eager).count()) == (9, 1)
