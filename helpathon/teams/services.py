"""All team writes: found a team around ideas, ask to join or invite, decide, leave, appoint
mentors, edit the team, its notes and room, and look for a team.

Each validates, asks `may()` (phase and role) or the team role (lead, member), changes, and
records a live event in the same transaction. Events carry public facts only: never the room
link or the notes.

Concurrency: changes to a team's members lock the team row; a person's own moves (found, join,
accept an invitation) lock their registration, so the team size and the number of teams per
person hold under parallel requests.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.models import Challenge, Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.ideas.models import Idea
from helpathon.live.services import publish
from helpathon.registrations.models import Registration
from helpathon.registrations.services import confirmed_place_lock
from helpathon.teams import emails, selectors, uploads
from helpathon.teams.models import (
    SECTION_FIELDS,
    JoinRequest,
    Membership,
    Prototype,
    PrototypeDraft,
    PrototypeImage,
    PrototypeVersion,
    Team,
    TeamSeeker,
    TeamSettings,
)

Role = Membership.Role
MAX_SKILLS = 300
MAX_NOTES = 20_000


def _clean_skills(text: str, field: str = "skills_needed") -> str:
    skills, seen = [], set()
    for raw in (text or "").split(","):
        skill = " ".join(raw.split()).lower()
        if skill and skill not in seen:
            seen.add(skill)
            skills.append(skill)
    cleaned = ", ".join(skills)
    if len(cleaned) > MAX_SKILLS:
        raise ValidationError({field: _("Please list at most %(n)d characters of skills.") % {"n": MAX_SKILLS}})
    return cleaned


def _lock_team(team: Team) -> Team:
    locked = Team.objects.select_for_update().filter(pk=team.pk).first()
    if locked is None:
        raise ValidationError(_("This team no longer exists."))
    return locked


def _check_room_for_another_team(edition: Edition, user) -> None:
    limit = selectors.team_settings(edition).teams_per_person
    if selectors.teams_joined(user, edition) >= limit:
        if limit == 1:
            raise ValidationError(_("You are in a team of this edition already."))
        raise ValidationError(_("You are in %(n)d teams of this edition already, the most allowed.") % {"n": limit})


def _check_size(team: Team) -> None:
    if selectors.team_size(team) >= selectors.team_settings(team.edition).max_team_size:
        raise ValidationError(_("This team is full."))


def _members_changed(team: Team, type_: str) -> None:
    publish(edition_id=team.edition_id, type=type_, payload={"team": team.pk, "members": selectors.team_size(team)})


def team_found(
    *, actor, challenge: Challenge, name: str, description: str = "", ideas=(), skills_needed: str = ""
) -> Team:
    """Found a team around one or more ideas of a challenge; the founder leads it and the
    ideas are marked "in prototyping"."""
    name = " ".join((name or "").split())
    description = (description or "").strip()
    errors = {}
    if not 3 <= len(name) <= 120:
        errors["name"] = _("Please give the team a name of 3 to 120 characters.")
    if len(description) > 5000:
        errors["description"] = _("The description may have at most %(n)d characters.") % {"n": 5000}
    ideas = list({idea.pk: idea for idea in ideas}.values())
    if not ideas:
        errors["ideas"] = _("A team forms around at least one idea.")
    elif any(i.challenge_id != challenge.pk or i.hidden_at is not None or i.status == Idea.Status.MERGED for i in ideas):
        errors["ideas"] = _("Choose visible ideas of this challenge.")
    if errors:
        raise ValidationError(errors)
    skills = _clean_skills(skills_needed)
    if not may(actor, Action.CREATE_TEAM, challenge):
        raise PermissionDenied
    edition = challenge.edition
    now = timezone.now()
    with transaction.atomic():
        confirmed_place_lock(edition_id=edition.pk, user=actor)
        _check_room_for_another_team(edition, actor)
        try:
            with transaction.atomic():
                team = Team.objects.create(
                    edition=edition, challenge=challenge, name=name, description=description, skills_needed=skills,
                    created_by=actor, created_at=now,
                )
        except IntegrityError:
            raise ValidationError({"name": _("A team of this edition has this name already.")}) from None
        team.ideas.set(ideas)
        Membership.objects.create(team=team, user=actor, role=Role.LEAD, joined_at=now)
        _lapse_when_full(actor, edition, now)
        moved = Idea.objects.filter(pk__in=[i.pk for i in ideas], status__in=[Idea.Status.OPEN, Idea.Status.SHORTLISTED])
        for idea_id in list(moved.values_list("pk", flat=True)):
            publish(edition_id=edition.pk, type="idea.status_changed",
                    payload={"idea": idea_id, "status": Idea.Status.IN_PROTOTYPING})
        moved.update(status=Idea.Status.IN_PROTOTYPING)
        publish(
            edition_id=edition.pk, type="team.founded",
            payload={"team": team.pk, "challenge": challenge.pk, "name": team.name, "ideas": [i.pk for i in ideas]},
        )
    return team


def join_request_create(*, actor, team: Team, message: str = "") -> JoinRequest:
    """Ask to join a team; its lead decides."""
    message = (message or "").strip()
    if len(message) > 500:
        raise ValidationError({"message": _("The message may have at most %(n)d characters.") % {"n": 500}})
    if not may(actor, Action.JOIN_TEAM, team):
        raise PermissionDenied
    with transaction.atomic():
        confirmed_place_lock(edition_id=team.edition_id, user=actor)
        team = _lock_team(team)
        if Membership.objects.filter(team=team, user=actor).exists():
            raise ValidationError(_("You are in this team already."))
        _check_room_for_another_team(team.edition, actor)
        _check_size(team)
        invited = JoinRequest.objects.filter(
            team=team, user=actor, kind=JoinRequest.Kind.INVITE, status=JoinRequest.Status.PENDING
        ).first()
        if invited is not None:
            # Asking when invited already is saying yes.
            return _accept(invited, decided_by=actor)
        pending = JoinRequest.objects.filter(team=team, user=actor, status=JoinRequest.Status.PENDING).first()
        if pending is not None:
            return pending
        join_request = JoinRequest.objects.create(
            team=team, user=actor, kind=JoinRequest.Kind.REQUEST, message=message, created_by=actor,
            created_at=timezone.now(),
        )
        transaction.on_commit(lambda: emails.send_request(join_request))
        return join_request


def team_invite(*, actor, team: Team, user, message: str = "") -> JoinRequest:
    """The lead invites a participant of the edition; they accept or decline."""
    message = (message or "").strip()[:500]
    if not selectors.is_lead(actor, team) or not may(actor, Action.JOIN_TEAM, team):
        raise PermissionDenied
    if not Registration.objects.filter(edition_id=team.edition_id, user=user, status="confirmed").exists():
        raise ValidationError({"user": _("Only confirmed participants of this edition can be invited.")})
    with transaction.atomic():
        # The invited person's registration first, then the team: the order the person's own
        # moves take, so that an invitation that accepts a request keeps their team limit.
        confirmed_place_lock(edition_id=team.edition_id, user=user)
        team = _lock_team(team)
        if Membership.objects.filter(team=team, user=user).exists():
            raise ValidationError({"user": _("This person is in the team already.")})
        _check_size(team)
        requested = JoinRequest.objects.filter(
            team=team, user=user, kind=JoinRequest.Kind.REQUEST, status=JoinRequest.Status.PENDING
        ).first()
        if requested is not None:
            _check_room_for_another_team(team.edition, user)
            return _accept(requested, decided_by=actor)
        pending = JoinRequest.objects.filter(team=team, user=user, status=JoinRequest.Status.PENDING).first()
        if pending is not None:
            return pending
        invitation = JoinRequest.objects.create(
            team=team, user=user, kind=JoinRequest.Kind.INVITE, message=message, created_by=actor,
            created_at=timezone.now(),
        )
        transaction.on_commit(lambda: emails.send_invitation(invitation))
        return invitation


def join_request_decide(*, actor, request: JoinRequest, accept: bool) -> JoinRequest:
    """Answer a request or an invitation: the lead answers requests, the invited person
    answers invitations; the one who made it may withdraw it (accept=False)."""
    team = request.team
    if request.kind == JoinRequest.Kind.REQUEST:
        answerer = selectors.is_lead(actor, team)
    else:
        answerer = request.user_id == actor.pk
    withdrawing = not accept and request.created_by_id == actor.pk
    if not (answerer or withdrawing):
        raise PermissionDenied
    if not may(actor, Action.JOIN_TEAM, team) and not withdrawing:
        raise PermissionDenied
    with transaction.atomic():
        confirmed_place_lock(edition_id=team.edition_id, user=request.user)
        _lock_team(team)
        request = JoinRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != JoinRequest.Status.PENDING:
            raise ValidationError(_("This has been answered already."))
        if not accept:
            request.status = JoinRequest.Status.WITHDRAWN if withdrawing and not answerer else JoinRequest.Status.DECLINED
            request.decided_by, request.decided_at = actor, timezone.now()
            request.save(update_fields=["status", "decided_by", "decided_at"])
            transaction.on_commit(lambda: emails.send_decision(request))
            return request
        _check_room_for_another_team(team.edition, request.user)
        _check_size(team)
        return _accept(request, decided_by=actor)


def _accept(request: JoinRequest, *, decided_by) -> JoinRequest:
    """Inside a transaction holding the team and the person's registration."""
    if Membership.objects.filter(team=request.team, user=request.user).exists():
        # Appointed as a mentor meanwhile, say: there is nothing to accept any more.
        raise ValidationError(_("This person is in the team already."))
    now = timezone.now()
    Membership.objects.create(team=request.team, user=request.user, role=Role.MEMBER, joined_at=now)
    request.status, request.decided_by, request.decided_at = JoinRequest.Status.ACCEPTED, decided_by, now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _lapse_when_full(request.user, request.team.edition, now)
    _members_changed(request.team, "team.member_joined")
    transaction.on_commit(lambda: emails.send_decision(request))
    return request


