"""The organizer's manual control of the agenda: phase_set, phase_step, phase_follow_clock."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Edition, Phase, PhaseChange, PhaseKind
from helpathon.editions.services import phase_follow_clock, phase_set, phase_step
from tests.factories import make_edition, make_user


def _reloaded(edition: Edition) -> Edition:
    return Edition.objects.get(pk=edition.pk)


def _current(edition: Edition) -> Phase | None:
    return agenda_for(_reloaded(edition)).current


def _changes(edition: Edition) -> list[tuple]:
    return list(
        PhaseChange.objects.filter(edition=edition)
        .order_by("pk")
        .values_list("changed_by", "from_phase", "to_phase", "manual")
    )


def _running(slug: str) -> Edition:
    """An edition whose third phase (ideation) is current by the clock."""
    edition = make_edition(slug=slug, starts_in=-timedelta(hours=12), duration=timedelta(days=2))
    assert agenda_for(edition).current.kind == PhaseKind.IDEATION
    return edition


# --- phase_set ----------------------------------------------------------------------------


def test_it_sets_the_current_phase_by_hand(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[4])

    assert _current(edition) == phases[4]


def test_it_stores_the_override_on_the_edition(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[4])

    assert _reloaded(edition).phase_override == phases[4]


def test_it_records_a_manual_phase_change(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[4])

    assert _changes(edition) == [(organizer.pk, None, phases[4].pk, True)]


def test_it_records_the_clocks_phase_as_the_one_left(db, organizer):
    edition = _running("running")
    edition.organizers.add(organizer)
    ideation = edition.phases.get(kind=PhaseKind.IDEATION)
    pitches = edition.phases.get(kind=PhaseKind.PITCHES)

    phase_set(actor=organizer, edition=edition, phase=pitches)

    assert _changes(edition) == [(organizer.pk, ideation.pk, pitches.pk, True)]


def test_it_rejects_a_phase_of_another_edition(edition, organizer):
    foreign = make_edition(slug="foreign").phases.first()

    with pytest.raises(ValidationError):
        phase_set(actor=organizer, edition=edition, phase=foreign)


def test_it_changes_nothing_for_a_phase_of_another_edition(edition, organizer):
    foreign = make_edition(slug="foreign").phases.first()

    with pytest.raises(ValidationError):
        phase_set(actor=organizer, edition=edition, phase=foreign)

    assert (_reloaded(edition).phase_override, _changes(edition)) == (None, [])


def test_it_lets_a_superuser_set_the_phase(edition, phases):
    admin = make_user("admin@example.org", display_name="Ada Admin", is_staff=True, is_superuser=True)

    phase_set(actor=admin, edition=edition, phase=phases[1])

    assert _current(edition) == phases[1]


# --- phase_step ---------------------------------------------------------------------------


def test_it_steps_to_the_next_phase(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[3])

    phase_step(actor=organizer, edition=edition, step=1)

    assert _current(edition) == phases[4]


def test_it_steps_back_to_the_previous_phase(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[3])

    phase_step(actor=organizer, edition=edition, step=-1)

    assert _current(edition) == phases[2]


def test_it_steps_from_the_clocks_phase(db, organizer):
    edition = _running("running")
    edition.organizers.add(organizer)

    phase_step(actor=organizer, edition=edition, step=1)

    assert _current(edition).kind == PhaseKind.EVALUATION


def test_it_steps_into_the_first_phase_before_the_agenda(edition, organizer, phases):
    phase_step(actor=organizer, edition=edition, step=1)

    assert _current(edition) == phases[0]


def test_it_refuses_to_step_back_before_the_agenda(edition, organizer):
    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=-1)


def test_it_steps_back_into_the_last_phase_after_the_agenda(db, organizer):
    edition = make_edition(slug="past", starts_in=-timedelta(days=3), duration=timedelta(days=2))
    edition.organizers.add(organizer)

    phase_step(actor=organizer, edition=edition, step=-1)

    assert _current(edition) == edition.phases.order_by("starts_at").last()


def test_it_refuses_to_step_forward_after_the_agenda(db, organizer):
    edition = make_edition(slug="past", starts_in=-timedelta(days=3), duration=timedelta(days=2))
    edition.organizers.add(organizer)

    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=1)


def test_it_steps_between_phases_to_the_coming_one(db, organizer):
    edition, _before, after = _edition_in_a_gap(organizer)

    phase_step(actor=organizer, edition=edition, step=1)

    assert _current(edition) == after


def test_it_steps_back_between_phases_to_the_one_just_ended(db, organizer):
    edition, before, _after = _edition_in_a_gap(organizer)

    phase_step(actor=organizer, edition=edition, step=-1)

    assert _current(edition) == before


def _edition_in_a_gap(organizer):
    now = timezone.now()
    edition = make_edition(slug="gap", starts_in=-timedelta(hours=5), phase_kinds=[])
    edition.organizers.add(organizer)
    before = Phase.objects.create(
        edition=edition, kind=PhaseKind.KICKOFF, starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=1)
    )
    after = Phase.objects.create(
        edition=edition, kind=PhaseKind.IDEATION, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=5)
    )
    return edition, before, after


def test_it_refuses_to_step_past_the_last_phase(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[-1])

    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=1)


def test_it_refuses_to_step_before_the_first_phase(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[0])

    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=-1)


def test_it_keeps_the_phase_when_it_cannot_step(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[-1])

    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=1)

    assert (_current(edition), len(_changes(edition))) == (phases[-1], 1)


def test_it_refuses_to_step_without_an_agenda(db, organizer):
    edition = make_edition(slug="no-agenda", phase_kinds=[])
    edition.organizers.add(organizer)

    with pytest.raises(ValidationError):
        phase_step(actor=organizer, edition=edition, step=1)


def test_it_records_each_step(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[3])
    phase_step(actor=organizer, edition=edition, step=1)
    phase_step(actor=organizer, edition=edition, step=-1)

    assert _changes(edition) == [
        (organizer.pk, None, phases[3].pk, True),
        (organizer.pk, phases[3].pk, phases[4].pk, True),
        (organizer.pk, phases[4].pk, phases[3].pk, True),
    ]


# --- phase_follow_clock -------------------------------------------------------------------


def test_it_hands_the_agenda_back_to_the_clock(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[3])

    phase_follow_clock(actor=organizer, edition=edition)

    agenda = agenda_for(_reloaded(edition))
    assert (agenda.current, agenda.manual) == (None, False)  # the edition starts in a week


def test_it_clears_the_override_row(edition, organizer, phases):
    phase_set(actor=organizer, edition=edition, phase=phases[3])

    phase_follow_clock(actor=organizer, edition=edition)

    assert _reloaded(edition).phase_override is None


def test_it_records_the_return_to_the_clock(db, organizer):
    edition = _running("running")
    edition.organizers.add(organizer)
    ideation = edition.phases.get(kind=PhaseKind.IDEATION)
    pitches = edition.phases.get(kind=PhaseKind.PITCHES)
    phase_set(actor=organizer, edition=edition, phase=pitches)

    phase_follow_clock(actor=organizer, edition=edition)

    assert _changes(edition)[-1] == (organizer.pk, pitches.pk, ideation.pk, False)


def test_it_records_nothing_when_the_clock_already_rules(edition, organizer):
    phase_follow_clock(actor=organizer, edition=edition)

    assert _changes(edition) == []


# --- who may ------------------------------------------------------------------------------


def _set(actor, edition):
    phase_set(actor=actor, edition=edition, phase=edition.phases.first())


def _step(actor, edition):
    phase_step(actor=actor, edition=edition, step=1)


def _follow(actor, edition):
    phase_follow_clock(actor=actor, edition=edition)


@pytest.mark.parametrize("change", [_set, _step, _follow], ids=["phase_set", "phase_step", "phase_follow_clock"])
@pytest.mark.parametrize("role", ["visitor", "citizen", "participant", "stranger_organizer"])
def test_it_lets_only_organizers_change_the_phase(role, change, request, edition):
    actor = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        change(actor, edition)


@pytest.mark.parametrize("change", [_set, _step], ids=["phase_set", "phase_step"])
def test_it_records_nothing_for_a_refused_change(change, edition, participant):
    with pytest.raises(PermissionDenied):
        change(participant, edition)

    assert (_reloaded(edition).phase_override, _changes(edition)) == (None, [])


def test_it_refuses_a_stranger_organizer_even_with_their_own_editions_phase(edition, stranger_organizer):
    theirs = Edition.objects.get(slug="other-edition").phases.first()

    with pytest.raises(PermissionDenied):
        phase_set(actor=stranger_organizer, edition=edition, phase=theirs)
