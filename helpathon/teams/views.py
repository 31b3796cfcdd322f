"""Team pages: the board of teams and of people looking for a team, founding a team, the team
page with its requests, invitations and private part, editing, looking for a team, settings.

Thin: parse the request, call a service or selector, render. Every control is a plain form
that posts and redirects; a form with errors shows the page again with the errors at its
fields. Only the board's filter uses htmx, to swap the results without a reload.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpathon.editions.phases import Action
from helpathon.editions.rules import is_organizer, is_participant, may
from helpathon.editions.selectors import edition_get
from helpathon.forms import add_service_errors
from helpathon.ideas.limits import (
    RATE_TEAM_REQUESTS, RATE_TEAMS, TEAM_REQUESTS_GROUP, TEAMS_GROUP, TOO_MANY_TEAM_WRITES, limited,
)
from helpathon.teams import selectors, services
from helpathon.teams.forms import (
    BoardFilterForm, HandOverForm, InviteForm, JoinForm, MentorForm, NotesForm, RoomForm, SeekerForm, SettingsForm,
    TeamEditForm, TeamFoundForm,
)
from helpathon.teams.models import JoinRequest, Membership, TeamSeeker

Role = Membership.Role


# --- helpers -----------------------------------------------------------------------------------


def write_limit(group: str, rate: str):
    """Count a person's POSTs to a view against a per-person limit (ideas.limits, shared with
    the API); over it, a clear 429 page and nothing is done. Place below @login_required."""

    def decorate(view):
        @wraps(view)
        def limited_view(request, slug, *args, **kwargs):
            if request.method == "POST" and limited(request, group, rate):
                edition = edition_get(slug=slug, user=request.user)
                return _problem(request, edition, str(TOO_MANY_TEAM_WRITES), status=429)
            return view(request, slug, *args, **kwargs)

        return limited_view

    return decorate


def _problem(request, edition, message: str, *, team=None, status: int = 403):
    return render(
        request, "teams/problem.html", {"edition": edition, "team": team, "message": message}, status=status
    )


def _refusal(user, edition, action: str) -> str:
    """In one sentence, why this person cannot do this now."""
    if not user.is_authenticated or not is_participant(user, edition):
        return _("Only confirmed participants of this edition can found or join teams.")
    if action == Action.CREATE_TEAM:
        return _("Teams can be founded only during the team-building phase.")
    return _("Joining teams is possible only during team building and prototyping.")


def _my_seeker(user, edition) -> TeamSeeker | None:
    if not user.is_authenticated:
        return None
    return TeamSeeker.objects.filter(edition=edition, user=user).prefetch_related("challenges").first()


def _size(team) -> int:
    """Leads and members, counted from the prefetched memberships (no query)."""
    return sum(1 for m in team.memberships.all() if m.role != Role.MENTOR)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


# --- the board ---------------------------------------------------------------------------------


def board(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    form = BoardFilterForm(request.GET or None, edition=edition)
    challenge, skill = form.chosen()
    config = selectors.team_settings(edition)
    limit = config.max_team_size
    # In as many teams as allowed: founding or listing oneself would only meet a refusal.
    in_enough_teams = selectors.teams_joined(request.user, edition) >= config.teams_per_person
    teams = selectors.teams_of(edition, challenge=challenge)
    if skill:
        teams = teams.filter(skills_needed__icontains=skill.lower())
    teams = list(teams)
    for team in teams:
        team.size = _size(team)
        team.full = team.size >= limit
    groups = [(c, [t for t in teams if t.challenge_id == c.pk]) for c in edition.challenges.all()]
    found = selectors.board(edition, challenge=challenge, skill=skill)
    seeker = _my_seeker(request.user, edition)
    mine = {m.team_id for t in teams for m in t.memberships.all() if m.user_id == request.user.pk}
    context = {
        "edition": edition,
        "form": form,
        "filtered": bool(challenge or skill),
        "groups": [(c, ts) for c, ts in groups if ts or not challenge or c == challenge],
        "team_count": len(teams),
        "max_size": limit,
        "seekers": found.seekers,
        "seeker": seeker,
        "suggestions": selectors.suggestions_for(seeker, [t for t in found.teams if t.pk not in mine])
        if seeker else [],
        "can_found": not in_enough_teams and may(request.user, Action.CREATE_TEAM, edition),
        "can_join": not in_enough_teams and may(request.user, Action.JOIN_TEAM, edition),
        "organizer": is_organizer(request.user, edition),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "teams/board.html#results", context)
    return render(request, "teams/board.html", context)


# --- founding a team ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@write_limit(TEAMS_GROUP, RATE_TEAMS)
def team_new(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not may(request.user, Action.CREATE_TEAM, edition):
        return _problem(request, edition, _refusal(request.user, edition, Action.CREATE_TEAM))
    challenges = {c.slug: c for c in edition.challenges.all()}
    idea_pk = _int(request.GET.get("idea"))
    challenge = challenges.get(request.POST.get("challenge") or request.GET.get("challenge") or "")
    if challenge is None and idea_pk is not None:
        idea = edition.ideas.filter(pk=idea_pk, hidden_at__isnull=True).only("challenge_id").first()
        challenge = next((c for c in challenges.values() if idea and c.pk == idea.challenge_id), None)
    if challenge is None:
        # First choose the challenge the team works in.
        return render(request, "teams/new.html", {"edition": edition, "challenges": list(challenges.values())})
    initial = {"ideas": [idea_pk]} if idea_pk else {}
    form = TeamFoundForm(request.POST or None, challenge=challenge, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                team = services.team_found(
                    actor=request.user, challenge=challenge, name=data["name"], description=data["description"],
                    ideas=list(data["ideas"]), skills_needed=data["skills_needed"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                return _problem(request, edition, _refusal(request.user, edition, Action.CREATE_TEAM))
            else:
                messages.success(request, _("Your team “%(name)s” has been founded.") % {"name": team.name})
                return redirect(team.get_absolute_url())
        status = 400
    context = {"edition": edition, "challenge": challenge, "form": form}
    return render(request, "teams/new.html", context, status=status)


# --- the team page -----------------------------------------------------------------------------


def _detail_context(request, edition, team, **forms) -> dict:
    user = request.user
    settings = selectors.team_settings(edition)
    members = list(team.memberships.all())
    size = sum(1 for m in members if m.role != Role.MENTOR)
    role = selectors.role_in(user, team)
    lead = role == Role.LEAD
    private = selectors.may_see_private(user, team)
    organizer = is_organizer(user, edition)
    mine = [r for r in selectors.my_requests(user, edition) if r.team_id == team.pk] if role is None else []
    requests = selectors.open_requests(team) if lead else []
    full_elsewhere = (
        role is None and user.is_authenticated
        and selectors.teams_joined(user, edition) >= settings.teams_per_person
    )
    context = {
        "edition": edition,
        "team": team,
        "members": members,
        "size": size,
        "max_size": settings.max_team_size,
        "full": size >= settings.max_team_size,
        "role": role,
        "is_lead": lead,
        "is_member": role in (Role.LEAD, Role.MEMBER),
        "private": private,
        "organizer": organizer,
        "can_join": role is None and may(user, Action.JOIN_TEAM, team),
        "full_elsewhere": full_elsewhere,
        "my_request": next((r for r in mine if r.kind == JoinRequest.Kind.REQUEST), None),
        "my_invitation": next((r for r in mine if r.kind == JoinRequest.Kind.INVITE), None),
        "requests": [r for r in requests if r.kind == JoinRequest.Kind.REQUEST],
        "invitations": [r for r in requests if r.kind == JoinRequest.Kind.INVITE],
        "join_form": forms.get("join_form") or JoinForm(),
    }
    if lead:
        context["invite_form"] = forms.get("invite_form") or InviteForm(edition=edition)
        plain = [m for m in members if m.role == Role.MEMBER]
        context["hand_over_form"] = forms.get("hand_over_form") or (HandOverForm(members=plain, prefix="lead") if plain else None)
    if private:
        # The room and the notes only after may_see_private: never in anybody else's HTML.
        context["room_url"] = selectors.room_url(team)
        context["notes_form"] = forms.get("notes_form") or NotesForm(initial={"notes": team.notes})
    if organizer:
        context["mentor_form"] = forms.get("mentor_form") or MentorForm()
        context["room_form"] = forms.get("room_form") or RoomForm(initial={"room_url": team.room_url})
    return context


def _detail(request, edition, team, *, status: int = 200, **forms):
    return render(request, "teams/detail.html", _detail_context(request, edition, team, **forms), status=status)


def _team(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    return edition, selectors.team_get(edition=edition, pk=pk)


def team_detail(request, slug, pk):
    edition, team = _team(request, slug, pk)
    return _detail(request, edition, team)


def _run(request, edition, team, form_name: str, form, change, success: str):
    """Call `change(form.cleaned_data)` for a valid form: redirect to the team page with a
    message, or show the page again with the errors at the form (403 when refused)."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            return _problem(request, edition, _("You cannot do this for this team now."), team=team)
        else:
            messages.success(request, success)
            return redirect(f"{team.get_absolute_url()}")
    return _detail(request, edition, team, status=400, **{form_name: form})