def _lapse_when_full(user, edition: Edition, now) -> None:
    """In as many teams as allowed: the person's other open requests and invitations lapse and
    they leave the board of people looking for a team."""
    if selectors.teams_joined(user, edition) < selectors.team_settings(edition).teams_per_person:
        return
    JoinRequest.objects.filter(user=user, team__edition=edition, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=now
    )
    TeamSeeker.objects.filter(edition=edition, user=user).delete()


def membership_leave(*, actor, team: Team) -> None:
    """Leave a team. A leaving lead hands the lead to the longest-standing member; the last
    member cannot leave (an organizer removes an empty team)."""
    with transaction.atomic():
        team = _lock_team(team)
        mine = Membership.objects.filter(team=team, user=actor).first()
        if mine is None:
            raise ValidationError(_("You are not in this team."))
        if mine.role != Role.MENTOR and not may(actor, Action.JOIN_TEAM, team):
            # After prototyping the team is who made the prototype (who may not score it).
            raise ValidationError(_("Teams are settled now: leaving is possible during team building and prototyping."))
        others = Membership.objects.filter(team=team).exclude(role=Role.MENTOR).exclude(pk=mine.pk)
        if mine.role != Role.MENTOR and not others.exists():
            raise ValidationError(_("You are the team's last member; a team cannot be left empty."))
        mine.delete()
        if mine.role == Role.LEAD:
            Membership.objects.filter(pk=others.order_by("joined_at", "pk").first().pk).update(role=Role.LEAD)
        _members_changed(team, "team.member_left")


