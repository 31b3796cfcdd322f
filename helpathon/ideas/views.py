from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpathon.editions.agenda import agenda_for
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.editions.selectors import challenge_get, edition_get
from helpathon.evaluation import selectors as evaluation
from helpathon.evaluation.forms import rating_form_for
from helpathon.evaluation.models import Panel, TargetKind
from helpathon.forms import add_service_errors
from helpathon.ideas import selectors, services
from helpathon.ideas.limits import (
    COMMENTS_GROUP, IDEAS_GROUP, RATE_COMMENTS, RATE_IDEAS, TOO_MANY_COMMENTS, TOO_MANY_IDEAS, limited,
)
from helpathon.ideas.forms import CommentForm, FilterForm, IdeaForm, MergeForm, StatusForm
from helpathon.ideas.models import Idea
from helpathon.pagecache import public_page


@public_page
def idea_list(request, slug, challenge_slug=None):
    edition = edition_get(slug=slug, user=request.user)
    challenge = challenge_get(edition=edition, slug=challenge_slug) if challenge_slug else None
    filters_form = FilterForm(request.GET)
    if challenge is None and filters_form.value("challenge", ""):
        challenge = next((c for c in edition.challenges.all() if c.slug == filters_form.value("challenge", "")), None)
    filters = selectors.IdeaFilters(
        challenge=challenge,
        status=filters_form.value("status", ""),
        tag=filters_form.value("tag", ""),
        q=filters_form.value("q", "").strip(),
        sort=filters_form.value("sort", "new"),
        seed=filters_form.value("seed", selectors.default_seed()),
    )
    # Every visible change writes a live event, so the log's last number keys the caches: the
    # list fragment and the tag filter are reused until something in the edition changes.
    version = selectors.edition_version(edition)
    tags = cache.get_or_set(f"ideas:tags:{edition.pk}:{version}", lambda: selectors.edition_tags(edition), 600)
    context = {
        "edition": edition,
        "challenge": challenge,
        "filters": filters,
        "filters_form": filters_form,
        "results": selectors.LazyPage(edition, filters, page=filters_form.value("page", 1)),
        "version": version,
        "tags": tags,
        "can_submit": may(request.user, Action.SUBMIT_IDEA, edition),
        "agenda": agenda_for(edition),
    }
    template = "ideas/list.html#results" if request.htmx and not request.htmx.boosted else "ideas/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.SUBMIT_IDEA, edition):
        return render(request, "ideas/closed.html", {"edition": edition, "agenda": agenda_for(edition)}, status=403)
    initial = {}
    wanted = request.GET.get("challenge")
    if wanted:
        initial["challenge"] = next((c for c in edition.challenges.all() if c.slug == wanted), None)
    form = IdeaForm(request.POST if request.method == "POST" else None, edition=edition, initial=initial)
    over_limit = False
    if request.method == "POST" and form.is_valid():
        if over_limit := limited(request, IDEAS_GROUP, RATE_IDEAS):
            form.add_error(None, TOO_MANY_IDEAS)
        else:
            data = form.cleaned_data
            try:
                idea = services.idea_create(
                    actor=request.user, challenge=data["challenge"], title=data["title"], body=data["body"],
                    tags=data["tags"], builds_on=data["builds_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                form.add_error(None, _("Submitting ideas is not possible at the moment."))
            else:
                messages.success(request, _("Thank you! Your idea has been published."))
                return redirect(idea)
    return render(request, "ideas/form.html", {"edition": edition, "form": form}, status=429 if over_limit else 200)


def similar(request, slug):
    """htmx: the ideas most similar to what is being typed (title and description)."""
    from helpathon.ideas.similarity import similar_ideas

    edition = edition_get(slug=slug, user=request.user)
    text = " ".join([request.GET.get("title", ""), request.GET.get("body", "")])[:2000]
    exclude = request.GET.get("exclude")
    hits = similar_ideas(edition.pk, text, limit=5, exclude_id=int(exclude) if exclude and exclude.isdecimal() and len(exclude) < 10 else None)
    scores = dict(hits)
    picked = [int(v) for v in request.GET.getlist("builds_on_pick") if v.isdecimal() and len(v) < 10]
    ideas = selectors.ideas_by_ids(edition, picked + [pk for pk, _score in hits if pk not in picked])
    for idea in ideas:
        idea.similarity = round(scores.get(idea.pk, 0) * 100)
        idea.picked = idea.pk in picked
    return render(request, "ideas/_similar.html", {"edition": edition, "similar": ideas})


def _comment_draft(request, idea) -> str:
    """The text of a comment that could not be published, so that nothing typed is lost."""
    if "comment_draft" not in request.session:
        return ""
    draft = request.session.pop("comment_draft")
    return draft.get("body", "") if draft.get("idea") == idea.pk else ""


@public_page
def idea_detail(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    can_moderate = may(request.user, Action.MODERATE, edition)
    idea = selectors.idea_get(edition=edition, pk=pk, include_hidden=can_moderate)
    context = {
        "edition": edition,
        "idea": idea,
        "relations": selectors.idea_relations(idea),
        "threads": selectors.comment_threads(idea),
        "comment_form": CommentForm(initial={"body": _comment_draft(request, idea)}),
        "can_edit": may(request.user, Action.EDIT_IDEA, idea) and idea.status != Idea.Status.MERGED,
        "can_comment": may(request.user, Action.COMMENT, idea) and idea.hidden_at is None,
        "can_moderate": can_moderate,
        "can_report": may(request.user, Action.REPORT, edition),
        "status_form": StatusForm(initial={"status": idea.status}),
        "version_count": idea.version,
        "agenda": agenda_for(edition),
    }
    # Evaluation: the support control and the rating form, for whom they apply now.
    evaluable = idea.hidden_at is None and idea.status != Idea.Status.MERGED
    can_support = evaluable and may(request.user, Action.SUPPORT, idea)
    context.update({
        "supportable": {idea.pk} if can_support else set(),
        "supported_ids": evaluation.supported_ids(request.user, edition) if can_support else set(),
        "budget": evaluation.budget_of(user=request.user, challenge=idea.challenge) if can_support else None,
        "rating_form": evaluable and rating_form_for(
            user=request.user, kind=TargetKind.IDEA, target=idea, panel=Panel.PARTICIPANTS
        ),
        "rating_own": evaluable and idea.author_id == request.user.pk and may(request.user, Action.RATE, edition),
        "next_url": request.get_full_path(),
    })
    return render(request, "ideas/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=pk)
    if not may(request.user, Action.EDIT_IDEA, idea) or idea.status == Idea.Status.MERGED:
        raise PermissionDenied
    initial = {
        "title": idea.title, "body": idea.body, "base_version": idea.version,
        "tags": ", ".join(t.name for t in idea.tags.all()),
        "builds_on": ", ".join(str(i.pk) for i in selectors.idea_relations(idea).builds_on),
    }
    form = IdeaForm(request.POST if request.method == "POST" else None, edition=edition, idea=idea, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.idea_update(
                actor=request.user, idea=idea, title=data["title"], body=data["body"], tags=data["tags"],
                builds_on=data["builds_on"], base_version=data.get("base_version"), note=data.get("note", ""),
            )
        except services.IdeaConflict as error:
            # Someone saved in between: show their version beside the text typed here.
            conflict = error.idea
            form.data = form.data.copy()
            form.data["base_version"] = conflict.version
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes have been saved as a new version."))
            return redirect(idea)
    return render(request, "ideas/form.html", {"edition": edition, "form": form, "idea": idea, "conflict": conflict})


def idea_history(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=pk, include_hidden=may(request.user, Action.MODERATE, edition))
    versions = selectors.idea_versions(idea)
    for version in versions:
        # Imported ideas: the author's name is the imported one.
        own = version.editor_id == idea.author_id
        version.shown_editor = idea.public_author if own else version.editor.public_name
    older, newer = selectors.versions_to_compare(versions, to=request.GET.get("to"), from_=request.GET.get("from"))
    diff = selectors.version_diff(older, newer) if older is not None and older != newer else None
    context = {"edition": edition, "idea": idea, "versions": versions, "older": older, "newer": newer, "diff": diff}
    return render(request, "ideas/history.html", context)


@login_required
@require_POST
def comment_create(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    idea = selectors.idea_get(edition=edition, pk=pk)
    form = CommentForm(request.POST)
    error = None
    if not form.is_valid():
        error = form.errors.get("body", [_("Please write a comment.")])[0]
    elif limited(request, COMMENTS_GROUP, RATE_COMMENTS):
        error = TOO_MANY_COMMENTS
    else:
        parent = None
        if form.cleaned_data.get("parent"):
            parent = idea.comments.filter(pk=form.cleaned_data["parent"]).first()
        try:
            comment = services.comment_create(actor=request.user, idea=idea, body=form.cleaned_data["body"], parent=parent)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            error = _("Commenting is not possible at the moment.")
        else:
            messages.success(request, _("Your comment has been published."))
            return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")
    messages.error(request, error)
    # Keep what was typed: it comes back in the form.
    request.session["comment_draft"] = {"idea": idea.pk, "body": request.POST.get("body", "")[:5000]}
    return redirect(f"{idea.get_absolute_url()}#comments")


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    comment = selectors.comment_get(edition=edition, pk=pk)
    if comment.author_id != request.user.pk or comment.deleted_at or comment.hidden_at:
        raise PermissionDenied
    form = CommentForm(request.POST if request.method == "POST" else None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, _("Commenting is not possible at the moment."))
        else:
            messages.success(request, _("Your comment has been updated."))
            return redirect(f"{comment.idea.get_absolute_url()}#comment-{comment.pk}")
    return render(request, "ideas/comment_edit.html", {"edition": edition, "comment": comment, "form": form})


@login_required
@require_POST
def comment_delete(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    comment = selectors.comment_get(edition=edition, pk=pk)
    services.comment_delete(actor=request.user, comment=comment)
    messages.success(request, _("Your comment has been deleted."))
    return redirect(f"{comment.idea.get_absolute_url()}#comment-{comment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def idea_merge(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MODERATE, edition):
        raise Http404
    idea = selectors.idea_get(edition=edition, pk=pk)
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = selectors.visible_ideas(edition).filter(pk=form.cleaned_data["target"]).first()
        if target is None:
            form.add_error("target", _("There is no idea with this number in this edition."))
        else:
            try:
                services.idea_merge(actor=request.user, idea=idea, target=target)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The idea has been merged."))
                return redirect(target)
    similar = []
    if request.method == "GET":
        from helpathon.ideas.similarity import similar_ideas

        hits = similar_ideas(edition.pk, f"{idea.title} {idea.body}", limit=5, exclude_id=idea.pk)
        similar = selectors.ideas_by_ids(edition, [pk for pk, _score in hits])
    return render(request, "ideas/merge.html", {"edition": edition, "idea": idea, "form": form, "similar": similar})


@login_required
@require_POST
def idea_status(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.MODERATE, edition):
        raise Http404
    idea = selectors.idea_get(edition=edition, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.idea_set_status(actor=request.user, idea=idea, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The status has been changed."))
    else:
        messages.error(request, _("Please choose a valid status."))
    return redirect(idea)


def themes(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    context = {"edition": edition, "themes": selectors.edition_themes(edition)}
    return render(request, "ideas/themes.html", context)


