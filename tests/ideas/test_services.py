"""The idea and comment services: who may write when, what each write keeps (versions, links,
counts), and the live event each records in the same transaction.

State is set up through the services, as a request would; objects are read back from the
database after a phase change, because an edition caches its agenda for the life of a request.
"""

import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpathon.editions.models import Challenge, Edition, PhaseKind
from helpathon.editions.services import phase_set
from helpathon.ideas import services
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion, Tag
from helpathon.ideas.services import (
    IdeaConflict,
    comment_create,
    comment_delete,
    comment_update,
    idea_create,
    idea_merge,
    idea_set_status,
    idea_update,
)
from helpathon.live.events import EVENT_FIELDS
from helpathon.live.models import LiveCursor, LiveEvent
from helpathon.moderation.services import content_hide
from helpathon.registrations.services import make_token, registration_confirm, registration_create
from tests.factories import make_edition, make_user

K = PhaseKind
COMMENT_PHASES = {K.IDEATION, K.EVALUATION, K.TEAM_BUILDING, K.PROTOTYPING}
Status = Idea.Status


# --- the cast beyond conftest ------------------------------------------------------------------


def _confirmed_participant(edition: Edition, email: str, name: str):
    user = make_user(email, display_name=name)
    registration = registration_create(user=user, edition=edition, sector="science", role="student", consent=True)
    registration_confirm(token=make_token(registration))
    return user


@pytest.fixture
def other_participant(edition):
    return _confirmed_participant(edition, "petra@example.org", "Petra Peer")


@pytest.fixture
def moderator(edition):
    user = make_user("moderator@example.org", display_name="Mona Moderator")
    edition.moderators.add(user)
    return user


@pytest.fixture
def ideation(edition, organizer):
    _enter(K.IDEATION, edition=edition, organizer=organizer)
    return edition


@pytest.fixture
def challenge(ideation):
    return _challenge(ideation)


@pytest.fixture
def idea(ideation, participant):
    return _submit(participant, ideation, title="Mehr Bänke am Fluss", body="Damit man *sitzen* kann.")


@pytest.fixture
def elsewhere_idea(db):
    """An idea in another edition (imported, so no phase is needed)."""
    other = make_edition(slug="elsewhere")
    author = make_user("elsewhere@example.org", display_name="Elli Elsewhere")
    return idea_create(actor=author, challenge=_challenge(other), title="Woanders", check_permission=False)


# --- helpers ---------------------------------------------------------------------------------------


def _enter(kind: str, *, edition: Edition, organizer) -> None:
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind=kind))


def _challenge(edition: Edition) -> Challenge:
    return Challenge.objects.filter(edition_id=edition.pk).order_by("order").first()


def _fresh(obj):
    """The object as the next request would load it (no cached edition or agenda)."""
    return type(obj).objects.get(pk=obj.pk)


def _submit(actor, edition: Edition, **fields) -> Idea:
    fields.setdefault("title", "Eine Idee")
    return idea_create(actor=actor, challenge=_challenge(edition), **fields)


_IDEA_EVENT_TYPES = [t for t in EVENT_FIELDS if t.startswith(("idea.", "comment."))]


def _events(edition: Edition, type: str | None = None) -> list[LiveEvent]:
    """The edition's idea and comment events (phase changes may have their own)."""
    events = LiveEvent.objects.filter(edition=edition).order_by("seq")
    return list(events.filter(type=type) if type else events.filter(type__in=_IDEA_EVENT_TYPES))


def _database() -> dict:
    """Every row the idea services may write, to prove that a refused call wrote nothing."""
    models = (Idea, Idea.tags.through, IdeaVersion, IdeaLink, Tag, Comment, LiveEvent, LiveCursor)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def _visible_comments(idea: Idea) -> int:
    return Comment.objects.filter(idea=idea, deleted_at__isnull=True, hidden_at__isnull=True).count()


def _merge(actor, idea: Idea, target: Idea) -> Idea:
    return idea_merge(actor=actor, idea=_fresh(idea), target=_fresh(target))


# --- idea_create: the phase gate ------------------------------------------------------------------


def test_it_lets_a_participant_submit_an_idea_in_ideation(ideation, participant):
    idea = _submit(participant, ideation, title="  Mehr   Bänke  ", body="  Am *Fluss*.  ")

    idea = _fresh(idea)
    assert (idea.edition_id, idea.challenge_id, idea.author_id) == (ideation.pk, _challenge(ideation).pk, participant.pk)
    assert (idea.title, idea.body, idea.status, idea.version) == ("Mehr Bänke", "Am *Fluss*.", Status.OPEN, 1)