def lead_hand_over(*, actor, team: Team, user) -> None:
    if not selectors.is_lead(actor, team):
        raise PermissionDenied
    with transaction.atomic():
        _lock_team(team)
        target = Membership.objects.filter(team=team, user=user, role=Role.MEMBER).first()
        if target is None:
            raise ValidationError({"user": _("Hand the lead to a member of the team.")})
        Membership.objects.filter(team=team, role=Role.LEAD).update(role=Role.MEMBER)
        Membership.objects.filter(pk=target.pk).update(role=Role.LEAD)


def mentor_appoint(*, actor, team: Team, user) -> Membership:
    """Organizers appoint mentors; a mentor may mentor several teams and counts in none."""
    if not may(actor, Action.MANAGE_EDITION, team.edition):
        raise PermissionDenied
    with transaction.atomic():
        _lock_team(team)
        existing = Membership.objects.filter(team=team, user=user).first()
        if existing is not None:
            raise ValidationError({"user": _("This person is in the team already.")})
        now = timezone.now()
        JoinRequest.objects.filter(team=team, user=user, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.WITHDRAWN, decided_at=now
        )
        return Membership.objects.create(team=team, user=user, role=Role.MENTOR, joined_at=now)


def team_update(*, actor, team: Team, name: str, description: str, skills_needed: str, looking_for_members: bool) -> Team:
    """Members edit the team's public description, the skills it needs and whether it looks
    for members."""
    if not selectors.is_member(actor, team) or not may(actor, Action.JOIN_TEAM, team):
        # The name is the prototype's title in the gallery and for the jury: settled after
        # team building and prototyping.
        raise PermissionDenied
    if Prototype.objects.filter(team=team, status=Prototype.Status.SUBMITTED).exists():
        raise ValidationError(_("The prototype has been submitted; organizers can reopen it."))
    name = " ".join((name or "").split())
    if not 3 <= len(name) <= 120:
        raise ValidationError({"name": _("Please give the team a name of 3 to 120 characters.")})
    description = (description or "").strip()
    if len(description) > 5000:
        raise ValidationError({"description": _("The description may have at most %(n)d characters.") % {"n": 5000}})
    team.name, team.description = name, description
    team.skills_needed, team.looking_for_members = _clean_skills(skills_needed), bool(looking_for_members)
    with transaction.atomic():
        try:
            with transaction.atomic():
                team.save(update_fields=["name", "description", "skills_needed", "looking_for_members"])
        except IntegrityError:
            raise ValidationError({"name": _("A team of this edition has this name already.")}) from None
        publish(
            edition_id=team.edition_id, type="team.updated",
            payload={"team": team.pk, "name": team.name, "looking_for_members": team.looking_for_members},
        )
    return team


