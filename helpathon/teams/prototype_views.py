"""Prototype pages: the read view, editing with conflict handling and autosave, images and the
pitch slides, submitting and reopening, the history with word diffs, the files, and the
public gallery of an edition's teams and their submitted prototypes.

Thin like the team pages: parse the request, call a service (`services.prototype_*`,
`image_*`, `pitch_pdf_set`, `draft_*`) or a read helper below, render. Markdown is rendered
here, never in the templates. A draft prototype exists only for the team's members, its
mentors and the organizers: everybody else gets a 404, for the page and for its files.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpathon.editions.phases import Action
from helpathon.editions.rules import is_organizer, may
from helpathon.editions.selectors import edition_get
from helpathon.forms import add_service_errors
from helpathon.ideas.markdown import render_markdown
from helpathon.ideas.selectors import diff_words, paired_lines, versions_to_compare
from helpathon.ideas.limits import PROTOTYPE_GROUP, RATE_PROTOTYPE, RATE_UPLOADS, UPLOADS_GROUP
from helpathon.teams import selectors, services
from helpathon.teams.views import write_limit
from helpathon.teams.models import SECTION_FIELDS, SECTIONS, Membership, Prototype, PrototypeDraft, PrototypeVersion, Team

Role = Membership.Role
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"
EXCERPT_WORDS = 40


# --- forms -------------------------------------------------------------------------------------


class PrototypeForm(forms.Form):
    """The sections, the pitch link, the version the editor started from and a note. Shape
    only: the service checks lengths, the link and the phase."""

    pitch_url = forms.CharField(
        label=gettext_lazy("Link to the pitch video"), required=False, max_length=200,
        help_text=gettext_lazy("An https:// address, e.g. of a video."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("What changed? (optional)"), required=False, max_length=200,
        help_text=gettext_lazy("A few words for the history, e.g. “risks added”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sections = {
            field: forms.CharField(
                label=label, help_text=help_text, required=False, strip=False, max_length=services.MAX_SECTION,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
            for field, label, help_text in SECTIONS
        }
        # Sections first, in their order; then the link, the note and the hidden version.
        self.fields = {**sections, **self.fields}

    def sections(self) -> dict[str, str]:
        return {field: self.cleaned_data.get(field) or "" for field in SECTION_FIELDS}


class ImageForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Image"), help_text=gettext_lazy("PNG, JPEG, WebP or GIF, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    alt = forms.CharField(
        label=gettext_lazy("What the image shows"), max_length=300,
        help_text=gettext_lazy("For people who cannot see it, e.g. “Sketch of the app's start page with a map”."),
    )


class PitchForm(forms.Form):
    pitch_pdf = forms.FileField(
        label=gettext_lazy("Pitch slides (PDF)"), help_text=gettext_lazy("At most 20 MB, without scripts."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


# --- reads -------------------------------------------------------------------------------------


def _team(request, slug, pk) -> tuple:
    edition = edition_get(slug=slug, user=request.user)
    return edition, selectors.team_get(edition=edition, pk=pk)


def _prototype(team: Team) -> Prototype | None:
    return Prototype.objects.filter(team=team).first()


def _may_read(user, team: Team, prototype: Prototype | None) -> bool:
    """Everyone once submitted; a draft only the team's members, mentors and organizers."""
    if prototype is not None and prototype.status == Prototype.Status.SUBMITTED:
        return True
    return selectors.may_see_private(user, team)


def _readable(request, slug, pk) -> tuple:
    """The edition, the team and its prototype (None when not started), or a 404 for those
    who may not see it — the same answer as for a team without a prototype."""
    edition, team = _team(request, slug, pk)
    prototype = _prototype(team)
    if not _may_read(request.user, team, prototype):
        raise Http404
    return edition, team, prototype


def _may_edit(user, team: Team) -> bool:
    return selectors.is_member(user, team) and may(user, Action.EDIT_PROTOTYPE, team)


