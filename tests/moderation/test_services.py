"""Moderation services: report, hide, restore, dismiss; who may; what is recorded and told.

Mails go out on commit: service calls that should mail run inside
`django_capture_on_commit_callbacks(execute=True)`, which runs the callbacks the way a real
commit would.
"""

from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from helpathon.ideas.models import Comment, Idea
from helpathon.ideas.services import comment_delete
from helpathon.live.models import LiveEvent
from helpathon.moderation.models import ModerationAction, Report
from helpathon.moderation.selectors import moderation_queue
from helpathon.moderation.services import (
    content_hide,
    content_restore,
    report_create,
    report_dismiss,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REASON = "Beleidigt andere Teilnehmende."


def _events(edition, type_):
    return list(LiveEvent.objects.filter(edition=edition, type=type_).order_by("seq"))


# --- reporting ------------------------------------------------------------------------------


def test_it_files_a_report_that_the_queue_shows(idea, citizen):
    report = report_create(actor=citizen, idea=idea, reason="  Das ist   Werbung. ")
    assert report.status == Report.Status.OPEN
    assert report.reason == "Das ist Werbung."
    assert report.edition_id == idea.edition_id
    queue = moderation_queue(idea.edition)
    assert [(item.kind, item.target.pk) for item in queue["items"]] == [("idea", idea.pk)]
    assert queue["items"][0].reports == [report]
    assert queue["counts"] == {"open_reports": 1, "hidden_ideas": 0, "hidden_comments": 0}


def test_it_files_a_report_on_a_comment(comment, citizen):
    report = report_create(actor=citizen, comment=comment, reason=REASON)
    assert report.comment == comment and report.idea is None
    assert report.edition_id == comment.idea.edition_id


def test_it_groups_several_reports_on_one_item(idea, citizen, commenter):
    first = report_create(actor=citizen, idea=idea, reason=REASON)
    second = report_create(actor=commenter, idea=idea, reason="Spam.")
    items = moderation_queue(idea.edition)["items"]
    assert len(items) == 1
    assert items[0].reports == [first, second]


def test_it_refuses_a_second_open_report_by_the_same_person(idea, citizen):
    report_create(actor=citizen, idea=idea, reason=REASON)
    with pytest.raises(ValidationError, match="bereits gemeldet|already reported"):
        report_create(actor=citizen, idea=idea, reason="Noch einmal.")
    assert Report.objects.count() == 1


def test_it_takes_a_new_report_once_the_first_was_decided(idea, citizen, organizer):
    first = report_create(actor=citizen, idea=idea, reason=REASON)
    report_dismiss(actor=organizer, report=first, reason="Kein Verstoß.")
    report_create(actor=citizen, idea=idea, reason="Jetzt aber wirklich.")
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


@pytest.mark.parametrize("reason", ["", "  ", "ab", "x" * 501])
def test_it_wants_a_reason_of_sensible_length(idea, citizen, reason):
    with pytest.raises(ValidationError) as error:
        report_create(actor=citizen, idea=idea, reason=reason)
    assert "reason" in error.value.message_dict
    assert not Report.objects.exists()


def test_it_refuses_reports_on_hidden_content(idea, comment, citizen, organizer):
    content_hide(actor=organizer, idea=idea, reason=REASON)
    idea.refresh_from_db()
    with pytest.raises(ValidationError):
        report_create(actor=citizen, idea=idea, reason=REASON)
    # The comment is not hidden itself, but it went out of sight with its idea.
    comment = Comment.objects.get(pk=comment.pk)
    with pytest.raises(ValidationError):
        report_create(actor=citizen, comment=comment, reason=REASON)
    assert not Report.objects.exists()


def test_it_refuses_reports_on_deleted_comments(comment, commenter, citizen):
    comment_delete(actor=commenter, comment=comment)
    with pytest.raises(ValidationError):
        report_create(actor=citizen, comment=comment, reason=REASON)


def test_it_refuses_reports_on_ones_own_content(idea, participant):
    with pytest.raises(ValidationError):
        report_create(actor=participant, idea=idea, reason=REASON)


def test_it_lets_only_verified_people_report(idea, visitor):
    unverified = make_user("unverified@example.org", verified=False)
    for actor in (visitor, unverified):
        with pytest.raises(PermissionDenied):
            report_create(actor=actor, idea=idea, reason=REASON)


def test_it_lets_citizens_report_in_any_phase(idea, citizen, organizer):
    from helpathon.editions.services import phase_set

    phase_set(actor=organizer, edition=idea.edition, phase=idea.edition.phases.get(kind="results"))
    assert report_create(actor=citizen, idea=idea, reason=REASON).pk


def test_it_wants_exactly_one_target(idea, comment, citizen):
    with pytest.raises(TypeError):
        report_create(actor=citizen, reason=REASON)
    with pytest.raises(TypeError):
        report_create(actor=citizen, idea=idea, comment=comment, reason=REASON)


# --- hiding and restoring ideas ---------------------------------------------------------------


def test_it_hides_an_idea_and_records_everything(
    idea, citizen, organizer, participant, django_capture_on_commit_callbacks, settings
):
    settings.CONTACT_EMAIL = "team@helpathon.example"
    report = report_create(actor=citizen, idea=idea, reason="Das ist Werbung.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        hidden = content_hide(actor=organizer, idea=idea, reason="Werbung für eine Firma.")
    idea.refresh_from_db()
    assert idea.hidden_at is not None and hidden.hidden_at == idea.hidden_at
    assert idea.hidden_reason == "Werbung für eine Firma."
    # Kept, not deleted.
    assert Idea.objects.filter(pk=idea.pk, title="Mehr Bänke im Stadtpark").exists()
    action = ModerationAction.objects.get()
    assert (action.kind, action.idea, action.comment, action.moderator, action.reason) == (
        "hide", idea, None, organizer, "Werbung für eine Firma."
    )
    report.refresh_from_db()
    assert report.status == Report.Status.HIDDEN
    assert report.decided_by == organizer and report.decided_at is not None
    assert report.decision_reason == "Werbung für eine Firma."
    [event] = _events(idea.edition, "idea.hidden")
    assert event.payload == {"idea": idea.pk}
    [message] = mail.outbox
    assert message.to == [participant.email]
    # Replies reach the organizing team's shared address, never a person's own.
    assert message.reply_to == ["team@helpathon.example"]
    assert "Mehr Bänke im Stadtpark" in message.body
    assert "Werbung für eine Firma." in message.body
    # The reporter and the moderator stay anonymous to the author.
    assert citizen.display_name not in message.body and organizer.display_name not in message.body


def test_it_writes_the_mail_in_the_default_language(idea, organizer, django_capture_on_commit_callbacks):
    from django.utils import translation

    # Whatever language the moderator uses, the author is written to in German.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=organizer, idea=idea, reason=REASON)
    assert mail.outbox[-1].body.startswith("Guten Tag Paul Participant,")


def test_it_keeps_the_reason_readable_in_the_mail(idea, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=organizer, idea=idea, reason='Zitat "Dumm" & <b>laut</b>')
    assert 'Zitat "Dumm" & <b>laut</b>' in mail.outbox[-1].body


def test_it_mails_only_after_commit(idea, organizer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        content_hide(actor=organizer, idea=idea, reason=REASON)
    assert mail.outbox == []
    assert callbacks


def test_it_changes_nothing_when_the_event_cannot_be_recorded(
    idea, citizen, organizer, django_capture_on_commit_callbacks
):
    report = report_create(actor=citizen, idea=idea, reason=REASON)
    broken = mock.patch("helpathon.moderation.services.publish", side_effect=RuntimeError("broker down"))
    with broken, django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        content_hide(actor=organizer, idea=idea, reason=REASON)
    idea.refresh_from_db()
    report.refresh_from_db()
    assert idea.hidden_at is None
    assert report.status == Report.Status.OPEN
    assert not ModerationAction.objects.exists()
    assert mail.outbox == []


def test_it_refuses_to_hide_twice_or_restore_what_is_visible(idea, organizer):
    with pytest.raises(ValidationError):
        content_restore(actor=organizer, idea=idea, reason=REASON)
    content_hide(actor=organizer, idea=idea, reason=REASON)
    with pytest.raises(ValidationError):
        content_hide(actor=organizer, idea=idea, reason=REASON)
    assert ModerationAction.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "no", "x" * 301])
def test_it_wants_a_reason_to_hide(idea, organizer, reason):
    with pytest.raises(ValidationError) as error:
        content_hide(actor=organizer, idea=idea, reason=reason)
    assert "reason" in error.value.message_dict
    idea.refresh_from_db()
    assert idea.hidden_at is None


def test_it_restores_an_idea(idea, organizer, participant, django_capture_on_commit_callbacks):
    content_hide(actor=organizer, idea=idea, reason=REASON)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        content_restore(actor=organizer, idea=idea, reason="Nach Rücksprache in Ordnung.")
    idea.refresh_from_db()
    assert idea.hidden_at is None and idea.hidden_reason == ""
    assert list(ModerationAction.objects.order_by("created_at", "pk").values_list("kind", flat=True)) == [
        "hide", "restore"
    ]
    [event] = _events(idea.edition, "idea.restored")
    assert event.payload == {
        "idea": idea.pk, "challenge": idea.challenge_id, "title": idea.title, "status": idea.status,
    }
    [message] = mail.outbox
    assert message.to == [participant.email]
    assert "Nach Rücksprache in Ordnung." in message.body
    assert idea.get_absolute_url() in message.body


def test_it_keeps_the_comments_of_a_hidden_idea(idea, comment, organizer):
    content_hide(actor=organizer, idea=idea, reason=REASON)
    comment.refresh_from_db()
    assert comment.hidden_at is None and comment.body
    idea.refresh_from_db()
    assert idea.comment_count == 1


# --- comments -----------------------------------------------------------------------------------


def test_it_hides_a_comment_and_takes_it_off_the_count(
    idea, comment, citizen, organizer, commenter, django_capture_on_commit_callbacks
):
    report = report_create(actor=citizen, comment=comment, reason=REASON)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=organizer, comment=comment, reason=REASON)
    comment.refresh_from_db()
    idea.refresh_from_db()
    report.refresh_from_db()
    assert comment.hidden_at is not None and comment.body  # kept
    assert idea.comment_count == 0
    assert report.status == Report.Status.HIDDEN
    [event] = _events(idea.edition, "comment.hidden")
    assert event.payload == {"comment": comment.pk, "idea": idea.pk}
    [message] = mail.outbox
    assert message.to == [commenter.email]
    assert "Das ist Unsinn" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        content_restore(actor=organizer, comment=comment, reason="Doch in Ordnung.")
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert idea.comment_count == 1
    assert mail.outbox[-1].to == [commenter.email]