@pytest.mark.parametrize("kind", sorted(set(K.values) - {K.IDEATION}))
def test_it_refuses_a_submission_outside_ideation(kind, edition, organizer, participant):
    _enter(kind, edition=edition, organizer=organizer)
    before = _database()

    with pytest.raises(PermissionDenied):
        _submit(participant, edition)

    assert _database() == before


def test_it_refuses_a_submission_before_the_agenda_starts(edition, participant):
    with pytest.raises(PermissionDenied):
        _submit(participant, edition)

    assert not Idea.objects.exists()


@pytest.mark.parametrize("role", ["visitor", "citizen", "organizer", "moderator", "stranger_organizer"])
def test_it_refuses_a_submission_from_anyone_without_a_place(role, request, ideation):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        _submit(actor, ideation)

    assert _database() == before


# --- idea_create: what it keeps -------------------------------------------------------------------


def test_it_records_the_submission_as_version_1(ideation, participant):
    idea = _submit(participant, ideation, title="Mehr Bänke", body="Am Fluss.", tags=["Grün"])

    assert list(IdeaVersion.objects.filter(idea=idea).values_list("number", "title", "body", "tags", "editor_id")) == [
        (1, "Mehr Bänke", "Am Fluss.", "grün", participant.pk)
    ]


def test_it_cleans_and_dedupes_tags(ideation, participant):
    idea = _submit(participant, ideation, tags=[" Verkehr ", "#verkehr", "VERKEHR", "öffentlicher \n  Raum", "", "  "])

    assert list(idea.tags.order_by("name").values_list("name", flat=True)) == ["verkehr", "öffentlicher raum"]
    assert IdeaVersion.objects.get(idea=idea).tags == "verkehr, öffentlicher raum"


def test_it_drops_the_space_after_a_hash_sign_in_a_tag(ideation, participant):
    # "# Verkehr" is the same tag as "#Verkehr"; no tag name starts with a space.
    idea = _submit(participant, ideation, tags=["# Verkehr", "#Verkehr"])

    assert list(idea.tags.values_list("name", flat=True)) == ["verkehr"]


def test_it_shares_one_tag_row_between_ideas(ideation, participant):
    _submit(participant, ideation, title="Erste Idee", tags=["Verkehr"])
    _submit(participant, ideation, title="Zweite Idee", tags=["verkehr"])

    assert list(Tag.objects.values_list("name", flat=True)) == ["verkehr"]


def test_it_accepts_8_tags(ideation, participant):
    idea = _submit(participant, ideation, tags=[f"tag{i}" for i in range(8)])

    assert idea.tags.count() == 8


def test_it_counts_a_repeated_tag_once_towards_the_limit(ideation, participant):
    idea = _submit(participant, ideation, tags=[f"tag{i}" for i in range(8)] + ["TAG0", "#tag1"])

    assert idea.tags.count() == 8


def test_it_accepts_a_tag_of_40_characters(ideation, participant):
    idea = _submit(participant, ideation, tags=["x" * 40])

    assert list(idea.tags.values_list("name", flat=True)) == ["x" * 40]


INVALID_SUBMISSIONS = {
    "title-too-short": ({"title": " ab  "}, "title"),
    "title-missing": ({"title": ""}, "title"),
    "title-too-long": ({"title": "x" * 161}, "title"),
    "body-too-long": ({"body": "x" * (services.MAX_BODY + 1)}, "body"),
    "9-tags": ({"tags": [f"tag{i}" for i in range(9)]}, "tags"),
    "tag-too-long": ({"tags": ["x" * 41]}, "tags"),
    "tag-with-comma": ({"tags": ["bänke, schatten"]}, "tags"),
}


@pytest.mark.parametrize("fields, field", INVALID_SUBMISSIONS.values(), ids=INVALID_SUBMISSIONS.keys())
def test_it_names_the_field_of_an_invalid_submission_and_writes_nothing(fields, field, ideation, participant):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        _submit(participant, ideation, **fields)

    assert set(refused.value.message_dict) == {field}
    assert _database() == before