@login_required
@require_POST
@write_limit(TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS)
def team_join(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not may(request.user, Action.JOIN_TEAM, team):
        return _problem(request, edition, _refusal(request.user, edition, Action.JOIN_TEAM), team=team)
    return _run(
        request, edition, team, "join_form", JoinForm(request.POST),
        lambda data: services.join_request_create(actor=request.user, team=team, message=data["message"]),
        _("Your request has been sent to the team's lead."),
    )


@login_required
@require_POST
@write_limit(TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS)
def team_invite(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not selectors.is_lead(request.user, team):
        return _problem(request, edition, _("Only the team's lead can invite people."), team=team)
    return _run(
        request, edition, team, "invite_form", InviteForm(request.POST, edition=edition),
        lambda data: services.team_invite(actor=request.user, team=team, user=data["user"], message=data["message"]),
        _("The invitation has been sent."),
    )


@login_required
@require_POST
@write_limit(TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS)
def request_decide(request, slug, pk, request_pk):
    """Accept or decline a request (the lead) or an invitation (the invited person), or
    withdraw one's own (accept=0)."""
    edition, team = _team(request, slug, pk)
    join_request = team.join_requests.filter(pk=request_pk).select_related("team__edition").first()
    if join_request is None:
        raise Http404
    answer = request.POST.get("accept")
    if answer not in ("0", "1"):
        return _problem(request, edition, _("Please accept or decline."), team=team, status=400)
    try:
        services.join_request_decide(actor=request.user, request=join_request, accept=answer == "1")
    except PermissionDenied:
        return _problem(request, edition, _("You cannot answer this now."), team=team)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(team.get_absolute_url())
    if answer == "1" and join_request.user_id == request.user.pk:
        messages.success(request, _("Accepted: welcome to the team."))
    elif answer == "1":
        messages.success(request, _("%(name)s is now in the team.") % {"name": join_request.user.public_name})
    else:
        messages.success(request, _("Done: the request is closed."))
    return redirect(team.get_absolute_url())


@login_required
@require_POST
def team_leave(request, slug, pk):
    edition, team = _team(request, slug, pk)
    try:
        services.membership_leave(actor=request.user, team=team)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(team.get_absolute_url())
    messages.success(request, _("You have left the team “%(name)s”.") % {"name": team.name})
    return redirect("teams:board", slug=edition.slug)


@login_required
@require_POST
def lead_hand_over(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not selectors.is_lead(request.user, team):
        return _problem(request, edition, _("Only the team's lead can hand over the lead."), team=team)
    plain = [m for m in team.memberships.all() if m.role == Role.MEMBER]
    return _run(
        request, edition, team, "hand_over_form", HandOverForm(request.POST, members=plain, prefix="lead"),
        lambda data: services.lead_hand_over(actor=request.user, team=team, user=data["user"]),
        _("The lead has been handed over."),
    )


@login_required
@require_POST
def team_notes(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not selectors.may_see_private(request.user, team):
        raise Http404  # the private part does not exist for others
    return _run(
        request, edition, team, "notes_form", NotesForm(request.POST),
        lambda data: services.notes_update(actor=request.user, team=team, notes=data["notes"]),
        _("The notes have been saved."),
    )


@login_required
@require_POST
def mentor_appoint(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not is_organizer(request.user, edition):
        raise Http404
    return _run(
        request, edition, team, "mentor_form", MentorForm(request.POST),
        lambda data: services.mentor_appoint(actor=request.user, team=team, user=data["email"]),
        _("The mentor has been appointed."),
    )


@login_required
@require_POST
def room_set(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not is_organizer(request.user, edition):
        raise Http404
    return _run(
        request, edition, team, "room_form", RoomForm(request.POST),
        lambda data: services.room_set(actor=request.user, team=team, url=data["room_url"]),
        _("The room link has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, slug, pk):
    edition, team = _team(request, slug, pk)
    if not selectors.is_member(request.user, team):
        return _problem(request, edition, _("Only the team's members can edit it."), team=team)
    initial = {
        "name": team.name, "description": team.description, "skills_needed": team.skills_needed,
        "looking_for_members": team.looking_for_members,
    }
    form = TeamEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.team_update(actor=request.user, team=team, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The team has been updated."))
                return redirect(team.get_absolute_url())
        status = 400
    return render(request, "teams/edit.html", {"edition": edition, "team": team, "form": form}, status=status)


# --- looking for a team ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def looking(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not is_participant(request.user, edition):
        return _problem(request, edition, _refusal(request.user, edition, Action.JOIN_TEAM))
    seeker = _my_seeker(request.user, edition)
    initial = {}
    if seeker is not None:
        initial = {"skills": seeker.skills, "message": seeker.message, "challenges": list(seeker.challenges.all())}
    board_url = reverse("teams:board", kwargs={"slug": edition.slug})
    if request.method == "POST" and request.POST.get("remove"):
        services.seeker_remove(actor=request.user, edition=edition)
        messages.success(request, _("You are no longer listed as looking for a team."))
        return redirect(board_url)
    form = SeekerForm(request.POST or None, edition=edition, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.seeker_set(
                    actor=request.user, edition=edition, skills=data["skills"], challenges=list(data["challenges"]),
                    message=data["message"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied:
                return _problem(request, edition, _refusal(request.user, edition, Action.JOIN_TEAM))
            else:
                messages.success(request, _("You are listed as looking for a team."))
                return redirect(board_url)
        status = 400
    context = {
        "edition": edition, "form": form, "seeker": seeker, "can_join": may(request.user, Action.JOIN_TEAM, edition),
    }
    return render(request, "teams/looking.html", context, status=status)


# --- settings ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    if not is_organizer(request.user, edition):
        raise Http404
    form = SettingsForm(request.POST or None, instance=selectors.team_settings(edition))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.settings_update(actor=request.user, edition=edition, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The team settings have been saved."))
                return redirect("teams:settings", slug=edition.slug)
        status = 400
    return render(request, "teams/settings.html", {"edition": edition, "form": form}, status=status)