@dataclass
class Section:
    field: str
    label: str
    html: str


def _rendered_sections(prototype: Prototype | None) -> list[Section]:
    values = prototype.sections() if prototype is not None else {}
    return [
        Section(field, label, mark_safe(render_markdown(values.get(field, ""))) if values.get(field) else "")  # noqa: S308 - sanitized by nh3
        for field, label, _help in SECTIONS
    ]


def _latest_version(prototype: Prototype) -> PrototypeVersion | None:
    return prototype.versions.select_related("editor").filter(number=prototype.version).first()


def _excerpt(markdown: str) -> str:
    # Plain words from the rendered Markdown: no symbols, no markup, a few lines long.
    return Truncator(strip_tags(render_markdown(markdown[:4000])).replace("\n", " ")).words(EXCERPT_WORDS)


# --- the read view -----------------------------------------------------------------------------


@require_GET
def prototype_detail(request, slug, pk):
    edition, team, prototype = _readable(request, slug, pk)
    context = {
        "edition": edition,
        "team": team,
        "prototype": prototype,
        "sections": _rendered_sections(prototype),
        "images": list(prototype.images.all()) if prototype else [],
        "latest": _latest_version(prototype) if prototype and prototype.version else None,
        "can_edit": _may_edit(request.user, team)
        and (prototype is None or prototype.status == Prototype.Status.DRAFT),
        "organizer": is_organizer(request.user, edition),
    }
    return render(request, "teams/prototype_detail.html", context)


# --- editing -----------------------------------------------------------------------------------


@dataclass
class EditSection:
    field: forms.BoundField
    theirs: str | None = None  # in a conflict: the saved text that differs from the person's


def _initial(prototype: Prototype | None) -> dict:
    if prototype is None:
        return {"base_version": 0, "pitch_url": ""}
    return {**prototype.sections(), "pitch_url": prototype.pitch_url, "base_version": prototype.version}


def _newer_draft(user, prototype: Prototype | None) -> PrototypeDraft | None:
    """The person's autosaved draft, when it is newer than the saved prototype."""
    if prototype is None:
        return None
    draft = PrototypeDraft.objects.filter(prototype=prototype, user=user).first()
    if draft is None or draft.saved_at <= prototype.updated_at:
        return None
    return draft


def _edit_page(request, edition, team, prototype, *, form, conflicts=None, latest=None, image_form=None,
               pitch_form=None, draft=None, restored=False, status=200):
    conflicts = conflicts or {}
    context = {
        "edition": edition,
        "team": team,
        "prototype": prototype,
        "form": form,
        "sections": [EditSection(form[field], conflicts.get(field)) for field in SECTION_FIELDS],
        "conflict": bool(conflicts) or latest is not None,
        "conflict_count": len(conflicts),
        "latest": latest,
        "image_form": image_form or ImageForm(),
        "pitch_form": pitch_form or PitchForm(),
        "images": list(prototype.images.all()) if prototype else [],
        "draft": draft,
        "restored": restored,
        "accept": IMAGE_ACCEPT,
    }
    return render(request, "teams/prototype_edit.html", context, status=status)


def _editable(request, slug, pk):
    """The edition, team and prototype for an editor, or the answer to give instead: 404 for
    those who may not see the draft, a refusal for mentors and outside the phase, the read
    view once submitted."""
    edition, team, prototype = _readable(request, slug, pk)
    if not selectors.is_member(request.user, team):
        return edition, team, prototype, _refuse(request, edition, team, _("Only the team's members can edit its prototype."))
    if not may(request.user, Action.EDIT_PROTOTYPE, team):
        return edition, team, prototype, _refuse(
            request, edition, team, _("Prototypes can be edited only during the prototyping phase.")
        )
    if prototype is not None and prototype.status == Prototype.Status.SUBMITTED:
        messages.info(request, _("The prototype has been submitted and is read-only; organizers can reopen it."))
        return edition, team, prototype, redirect("teams:prototype", slug=edition.slug, pk=team.pk)
    return edition, team, prototype, None