def test_it_links_an_idea_to_the_ideas_it_builds_on(ideation, participant, other_participant):
    first = _submit(other_participant, ideation, title="Bänke")
    second = _submit(other_participant, ideation, title="Schatten")

    idea = _submit(participant, ideation, title="Bänke im Schatten", builds_on=[first, second, first])

    links = IdeaLink.objects.filter(source=idea)
    assert sorted(links.values_list("target_id", "kind", "created_by_id")) == [
        (first.pk, IdeaLink.Kind.BUILDS_ON, participant.pk),
        (second.pk, IdeaLink.Kind.BUILDS_ON, participant.pk),
    ]
    assert _events(ideation, "idea.created")[-1].payload["builds_on"] == [first.pk, second.pk]


def test_it_refuses_to_build_on_an_idea_of_another_edition(ideation, participant, elsewhere_idea):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        _submit(participant, ideation, builds_on=[elsewhere_idea])

    assert set(refused.value.message_dict) == {"builds_on"}
    assert _database() == before


def test_it_refuses_to_build_on_a_hidden_idea(idea, ideation, organizer, other_participant):
    content_hide(actor=organizer, idea=idea, reason="Beleidigend")
    before = _database()

    with pytest.raises(ValidationError) as refused:
        _submit(other_participant, ideation, builds_on=[_fresh(idea)])

    assert set(refused.value.message_dict) == {"builds_on"}
    assert _database() == before


def test_it_stores_the_body_as_sanitized_html(ideation, participant):
    idea = _submit(
        participant, ideation,
        body='**Bänke** <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))',
    )

    html = _fresh(idea).body_html
    assert "<strong>Bänke</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


def test_it_publishes_idea_created_with_public_fields_only(ideation, participant):
    idea = _submit(participant, ideation, title="Mehr Bänke", tags=["Grün"])

    [event] = _events(ideation)
    # The next number after the phase change that opened ideation.
    phase_change = LiveEvent.objects.get(edition=ideation, type="phase.changed")
    assert (event.type, event.seq) == ("idea.created", phase_change.seq + 1)
    assert event.payload == {
        "idea": idea.pk, "challenge": idea.challenge_id, "title": "Mehr Bänke", "author": "Paul Participant",
        "status": "open", "builds_on": [], "tags": ["grün"],
    }
    assert set(event.payload) <= EVENT_FIELDS["idea.created"]
    assert participant.email not in json.dumps(event.payload)


# --- idea_update ---------------------------------------------------------------------------------


def _edit(actor, idea: Idea, **fields) -> Idea:
    current = _fresh(idea)
    fields.setdefault("title", current.title)
    fields.setdefault("body", current.body)
    fields.setdefault("tags", list(current.tags.values_list("name", flat=True)))
    return idea_update(actor=actor, idea=current, **fields)


def test_it_keeps_a_new_version_with_its_editor(idea, participant):
    _edit(participant, idea, title="Mehr Bänke am Ufer", body="Mit Lehne.", tags=["Grün"], note="Ufer statt Fluss")

    idea = _fresh(idea)
    assert (idea.title, idea.body, idea.version) == ("Mehr Bänke am Ufer", "Mit Lehne.", 2)
    assert "<p>Mit Lehne.</p>" in idea.body_html
    assert list(idea.versions.values_list("number", "title", "tags", "editor_id", "note")) == [
        (2, "Mehr Bänke am Ufer", "grün", participant.pk, "Ufer statt Fluss"),
        (1, "Mehr Bänke am Fluss", "", participant.pk, ""),
    ]


def test_it_publishes_idea_edited(idea, ideation, participant):
    _edit(participant, idea, title="Mehr Bänke am Ufer", tags=["Grün"])

    event = _events(ideation)[-1]
    assert (event.type, event.payload) == (
        "idea.edited",
        {"idea": idea.pk, "challenge": idea.challenge_id, "title": "Mehr Bänke am Ufer", "version": 2, "tags": ["grün"]},
    )


@pytest.mark.parametrize("role", ["other_participant", "organizer", "moderator", "citizen", "visitor"])
def test_it_lets_only_the_author_edit(role, request, idea):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        _edit(actor, idea, title="Übernommen")

    assert _database() == before


def test_it_refuses_an_edit_after_ideation(idea, edition, organizer, participant):
    _enter(K.EVALUATION, edition=edition, organizer=organizer)
    before = _database()

    with pytest.raises(PermissionDenied):
        _edit(participant, idea, title="Zu spät")

    assert _database() == before


