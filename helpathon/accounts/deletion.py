"""Deleting an account (GDPR/DSGVO Art. 17): what goes, what stays, and why.

Erased: the email address and every allauth address row, the display name, sector and role,
the password, the registrations (their sector, role and consent), the person's sessions, their
team-seeker profile, unsaved prototype drafts, their own requests to join and invitations to
them, the record of reminders sent to them, their supports of innovation templates and their
seats as organizer or moderator of editions.

Kept, with "deleted account" as the author: what they wrote (ideas with their versions,
comments, comments on templates, prototype versions) unless they ask for it to be removed too,
and their evaluations (supports, ratings, pairwise answers, jury seats). The evaluations are
counted in rankings that may have been announced already; once the user row holds nothing
that names the person they are anonymous, and removing them would change results after the
fact. A jury seat stays for the same reason: the jury's results count only seated jurors.

The user row itself stays, anonymized, because all of the above points at it.

`remove_content=True` also takes the person's ideas and comments out of public view and wipes
their text: ideas are hidden (like a moderator's hiding, so that lineage, teams, supports and
comparisons of other people stay consistent: a visible idea building on a removed one simply
no longer lists it), their versions are blanked, comments are deleted the way their author
deletes one (a placeholder keeps other people's replies in their thread), and comments on
templates are deleted. Content a moderator had hidden already keeps its text as the evidence
of that decision (as moderation always does), with an anonymous author.

The live log is part of the record too: events that named the person (`author` of
`idea.created` and `comment.created`) or carried the text of a removed idea are rewritten in
place, so that a replay of the edition shows none of it.

accounts sits below the domain apps; this module reaches up into them on purpose, with
imports inside the functions, because erasing a person is the one task that must touch every
app. The test that deletes an account scans every table, so a new table that stores something
about a person cannot be forgotten here silently.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.accounts.models import EMAIL_KINDS, User

# What a removed idea is called where its row still shows (moderation queue, admin); the
# title itself is gone.
REMOVED_TITLE = "—"
REMOVED_REASON = "Removed by its author when deleting their account."


def account_delete(*, actor, user: User, password: str, remove_content: bool = False) -> User:
    """Delete `user`'s account: only the person themselves, after typing their password again.
    Returns the anonymized user row."""
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied
    if user.deleted_at is not None or not user.is_active:
        raise ValidationError(_("This account has been deleted already."))
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("This is not your password. Please try again.")})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.deleted_at is not None:
            raise ValidationError(_("This account has been deleted already."))
        registrations = _erase_registrations(user)
        _leave_teams(user)
        _erase_results_feedback(user, remove_content=remove_content)
        removed_ideas = _remove_ideas(user) if remove_content else []
        if remove_content:
            _remove_comments(user)
        _scrub_live_log(user, removed_ideas)
        _erase_notifications(user)
        _scrub_admin_log(user, registrations)
        _end_sessions(user)
        _anonymize(user)
    return user


def _erase_registrations(user: User) -> list[int]:
    from helpathon.registrations.models import Registration
    from helpathon.registrations.services import registration_cancel

    # Cancel first, through the service, so that a freed place goes to the next on the waitlist.
    for registration in Registration.objects.filter(user=user).select_related("edition"):
        if registration.is_active:
            registration_cancel(user=user, registration=registration)
    erased = list(Registration.objects.filter(user=user).values_list("pk", flat=True))
    Registration.objects.filter(pk__in=erased).delete()
    return erased


def _leave_teams(user: User) -> None:
    """Leave every team. A leading person hands the lead to the longest-standing member (as
    `membership_leave` does); a team whose last member leaves keeps no lead, and organizers
    decide about it. The phase rules of leaving do not apply: erasure cannot wait."""
    from helpathon.live.services import publish
    from helpathon.teams import selectors
    from helpathon.teams.models import JoinRequest, Membership, PrototypeDraft, Team, TeamSeeker

    Role = Membership.Role
    team_ids = list(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    for team in Team.objects.select_for_update().filter(pk__in=team_ids).order_by("pk"):
        mine = Membership.objects.get(team=team, user=user)
        mine.delete()
        if mine.role == Role.LEAD:
            heir = Membership.objects.filter(team=team, role=Role.MEMBER).order_by("joined_at", "pk").first()
            if heir is not None:
                Membership.objects.filter(pk=heir.pk).update(role=Role.LEAD)
        publish(edition_id=team.edition_id, type="team.member_left",
                payload={"team": team.pk, "members": selectors.team_size(team)})
    # Their own requests and the invitations to them; invitations they sent to others stay
    # (the invited person may still accept them).
    JoinRequest.objects.filter(user=user).delete()
    TeamSeeker.objects.filter(user=user).delete()
    PrototypeDraft.objects.filter(user=user).delete()


def _erase_results_feedback(user: User, *, remove_content: bool) -> None:
    from helpathon.live.services import publish
    from helpathon.results.models import InnovationTemplate, TemplateComment, TemplateSupport

    supports = TemplateSupport.objects.filter(user=user)
    touched = set(supports.values_list("template_id", flat=True))
    supports.delete()
    if remove_content:
        # A hidden comment stays as the evidence of the moderators' decision.
        comments = TemplateComment.objects.filter(author=user, hidden_at__isnull=True)
        touched |= set(comments.values_list("template_id", flat=True))
        comments.delete()
    for template in InnovationTemplate.objects.filter(pk__in=touched).order_by("pk"):
        publish(edition_id=template.edition_id, type="template.feedback", payload={
            "template": template.pk,
            "supports": TemplateSupport.objects.filter(template=template).count(),
            "comments": TemplateComment.objects.filter(template=template, hidden_at__isnull=True).count(),
        })


def _remove_ideas(user: User) -> list[int]:
    """Hide the person's visible ideas and wipe their text and versions; returns their ids.
    Imported ideas (with an `author_name`) are not the person's writing and stay."""
    from helpathon.ideas.models import Idea, IdeaVersion
    from helpathon.ideas.themes_service import themes_mark_dirty
    from helpathon.live.services import publish

    now = timezone.now()
    ideas = list(
        Idea.objects.select_for_update().filter(author=user, author_name="", hidden_at__isnull=True).order_by("pk")
    )
    for idea in ideas:
        idea.hidden_at, idea.hidden_reason = now, REMOVED_REASON
        idea.title, idea.body, idea.body_html = REMOVED_TITLE, "", ""
        idea.save(update_fields=["hidden_at", "hidden_reason", "title", "body", "body_html"])
        idea.tags.clear()
        publish(edition_id=idea.edition_id, type="idea.hidden", payload={"idea": idea.pk})
    ids = [idea.pk for idea in ideas]
    IdeaVersion.objects.filter(idea_id__in=ids).update(title=REMOVED_TITLE, body="", tags="", note="")
    for edition_id in sorted({idea.edition_id for idea in ideas}):
        themes_mark_dirty(edition_id=edition_id)
    return ids