def notes_update(*, actor, team: Team, notes: str) -> Team:
    """The team's private notes (members, mentors and organizers see them). No live event."""
    if not selectors.may_see_private(actor, team):
        raise PermissionDenied
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("The notes may have at most %(n)d characters.") % {"n": MAX_NOTES}})
    Team.objects.filter(pk=team.pk).update(notes=notes)
    team.notes = notes
    return team


def room_set(*, actor, team: Team, url: str) -> Team:
    """Organizers give a team its own room link (empty: the edition's video service)."""
    if not may(actor, Action.MANAGE_EDITION, team.edition):
        raise PermissionDenied
    url = (url or "").strip()
    if len(url) > Team._meta.get_field("room_url").max_length:
        raise ValidationError({"room_url": _("The address may have at most %(n)d characters.") % {"n": 200}})
    if url:
        try:
            URLValidator(schemes=["https"])(url)
        except ValidationError:
            raise ValidationError({"room_url": _("Please give an https:// address.")}) from None
    Team.objects.filter(pk=team.pk).update(room_url=url)
    team.room_url = url
    return team


def settings_update(*, actor, edition: Edition, **fields) -> TeamSettings:
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    config = selectors.team_settings(edition)
    for name, value in fields.items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    return config


def seeker_set(*, actor, edition: Edition, skills: str, challenges=(), message: str = "") -> TeamSeeker:
    """Show oneself on the board as looking for a team (participants not yet in a team)."""
    skills = _clean_skills(skills, field="skills")
    if not skills:
        raise ValidationError({"skills": _("Please name at least one skill.")})
    message = (message or "").strip()
    if len(message) > 300:
        raise ValidationError({"message": _("The message may have at most %(n)d characters.") % {"n": 300}})
    challenges = list(challenges)
    if any(c.edition_id != edition.pk for c in challenges):
        raise ValidationError({"challenges": _("Choose challenges of this edition.")})
    if not may(actor, Action.JOIN_TEAM, edition):
        raise PermissionDenied
    with transaction.atomic():
        confirmed_place_lock(edition_id=edition.pk, user=actor)
        # In as many teams as allowed: not looking (joining the last team takes one off the board).
        _check_room_for_another_team(edition, actor)
        seeker, _created = TeamSeeker.objects.update_or_create(
            edition=edition, user=actor, defaults={"skills": skills, "message": message, "created_at": timezone.now()}
        )
        seeker.challenges.set(challenges)
    return seeker


def seeker_remove(*, actor, edition: Edition) -> None:
    TeamSeeker.objects.filter(edition=edition, user=actor).delete()


