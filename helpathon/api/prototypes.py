"""Prototypes: one team's prototype, saving it as a new version, submitting it, and the list of
submitted prototypes.

A submitted prototype is public; a draft only for the team's members, its mentors and the
edition's organizers, and a 404 for everyone else, the same as for a missing team. Writes go
through `teams.services`, which ask the team role and `may()` again: editing and submitting
are for the team's lead and members during prototyping.

Errors have the shapes of the other routers (`api.errors`); a save based on an old version is a
409 with the current version, and what was sent is kept as the person's draft.
"""

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import django_auth

from helpathon.api.errors import WRITE_AUTH, WRITE_ERRORS, service_errors
from helpathon.ideas.limits import PROTOTYPE_GROUP, RATE_PROTOTYPE, TOO_MANY_TEAM_WRITES, limited
from helpathon.api.schemas import ErrorOut, PrototypeConflictOut, PrototypeOut, PrototypeSaveIn, ValidationErrorOut
from helpathon.editions.models import Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import edition_get
from helpathon.teams import selectors, services
from helpathon.teams.models import Prototype, PrototypeImage, Team

router = Router(tags=["prototypes"])

PROTOTYPE_ANSWER = " The answer is the prototype as `prototypes_detail` shows it."


def _team(request: HttpRequest, slug: str, pk: int) -> tuple[Edition, Team]:
    edition = edition_get(slug=slug, user=request.user)
    team = selectors.team_get(edition=edition, pk=pk)
    team.edition = edition  # the one loaded with its program: `may()` asks no further query
    return edition, team


def _shown(team: Team) -> Prototype:
    """The team's prototype with its images, as the schema reads it; an unsaved empty one
    before anybody saved (a read writes nothing)."""
    prototype = Prototype.objects.filter(team=team).first()
    if prototype is None:
        prototype = Prototype(team=team, edition=team.edition, challenge=team.challenge)
        prototype.image_list = []
    else:
        prototype.image_list = list(prototype.images.all())
    prototype.team, prototype.challenge, prototype.edition = team, team.challenge, team.edition
    return prototype


def _visible(request: HttpRequest, team: Team) -> Prototype:
    prototype = _shown(team)
    if prototype.status != Prototype.Status.SUBMITTED and not selectors.may_see_private(request.user, team):
        raise Http404
    return prototype


@router.get(
    "/editions/{slug}/prototypes",
    response={200: list[PrototypeOut], 404: ErrorOut},
    operation_id="prototypes_list",
)
def prototypes_list(request: HttpRequest, slug: str):
    """The edition's submitted prototypes by challenge, with their sections and images. Drafts
    are not listed."""
    edition = edition_get(slug=slug, user=request.user)
    prototypes = list(
        Prototype.objects.filter(edition=edition, status=Prototype.Status.SUBMITTED)
        .select_related("team", "challenge")
        .prefetch_related(Prefetch("images", queryset=PrototypeImage.objects.order_by("created_at", "pk")))
        .order_by("challenge__order", "challenge_id", "team__name", "pk")
    )
    for prototype in prototypes:
        prototype.image_list = list(prototype.images.all())
        prototype.edition = edition
    return prototypes


@router.get(
    "/editions/{slug}/teams/{id}/prototype",
    response={200: PrototypeOut, 404: ErrorOut, 422: ValidationErrorOut},
    operation_id="prototypes_detail",
)
def prototypes_detail(request: HttpRequest, slug: str, id: int):
    """A team's prototype: public once submitted; while a draft, for the team's members, its
    mentors and the edition's organizers (with their session), a 404 for everyone else."""
    _edition, team = _team(request, slug, id)
    return _visible(request, team)


@router.put(
    "/editions/{slug}/teams/{id}/prototype",
    auth=django_auth,
    response={200: PrototypeOut, **WRITE_ERRORS, 409: PrototypeConflictOut, 429: ErrorOut},
    operation_id="prototypes_save",
    description=(
        "Save the team's prototype as a new version: its lead and members, during prototyping, until it is"
        " submitted. Sections left out keep their text; saving what is there already makes no version. Send"
        " `base_version` (the version you edited): if another was saved since, the answer is 409 with the"
        " current version, nothing changes, and what you sent is kept as your draft."
        + PROTOTYPE_ANSWER + WRITE_AUTH
    ),
)
def prototypes_save(request: HttpRequest, slug: str, id: int, payload: PrototypeSaveIn):
    if limited(request, PROTOTYPE_GROUP, RATE_PROTOTYPE):
        raise HttpError(429, str(TOO_MANY_TEAM_WRITES))
    _edition, team = _team(request, slug, id)
    forbidden = _("Only the team's lead and members can edit its prototype, during prototyping.")
    if not selectors.is_member(request.user, team) or not may(request.user, Action.EDIT_PROTOTYPE, team):
        raise HttpError(403, forbidden)
    try:
        with service_errors(forbidden):
            services.prototype_save(
                actor=request.user, team=team, sections=payload.sections.model_dump(exclude_none=True),
                base_version=payload.base_version, note=payload.note, pitch_url=payload.pitch_url,
            )
    except services.PrototypeConflict as conflict:
        return Status(409, {"detail": _("Someone else saved this prototype meanwhile"), "current": conflict.prototype})
    return Status(200, _shown(team))


@router.post(
    "/editions/{slug}/teams/{id}/prototype/submit",
    auth=django_auth,
    response={200: PrototypeOut, **WRITE_ERRORS},
    operation_id="prototypes_submit",
    description=(
        "Submit the team's prototype for the jury and the public: its lead and members, before prototyping"
        " ends. Problem, solution and future scenario must be written (else 422, `loc` ending in the"
        " section). Afterwards it is read-only unless organizers reopen it; submitting again changes nothing."
        + PROTOTYPE_ANSWER + WRITE_AUTH
    ),
)
def prototypes_submit(request: HttpRequest, slug: str, id: int):
    _edition, team = _team(request, slug, id)
    forbidden = _("Only the team's lead and members can submit its prototype, during prototyping.")
    if not selectors.is_member(request.user, team) or not may(request.user, Action.SUBMIT_PROTOTYPE, team):
        raise HttpError(403, forbidden)
    with service_errors(forbidden, loc=("body", "sections")):
        services.prototype_submit(actor=request.user, team=team)
    return _shown(team)
