"""agenda_for: which phase is current (clock or override), what comes next and when; the
registration window and the edition's own timing."""

from datetime import timedelta

import pytest

from helpathon.editions.agenda import agenda_for, edition_timing, registration_is_open
from helpathon.editions.models import Edition, Phase, PhaseKind
from helpathon.editions.services import phase_set
from tests.factories import make_edition

TICK = timedelta(microseconds=1)


def test_it_has_no_current_phase_before_the_agenda(edition, phases):
    agenda = agenda_for(edition, now=phases[0].starts_at - TICK)

    assert agenda.current is None


def test_it_names_the_first_phase_as_next_before_the_agenda(edition, phases):
    agenda = agenda_for(edition, now=phases[0].starts_at - TICK)

    assert agenda.next == phases[0]


def test_it_changes_at_the_first_phases_start_before_the_agenda(edition, phases):
    agenda = agenda_for(edition, now=phases[0].starts_at - TICK)

    assert agenda.next_change_at == phases[0].starts_at


def test_it_makes_a_phase_current_from_its_start(edition, phases):
    agenda = agenda_for(edition, now=phases[2].starts_at)

    assert agenda.current == phases[2]


def test_it_keeps_a_phase_current_until_just_before_its_end(edition, phases):
    agenda = agenda_for(edition, now=phases[2].ends_at - TICK)

    assert agenda.current == phases[2]


def test_it_moves_on_at_a_phases_end(edition, phases):
    agenda = agenda_for(edition, now=phases[2].ends_at)

    assert agenda.current == phases[3]


def test_it_names_the_following_phase_as_next(edition, phases):
    agenda = agenda_for(edition, now=phases[2].starts_at)

    assert agenda.next == phases[3]


def test_it_changes_at_the_current_phases_end(edition, phases):
    agenda = agenda_for(edition, now=phases[2].starts_at)

    assert agenda.next_change_at == phases[2].ends_at


def test_it_follows_the_clock_when_nobody_overrides(edition, phases):
    agenda = agenda_for(edition, now=phases[2].starts_at)

    assert agenda.manual is False


def test_it_has_no_next_phase_in_the_last_one(edition, phases):
    agenda = agenda_for(edition, now=phases[-1].starts_at)

    assert agenda.next is None


def test_it_has_nothing_current_or_next_after_the_agenda(edition, phases):
    agenda = agenda_for(edition, now=phases[-1].ends_at)

    assert (agenda.current, agenda.next, agenda.next_change_at) == (None, None, None)


def test_it_has_no_current_phase_between_phases(db):
    edition = make_edition(slug="gaps", phase_kinds=[])
    start = edition.starts_at
    Phase.objects.create(edition=edition, kind=PhaseKind.KICKOFF, starts_at=start, ends_at=start + timedelta(hours=1))
    later = Phase.objects.create(
        edition=edition,
        kind=PhaseKind.IDEATION,
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=5),
    )

    agenda = agenda_for(edition, now=start + timedelta(hours=1, minutes=30))

    assert (agenda.current, agenda.next, agenda.next_change_at) == (None, later, later.starts_at)


def test_it_lists_the_phases_in_time_order(edition, phases):
    assert agenda_for(edition, now=phases[0].starts_at).phases == phases


def test_it_lets_the_override_win_over_the_clock(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[5])

    agenda = agenda_for(edition, now=phases[1].starts_at)

    assert agenda.current == phases[5]


def test_it_marks_an_overridden_agenda_as_manual(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[5])

    assert agenda_for(edition, now=phases[1].starts_at).manual is True


def test_it_names_the_phase_after_the_override_as_next(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[5])

    assert agenda_for(edition, now=phases[1].starts_at).next == phases[6]


def test_it_promises_no_change_while_an_organizer_holds_the_agenda(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[5])

    assert agenda_for(edition, now=phases[1].starts_at).next_change_at is None


def test_it_honours_an_override_set_on_the_row(edition, phases):
    Edition.objects.filter(pk=edition.pk).update(phase_override=phases[4])
    edition = Edition.objects.get(pk=edition.pk)

    assert agenda_for(edition, now=phases[0].starts_at).current == phases[4]


def test_it_ignores_an_override_that_is_not_one_of_its_phases(edition, phases):
    foreign = make_edition(slug="foreign").phases.first()
    Edition.objects.filter(pk=edition.pk).update(phase_override=foreign)
    edition = Edition.objects.get(pk=edition.pk)

    agenda = agenda_for(edition, now=phases[3].starts_at)

    assert (agenda.current, agenda.manual) == (phases[3], False)


def test_it_has_no_agenda_without_phases(db):
    edition = make_edition(slug="no-agenda", phase_kinds=[])

    agenda = agenda_for(edition, now=edition.starts_at)

    assert (agenda.phases, agenda.current, agenda.next, agenda.next_change_at) == ([], None, None, None)


def test_it_needs_no_query_with_prefetched_phases(edition, django_assert_num_queries):
    edition = Edition.objects.prefetch_related("phases").get(pk=edition.pk)

    with django_assert_num_queries(0):
        agenda_for(edition, now=edition.starts_at)


def test_it_remembers_the_agenda_for_the_request(edition, django_assert_num_queries):
    agenda_for(edition)

    with django_assert_num_queries(0):
        agenda_for(edition)


def test_it_computes_a_fresh_agenda_for_an_explicit_moment(edition, phases):
    agenda_for(edition)  # cached for "now", before the agenda

    assert agenda_for(edition, now=phases[1].starts_at).current == phases[1]


@pytest.mark.parametrize(
    "offset, is_open",
    [(-TICK, False), (timedelta(0), True), (timedelta(hours=1), True)],
    ids=["before-opening", "at-opening", "after-opening"],
)
def test_it_opens_registration_at_the_opening_moment(offset, is_open, edition):
    assert registration_is_open(edition, now=edition.registration_opens_at + offset) is is_open


@pytest.mark.parametrize(
    "offset, is_open", [(-TICK, True), (timedelta(0), False)], ids=["just-before-closing", "at-closing"]
)
def test_it_closes_registration_at_the_closing_moment(offset, is_open, edition):
    assert registration_is_open(edition, now=edition.registration_closes_at + offset) is is_open


@pytest.mark.parametrize(
    "moment, timing",
    [
        (lambda e: e.starts_at - TICK, "upcoming"),
        (lambda e: e.starts_at, "running"),
        (lambda e: e.ends_at - TICK, "running"),
        (lambda e: e.ends_at, "past"),
    ],
    ids=["before-start", "at-start", "before-end", "at-end"],
)
def test_it_times_the_edition_by_its_own_dates(moment, timing, edition):
    assert edition_timing(edition, now=moment(edition)) == timing


def test_it_times_the_edition_by_the_clock_by_default(edition):
    assert edition_timing(edition) == "upcoming"