# --- prototypes --------------------------------------------------------------------------------


class PrototypeConflict(Exception):
    """The save was based on an older version than the current one."""

    def __init__(self, prototype: Prototype):
        super().__init__("conflict")
        self.prototype = prototype


MAX_SECTION = 20_000


def _may_edit_prototype(actor, team: Team) -> bool:
    return selectors.is_member(actor, team) and may(actor, Action.EDIT_PROTOTYPE, team)


def prototype_of(team: Team) -> Prototype:
    """The team's prototype, created empty on first use."""
    prototype = Prototype.objects.filter(team=team).first()
    if prototype is None:
        try:
            with transaction.atomic():
                prototype = Prototype.objects.create(
                    team=team, edition_id=team.edition_id, challenge_id=team.challenge_id, updated_at=timezone.now()
                )
        except IntegrityError:
            prototype = Prototype.objects.get(team=team)
    return prototype


def _clean_sections(sections: dict) -> dict[str, str]:
    cleaned, errors = {}, {}
    for field in SECTION_FIELDS:
        if field not in sections:
            continue
        text = sections[field]
        if not isinstance(text, str):
            errors[field] = _("Please write text.")
            continue
        text = text.replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            errors[field] = _("A section may have at most %(n)d characters.") % {"n": MAX_SECTION}
        cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def prototype_save(*, actor, team: Team, sections: dict, base_version: int, note: str = "",
                   pitch_url: str | None = None) -> Prototype:
    """Save the team's prototype as a new version. `base_version` is the version the editor
    started from: if someone saved since, nothing is written and PrototypeConflict says so
    (the person's text is kept as their draft)."""
    if not _may_edit_prototype(actor, team):
        raise PermissionDenied
    cleaned = _clean_sections(sections)
    if pitch_url:
        try:
            URLValidator(schemes=["https"])(pitch_url)
        except ValidationError:
            raise ValidationError({"pitch_url": _("Please give an https:// address.")}) from None
        if len(pitch_url) > 200:
            raise ValidationError({"pitch_url": _("The address may have at most %(n)d characters.") % {"n": 200}})
    prototype = prototype_of(team)
    now = timezone.now()
    with transaction.atomic():
        current = Prototype.objects.select_for_update().get(pk=prototype.pk)
        if current.status == Prototype.Status.SUBMITTED:
            raise ValidationError(_("The prototype has been submitted; organizers can reopen it."))
        conflict = base_version != current.version
        if not conflict:
            changed = [f for f, v in cleaned.items() if getattr(current, f) != v]
            if pitch_url is not None and pitch_url != current.pitch_url:
                current.pitch_url = pitch_url
                changed.append("pitch_url")
            if changed:
                for field, value in cleaned.items():
                    setattr(current, field, value)
                current.version += 1
                current.updated_at = now
                current.save()
                PrototypeVersion.objects.create(
                    prototype=current, number=current.version, editor=actor, note=(note or "")[:200], created_at=now,
                    sections={**current.sections(), "pitch_url": current.pitch_url},
                )
                publish(edition_id=team.edition_id, type="prototype.saved",
                        payload={"team": team.pk, "version": current.version})
            PrototypeDraft.objects.filter(prototype=current, user=actor).delete()
    if conflict:
        # Someone saved in between: nothing was written. Keep what this person typed as their
        # draft (after the transaction, so that it stays) and say so.
        _keep_draft(current, actor, {**current.sections(), **cleaned}, base_version)
        raise PrototypeConflict(current)
    return current


def _keep_draft(prototype: Prototype, user, sections: dict, base_version: int) -> None:
    # Outside the failing save's fate: a conflict must not lose what was typed.
    PrototypeDraft.objects.update_or_create(
        prototype=prototype, user=user,
        defaults={"sections": sections, "base_version": base_version, "saved_at": timezone.now()},
    )