def test_it_keeps_no_version_and_publishes_nothing_for_an_unchanged_save(idea, ideation, participant):
    _edit(participant, idea, tags=["Grün", "Bänke"])
    events_before = _events(ideation)

    result = _edit(participant, idea, title="  Mehr  Bänke am Fluss ", tags=["bänke", "#GRÜN"])

    assert (result.version, _fresh(idea).version, IdeaVersion.objects.filter(idea=idea).count()) == (2, 2, 2)
    assert _events(ideation) == events_before


def test_it_accepts_an_edit_based_on_the_current_version(idea, participant):
    _edit(participant, idea, title="Zweite Fassung", base_version=1)

    assert _fresh(idea).version == 2


def test_it_raises_a_conflict_for_an_edit_based_on_an_old_version(idea, ideation, participant):
    _edit(participant, idea, title="Zweite Fassung", base_version=1)
    before = _database()

    with pytest.raises(IdeaConflict) as conflict:
        _edit(participant, idea, title="Dritte Fassung", base_version=1)

    assert (conflict.value.idea.version, conflict.value.idea.title) == (2, "Zweite Fassung")
    assert _database() == before


def test_it_replaces_the_ideas_an_idea_builds_on(ideation, participant, other_participant):
    a, b, c = (_submit(other_participant, ideation, title=f"Grundlage {n}") for n in "ABC")
    idea = _submit(participant, ideation, title="Darauf aufbauend", builds_on=[a, b])

    _edit(participant, idea, body="Jetzt mit C.", builds_on=[b, c])

    assert sorted(IdeaLink.objects.filter(source=idea).values_list("target_id", flat=True)) == [b.pk, c.pk]


def test_it_keeps_the_links_when_builds_on_is_not_given(ideation, participant, other_participant):
    base = _submit(other_participant, ideation, title="Grundlage")
    idea = _submit(participant, ideation, title="Darauf aufbauend", builds_on=[base])

    _edit(participant, idea, body="Nur Text geändert.")

    assert list(IdeaLink.objects.filter(source=idea).values_list("target_id", flat=True)) == [base.pk]


def test_it_removes_all_links_for_an_empty_builds_on(ideation, participant, other_participant):
    base = _submit(other_participant, ideation, title="Grundlage")
    idea = _submit(participant, ideation, title="Darauf aufbauend", builds_on=[base])

    _edit(participant, idea, builds_on=[])

    assert not IdeaLink.objects.filter(source=idea).exists()


def test_it_refuses_to_let_an_idea_build_on_itself(idea, participant):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        _edit(participant, idea, title="Zirkulär", builds_on=[_fresh(idea)])

    assert set(refused.value.message_dict) == {"builds_on"}
    assert _database() == before


def test_it_names_the_field_of_an_invalid_edit_and_writes_nothing(idea, participant):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        _edit(participant, idea, title="x", body="y" * (services.MAX_BODY + 1))

    assert set(refused.value.message_dict) == {"title", "body"}
    assert _database() == before


def test_it_refuses_to_edit_a_merged_idea(idea, ideation, organizer, participant, other_participant):
    target = _submit(other_participant, ideation, title="Das Original")
    _merge(organizer, idea, target)
    before = _database()

    with pytest.raises(PermissionDenied):
        _edit(participant, idea, title="Trotzdem geändert")

    assert _database() == before


def test_it_refuses_to_edit_an_idea_merged_after_the_editor_loaded_it(
    idea, ideation, organizer, participant, other_participant
):
    # The edit form was loaded before a moderator merged the idea; the service must decide on
    # the row it locks, not on the caller's copy.
    loaded = _fresh(idea)
    target = _submit(other_participant, ideation, title="Das Original")
    _merge(organizer, idea, target)
    before = _database()

    with pytest.raises(PermissionDenied):
        idea_update(actor=participant, idea=loaded, title="Trotzdem geändert", body=loaded.body)

    assert _database() == before


def test_it_refuses_to_edit_a_hidden_idea(idea, organizer, participant):
    content_hide(actor=organizer, idea=idea, reason="Beleidigend")
    before = _database()

    with pytest.raises(PermissionDenied):
        _edit(participant, idea, title="Trotzdem geändert")

    assert _database() == before


# --- idea_merge ----------------------------------------------------------------------------------


@pytest.fixture
def duplicate(idea):
    return idea


@pytest.fixture
def original(ideation, other_participant):
    return _submit(other_participant, ideation, title="Bänke am Fluss")