def _refuse(request, edition, team, message: str):
    return render(request, "teams/problem.html", {"edition": edition, "team": team, "message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
@write_limit(PROTOTYPE_GROUP, RATE_PROTOTYPE)
def prototype_edit(request, slug, pk):
    edition, team, prototype, refusal = _editable(request, slug, pk)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        draft = _newer_draft(request.user, prototype)
        if draft is not None and request.GET.get("draft") == "restore":
            data = {**_initial(prototype), **draft.sections, "base_version": draft.base_version}
            form = PrototypeForm(initial=data)
            return _edit_page(request, edition, team, prototype, form=form, restored=True)
        return _edit_page(request, edition, team, prototype, form=PrototypeForm(initial=_initial(prototype)), draft=draft)

    form = PrototypeForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, edition, team, prototype, form=form, status=400)
    data = form.cleaned_data
    try:
        saved = services.prototype_save(
            actor=request.user, team=team, sections=form.sections(), base_version=data["base_version"],
            note=data["note"], pitch_url=data["pitch_url"].strip(),
        )
    except services.PrototypeConflict as conflict:
        return _conflict(request, edition, team, form, conflict.prototype)
    except ValidationError as error:
        add_service_errors(form, error)
        return _edit_page(request, edition, team, prototype, form=form, status=400)
    except PermissionDenied:
        return _refuse(request, edition, team, _("You cannot edit this prototype now."))
    messages.success(request, _("The prototype has been saved (version %(n)d).") % {"n": saved.version})
    return redirect("teams:prototype", slug=edition.slug, pk=team.pk)


def _conflict(request, edition, team, form, current: Prototype):
    """Someone saved since this person started. Their text stays in the form; sections they
    did not touch take the saved text; sections both changed show the saved text beside
    theirs. The form's base becomes the current version, so saving again overwrites on
    purpose."""
    mine = form.sections()
    base_number = form.cleaned_data["base_version"]
    base = {}
    if base_number:
        old = current.versions.filter(number=base_number).values_list("sections", flat=True).first()
        base = old or {}
    theirs = current.sections()
    conflicts, merged = {}, {}
    for field in SECTION_FIELDS:
        mine_text, their_text = mine[field].replace("\r\n", "\n").strip(), theirs[field]
        base_text = (base.get(field) or "").strip()
        if mine_text == their_text:
            merged[field] = their_text
        elif mine_text == base_text:
            merged[field] = their_text  # only the others changed it: take theirs
        elif their_text == base_text:
            merged[field] = mine[field]  # only this person changed it: keep theirs as typed
        else:
            merged[field] = mine[field]
            conflicts[field] = their_text
    data = {**merged, "pitch_url": form.cleaned_data["pitch_url"] or current.pitch_url,
            "note": form.cleaned_data["note"], "base_version": current.version}
    fresh = PrototypeForm(data)
    fresh.is_valid()
    return _edit_page(
        request, edition, team, current, form=fresh, conflicts=conflicts, latest=_latest_version(current), status=409
    )


@login_required
@require_POST
@write_limit(PROTOTYPE_GROUP, RATE_PROTOTYPE)
def prototype_draft(request, slug, pk):
    """Autosave (htmx, every 20 seconds while typing) and discarding a draft. Answers the
    htmx request with a short status line (200, as htmx swaps only 2xx answers)."""
    edition, team, prototype = _readable(request, slug, pk)
    if request.POST.get("discard"):
        services.draft_discard(actor=request.user, team=team)
        messages.info(request, _("Your unsaved draft has been discarded."))
        return redirect("teams:prototype_edit", slug=edition.slug, pk=team.pk)
    form = PrototypeForm(request.POST)
    message, saved_at = None, None
    if not form.is_valid():
        message = _("The draft could not be kept: a section is too long.")
    else:
        try:
            draft = services.draft_save(
                actor=request.user, team=team, sections=form.sections(), base_version=form.cleaned_data["base_version"]
            )
        except ValidationError as error:
            message = " ".join(error.messages)
        except PermissionDenied:
            message = _("The draft could not be kept: editing is closed.")
        else:
            saved_at = draft.saved_at if draft is not None else None
    if not request.htmx:
        if message:
            messages.error(request, message)
        return redirect("teams:prototype_edit", slug=edition.slug, pk=team.pk)
    return render(request, "teams/prototype_draft_status.html", {"message": message, "saved_at": saved_at})


@login_required
@require_http_methods(["GET", "POST"])
@write_limit(PROTOTYPE_GROUP, RATE_PROTOTYPE)
def prototype_submit(request, slug, pk):
    """GET: the confirmation step. POST: submit; missing sections are shown at the fields."""
    edition, team, prototype, refusal = _editable(request, slug, pk)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return render(request, "teams/prototype_submit.html", {"edition": edition, "team": team, "prototype": prototype})
    try:
        services.prototype_submit(actor=request.user, team=team)
    except PermissionDenied:
        return _refuse(request, edition, team, _("Prototypes can be submitted only during the prototyping phase."))
    except ValidationError as error:
        current = services.prototype_of(team)
        form = PrototypeForm({**_initial(current), "note": ""})
        form.is_valid()
        add_service_errors(form, error)
        messages.error(request, _("The prototype could not be submitted: please fill in the marked sections and save."))
        return _edit_page(request, edition, team, current, form=form, status=400)
    messages.success(request, _("The prototype has been submitted. Thank you!"))
    return redirect("teams:prototype", slug=edition.slug, pk=team.pk)


@login_required
@require_POST
def prototype_reopen(request, slug, pk):
    edition, team, _prototype_ = _readable(request, slug, pk)
    if not is_organizer(request.user, edition):
        raise Http404
    services.prototype_reopen(actor=request.user, team=team)
    messages.success(request, _("The prototype has been reopened: the team can edit it again."))
    return redirect("teams:prototype", slug=edition.slug, pk=team.pk)


def _upload(request, slug, pk, form_class, change, success: str, form_name: str):
    edition, team, prototype, refusal = _editable(request, slug, pk)
    if refusal is not None:
        return refusal
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            change(team, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            return _refuse(request, edition, team, _("You cannot edit this prototype now."))
        else:
            messages.success(request, success)
            return redirect(reverse("teams:prototype_edit", kwargs={"slug": edition.slug, "pk": team.pk}) + "#files")
    prototype = _prototype(team)
    return _edit_page(
        request, edition, team, prototype, form=PrototypeForm(initial=_initial(prototype)), status=400,
        **{form_name: form},
    )


@login_required
@require_POST
@write_limit(UPLOADS_GROUP, RATE_UPLOADS)
def image_add(request, slug, pk):
    return _upload(
        request, slug, pk, ImageForm,
        lambda team, data: services.image_add(actor=request.user, team=team, upload=data["image"], alt=data["alt"]),
        _("The image has been added."), "image_form",
    )


@login_required
@require_POST
@write_limit(UPLOADS_GROUP, RATE_UPLOADS)
def pitch_pdf_set(request, slug, pk):
    return _upload(
        request, slug, pk, PitchForm,
        lambda team, data: services.pitch_pdf_set(actor=request.user, team=team, upload=data["pitch_pdf"]),
        _("The pitch slides have been uploaded."), "pitch_form",
    )


@login_required
@require_POST
def image_remove(request, slug, pk, image_pk):
    edition, team, prototype, refusal = _editable(request, slug, pk)
    if refusal is not None:
        return refusal
    image = prototype.images.filter(pk=image_pk).first() if prototype else None
    if image is None:
        raise Http404
    try:
        services.image_remove(actor=request.user, team=team, image=image)
    except (ValidationError, PermissionDenied):
        return _refuse(request, edition, team, _("You cannot edit this prototype now."))
    messages.success(request, _("The image has been removed."))
    return redirect(reverse("teams:prototype_edit", kwargs={"slug": edition.slug, "pk": team.pk}) + "#files")


# --- files -------------------------------------------------------------------------------------


def _file_response(field, content_type: str, *, attachment: bool, filename: str):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened on its own, the file runs nothing and reaches nothing of ours.
    response["Content-Security-Policy"] = "sandbox"
    # Private also when submitted: organizers can reopen, and shared caches must not keep it.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def image_file(request, slug, pk, image_pk):
    _edition, _team_, prototype = _readable(request, slug, pk)
    image = prototype.images.filter(pk=image_pk).first() if prototype else None
    if image is None:
        raise Http404
    extension = image.image.name.rsplit(".", 1)[-1].lower()
    content_type = IMAGE_TYPES.get(extension)
    if content_type is None:
        raise Http404  # not a type we stored ourselves
    return _file_response(
        image.image, content_type, attachment=False, filename=f"prototype-{pk}-{image.pk}.{extension}"
    )


@require_GET
def pitch_file(request, slug, pk):
    _edition, _team_, prototype = _readable(request, slug, pk)
    if prototype is None or not prototype.pitch_pdf:
        raise Http404
    return _file_response(
        prototype.pitch_pdf, "application/pdf", attachment=True, filename=f"pitch-team-{pk}.pdf"
    )


# --- history -----------------------------------------------------------------------------------


@dataclass
class SectionDiff:
    label: str
    lines: list
    changed: bool


def _version_diff(older: PrototypeVersion, newer: PrototypeVersion) -> list[SectionDiff]:
    labels = [*SECTIONS, ("pitch_url", _("Link to the pitch video"), "")]
    diffs = []
    for field, label, _help in labels:
        old, new = older.sections.get(field) or "", newer.sections.get(field) or ""
        lines = [diff_words(o, n) for o, n in paired_lines(old, new)]
        diffs.append(SectionDiff(label, lines, old != new))
    return diffs


@require_GET
def prototype_history(request, slug, pk):
    edition, team, prototype = _readable(request, slug, pk)
    versions = list(prototype.versions.select_related("editor")) if prototype else []
    for version in versions:
        version.shown_editor = version.editor.public_name
    older, newer = versions_to_compare(versions, to=request.GET.get("to"), from_=request.GET.get("from"))
    diff = _version_diff(older, newer) if older is not None and older != newer else None
    context = {
        "edition": edition, "team": team, "prototype": prototype, "versions": versions,
        "older": older, "newer": newer, "diff": diff,
    }
    return render(request, "teams/prototype_history.html", context)


# --- the gallery -------------------------------------------------------------------------------


@dataclass
class GalleryEntry:
    team: Team
    members: int
    prototype: Prototype | None
    excerpt: str


@require_GET
def gallery(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    challenges = list(edition.challenges.all())
    chosen = next((c for c in challenges if c.slug == request.GET.get("challenge")), None)
    teams = (
        Team.objects.filter(edition=edition)
        .select_related("challenge", "prototype")
        .annotate(members=Count("memberships", filter=~Q(memberships__role=Role.MENTOR)))
        .order_by("challenge__order", "challenge_id", "name", "pk")
    )
    if chosen is not None:
        teams = teams.filter(challenge=chosen)
    entries = []
    for team in teams:
        prototype = getattr(team, "prototype", None)
        if prototype is None or prototype.status != Prototype.Status.SUBMITTED:
            prototype = None
        entries.append(GalleryEntry(team, team.members, prototype, _excerpt(prototype.solution) if prototype else ""))
    context = {
        "edition": edition,
        "challenges": challenges,
        "chosen": chosen,
        "entries": entries,
        "submitted": [e for e in entries if e.prototype is not None],
    }
    return render(request, "teams/gallery.html", context)