def draft_save(*, actor, team: Team, sections: dict, base_version: int) -> PrototypeDraft | None:
    """Autosave: keep what a member is typing, without making a version. None when the text
    is what is saved already."""
    cleaned = _clean_sections(sections)
    prototype = _editable(actor, team)
    saved = Prototype.objects.get(pk=prototype.pk).sections()
    if {**saved, **cleaned} == saved:
        # Nothing unsaved (an autosave that arrives just after the save it preceded, say):
        # no draft, and none left over.
        PrototypeDraft.objects.filter(prototype=prototype, user=actor).delete()
        return None
    draft, _created = PrototypeDraft.objects.update_or_create(
        prototype=prototype, user=actor,
        defaults={"sections": cleaned, "base_version": base_version, "saved_at": timezone.now()},
    )
    return draft


def draft_discard(*, actor, team: Team) -> None:
    PrototypeDraft.objects.filter(prototype__team=team, user=actor).delete()


def prototype_submit(*, actor, team: Team) -> Prototype:
    """Submit before the phase ends; afterwards the prototype is read-only."""
    if not selectors.is_member(actor, team) or not may(actor, Action.SUBMIT_PROTOTYPE, team):
        raise PermissionDenied
    prototype = prototype_of(team)
    with transaction.atomic():
        current = Prototype.objects.select_for_update().get(pk=prototype.pk)
        if current.status == Prototype.Status.SUBMITTED:
            return current
        missing = [f for f in ("problem", "solution", "future_scenario") if not getattr(current, f).strip()]
        if missing:
            raise ValidationError({f: _("Please fill in this section before submitting.") for f in missing})
        current.status, current.submitted_at = Prototype.Status.SUBMITTED, timezone.now()
        current.save(update_fields=["status", "submitted_at"])
        publish(edition_id=team.edition_id, type="prototype.submitted", payload={"team": team.pk, "challenge": team.challenge_id})
    return current


def prototype_reopen(*, actor, team: Team) -> Prototype:
    """Organizers reopen a submitted prototype for changes."""
    if not may(actor, Action.MANAGE_EDITION, team.edition):
        raise PermissionDenied
    prototype = prototype_of(team)
    with transaction.atomic():
        current = Prototype.objects.select_for_update().get(pk=prototype.pk)
        if current.status != Prototype.Status.SUBMITTED:
            return current
        current.status, current.submitted_at = Prototype.Status.DRAFT, None
        current.save(update_fields=["status", "submitted_at"])
        publish(edition_id=team.edition_id, type="prototype.reopened", payload={"team": team.pk})
    return current


def _editable(actor, team: Team) -> Prototype:
    if not _may_edit_prototype(actor, team):
        raise PermissionDenied
    prototype = prototype_of(team)
    if prototype.status == Prototype.Status.SUBMITTED:
        raise ValidationError(_("The prototype has been submitted; organizers can reopen it."))
    return prototype


def image_add(*, actor, team: Team, upload, alt: str) -> PrototypeImage:
    """Add an image: checked and re-encoded (uploads.check_image), stored under a name of ours."""
    alt = " ".join((alt or "").split())
    if not 3 <= len(alt) <= 300:
        raise ValidationError({"alt": _("Please describe the image in 3 to 300 characters.")})
    prototype = _editable(actor, team)
    if prototype.images.count() >= 20:
        raise ValidationError({"image": _("A prototype may have at most 20 images.")})
    try:
        checked = uploads.check_image(upload)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from None
    image = PrototypeImage(prototype=prototype, alt=alt, width=checked.width, height=checked.height,
                           uploaded_by=actor, created_at=timezone.now())
    image.image.save(checked.content.name, checked.content, save=False)
    image.save()
    return image


def image_remove(*, actor, team: Team, image: PrototypeImage) -> None:
    prototype = _editable(actor, team)
    if image.prototype_id != prototype.pk:
        raise PermissionDenied
    image.image.delete(save=False)
    image.delete()


def pitch_pdf_set(*, actor, team: Team, upload) -> Prototype:
    """Attach the pitch slides: a PDF without scripts (uploads.check_pdf)."""
    prototype = _editable(actor, team)
    try:
        content = uploads.check_pdf(upload)
    except ValidationError as error:
        raise ValidationError({"pitch_pdf": error.messages}) from None
    old = prototype.pitch_pdf.name
    prototype.pitch_pdf.save(content.name, content, save=False)
    Prototype.objects.filter(pk=prototype.pk).update(pitch_pdf=prototype.pitch_pdf.name)
    if old:
        prototype.pitch_pdf.storage.delete(old)
    return prototype