def _remove_comments(user: User) -> None:
    from helpathon.ideas.models import Comment
    from helpathon.ideas.services import comment_delete

    # The author's own withdrawal: placeholder in the thread, count and live event kept right.
    for comment in Comment.objects.filter(author=user, deleted_at__isnull=True).order_by("pk"):
        comment_delete(actor=user, comment=comment)


def _scrub_live_log(user: User, removed_ideas: list[int]) -> None:
    from helpathon.ideas.models import Comment, Idea
    from helpathon.live.models import LiveEvent

    own_ideas = list(Idea.objects.filter(author=user, author_name="").values_list("pk", flat=True))
    own_comments = list(Comment.objects.filter(author=user).values_list("pk", flat=True))
    removed = set(removed_ideas)
    rows = [
        *LiveEvent.objects.filter(type="idea.created", payload__idea__in=own_ideas),
        *LiveEvent.objects.filter(type__in=["idea.edited", "idea.restored"], payload__idea__in=removed_ideas),
        *LiveEvent.objects.filter(type="comment.created", payload__comment__in=own_comments),
    ]
    for event in rows:
        payload = dict(event.payload)
        if "author" in payload:
            payload["author"] = ""
        if payload.get("idea") in removed and event.type.startswith("idea."):
            if "title" in payload:
                payload["title"] = ""
            if "tags" in payload:
                payload["tags"] = []
        if payload != event.payload:
            LiveEvent.objects.filter(pk=event.pk).update(payload=payload)


def _erase_notifications(user: User) -> None:
    from helpathon.notifications.models import ReminderSent

    ReminderSent.objects.filter(user=user).delete()


def _scrub_admin_log(user: User, registrations: list[int]) -> None:
    """The admin's history names objects by their `str()`: the user row, and registrations
    ("<name> → <edition>"), which are gone now."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from helpathon.registrations.models import Registration

    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
        object_repr="deleted account", change_message=""
    )
    registration_type = ContentType.objects.get_for_model(Registration)
    LogEntry.objects.filter(content_type=registration_type, object_id__in=[str(pk) for pk in registrations]).delete()
    if user.email:
        LogEntry.objects.filter(object_repr__icontains=user.email).update(object_repr="deleted account")


def _end_sessions(user: User) -> None:
    """Delete the person's stored sessions. Database-backed sessions ("db", "cached_db") can be
    listed and are removed; other backends (cache, signed cookies) cannot be listed, but their
    sessions end anyway: the account is inactive and its password hash, which every session
    is checked against, has changed."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store_class, "get_model_class", None)
    if get_model is None:
        return
    store = store_class()
    for key, data in get_model().objects.values_list("session_key", "session_data").iterator():
        if store.decode(data).get(SESSION_KEY) == str(user.pk):
            store_class(session_key=key).delete()


def _anonymize(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.organized_editions.clear()
    user.moderated_editions.clear()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.display_name = user.sector = user.role = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.named_in_results = False
    user.language = settings.LANGUAGE_CODE
    for kind in EMAIL_KINDS:
        setattr(user, kind, False)
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save()
