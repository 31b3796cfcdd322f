"""Evaluation pages: the hub (supports within a budget), pairwise comparison, rating by
criteria, the rankings and the jury's pages.

Thin: parse the request, call a service or selector, render. Every control is a plain form
that works without JavaScript; with htmx the same views answer with a fragment. htmx swaps
only 2xx answers, so a fragment that carries a refusal (budget used up, phase closed, too
many writes) is sent with status 200; the plain-form answers keep their 4xx codes.
"""

import random
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpathon.editions.agenda import agenda_for
from helpathon.editions.phases import Action, phase_allows
from helpathon.editions.rules import is_organizer, is_participant, may
from helpathon.editions.selectors import challenge_get, edition_get
from helpathon.evaluation import selectors, services, targets
from helpathon.evaluation.forms import AppointForm, AssignForm, OutcomeForm, RatingForm, SettingsForm
from helpathon.evaluation.models import Panel, TargetKind
from helpathon.forms import add_service_errors
from helpathon.ideas import selectors as idea_selectors
from helpathon.spreadsheets import CsvDownload
from helpathon.ideas.limits import (
    COMPARISONS_GROUP, RATE_COMPARISONS, RATE_RATINGS, RATE_SUPPORTS, RATINGS_GROUP, SUPPORTS_GROUP,
    TOO_MANY_COMPARISONS, TOO_MANY_RATINGS, TOO_MANY_SUPPORTS, limited,
)

# --- helpers -----------------------------------------------------------------------------------


def _challenge(edition, challenge_slug):
    """The challenge named in the URL, or the edition's first one."""
    if challenge_slug:
        return challenge_get(edition=edition, slug=challenge_slug)
    first = next(iter(edition.challenges.all()), None)
    if first is None:
        raise Http404
    return first


