"""Ideas: the list with the page's filters and sorting, one idea with its versions, links and
comments, and the writes: submit, edit, comment.

The endpoints do what the pages do (helpathon/ideas/views.py): read through
`ideas.selectors`, write through `ideas.services` (which ask `may()` again), refuse up front
what the page refuses up front, and count writes against the pages' rate limits. So a person
gets the same answer from both.

Errors have one shape per status: `{"detail": "..."}` for 400, 401, 403, 404 and 429;
`{"detail": [{"type", "loc", "msg"}, ...]}` for every 422, whether ninja rejected the input's
form or a service its content; 409 (an edit based on an old version) adds the current version.
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status
from ninja.errors import HttpError
from ninja.security import django_auth

from helpathon.api.errors import BODY, WRITE_AUTH, WRITE_ERRORS, invalid, service_errors
from helpathon.api.schemas import (
    CommentCreateIn,
    CommentOut,
    ErrorOut,
    IdeaConflictOut,
    IdeaCreateIn,
    IdeaDetailOut,
    IdeaListOut,
    IdeaListQuery,
    IdeaUpdateIn,
    ValidationErrorOut,
)
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import challenge_get, edition_get
from helpathon.ideas import selectors, services
from helpathon.ideas.limits import (
    COMMENTS_GROUP, IDEAS_GROUP, RATE_COMMENTS, RATE_IDEAS, TOO_MANY_COMMENTS, TOO_MANY_IDEAS, limited,
)
from helpathon.ideas.models import Idea

router = Router(tags=["ideas"])


def _no_challenge(slug: str) -> str:
    return _("There is no challenge “%(slug)s” in this edition.") % {"slug": slug}


def _visible_ideas(edition, ids: list[int], *, field: str) -> list[Idea]:
    """The visible ideas of the edition with these ids, or a 422 naming the missing ones."""
    found = selectors.ideas_by_ids(edition, ids)
    missing = sorted(set(ids) - {idea.pk for idea in found})
    if missing:
        numbers = ", ".join(f"#{n}" for n in missing)
        raise invalid((*BODY, field), _("There is no idea %(numbers)s in this edition.") % {"numbers": numbers})
    return found


def _with_details(idea: Idea) -> Idea:
    """The idea with what IdeaDetailOut reads: versions, links and comments (three selectors,
    four queries)."""
    idea.version_list = selectors.idea_versions(idea)
    for version in idea.version_list:
        # Only the author edits an idea; an imported idea's author is the organizer who ran the
        # import, and its public name is the imported one.
        own = version.editor_id == idea.author_id
        version.public_editor = idea.public_author if own else version.editor.public_name
    idea.relations = selectors.idea_relations(idea)
    idea.comment_list = [
        comment for root in selectors.comment_threads(idea) for comment in (root, *root.thread_replies)
    ]
    return idea


@router.get(
    "/editions/{slug}/ideas",
    response={200: IdeaListOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="ideas_list",
)
def ideas_list(request: HttpRequest, slug: str, filters: Query[IdeaListQuery]):
    """The edition's visible ideas, filtered and sorted as on the page. Merged duplicates show
    only with `status=merged`; an unknown challenge is a 422."""
    edition = edition_get(slug=slug, user=request.user)
    challenge = None
    if filters.challenge:
        try:
            challenge = challenge_get(edition=edition, slug=filters.challenge)
        except Http404:
            raise invalid(("query", "challenge"), _no_challenge(filters.challenge)) from None
    page = selectors.idea_list(
        edition,
        selectors.IdeaFilters(
            challenge=challenge,
            status=filters.status or "",
            tag=filters.tag,
            q=filters.q.strip(),
            sort=filters.sort,
            seed=selectors.default_seed() if filters.seed is None else filters.seed,
        ),
        page=filters.page,
        per_page=filters.per_page,
    )
    return {
        "items": list(page.object_list),
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
    }


@router.get(
    "/editions/{slug}/ideas/{id}",
    response={200: IdeaDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="ideas_detail",
)
def ideas_detail(request: HttpRequest, slug: str, id: int):
    """One idea with its text, versions, links and comments. A hidden idea answers 404 like
    one that does not exist, except to the edition's moderators and organizers (as the page)."""
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=id, include_hidden=may(request.user, Action.MODERATE, edition))
    return _with_details(idea)