@pytest.mark.parametrize("role", ["organizer", "moderator"])
def test_it_lets_organizers_and_moderators_merge(role, request, duplicate, original):
    actor = request.getfixturevalue(role)

    _merge(actor, duplicate, original)

    merged = _fresh(duplicate)
    assert (merged.status, merged.merged_into_id) == (Status.MERGED, original.pk)
    assert list(IdeaLink.objects.filter(source=duplicate).values_list("target_id", "kind", "created_by_id")) == [
        (original.pk, IdeaLink.Kind.MERGED_INTO, actor.pk)
    ]


def test_it_merges_in_any_phase(duplicate, original, edition, organizer):
    _enter(K.RESULTS, edition=edition, organizer=organizer)

    _merge(organizer, duplicate, original)

    assert _fresh(duplicate).status == Status.MERGED


def test_it_publishes_idea_merged(duplicate, original, ideation, moderator):
    _merge(moderator, duplicate, original)

    event = _events(ideation)[-1]
    assert (event.type, event.payload) == ("idea.merged", {"idea": duplicate.pk, "target": original.pk})


@pytest.mark.parametrize("role", ["participant", "other_participant", "citizen", "stranger_organizer", "visitor"])
def test_it_lets_no_one_else_merge(role, request, duplicate, original):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        _merge(actor, duplicate, original)

    assert _database() == before


def test_it_refuses_to_merge_into_an_idea_of_another_edition(duplicate, elsewhere_idea, organizer):
    before = _database()

    with pytest.raises(ValidationError):
        _merge(organizer, duplicate, elsewhere_idea)

    assert _database() == before


def test_it_refuses_to_merge_an_idea_into_itself(duplicate, organizer):
    before = _database()

    with pytest.raises(ValidationError):
        _merge(organizer, duplicate, duplicate)

    assert _database() == before


def test_it_refuses_to_merge_an_idea_twice(duplicate, original, ideation, organizer, other_participant):
    third = _submit(other_participant, ideation, title="Noch eine")
    _merge(organizer, duplicate, original)
    before = _database()

    with pytest.raises(ValidationError):
        _merge(organizer, duplicate, third)

    assert _database() == before


def test_it_refuses_to_merge_into_a_merged_idea(duplicate, original, ideation, organizer, other_participant):
    third = _submit(other_participant, ideation, title="Noch eine")
    _merge(organizer, original, third)
    before = _database()

    with pytest.raises(ValidationError):
        _merge(organizer, duplicate, original)

    assert _database() == before


def test_it_points_earlier_merges_on_to_the_new_target(duplicate, original, ideation, organizer, other_participant):
    final = _submit(other_participant, ideation, title="Die Sammlung")
    _merge(organizer, duplicate, original)

    _merge(organizer, original, final)

    assert _fresh(duplicate).merged_into_id == final.pk
    assert _fresh(original).merged_into_id == final.pk
    assert _fresh(duplicate).status == Status.MERGED
    # The links are the history: what was merged into what, when it happened.
    assert sorted(IdeaLink.objects.filter(kind=IdeaLink.Kind.MERGED_INTO).values_list("source_id", "target_id")) == [
        (duplicate.pk, original.pk), (original.pk, final.pk)
    ]


def test_it_keeps_the_comments_where_they_were_written(duplicate, original, organizer, other_participant):
    comment = comment_create(actor=other_participant, idea=_fresh(duplicate), body="Gute Idee!")

    _merge(organizer, duplicate, original)

    assert _fresh(comment).idea_id == duplicate.pk
    assert (_fresh(duplicate).comment_count, _fresh(original).comment_count) == (1, 0)


def test_it_keeps_builds_on_links_of_a_merged_idea(ideation, participant, other_participant, organizer, original):
    base = _submit(other_participant, ideation, title="Grundlage")
    duplicate = _submit(participant, ideation, title="Doppelt", builds_on=[base])
    follower = _submit(other_participant, ideation, title="Weiterführung", builds_on=[duplicate])

    _merge(organizer, duplicate, original)

    builds_on = IdeaLink.objects.filter(kind=IdeaLink.Kind.BUILDS_ON)
    assert sorted(builds_on.values_list("source_id", "target_id")) == sorted(
        [(duplicate.pk, base.pk), (follower.pk, duplicate.pk)]
    )


def test_it_runs_the_merge_hooks_inside_the_merge(duplicate, original, organizer, monkeypatch):
    seen = []
    monkeypatch.setattr(services, "on_merged", [lambda idea, target: seen.append((idea.pk, target.pk, idea.status))])

    _merge(organizer, duplicate, original)

    assert seen == [(duplicate.pk, original.pk, Status.MERGED)]


