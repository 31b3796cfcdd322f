"""All writes to ideas and comments. Each validates, asks `may()`, changes, keeps a version
where text changes, and records a live event in the same transaction.

Merging (`idea_merge`) follows these rules, so nothing is lost:
- the merged idea stays readable, with status "merged" and a pointer to its target;
- its comments stay where they were written (their context is the merged text);
- "builds on" links to and from it stay; a `merged_into` link records the merge;
- supports move to the target for every supporter who does not support the target already
  (the evaluation issue brings supports; the rule is applied there through `on_merged`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.models import Challenge
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.ideas.markdown import render_markdown
from helpathon.ideas.models import Comment, Idea, IdeaLink, IdeaVersion, Tag
from helpathon.ideas.themes_service import themes_mark_dirty
from helpathon.live.services import publish

MAX_TAGS = 8
MAX_TAG_LENGTH = 40
MAX_BODY = 20_000
MAX_COMMENT = 5_000

# Called with (merged idea, target) inside the merge transaction; later apps register here.
on_merged: list = []


class IdeaConflict(Exception):
    """The edit was based on an older version than the current one."""

    def __init__(self, idea: Idea):
        super().__init__("conflict")
        self.idea = idea


def _clean_tags(tags) -> list[str]:
    cleaned, seen = [], set()
    for raw in tags or []:
        tag = " ".join(str(raw).split()).lower().lstrip("#").strip()
        if not tag or tag in seen:
            continue
        if "," in tag or ";" in tag:
            raise ValidationError({"tags": _("Tags are separated by commas; a tag itself has none.")})
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError({"tags": _("A tag may have at most %(n)d characters.") % {"n": MAX_TAG_LENGTH}})
        seen.add(tag)
        cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags, please.") % {"n": MAX_TAGS}})
    return cleaned


def _validate_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").strip()
    errors = {}
    if len(title) < 3:
        errors["title"] = _("Please give your idea a title of at least 3 characters.")
    elif len(title) > 160:
        errors["title"] = _("The title may have at most 160 characters.")
    if len(body) > MAX_BODY:
        errors["body"] = _("The description may have at most %(n)d characters.") % {"n": MAX_BODY}
    if errors:
        raise ValidationError(errors)
    return title, body


def _validate_builds_on(idea_edition_id: int, builds_on, own_pk=None) -> list[Idea]:
    targets = list({i.pk: i for i in builds_on or []}.values())
    for target in targets:
        if target.edition_id != idea_edition_id or target.pk == own_pk or target.hidden_at is not None:
            raise ValidationError({"builds_on": _("An idea can only build on visible ideas of the same edition.")})
    return targets


def _set_tags(idea: Idea, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    idea.tags.set([existing[n] for n in names])


def _snapshot(idea: Idea, *, editor, tags: list[str], note: str = "") -> IdeaVersion:
    return IdeaVersion.objects.create(
        idea=idea, number=idea.version, title=idea.title, body=idea.body, tags=", ".join(tags),
        editor=editor, note=note[:200], created_at=idea.updated_at,
    )


def _link(source: Idea, target: Idea, kind: str, actor) -> None:
    IdeaLink.objects.get_or_create(source=source, target=target, kind=kind, defaults={"created_by": actor})


def idea_create(
    *, actor, challenge: Challenge, title: str, body: str = "", tags=(), builds_on=(), author_name: str = "",
    created_at=None, check_permission: bool = True,
) -> Idea:
    """Submit an idea to a challenge. `check_permission=False` is for the importer, which an
    organizer runs on the command line outside the phases."""
    title, body = _validate_text(title, body)
    tag_names = _clean_tags(tags)
    targets = _validate_builds_on(challenge.edition_id, builds_on)
    if check_permission and not may(actor, Action.SUBMIT_IDEA, challenge):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        idea = Idea.objects.create(
            edition_id=challenge.edition_id, challenge=challenge, author=actor, author_name=author_name[:80],
            title=title, body=body, body_html=render_markdown(body), created_at=created_at or now,
            updated_at=created_at or now,
        )
        if tag_names:
            _set_tags(idea, tag_names)
        _snapshot(idea, editor=actor, tags=tag_names)
        for target in targets:
            _link(idea, target, IdeaLink.Kind.BUILDS_ON, actor)
        publish(
            edition_id=idea.edition_id, type="idea.created",
            payload={
                "idea": idea.pk, "challenge": challenge.pk, "title": idea.title, "author": idea.public_author,
                "status": idea.status, "builds_on": [t.pk for t in targets], "tags": tag_names,
            },
        )
        themes_mark_dirty(edition_id=idea.edition_id)
    return idea


def idea_update(
    *, actor, idea: Idea, title: str, body: str, tags=(), builds_on=None, base_version: int | None = None,
    note: str = "",
) -> Idea:
    """Edit an idea: a new version is kept. If `base_version` is older than the current
    version, IdeaConflict is raised and nothing changes (the caller shows both texts)."""
    if not may(actor, Action.EDIT_IDEA, idea) or idea.hidden_at is not None or idea.status == Idea.Status.MERGED:
        raise PermissionDenied
    title, body = _validate_text(title, body)
    tag_names = _clean_tags(tags)
    targets = None if builds_on is None else _validate_builds_on(idea.edition_id, builds_on, own_pk=idea.pk)
    with transaction.atomic():
        current = Idea.objects.select_for_update().get(pk=idea.pk)
        # Decide on the locked row: the caller's copy may predate a merge or a hiding.
        if current.hidden_at is not None or current.status == Idea.Status.MERGED:
            raise PermissionDenied
        if base_version is not None and base_version != current.version:
            raise IdeaConflict(current)
        unchanged = (
            current.title == title and current.body == body
            and sorted(current.tags.values_list("name", flat=True)) == sorted(tag_names)
        )
        if not unchanged:
            current.title, current.body, current.body_html = title, body, render_markdown(body)
            current.version += 1
            current.updated_at = timezone.now()
            current.save(update_fields=["title", "body", "body_html", "version", "updated_at"])
            _set_tags(current, tag_names)
            _snapshot(current, editor=actor, tags=tag_names, note=note)
        if targets is not None:
            wanted = {t.pk for t in targets}
            links = current.links_out.filter(kind=IdeaLink.Kind.BUILDS_ON)
            had = set(links.values_list("target_id", flat=True))
            links.exclude(target_id__in=wanted).delete()
            for target in targets:
                if target.pk not in had:
                    _link(current, target, IdeaLink.Kind.BUILDS_ON, actor)
                    publish(
                        edition_id=current.edition_id, type="idea.linked",
                        payload={"idea": current.pk, "target": target.pk, "kind": IdeaLink.Kind.BUILDS_ON},
                    )
            for gone in had - wanted:
                publish(
                    edition_id=current.edition_id, type="idea.unlinked",
                    payload={"idea": current.pk, "target": gone, "kind": IdeaLink.Kind.BUILDS_ON},
                )
        if not unchanged:
            publish(
                edition_id=current.edition_id, type="idea.edited",
                payload={"idea": current.pk, "challenge": current.challenge_id, "title": current.title,
                         "version": current.version, "tags": tag_names},
            )
            themes_mark_dirty(edition_id=current.edition_id)
    return current


def idea_merge(*, actor, idea: Idea, target: Idea) -> Idea:
    """Merge a duplicate `idea` into `target` (moderators and organizers)."""
    if not may(actor, Action.MODERATE, idea):
        raise PermissionDenied
    if target.pk == idea.pk or target.edition_id != idea.edition_id:
        raise ValidationError({"target": _("An idea can only be merged into another idea of the same edition.")})
    if target.hidden_at is not None:
        raise ValidationError({"target": _("A hidden idea cannot take in other ideas.")})
    if target.status == Idea.Status.MERGED:
        raise ValidationError({"target": _("This idea was itself merged; merge into %(title)s instead.") % {
            "title": target.merged_into.title if target.merged_into else "—"}})
    if idea.status == Idea.Status.MERGED:
        raise ValidationError(_("This idea has been merged already."))
    with transaction.atomic():
        # Both rows, in id order: supports of either (evaluation) wait for the merge to finish.
        locked = {i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=[idea.pk, target.pk]).order_by("pk")}
        idea = locked[idea.pk]
        if idea.status == Idea.Status.MERGED:
            raise ValidationError(_("This idea has been merged already."))
        idea.status = Idea.Status.MERGED
        idea.merged_into = target
        idea.save(update_fields=["status", "merged_into"])
        _link(idea, target, IdeaLink.Kind.MERGED_INTO, actor)
        # Earlier merges into this idea now point on to the target, so no chain is left behind.
        Idea.objects.filter(merged_into=idea).update(merged_into=target)
        for hook in on_merged:
            hook(idea, target)
        publish(edition_id=idea.edition_id, type="idea.merged", payload={"idea": idea.pk, "target": target.pk})
        themes_mark_dirty(edition_id=idea.edition_id)
    return idea


def idea_set_status(*, actor, idea: Idea, status: str) -> Idea:
    """Organizers and moderators move an idea between open, shortlisted, in prototyping and
    archived (merging has its own service)."""
    if not may(actor, Action.MODERATE, idea):
        raise PermissionDenied
    allowed = {Idea.Status.OPEN, Idea.Status.SHORTLISTED, Idea.Status.IN_PROTOTYPING, Idea.Status.ARCHIVED}
    if status not in allowed:
        raise ValidationError({"status": _("Please choose a valid status.")})
    merged = ValidationError({"status": _("A merged idea keeps its status.")})
    if idea.status == Idea.Status.MERGED:
        raise merged
    with transaction.atomic():
        # Conditional on the row, not the caller's copy: a merge in between must not be undone.
        if not Idea.objects.filter(pk=idea.pk).exclude(status=Idea.Status.MERGED).update(status=status):
            raise merged
        idea.status = status
        publish(edition_id=idea.edition_id, type="idea.status_changed", payload={"idea": idea.pk, "status": status})
    return idea


def _validate_comment(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write a comment.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError({"body": _("A comment may have at most %(n)d characters.") % {"n": MAX_COMMENT}})
    return body


def comment_create(*, actor, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """Comment on an idea, or reply to a comment (replies to replies join the same thread)."""
    body = _validate_comment(body)
    if not may(actor, Action.COMMENT, idea) or idea.hidden_at is not None:
        raise PermissionDenied
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError({"parent": _("You can only reply to a comment on the same idea.")})
        parent = parent.parent or parent
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea, parent=parent, author=actor, body=body, body_html=render_markdown(body),
            created_at=timezone.now(),
        )
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        publish(
            edition_id=idea.edition_id, type="comment.created",
            payload={"comment": comment.pk, "idea": idea.pk, "author": actor.public_name,
                     "parent": parent.pk if parent else None},
        )
    return comment


def comment_update(*, actor, comment: Comment, body: str) -> Comment:
    body = _validate_comment(body)
    if comment.author_id != actor.pk or comment.deleted_at or comment.hidden_at:
        raise PermissionDenied
    if not may(actor, Action.COMMENT, comment.idea):
        raise PermissionDenied
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def comment_delete(*, actor, comment: Comment) -> Comment:
    """The author withdraws a comment: its text goes, a placeholder keeps the thread readable.
    The caller's instance is updated to the stored state."""
    if comment.author_id != actor.pk:
        raise PermissionDenied
    current = _comment_delete(comment)
    comment.deleted_at, comment.body, comment.body_html = current.deleted_at, current.body, current.body_html
    return comment


def _comment_delete(comment: Comment) -> Comment:
    with transaction.atomic():
        # Decide on the locked row: a double click or a hiding in between must count once.
        current = Comment.objects.select_for_update().select_related("idea").get(pk=comment.pk)
        if current.deleted_at:
            return current
        current.deleted_at = timezone.now()
        if current.hidden_at is not None:
            # Hidden already: it left the count then, and its text stays as moderation evidence.
            current.save(update_fields=["deleted_at"])
            return current
        current.body, current.body_html = "", ""
        current.save(update_fields=["body", "body_html", "deleted_at"])
        Idea.objects.filter(pk=current.idea_id, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
        publish(edition_id=current.idea.edition_id, type="comment.deleted",
                payload={"comment": current.pk, "idea": current.idea_id})
    return current