@router.post(
    "/editions/{slug}/ideas",
    auth=django_auth,
    response={201: IdeaDetailOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="ideas_create",
    description="Submit an idea to a challenge: participants, while the phase allows it." + WRITE_AUTH,
)
def ideas_create(request: HttpRequest, slug: str, payload: IdeaCreateIn):
    edition = edition_get(slug=slug, user=request.user)
    forbidden = _("Submitting ideas is not possible at the moment.")
    if not may(request.user, Action.SUBMIT_IDEA, edition):
        raise HttpError(403, forbidden)
    try:
        challenge = challenge_get(edition=edition, slug=payload.challenge)
    except Http404:
        raise invalid((*BODY, "challenge"), _no_challenge(payload.challenge)) from None
    builds_on = _visible_ideas(edition, payload.builds_on, field="builds_on")
    if limited(request, IDEAS_GROUP, RATE_IDEAS):
        raise HttpError(429, str(TOO_MANY_IDEAS))
    with service_errors(forbidden):
        idea = services.idea_create(
            actor=request.user, challenge=challenge, title=payload.title, body=payload.body, tags=payload.tags,
            builds_on=builds_on,
        )
    return Status(201, _with_details(selectors.idea_get(edition=edition, pk=idea.pk)))


@router.patch(
    "/editions/{slug}/ideas/{id}",
    auth=django_auth,
    response={200: IdeaDetailOut, **WRITE_ERRORS, 409: IdeaConflictOut},
    operation_id="ideas_update",
    description=(
        "Edit your idea, keeping a new version; fields left out keep their value. Send"
        " `base_version` (the version you edited): if another was saved since, the answer is 409"
        " with the current version and nothing changes." + WRITE_AUTH
    ),
)
def ideas_update(request: HttpRequest, slug: str, id: int, payload: IdeaUpdateIn):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=id)
    forbidden = _("Only its author can edit this idea, while the phase allows it, and not once it is merged.")
    if not may(request.user, Action.EDIT_IDEA, idea) or idea.status == Idea.Status.MERGED:
        raise HttpError(403, forbidden)
    builds_on = None if payload.builds_on is None else _visible_ideas(edition, payload.builds_on, field="builds_on")
    try:
        with service_errors(forbidden):
            services.idea_update(
                actor=request.user, idea=idea,
                title=idea.title if payload.title is None else payload.title,
                body=idea.body if payload.body is None else payload.body,
                tags=[tag.name for tag in idea.tags.all()] if payload.tags is None else payload.tags,
                builds_on=builds_on, base_version=payload.base_version, note=payload.note,
            )
    except services.IdeaConflict as conflict:
        return Status(409, {"detail": _("Someone else saved this idea meanwhile"), "current": conflict.idea})
    return Status(200, _with_details(selectors.idea_get(edition=edition, pk=idea.pk)))


@router.post(
    "/editions/{slug}/ideas/{id}/comments",
    auth=django_auth,
    response={201: CommentOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="ideas_comment",
    description=(
        "Comment on an idea, or reply with `parent`: participants, while the phase allows it."
        " A reply to a reply joins its thread." + WRITE_AUTH
    ),
)
def ideas_comment(request: HttpRequest, slug: str, id: int, payload: CommentCreateIn):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=id)
    forbidden = _("Commenting is not possible at the moment.")
    if not may(request.user, Action.COMMENT, idea):
        raise HttpError(403, forbidden)
    parent = None
    if payload.parent is not None:
        parent = idea.comments.filter(pk=payload.parent).first()
        if parent is None:
            raise invalid((*BODY, "parent"), _("You can only reply to a comment on the same idea."))
    if limited(request, COMMENTS_GROUP, RATE_COMMENTS):
        raise HttpError(429, str(TOO_MANY_COMMENTS))
    with service_errors(forbidden):
        comment = services.comment_create(actor=request.user, idea=idea, body=payload.body, parent=parent)
    return Status(201, comment)
