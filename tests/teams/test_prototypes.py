"""The prototype services: saving versions, conflicts and drafts, who may edit when, submitting
and reopening, the live events, and submitted prototypes as an evaluation target. State is set
up through the services; the edition is in its prototyping phase (`prototyping`) unless a test
moves it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404

from helpathon.editions.services import phase_set
from helpathon.evaluation import services as evaluation_services
from helpathon.evaluation import targets
from helpathon.evaluation.models import Criterion, Rating
from helpathon.live.models import LiveEvent
from helpathon.teams import services
from helpathon.teams.models import Prototype, PrototypeDraft, PrototypeImage, PrototypeVersion
from tests.teams.test_uploads import pdf, picture

pytestmark = pytest.mark.django_db

FULL = {"problem": "Zu viele Autos", "solution": "Lastenräder leihen", "future_scenario": "Ruhige Straßen"}


# --- helpers -----------------------------------------------------------------------------------


def fresh(obj):
    """The object as the next request loads it (no role or agenda cached on it)."""
    return type(obj).objects.get(pk=obj.pk)


def move_to(edition, organizer, kind: str) -> None:
    phase_set(actor=fresh(organizer), edition=fresh(edition), phase=edition.phases.get(kind=kind))


def events(edition, type_: str) -> list[dict]:
    return [e.payload for e in LiveEvent.objects.filter(edition=edition, type=type_).order_by("seq")]


def save(actor, team, sections, base_version, **extra):
    return services.prototype_save(actor=fresh(actor), team=fresh(team), sections=sections,
                                   base_version=base_version, **extra)


@pytest.fixture
def member(team, participant, make_participant):
    """A second member, joined during team building."""
    person = make_participant("Mia Member")
    request = services.join_request_create(actor=person, team=fresh(team))
    services.join_request_decide(actor=fresh(participant), request=request, accept=True)
    return person


@pytest.fixture
def prototyping(team, member, edition, organizer):
    move_to(edition, organizer, "prototyping")
    return fresh(team)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def submitted(team, participant):
    save(participant, team, FULL, 0)
    return services.prototype_submit(actor=fresh(participant), team=fresh(team))


# --- saving and versions -------------------------------------------------------------------------


def test_it_starts_with_an_empty_draft(prototyping):
    prototype = services.prototype_of(prototyping)

    assert (prototype.version, prototype.status) == (0, Prototype.Status.DRAFT)
    assert set(prototype.sections().values()) == {""}
    assert services.prototype_of(prototyping).pk == prototype.pk


def test_it_keeps_a_version_for_each_save(prototyping, participant, member):
    save(participant, prototyping, {"problem": "Erst"}, 0, note="Anfang")
    prototype = save(member, prototyping, {"problem": "Dann", "solution": "Räder"}, 1, pitch_url="https://example.org/v")

    assert prototype.version == 2
    first, second = PrototypeVersion.objects.filter(prototype=prototype).order_by("number")
    assert (first.number, first.editor_id, first.note) == (1, participant.pk, "Anfang")
    assert (second.number, second.editor_id, second.note) == (2, member.pk, "")
    assert first.sections == {**dict.fromkeys(second.sections, ""), "problem": "Erst"}
    assert second.sections["problem"] == "Dann" and second.sections["solution"] == "Räder"
    assert second.sections["pitch_url"] == "https://example.org/v"
    assert set(second.sections) == {*Prototype().sections(), "pitch_url"}


def test_it_keeps_sections_left_out(prototyping, participant):
    save(participant, prototyping, {"problem": "Erst", "risks": "Regen"}, 0)

    prototype = save(participant, prototyping, {"problem": "Neu"}, 1)

    assert (prototype.problem, prototype.risks) == ("Neu", "Regen")


def test_it_makes_no_version_when_nothing_changed(prototyping, participant):
    save(participant, prototyping, {"problem": "Erst"}, 0)

    prototype = save(participant, prototyping, {"problem": "  Erst\r\n"}, 1, note="nichts")

    assert prototype.version == 1
    assert PrototypeVersion.objects.count() == 1
    assert len(events(prototyping.edition, "prototype.saved")) == 1


def test_it_refuses_overlong_sections_and_non_text(prototyping, participant):
    with pytest.raises(ValidationError) as refused:
        save(participant, prototyping, {"problem": "x" * 20_001, "solution": 5}, 0)

    assert set(refused.value.message_dict) == {"problem", "solution"}
    assert not PrototypeVersion.objects.exists()


def test_it_refuses_a_pitch_link_that_is_not_https(prototyping, participant):
    with pytest.raises(ValidationError) as refused:
        save(participant, prototyping, {"problem": "Erst"}, 0, pitch_url="javascript:alert(1)")

    assert "pitch_url" in refused.value.message_dict
    assert not PrototypeVersion.objects.exists()


# --- conflicts and drafts ------------------------------------------------------------------------


def test_it_refuses_a_save_based_on_an_old_version(prototyping, participant, member):
    save(participant, prototyping, {"problem": "Von Paul"}, 0)

    with pytest.raises(services.PrototypeConflict) as conflict:
        save(member, prototyping, {"problem": "Von Mia", "risks": "Streit"}, 0)

    assert conflict.value.prototype.version == 1
    assert conflict.value.prototype.problem == "Von Paul"
    prototype = Prototype.objects.get(team=prototyping)
    assert (prototype.version, prototype.problem, prototype.risks) == (1, "Von Paul", "")
    assert PrototypeVersion.objects.count() == 1
    assert len(events(prototyping.edition, "prototype.saved")) == 1


def test_it_keeps_the_conflicting_text_as_a_draft(prototyping, participant, member):
    save(participant, prototyping, {"problem": "Von Paul", "solution": "Pauls Lösung"}, 0)

    with pytest.raises(services.PrototypeConflict):
        save(member, prototyping, {"problem": "Von Mia"}, 0)

    draft = PrototypeDraft.objects.get(user=member)
    assert draft.base_version == 0
    assert draft.sections["problem"] == "Von Mia"
    assert not PrototypeDraft.objects.filter(user=participant).exists()


@pytest.mark.django_db(transaction=True)
def test_it_commits_the_draft_although_the_save_failed(prototyping, participant, member):
    save(participant, prototyping, {"problem": "Von Paul"}, 0)

    with pytest.raises(services.PrototypeConflict):
        save(member, prototyping, {"problem": "Von Mia"}, 0)

    # No test transaction here: what is visible now was committed, not rolled back.
    assert not connection.in_atomic_block
    assert PrototypeDraft.objects.get(user=member).sections["problem"] == "Von Mia"


def test_it_saves_and_updates_a_draft_without_a_version(prototyping, member):
    services.draft_save(actor=fresh(member), team=prototyping, sections={"problem": "Ent"}, base_version=0)
    draft = services.draft_save(actor=fresh(member), team=prototyping, sections={"problem": "Entwurf"}, base_version=0)

    assert PrototypeDraft.objects.get().pk == draft.pk
    assert draft.sections == {"problem": "Entwurf"}
    assert Prototype.objects.get(team=prototyping).version == 0
    assert not events(prototyping.edition, "prototype.saved")


def test_it_discards_a_draft(prototyping, member, participant):
    services.draft_save(actor=fresh(member), team=prototyping, sections={"problem": "Mia"}, base_version=0)
    services.draft_save(actor=fresh(participant), team=prototyping, sections={"problem": "Paul"}, base_version=0)

    services.draft_discard(actor=fresh(member), team=prototyping)

    assert list(PrototypeDraft.objects.values_list("user_id", flat=True)) == [participant.pk]


def test_it_removes_the_draft_after_a_save(prototyping, member):
    services.draft_save(actor=fresh(member), team=prototyping, sections={"problem": "Mia"}, base_version=0)

    save(member, prototyping, {"problem": "Mia"}, 0)

    assert not PrototypeDraft.objects.exists()


def test_it_refuses_drafts_of_non_members(prototyping, make_participant):
    with pytest.raises(PermissionDenied):
        services.draft_save(actor=make_participant(), team=prototyping, sections={"problem": "x"}, base_version=0)


# --- who may edit when ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "mentor", "organizer", "citizen"])
def test_it_lets_only_members_edit(prototyping, organizer, citizen, make_participant, who):
    if who == "mentor":
        services.mentor_appoint(actor=fresh(organizer), team=prototyping, user=citizen)
    person = {"outsider": make_participant(), "mentor": citizen, "organizer": organizer, "citizen": citizen}[who]

    with pytest.raises(PermissionDenied):
        save(person, prototyping, {"problem": "x"}, 0)
    assert not PrototypeVersion.objects.exists()


@pytest.mark.parametrize("kind", ["team_building", "pitches", "jury"])
def test_it_refuses_editing_outside_prototyping(prototyping, edition, organizer, participant, kind):
    move_to(edition, organizer, kind)

    with pytest.raises(PermissionDenied):
        save(participant, prototyping, {"problem": "x"}, 0)


def test_it_refuses_images_and_pdfs_from_non_members(prototyping, make_participant):
    outsider = make_participant()

    with pytest.raises(PermissionDenied):
        services.image_add(actor=outsider, team=prototyping, upload=SimpleUploadedFile("a.png", picture("PNG")),
                           alt="Ein Bild")
    with pytest.raises(PermissionDenied):
        services.pitch_pdf_set(actor=outsider, team=prototyping, upload=SimpleUploadedFile("a.pdf", pdf()))


def test_it_lets_a_member_remove_an_image(prototyping, member):
    image = services.image_add(actor=fresh(member), team=prototyping,
                               upload=SimpleUploadedFile("a.png", picture("PNG")), alt="Ein Bild")

    services.image_remove(actor=fresh(member), team=prototyping, image=image)

    assert not PrototypeImage.objects.exists()


# --- submitting ----------------------------------------------------------------------------------


def test_it_submits_a_complete_prototype(prototyping, participant):
    prototype = submitted(prototyping, participant)

    assert prototype.status == Prototype.Status.SUBMITTED and prototype.submitted_at is not None
    assert Prototype.objects.get(pk=prototype.pk).status == Prototype.Status.SUBMITTED


def test_it_requires_problem_solution_and_future_scenario(prototyping, participant):
    save(participant, prototyping, {"problem": "Nur das"}, 0)

    with pytest.raises(ValidationError) as refused:
        services.prototype_submit(actor=fresh(participant), team=prototyping)

    assert set(refused.value.message_dict) == {"solution", "future_scenario"}
    assert Prototype.objects.get(team=prototyping).status == Prototype.Status.DRAFT


def test_it_submits_only_once(prototyping, participant, member):
    first = submitted(prototyping, participant)

    again = services.prototype_submit(actor=fresh(member), team=prototyping)

    assert again.submitted_at == first.submitted_at
    assert len(events(prototyping.edition, "prototype.submitted")) == 1


@pytest.mark.parametrize("who", ["mentor", "organizer", "outsider"])
def test_it_lets_only_members_submit(prototyping, participant, organizer, citizen, make_participant, who):
    save(participant, prototyping, FULL, 0)
    if who == "mentor":
        services.mentor_appoint(actor=fresh(organizer), team=prototyping, user=citizen)
    person = {"mentor": citizen, "organizer": organizer, "outsider": make_participant()}[who]

    with pytest.raises(PermissionDenied):
        services.prototype_submit(actor=fresh(person), team=prototyping)


def test_it_refuses_submitting_after_the_phase_ended(prototyping, edition, organizer, participant):
    save(participant, prototyping, FULL, 0)
    move_to(edition, organizer, "pitches")

    with pytest.raises(PermissionDenied):
        services.prototype_submit(actor=fresh(participant), team=prototyping)
    with pytest.raises(PermissionDenied):
        save(participant, prototyping, {"problem": "Zu spät"}, 1)
    assert Prototype.objects.get(team=prototyping).status == Prototype.Status.DRAFT


def test_it_makes_a_submitted_prototype_read_only(prototyping, participant):
    submitted(prototyping, participant)

    with pytest.raises(ValidationError):
        save(participant, prototyping, {"problem": "Nachher"}, 1)
    with pytest.raises(ValidationError):
        services.image_add(actor=fresh(participant), team=prototyping,
                           upload=SimpleUploadedFile("a.png", picture("PNG")), alt="Ein Bild")
    with pytest.raises(ValidationError):
        services.pitch_pdf_set(actor=fresh(participant), team=prototyping, upload=SimpleUploadedFile("a.pdf", pdf()))
    prototype = Prototype.objects.get(team=prototyping)
    assert (prototype.version, prototype.problem, prototype.pitch_pdf.name) == (1, FULL["problem"], "")
    assert not PrototypeImage.objects.exists()


def test_it_lets_organizers_reopen(prototyping, participant, organizer):
    submitted(prototyping, participant)

    reopened = services.prototype_reopen(actor=fresh(organizer), team=prototyping)

    assert (reopened.status, reopened.submitted_at) == (Prototype.Status.DRAFT, None)
    assert save(participant, prototyping, {"problem": "Besser"}, 1).version == 2


@pytest.mark.parametrize("who", ["participant", "stranger_organizer"])
def test_it_lets_only_organizers_reopen(request, prototyping, participant, who):
    submitted(prototyping, participant)

    with pytest.raises(PermissionDenied):
        services.prototype_reopen(actor=fresh(request.getfixturevalue(who)), team=prototyping)
    assert Prototype.objects.get(team=prototyping).status == Prototype.Status.SUBMITTED


# --- live events ---------------------------------------------------------------------------------


def test_it_announces_saves_submission_and_reopening_without_text(prototyping, participant, organizer):
    save(participant, prototyping, FULL, 0)
    services.prototype_submit(actor=fresh(participant), team=prototyping)
    services.prototype_reopen(actor=fresh(organizer), team=prototyping)

    announced = list(
        LiveEvent.objects.filter(edition=prototyping.edition, type__startswith="prototype.").order_by("seq")
    )
    assert [(e.type, e.payload) for e in announced] == [
        ("prototype.saved", {"team": prototyping.pk, "version": 1}),
        ("prototype.submitted", {"team": prototyping.pk, "challenge": prototyping.challenge_id}),
        ("prototype.reopened", {"team": prototyping.pk}),
    ]
    text = repr([e.payload for e in announced])
    assert not any(value in text for value in FULL.values())


# --- as an evaluation target ---------------------------------------------------------------------


def test_it_offers_only_submitted_prototypes_for_evaluation(prototyping, participant):
    prototype = services.prototype_of(prototyping)
    with pytest.raises(Http404):
        targets.target_get(edition=prototyping.edition, kind="prototype", pk=prototype.pk)

    submitted(prototyping, participant)

    found = targets.target_get(edition=prototyping.edition, kind="prototype", pk=prototype.pk)
    assert found.pk == prototype.pk and found.title == "Die Radler"


@pytest.fixture
def jury_on_prototypes(prototyping, participant, edition, organizer):
    prototype = submitted(prototyping, participant)
    evaluation_services.settings_update(actor=fresh(organizer), edition=fresh(edition), jury_rates="prototype")
    return prototype


def jury_key(edition) -> str:
    evaluation_services.criteria_ensure_defaults(edition=edition)
    return Criterion.objects.filter(edition=edition, for_jury=True).values_list("key", flat=True).first()


def test_it_lets_a_juror_rate_a_submitted_prototype(jury_on_prototypes, edition, organizer, citizen):
    evaluation_services.jury_appoint(actor=fresh(organizer), edition=fresh(edition), user=citizen)
    move_to(edition, organizer, "jury")
    key = jury_key(edition)
    target = targets.target_get(edition=fresh(edition), kind="prototype", pk=jury_on_prototypes.pk)

    given = evaluation_services.rating_set(actor=fresh(citizen), kind="prototype", target=target, panel="jury",
                                           values={key: 4})

    assert given == {key: 4}
    rating = Rating.objects.get()
    assert (rating.target_kind, rating.target_id, rating.value) == ("prototype", jury_on_prototypes.pk, 4)


def test_it_refuses_a_juror_rating_their_own_teams_prototype(jury_on_prototypes, edition, organizer, member):
    evaluation_services.jury_appoint(actor=fresh(organizer), edition=fresh(edition), user=member)
    move_to(edition, organizer, "jury")
    target = targets.target_get(edition=fresh(edition), kind="prototype", pk=jury_on_prototypes.pk)

    with pytest.raises(PermissionDenied):
        evaluation_services.rating_set(actor=fresh(member), kind="prototype", target=target, panel="jury",
                                       values={jury_key(edition): 4})
    assert not Rating.objects.exists()


def test_it_keeps_no_draft_of_what_is_saved_already(prototyping, member):
    """An autosave that arrives right after the save it preceded must not leave a stale draft."""
    services.prototype_save(actor=fresh(member), team=prototyping, sections={"problem": "Gespeichert"}, base_version=0)

    late = services.draft_save(actor=fresh(member), team=prototyping, sections={"problem": "Gespeichert"}, base_version=0)

    assert late is None
    assert not PrototypeDraft.objects.exists()