def test_it_leaves_the_count_alone_for_a_comment_its_author_deleted(idea, comment, commenter, organizer):
    comment_delete(actor=commenter, comment=comment)
    idea.refresh_from_db()
    assert idea.comment_count == 0
    content_hide(actor=organizer, comment=comment, reason=REASON)
    idea.refresh_from_db()
    assert idea.comment_count == 0
    content_restore(actor=organizer, comment=comment, reason=REASON)
    idea.refresh_from_db()
    assert idea.comment_count == 0


def test_it_never_counts_below_zero(idea, comment, organizer):
    Idea.objects.filter(pk=idea.pk).update(comment_count=0)  # a count out of step, say after an import
    content_hide(actor=organizer, comment=comment, reason=REASON)
    idea.refresh_from_db()
    assert idea.comment_count == 0


# --- dismissing -------------------------------------------------------------------------------


def test_it_dismisses_a_report_and_leaves_the_content_visible(idea, citizen, moderator):
    report = report_create(actor=citizen, idea=idea, reason=REASON)
    report = report_dismiss(actor=moderator, report=report, reason="Kein Verstoß gegen die Regeln.")
    assert report.status == Report.Status.DISMISSED
    assert report.decided_by == moderator and report.decision_reason == "Kein Verstoß gegen die Regeln."
    idea.refresh_from_db()
    assert idea.hidden_at is None
    assert moderation_queue(idea.edition)["items"] == []
    with pytest.raises(ValidationError):
        report_dismiss(actor=moderator, report=report, reason="Noch einmal.")


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "commenter", "stranger_organizer"])
def test_it_lets_nobody_but_moderators_and_organizers_decide(idea, comment, request, who):
    actor = request.getfixturevalue(who)
    report = report_create(actor=request.getfixturevalue("citizen"), idea=idea, reason=REASON)
    with pytest.raises(PermissionDenied):
        content_hide(actor=actor, idea=idea, reason=REASON)
    with pytest.raises(PermissionDenied):
        content_hide(actor=actor, comment=comment, reason=REASON)
    with pytest.raises(PermissionDenied):
        report_dismiss(actor=actor, report=report, reason=REASON)
    content_hide(actor=request.getfixturevalue("organizer"), idea=idea, reason=REASON)
    idea.refresh_from_db()
    with pytest.raises(PermissionDenied):
        content_restore(actor=actor, idea=idea, reason=REASON)
    assert ModerationAction.objects.count() == 1


@pytest.mark.parametrize("who", ["organizer", "moderator"])
def test_it_lets_organizers_and_moderators_decide(idea, comment, request, who):
    actor = request.getfixturevalue(who)
    content_hide(actor=actor, idea=idea, reason=REASON)
    content_hide(actor=actor, comment=comment, reason=REASON)
    content_restore(actor=actor, idea=idea, reason=REASON)
    content_restore(actor=actor, comment=comment, reason=REASON)
    assert ModerationAction.objects.filter(moderator=actor).count() == 4


def test_it_does_not_let_a_moderator_of_another_edition_decide(idea):
    from tests.factories import make_edition

    other = make_edition(slug="elsewhere")
    outsider = make_user("outsider@example.org")
    other.moderators.add(outsider)
    with pytest.raises(PermissionDenied):
        content_hide(actor=outsider, idea=idea, reason=REASON)