def _next_url(request, fallback: str) -> str:
    """Where a plain form goes back to: the page it came from, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return fallback


def _voting_phase(edition, agenda):
    """The phase in which evaluation is open now or opens next, if any."""
    phases = agenda.phases
    start = phases.index(agenda.current) if agenda.current else 0
    for phase in phases[start:]:
        if agenda.current is None and phase.ends_at <= agenda.now:
            continue
        if any(phase_allows(phase.kind, action, edition.phase_actions_extra) for action in selectors.VOTING_ACTIONS):
            return phase
    return None


def _refusal(user, edition, target=None) -> str:
    """In one sentence, why this person cannot evaluate here now."""
    if not user.is_authenticated or not is_participant(user, edition):
        return _("Only confirmed participants of this edition can evaluate ideas.")
    if target is not None and user.pk in targets.owners_of(TargetKind.IDEA, target):
        return _("You cannot evaluate your own idea.")
    if not selectors.voting_open(edition):
        return _("Evaluation is not open at the moment.")
    return _("This is not possible here.")


def _problem(request, edition, message: str, *, status: int, challenge=None):
    """A page (or, for htmx, a fragment) saying why something cannot be done; refusals
    (403) also say which phase it is and when evaluation opens."""
    agenda = agenda_for(edition)
    context = {
        "edition": edition, "challenge": challenge, "message": message, "agenda": agenda,
        "voting_phase": _voting_phase(edition, agenda), "about_phase": status == 403,
    }
    if request.htmx:
        return render(request, "evaluation/problem.html#notice", context)
    return render(request, "evaluation/problem.html", context, status=status)


def _stable_shuffle(items: list, user, challenge) -> list:
    # Each person sees the ideas in an order of their own, the same on every visit: no idea
    # gains supports merely from standing first in everybody's list.
    random.Random(f"{user.pk or 0}:{challenge.pk}").shuffle(items)
    return items


# --- the hub and supports ----------------------------------------------------------------------


def hub(request, slug, challenge_slug=None):
    edition = edition_get(slug=slug, user=request.user)
    challenge = _challenge(edition, challenge_slug)
    agenda = agenda_for(edition)
    config = selectors.evaluation_settings(edition)
    ideas = list(targets.targets_of(challenge, TargetKind.IDEA))
    for idea in ideas:
        idea.edition, idea.challenge = edition, challenge  # the instances with the agenda, no query each
    can_support = may(request.user, Action.SUPPORT, edition)
    context = {
        "edition": edition,
        "challenge": challenge,
        "agenda": agenda,
        "voting_open": selectors.voting_open(edition),
        "voting_phase": _voting_phase(edition, agenda),
        "participant": is_participant(request.user, edition),
        "ideas": _stable_shuffle(ideas, request.user, challenge),
        "supportable": {idea.pk for idea in ideas if may(request.user, Action.SUPPORT, idea)},
        "supported_ids": selectors.supported_ids(request.user, edition) if can_support else set(),
        "budget": selectors.budget_of(user=request.user, challenge=challenge, config=config) if can_support else None,
        "can_compare": may(request.user, Action.COMPARE, challenge),
        "can_rate": config.participants_rate == TargetKind.IDEA and may(request.user, Action.RATE, challenge),
        "next_url": request.get_full_path(),
    }
    return render(request, "evaluation/hub.html", context)


@login_required
@require_POST
def support(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    idea = idea_selectors.idea_get(edition=edition, pk=pk)
    idea.edition = edition
    next_url = _next_url(request, reverse("evaluation:challenge_hub", args=[edition.slug, idea.challenge.slug]))
    action = request.POST.get("action", "")
    state, error, status = None, None, 200
    if action not in ("add", "withdraw"):
        error, status = _("Please choose whether to support the idea or to withdraw your support."), 400
    elif limited(request, SUPPORTS_GROUP, RATE_SUPPORTS):
        error, status = TOO_MANY_SUPPORTS, 429
    else:
        change = services.support_add if action == "add" else services.support_withdraw
        try:
            state = change(actor=request.user, idea=idea)
        except services.BudgetExhausted as exc:
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        except PermissionDenied:
            error, status = _refusal(request.user, edition, idea), 403
    if request.htmx:
        return _support_fragment(request, edition, idea, state=state, error=error, next_url=next_url)
    if status == 409:
        messages.error(request, error)
        return redirect(next_url)
    if error:
        return _problem(request, edition, error, status=status, challenge=idea.challenge)
    if state.supported:
        messages.success(request, _("You support “%(title)s”.") % {"title": idea.title})
    else:
        messages.success(request, _("You have withdrawn your support for “%(title)s”.") % {"title": idea.title})
    return redirect(next_url)


def _support_fragment(request, edition, idea, *, state, error, next_url):
    """The idea's support control and, for people who may support, their budget box (swapped
    out of band: the page has one only for them)."""
    may_support = may(request.user, Action.SUPPORT, edition)
    if state is not None:
        idea.support_count = state.supports
        supported, budget = state.supported, state.budget
    else:
        supported = idea.pk in selectors.supported_ids(request.user, edition)
        budget = selectors.budget_of(user=request.user, challenge=idea.challenge) if may_support else None
    context = {
        "edition": edition, "idea": idea, "error": error, "next_url": next_url,
        "supportable": {idea.pk} if may(request.user, Action.SUPPORT, idea) else set(),
        "supported_ids": {idea.pk} if supported else set(),
        "budget": budget if may_support else None,
    }
    return render(request, "evaluation/_support.html#response", context)


# --- rating ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    kind, panel = TargetKind.IDEA, Panel.PARTICIPANTS
    idea = targets.target_get(edition=edition, kind=kind, pk=pk)  # 404 once hidden or merged
    idea.edition = edition
    if not services.may_rate(user=request.user, kind=kind, target=idea, panel=panel):
        return _problem(request, edition, _refusal(request.user, edition, idea), status=403, challenge=idea.challenge)
    criteria = selectors.criteria(edition, panel)
    mine = selectors.my_ratings(request.user, kind=kind, target_id=idea.pk, panel=panel)
    form = RatingForm(request.POST if request.method == "POST" else None, criteria=criteria, initial=mine)
    saved, status = False, 200
    if request.method == "POST" and form.is_valid():
        if limited(request, RATINGS_GROUP, RATE_RATINGS):
            form.add_error(None, TOO_MANY_RATINGS)
            status = 429
        else:
            try:
                mine = services.rating_set(
                    actor=request.user, kind=kind, target=idea, panel=panel, values=form.values()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                return _problem(request, edition, _refusal(request.user, edition, idea), status=403)
            else:
                if not request.htmx:
                    messages.success(request, _("Your rating has been saved."))
                    return redirect(f"{idea.get_absolute_url()}#rate")
                saved, form = True, RatingForm(criteria=criteria, initial=mine)
    context = {"edition": edition, "idea": idea, "rating_form": form, "rating_saved": saved}
    if request.htmx:
        return render(request, "evaluation/_rating.html#response", context)
    return render(request, "evaluation/rate.html", context, status=status)


# --- pairwise comparison -----------------------------------------------------------------------


def _compare_context(request, edition, challenge, comparison, **extra) -> dict:
    return {
        "edition": edition,
        "challenge": challenge,
        "comparison": comparison,
        "done": selectors.comparisons_done(request.user, challenge),
        **extra,
    }


@login_required
def compare(request, slug, challenge_slug):
    edition = edition_get(slug=slug, user=request.user)
    challenge = challenge_get(edition=edition, slug=challenge_slug)
    try:
        comparison = services.pair_next(actor=request.user, challenge=challenge)
    except PermissionDenied:
        return _problem(request, edition, _refusal(request.user, edition), status=403, challenge=challenge)
    context = _compare_context(request, edition, challenge, comparison)
    partial = request.htmx and not request.htmx.boosted
    template = "evaluation/compare.html#answer_response" if partial else "evaluation/compare.html"
    return render(request, template, context)


@login_required
@require_POST
def compare_answer(request, slug, challenge_slug, comparison_pk):
    edition = edition_get(slug=slug, user=request.user)
    challenge = challenge_get(edition=edition, slug=challenge_slug)
    comparison = services.comparison_get(actor=request.user, pk=comparison_pk)
    if comparison.challenge_id != challenge.pk:
        raise Http404
    form = OutcomeForm(request.POST)
    error, status, answered = None, 200, None
    if not form.is_valid():
        error, status = form.errors["outcome"][0], 400
    elif limited(request, COMPARISONS_GROUP, RATE_COMPARISONS):
        error, status = TOO_MANY_COMPARISONS, 429
    else:
        try:
            answered = services.comparison_answer(
                actor=request.user, pk=comparison.pk, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        except PermissionDenied:
            return _problem(request, edition, _refusal(request.user, edition), status=403, challenge=challenge)
    if not request.htmx:
        if status == 429:
            return _problem(request, edition, error, status=429, challenge=challenge)
        if error:
            messages.error(request, error)
        return redirect("evaluation:compare", edition.slug, challenge.slug)
    try:
        following = services.pair_next(actor=request.user, challenge=challenge)
    except PermissionDenied:
        return _problem(request, edition, _refusal(request.user, edition), status=403, challenge=challenge)
    context = _compare_context(request, edition, challenge, following, error=error, answered=answered)
    return render(request, "evaluation/compare.html#answer_response", context)


# --- rankings ----------------------------------------------------------------------------------


def rankings(request, slug, challenge_slug=None):
    edition = edition_get(slug=slug, user=request.user)
    challenge = _challenge(edition, challenge_slug)
    visible = selectors.rankings_visible(request.user, edition)
    # Organizers see the rankings always; tell them when the public cannot.
    public = visible and (not is_organizer(request.user, edition) or selectors.rankings_public(edition))
    agenda = agenda_for(edition)
    context = {
        "edition": edition,
        "challenge": challenge,
        "agenda": agenda,
        "visible": visible,
        "public": public,
        "voting_phase": _voting_phase(edition, agenda),
        "rankings": selectors.challenge_rankings(challenge) if visible else None,
    }
    return render(request, "evaluation/rankings.html", context)


# --- the organizers' settings ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_settings(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    current = selectors.evaluation_settings(edition)
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, edition=edition, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation settings have been saved."))
            return redirect("evaluation:settings", slug=edition.slug)
    context = {"edition": edition, "form": form, "criteria": selectors.criteria(edition, Panel.PARTICIPANTS)}
    return render(request, "evaluation/settings.html", context, status=400 if form.errors else 200)


# --- the jury ----------------------------------------------------------------------------------


def _organizer_only(request, edition) -> None:
    # The jury's administration does not exist for anyone else.
    if not may(request.user, Action.MANAGE_EDITION, edition):
        raise Http404


def _member(edition, member_pk: int):
    member = next((m for m in selectors.jury_members(edition) if m.pk == member_pk), None)
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def jury(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    form = AppointForm(request.POST if request.method == "POST" else None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.jury_appoint(
                actor=request.user, edition=edition, user=form.cleaned_data["email"],
                challenges=form.cleaned_data["challenges"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on the jury.") % {"name": member.user.public_name})
            return redirect("evaluation:jury", edition.slug)
    context = {
        "edition": edition,
        "form": form,
        "progress": selectors.jury_progress(edition),
        "jury_kind": TargetKind(selectors.evaluation_settings(edition).jury_rates).label,
    }
    return render(request, "evaluation/jury.html", context, status=200 if not form.errors else 400)


@login_required
@require_POST
def jury_assign(request, slug, member_pk):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    member = _member(edition, member_pk)
    form = AssignForm(request.POST, edition=edition)
    if form.is_valid():
        services.jury_appoint(
            actor=request.user, edition=edition, user=member.user, challenges=form.cleaned_data["challenges"]
        )
        name = member.user.public_name
        messages.success(request, _("The challenges of %(name)s have been changed.") % {"name": name})
    else:
        messages.error(request, _("Please choose challenges of this edition."))
    return redirect("evaluation:jury", edition.slug)


@login_required
@require_POST
def jury_dismiss(request, slug, member_pk):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    member = _member(edition, member_pk)
    services.jury_dismiss(actor=request.user, member=member)
    messages.success(request, _("%(name)s is no longer on the jury.") % {"name": member.user.public_name})
    return redirect("evaluation:jury", edition.slug)


@dataclass
class JuryItem:
    item: object
    kind: str
    form: RatingForm
    complete: bool
    saved: bool = False

    @property
    def anchor(self) -> str:
        return f"item-{self.kind}-{self.item.pk}"


def _jury_items(request, edition, member, *, bound: JuryItem | None = None) -> list[JuryItem]:
    kind = selectors.evaluation_settings(edition).jury_rates
    member.edition = edition
    items = selectors.juror_items(member)
    criteria = selectors.criteria(edition, Panel.JURY)
    scores = selectors.my_scores_of(request.user, kind, [item.pk for item in items])
    rows = []
    for item in items:
        if bound is not None and bound.item.pk == item.pk:
            rows.append(bound)
            continue
        given = scores.get(item.pk, {})
        form = RatingForm(criteria=criteria, initial=given, prefix=f"{kind}-{item.pk}")
        rows.append(JuryItem(item, kind, form, complete=all(c.key in given for c in criteria)))
    return rows


def _jury_score_context(request, edition, rows) -> dict:
    return {
        "edition": edition,
        "rows": rows,
        "done": sum(1 for row in rows if row.complete),
        "total": len(rows),
        "can_score": may(request.user, Action.JURY_SCORE, edition),
        "agenda": agenda_for(edition),
    }


@login_required
def jury_score(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    member = selectors.juror_of(request.user, edition)
    if member is None:
        raise Http404
    rows = _jury_items(request, edition, member)
    return render(request, "evaluation/jury_score.html", _jury_score_context(request, edition, rows))


@login_required
@require_POST
def jury_score_item(request, slug, kind, pk):
    edition = edition_get(slug=slug, user=request.user)
    member = selectors.juror_of(request.user, edition)
    if member is None:
        raise Http404
    item = targets.target_get(edition=edition, kind=kind, pk=pk)
    criteria = selectors.criteria(edition, Panel.JURY)
    form = RatingForm(request.POST, criteria=criteria, prefix=f"{kind}-{item.pk}")
    row = JuryItem(item, kind, form, complete=False)
    status = 200
    if form.is_valid():
        if limited(request, RATINGS_GROUP, RATE_RATINGS):
            form.add_error(None, TOO_MANY_RATINGS)
            status = 429
        else:
            try:
                given = services.rating_set(actor=request.user, kind=kind, target=item, panel=Panel.JURY,
                                            values=form.values())
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                form.add_error(None, _("You cannot score this item now."))
                status = 403
            else:
                if not request.htmx:
                    messages.success(request, _("Your score of “%(title)s” has been saved.") % {"title": item.title})
                    return redirect(f"{reverse('evaluation:jury_score', args=[edition.slug])}#{row.anchor}")
                row = JuryItem(item, kind, RatingForm(criteria=criteria, initial=given, prefix=f"{kind}-{item.pk}"),
                               complete=all(c.key in given for c in criteria), saved=True)
    if request.htmx:
        # The item, and the progress box out of band (this save may have completed an item).
        context = {**_jury_score_context(request, edition, _jury_items(request, edition, member)), "row": row}
        return render(request, "evaluation/jury_score.html#item_response", context)
    rows = _jury_items(request, edition, member, bound=row)
    context = _jury_score_context(request, edition, rows)
    return render(request, "evaluation/jury_score.html", context, status=status if status != 200 else 400)


@login_required
def jury_results(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    context = {
        "edition": edition,
        "rows": selectors.jury_results(edition),
        "criteria": selectors.criteria(edition, Panel.JURY),
        "kind": selectors.evaluation_settings(edition).jury_rates,
    }
    return render(request, "evaluation/jury_results.html", context)


@login_required
def jury_export(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    _organizer_only(request, edition)
    by = request.GET.get("by", "juror")
    if by not in ("juror", "item"):
        return HttpResponseBadRequest(_("Please export by=juror or by=item."), content_type="text/plain; charset=utf-8")
    download = CsvDownload(f"jury-{edition.slug}-by-{by}.csv")
    if by == "juror":
        download.row(["juror", "challenge", "item_id", "title", "criterion", "weight", "value", "updated_at", "on_jury"])
        for row in selectors.jury_score_rows(edition):
            download.row(row)
    else:
        criteria = selectors.criteria(edition, Panel.JURY)
        means_header = [f"mean_{c.key}" for c in criteria]
        download.row(["challenge", "item_id", "title", *means_header, "weighted_score", "jurors"])
        for row in selectors.jury_results(edition):
            means = [row.by_criterion[c.key][0] if c.key in row.by_criterion else "" for c in criteria]
            score = round(row.score, 3) if row.score is not None else ""
            item = row.idea
            cells = [item.challenge.title, item.pk, item.title, *[_round(m) for m in means], score, row.raters]
            download.row(cells)
    return download.response


def _round(value):
    return round(value, 3) if isinstance(value, float) else value