# --- idea_set_status -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.SHORTLISTED, Status.IN_PROTOTYPING, Status.ARCHIVED, Status.OPEN])
def test_it_lets_an_organizer_set_a_status(status, idea, ideation, organizer):
    idea_set_status(actor=organizer, idea=_fresh(idea), status=status)

    assert _fresh(idea).status == status
    event = _events(ideation)[-1]
    assert (event.type, event.payload) == ("idea.status_changed", {"idea": idea.pk, "status": status})


def test_it_lets_an_edition_moderator_set_a_status(idea, moderator):
    idea_set_status(actor=moderator, idea=_fresh(idea), status=Status.SHORTLISTED)

    assert _fresh(idea).status == Status.SHORTLISTED


@pytest.mark.parametrize("status", [Status.MERGED, "bogus", ""])
def test_it_refuses_a_status_it_does_not_set(status, idea, organizer):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        idea_set_status(actor=organizer, idea=_fresh(idea), status=status)

    assert set(refused.value.message_dict) == {"status"}
    assert _database() == before


def test_it_keeps_a_merged_idea_merged(duplicate, original, organizer):
    _merge(organizer, duplicate, original)
    before = _database()

    with pytest.raises(ValidationError):
        idea_set_status(actor=organizer, idea=_fresh(duplicate), status=Status.OPEN)

    assert _fresh(duplicate).status == Status.MERGED
    assert _database() == before


def test_it_keeps_an_idea_merged_after_the_moderator_loaded_it(duplicate, original, organizer, moderator):
    # A moderator shortlists from a page loaded before an organizer merged the idea.
    loaded = _fresh(duplicate)
    _merge(organizer, duplicate, original)
    before = _database()

    with pytest.raises(ValidationError):
        idea_set_status(actor=moderator, idea=loaded, status=Status.SHORTLISTED)

    assert _fresh(duplicate).status == Status.MERGED
    assert _database() == before


@pytest.mark.parametrize("role", ["participant", "citizen", "stranger_organizer", "visitor"])
def test_it_lets_no_one_else_set_a_status(role, request, idea):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        idea_set_status(actor=actor, idea=_fresh(idea), status=Status.SHORTLISTED)

    assert _database() == before


# --- comment_create ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(COMMENT_PHASES))
def test_it_lets_participants_comment_in_the_comment_phases(kind, idea, edition, organizer, other_participant):
    _enter(kind, edition=edition, organizer=organizer)

    comment_create(actor=other_participant, idea=_fresh(idea), body="Gute Idee!")

    assert _fresh(idea).comment_count == 1


@pytest.mark.parametrize("kind", sorted(set(K.values) - COMMENT_PHASES))
def test_it_refuses_a_comment_outside_the_comment_phases(kind, idea, edition, organizer, other_participant):
    _enter(kind, edition=edition, organizer=organizer)
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_create(actor=other_participant, idea=_fresh(idea), body="Gute Idee!")

    assert _database() == before


@pytest.mark.parametrize("role", ["citizen", "organizer", "moderator", "visitor"])
def test_it_refuses_a_comment_from_anyone_without_a_place(role, request, idea):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_create(actor=actor, idea=_fresh(idea), body="Von außen")

    assert _database() == before


def test_it_refuses_a_comment_on_a_hidden_idea(idea, organizer, other_participant):
    content_hide(actor=organizer, idea=idea, reason="Beleidigend")
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_create(actor=other_participant, idea=_fresh(idea), body="Trotzdem")

    assert _database() == before


def test_it_stores_a_comment_with_sanitized_html(idea, other_participant):
    comment = comment_create(actor=other_participant, idea=_fresh(idea), body="  **Ja!** <script>x()</script>  ")

    comment = _fresh(comment)
    assert (comment.idea_id, comment.author_id, comment.parent_id, comment.body) == (
        idea.pk, other_participant.pk, None, "**Ja!** <script>x()</script>"
    )
    assert "<strong>Ja!</strong>" in comment.body_html and "<script" not in comment.body_html


def test_it_counts_comments_on_the_idea(idea, participant, other_participant):
    first = comment_create(actor=other_participant, idea=_fresh(idea), body="Erster")
    comment_create(actor=participant, idea=_fresh(idea), body="Antwort", parent=first)

    assert _fresh(idea).comment_count == 2 == _visible_comments(idea)


def test_it_attaches_a_reply_to_a_reply_to_the_thread_root(idea, participant, other_participant):
    root = comment_create(actor=other_participant, idea=_fresh(idea), body="Wurzel")
    reply = comment_create(actor=participant, idea=_fresh(idea), body="Antwort", parent=root)

    nested = comment_create(actor=other_participant, idea=_fresh(idea), body="Antwort auf Antwort", parent=reply)

    assert (_fresh(reply).parent_id, _fresh(nested).parent_id) == (root.pk, root.pk)


def test_it_refuses_a_reply_to_a_comment_on_another_idea(idea, ideation, participant, other_participant):
    elsewhere = _submit(other_participant, ideation, title="Andere Idee")
    foreign = comment_create(actor=other_participant, idea=_fresh(elsewhere), body="Dort")
    before = _database()

    with pytest.raises(ValidationError) as refused:
        comment_create(actor=participant, idea=_fresh(idea), body="Hier", parent=foreign)

    assert set(refused.value.message_dict) == {"parent"}
    assert _database() == before


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (services.MAX_COMMENT + 1)], ids=["empty", "blank", "too-long"])
def test_it_names_the_field_of_an_invalid_comment_and_writes_nothing(body, idea, other_participant):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        comment_create(actor=other_participant, idea=_fresh(idea), body=body)

    assert set(refused.value.message_dict) == {"body"}
    assert _database() == before


def test_it_publishes_comment_created(idea, ideation, participant, other_participant):
    root = comment_create(actor=other_participant, idea=_fresh(idea), body="Wurzel")
    reply = comment_create(actor=participant, idea=_fresh(idea), body="Antwort", parent=root)

    events = _events(ideation, "comment.created")
    assert [e.payload for e in events] == [
        {"comment": root.pk, "idea": idea.pk, "author": "Petra Peer", "parent": None},
        {"comment": reply.pk, "idea": idea.pk, "author": "Paul Participant", "parent": root.pk},
    ]
    assert all(set(e.payload) <= EVENT_FIELDS["comment.created"] for e in events)
    assert "@" not in json.dumps([e.payload for e in events])


# --- comment_update and comment_delete -------------------------------------------------------------


@pytest.fixture
def comment(idea, other_participant):
    return comment_create(actor=other_participant, idea=_fresh(idea), body="Gute Idee!")


def test_it_lets_the_author_edit_a_comment(comment, other_participant):
    comment_update(actor=other_participant, comment=_fresh(comment), body="Sehr **gute** Idee!")

    comment = _fresh(comment)
    assert (comment.body, comment.edited_at is not None) == ("Sehr **gute** Idee!", True)
    assert "<strong>gute</strong>" in comment.body_html


@pytest.mark.parametrize("role", ["participant", "organizer", "moderator", "citizen", "visitor"])
def test_it_lets_only_the_author_edit_a_comment(role, request, comment):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_update(actor=actor, comment=_fresh(comment), body="Übernommen")

    assert _database() == before


def test_it_refuses_to_edit_a_comment_outside_the_comment_phases(comment, edition, organizer, other_participant):
    _enter(K.PITCHES, edition=edition, organizer=organizer)
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_update(actor=other_participant, comment=_fresh(comment), body="Zu spät")

    assert _database() == before


def test_it_refuses_to_edit_a_deleted_comment(comment, other_participant):
    comment_delete(actor=other_participant, comment=_fresh(comment))
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_update(actor=other_participant, comment=_fresh(comment), body="Wieder da")

    assert _database() == before


def test_it_names_the_field_of_an_invalid_comment_edit(comment, other_participant):
    before = _database()

    with pytest.raises(ValidationError) as refused:
        comment_update(actor=other_participant, comment=_fresh(comment), body="  ")

    assert set(refused.value.message_dict) == {"body"}
    assert _database() == before


def test_it_leaves_a_placeholder_for_a_deleted_comment(comment, idea, participant, other_participant):
    reply = comment_create(actor=participant, idea=_fresh(idea), body="Antwort", parent=comment)

    comment_delete(actor=other_participant, comment=_fresh(comment))

    deleted = _fresh(comment)
    assert (deleted.body, deleted.body_html, deleted.deleted_at is not None) == ("", "", True)
    assert _fresh(reply).parent_id == comment.pk
    assert _fresh(idea).comment_count == 1 == _visible_comments(idea)


def test_it_counts_a_comment_deleted_twice_once(comment, idea, other_participant):
    comment_delete(actor=other_participant, comment=_fresh(comment))
    comment_delete(actor=other_participant, comment=_fresh(comment))

    assert _fresh(idea).comment_count == 0


def test_it_counts_a_comment_deleted_from_two_tabs_at_once_once(comment, idea, other_participant):
    # A double click: both requests loaded the comment before either deleted it.
    first_tab, second_tab = _fresh(comment), _fresh(comment)

    comment_delete(actor=other_participant, comment=first_tab)
    comment_delete(actor=other_participant, comment=second_tab)

    assert _fresh(idea).comment_count == 0 == _visible_comments(idea)
    assert Comment.objects.get(pk=comment.pk).deleted_at == first_tab.deleted_at


@pytest.mark.parametrize("role", ["participant", "organizer", "moderator"])
def test_it_lets_only_the_author_delete_a_comment(role, request, comment):
    actor = request.getfixturevalue(role)
    before = _database()

    with pytest.raises(PermissionDenied):
        comment_delete(actor=actor, comment=_fresh(comment))

    assert _database() == before


def test_it_keeps_the_count_right_when_a_hidden_comment_is_deleted(comment, idea, participant, other_participant, organizer):
    comment_create(actor=participant, idea=_fresh(idea), body="Sichtbar")
    content_hide(actor=organizer, comment=_fresh(comment), reason="Beleidigend")
    assert _fresh(idea).comment_count == 1

    try:
        comment_delete(actor=other_participant, comment=_fresh(comment))
    except PermissionDenied:
        pass  # refusing is fine too

    assert _fresh(idea).comment_count == 1 == _visible_comments(idea)
    assert _fresh(comment).body == "Gute Idee!"  # hiding keeps the evidence; withdrawing does not erase it


# --- no change without its event ------------------------------------------------------------------


def _broken_publish(**kwargs):
    raise RuntimeError("the outbox is broken")


WRITES = {
    "idea_create": lambda c: _submit(c.participant, c.edition, title="Neue Idee", tags=["neu"], builds_on=[c.idea]),
    "idea_update": lambda c: _edit(c.participant, c.idea, title="Geändert", tags=["neu"], builds_on=[c.original]),
    "idea_merge": lambda c: _merge(c.organizer, c.idea, c.original),
    "idea_set_status": lambda c: idea_set_status(actor=c.organizer, idea=_fresh(c.idea), status=Status.SHORTLISTED),
    "comment_create": lambda c: comment_create(actor=c.other_participant, idea=_fresh(c.idea), body="Hallo"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_it_writes_nothing_when_its_event_cannot_be_recorded(
    write, monkeypatch, ideation, idea, original, participant, other_participant, organizer
):
    # The outbox fails after the change was made: the change must go with it (nothing leaks).
    cast = SimpleNamespace(
        edition=ideation, idea=idea, original=original, participant=participant,
        other_participant=other_participant, organizer=organizer,
    )
    before = _database()
    monkeypatch.setattr(services, "publish", _broken_publish)

    with pytest.raises(RuntimeError):
        write(cast)

    assert _database() == before


def test_it_records_each_write_with_one_event_in_order(idea, original, ideation, participant, other_participant, organizer):
    comment_create(actor=other_participant, idea=_fresh(idea), body="Hallo")
    _edit(participant, idea, title="Geändert")
    idea_set_status(actor=organizer, idea=_fresh(original), status=Status.SHORTLISTED)
    _merge(organizer, idea, original)

    events = _events(ideation)
    # Numbered one after another (the phase change that opened ideation came first).
    assert [(e.seq - events[0].seq + 1, e.type) for e in events] == [
        (1, "idea.created"), (2, "idea.created"), (3, "comment.created"), (4, "idea.edited"),
        (5, "idea.status_changed"), (6, "idea.merged"),
    ]


def test_it_submits_an_idea_in_a_bounded_number_of_queries(ideation, participant, django_assert_max_num_queries):
    challenge = _challenge(ideation)
    idea_create(actor=participant, challenge=challenge, title="Die erste", tags=["alt"])  # the edition's cursor exists

    # savepoint; insert idea; tags: select, insert the new ones, select again, select m2m, insert
    # m2m; insert version; lock the live cursor, update it, insert the event; release savepoint.
    with django_assert_max_num_queries(12):
        idea_create(actor=participant, challenge=challenge, title="Schnell", tags=["neu", "alt"])
