"""Writes to editions: the organizers' manual control of the agenda, their announcements, and
creating, editing and copying editions (the organizers' console)."""

import copy
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from helpathon.editions.agenda import agenda_for
from helpathon.editions.models import Announcement, Challenge, Edition, Licence, Phase, PhaseChange, PhaseKind
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.live.services import publish


def _record(edition: Edition, *, actor, from_phase: Phase | None, to_phase: Phase | None, manual: bool) -> Edition:
    with transaction.atomic():
        edition.phase_override = to_phase if manual else None
        edition.save(update_fields=["phase_override"])
        PhaseChange.objects.create(
            edition=edition, changed_by=actor, from_phase=from_phase, to_phase=to_phase, manual=manual
        )
        publish(
            edition_id=edition.pk, type="phase.changed",
            payload={"phase": to_phase.pk if to_phase else None, "kind": to_phase.kind if to_phase else None,
                     "title": to_phase.display_title if to_phase else None, "manual": manual},
        )
    edition.__dict__.pop("_agenda", None)
    return edition


def phase_set(*, actor, edition: Edition, phase: Phase) -> Edition:
    """Make `phase` the current one by hand, whatever the clock says."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if phase.edition_id != edition.pk:
        raise ValidationError(_("This phase belongs to another edition."))
    return _record(edition, actor=actor, from_phase=agenda_for(edition).current, to_phase=phase, manual=True)


def phase_step(*, actor, edition: Edition, step: int) -> Edition:
    """Go to the next (step=1) or previous (step=-1) phase of the agenda by hand."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    agenda = agenda_for(edition)
    phases = agenda.phases
    if not phases:
        raise ValidationError(_("This edition has no agenda yet."))
    if agenda.current is not None:
        index = phases.index(agenda.current) + step
    elif step > 0:
        index = phases.index(agenda.next) if agenda.next else len(phases)
    else:
        index = (phases.index(agenda.next) - 1) if agenda.next else len(phases) - 1
    if not 0 <= index < len(phases):
        raise ValidationError(
            _("There is no later phase.") if step > 0 else _("There is no earlier phase.")
        )
    return _record(edition, actor=actor, from_phase=agenda.current, to_phase=phases[index], manual=True)


def phase_follow_clock(*, actor, edition: Edition) -> Edition:
    """Hand the agenda back to the clock."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if edition.phase_override_id is None:
        return edition
    from_phase = agenda_for(edition).current
    edition.phase_override = None
    edition.__dict__.pop("_agenda", None)
    return _record(edition, actor=actor, from_phase=from_phase, to_phase=agenda_for(edition).current, manual=False)


ANNOUNCEMENT_MAX = 500


def announcement_create(*, actor, edition: Edition, text: str) -> Announcement:
    """Broadcast a message to everyone following the edition (shown live on its open pages)."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    text = " ".join((text or "").replace("\x00", " ").split())  # no NUL: PostgreSQL refuses it
    if not text:
        raise ValidationError({"text": _("Please write the announcement.")})
    if len(text) > ANNOUNCEMENT_MAX:
        raise ValidationError(
            {"text": _("Please keep the announcement to %(max)d characters (it has %(count)d).")
             % {"max": ANNOUNCEMENT_MAX, "count": len(text)}}
        )
    with transaction.atomic():
        announcement = Announcement.objects.create(
            edition=edition, text=text, created_by=actor, created_at=timezone.now()
        )
        publish(edition_id=edition.pk, type="announcement.created",
                payload={"announcement": announcement.pk, "text": announcement.text})
    return announcement


def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    """Take an announcement down (it stays on record)."""
    if not may(actor, Action.MANAGE_EDITION, announcement.edition):
        raise PermissionDenied
    with transaction.atomic():
        current = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if current.withdrawn_at is None:
            current.withdrawn_at = timezone.now()
            current.withdrawn_by = actor
            current.save(update_fields=["withdrawn_at", "withdrawn_by"])
            publish(edition_id=current.edition_id, type="announcement.withdrawn",
                    payload={"announcement": current.pk})
    return current


# --- Creating, editing and copying editions (the organizers' console) -------------------------

# How the default agenda of a new edition shares the event's time among the phase kinds: long
# working phases get more, short ceremonies less. Organizers adjust it afterwards.
DEFAULT_AGENDA_WEIGHTS = {
    PhaseKind.REGISTRATION: 1,
    PhaseKind.KICKOFF: 1,
    PhaseKind.IDEATION: 3,
    PhaseKind.EVALUATION: 2,
    PhaseKind.TEAM_BUILDING: 2,
    PhaseKind.PROTOTYPING: 4,
    PhaseKind.PITCHES: 1,
    PhaseKind.JURY: 1,
    PhaseKind.PUBLIC_FEEDBACK: 2,
    PhaseKind.RESULTS: 1,
}
EDITION_MIN_DURATION = timedelta(hours=1)
EDITION_CAPACITY_MAX = 100_000
CHALLENGES_MAX = 20

# The plain fields an organizer sets on an edition (the console's create and edit forms).
EDITION_FIELDS = (
    "title", "motto", "description", "starts_at", "ends_at", "registration_opens_at",
    "registration_closes_at", "capacity", "licence",
)


def may_create_edition(user) -> bool:
    """Superusers, and staff members of the organizers group, may start new editions."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name=settings.ORGANIZERS_GROUP).exists()


def default_agenda(starts_at: datetime, ends_at: datetime) -> list[tuple[str, datetime, datetime]]:
    """Every phase kind once, one after the other, sharing [starts_at, ends_at) by
    DEFAULT_AGENDA_WEIGHTS; inner boundaries fall on whole minutes."""
    total = ends_at - starts_at
    weights = [(kind, DEFAULT_AGENDA_WEIGHTS[kind]) for kind in PhaseKind.values]
    whole = sum(weight for _kind, weight in weights)
    boundaries, running = [starts_at], 0
    for _kind, weight in weights[:-1]:
        running += weight
        boundaries.append((starts_at + total * running / whole).replace(second=0, microsecond=0))
    boundaries.append(ends_at)
    return [(kind, boundaries[i], boundaries[i + 1]) for i, (kind, _weight) in enumerate(weights)]


def _clean_text(value) -> str:
    # No NUL characters: PostgreSQL refuses them.
    return str(value or "").replace("\x00", "").strip()


def _storable(moment: datetime) -> bool:
    """Can the database keep `moment` (in UTC, within the years 1 to 9999)?"""
    try:
        moment.astimezone(dt_timezone.utc)
    except OverflowError:
        return False
    return True


def _validate_edition_fields(values: dict, *, edition: Edition | None = None) -> dict:
    """Check the plain fields of an edition (all of EDITION_FIELDS present); returns them
    cleaned. Raises ValidationError keyed by field, in the user's language."""
    values = dict(values)
    errors = {}
    for name in ("title", "motto", "description"):
        values[name] = _clean_text(values.get(name))
    if not values["title"]:
        errors["title"] = _("Please give the edition a title.")
    if values.get("licence") not in Licence.values:
        errors["licence"] = _("Please choose a licence.")
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= EDITION_CAPACITY_MAX:
        errors["capacity"] = _("Please give a number of places between 1 and %(max)d.") % {"max": EDITION_CAPACITY_MAX}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if not isinstance(values.get(name), datetime):
            errors[name] = _("Please give a date and time.")
        elif not _storable(values[name]):
            errors[name] = _("Please give a date between the years 1 and 9999.")
    if not errors.keys() & {"starts_at", "ends_at"}:
        if values["ends_at"] - values["starts_at"] < EDITION_MIN_DURATION:
            errors["ends_at"] = _("The edition must end at least an hour after it starts.")
    if not errors.keys() & {"registration_opens_at", "registration_closes_at"}:
        if values["registration_closes_at"] <= values["registration_opens_at"]:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        elif "ends_at" not in errors and values["registration_closes_at"] > values["ends_at"]:
            errors["registration_closes_at"] = _("Registration must close by the end of the edition.")
    if errors:
        raise ValidationError(errors)
    return values


SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_TAKEN = _lazy("This web address is taken already. Please choose another one.")


def _free_slug(slug: str, *, title: str) -> str:
    """The slug as given (it must be free), or one made from the title (numbered if taken)."""
    if slug:
        slug = slug.strip().lower()
        if len(slug) > 80 or not SLUG_PATTERN.fullmatch(slug):
            raise ValidationError({"slug": _("Use only lowercase letters, digits and hyphens (at most 80).")})
        if Edition.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": str(SLUG_TAKEN)})
        return slug
    base = slugify(title)[:70].strip("-") or "edition"
    candidate, number = base, 2
    while Edition.objects.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _challenge_rows(challenges) -> list[tuple[str, str]]:
    rows = []
    for item in challenges or ():
        title = _clean_text(item.get("title"))
        questions = "\n".join(
            line.strip() for line in _clean_text(item.get("guiding_questions")).splitlines() if line.strip()
        )
        if not title and questions:
            raise ValidationError({"challenges": _("Every challenge with guiding questions needs a title.")})
        if title:
            if len(title) > 200:
                raise ValidationError({"challenges": _("A challenge's title may have at most 200 characters.")})
            rows.append((title, questions))
    if len(rows) > CHALLENGES_MAX:
        raise ValidationError({"challenges": _("At most %(max)d challenges at once.") % {"max": CHALLENGES_MAX}})
    return rows


@contextmanager
def _slug_race():
    """A parallel request that took the same slug between our check and our insert."""
    try:
        yield
    except IntegrityError:
        raise ValidationError({"slug": str(SLUG_TAKEN)})


def edition_create(
    *, actor, title: str, slug: str = "", motto: str = "", description: str = "", starts_at: datetime,
    ends_at: datetime, registration_opens_at: datetime, registration_closes_at: datetime, capacity: int = 100,
    licence: str = Licence.CC_BY_4, challenges=(),
) -> Edition:
    """Start a new edition as a draft, with a default agenda over its dates (every phase kind
    once) and the challenges given as [{"title": …, "guiding_questions": "one per line"}].
    The actor organizes it. Nothing is public until it is published."""
    if not may_create_edition(actor):
        raise PermissionDenied
    values = _validate_edition_fields({
        "title": title, "motto": motto, "description": description, "starts_at": starts_at,
        "ends_at": ends_at, "registration_opens_at": registration_opens_at,
        "registration_closes_at": registration_closes_at, "capacity": capacity, "licence": licence,
    })
    rows = _challenge_rows(challenges)
    with _slug_race(), transaction.atomic():
        edition = Edition(slug=_free_slug(slug, title=values["title"]), status=Edition.Status.DRAFT, **values)
        edition.full_clean()
        edition.save()
        edition.organizers.add(actor)
        Phase.objects.bulk_create(
            Phase(edition=edition, kind=kind, starts_at=start, ends_at=end)
            for kind, start, end in default_agenda(edition.starts_at, edition.ends_at)
        )
        used = set()
        for order, (challenge_title, questions) in enumerate(rows):
            base = slugify(challenge_title)[:70].strip("-") or "challenge"
            challenge_slug, number = base, 2
            while challenge_slug in used:
                challenge_slug, number = f"{base}-{number}", number + 1
            used.add(challenge_slug)
            Challenge.objects.create(
                edition=edition, slug=challenge_slug, title=challenge_title, guiding_questions=questions, order=order
            )
    return edition


def edition_update(*, actor, edition: Edition, shift_agenda: bool = False, **fields) -> Edition:
    """Change an edition's plain fields (EDITION_FIELDS). With `shift_agenda`, the phases move
    by as much as the start moved, so the agenda keeps its shape."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    unknown = set(fields) - set(EDITION_FIELDS)
    if unknown:
        raise TypeError(f"edition_update() got unknown fields {sorted(unknown)}")
    values = _validate_edition_fields({name: fields.get(name, getattr(edition, name)) for name in EDITION_FIELDS})
    with transaction.atomic():
        current = Edition.objects.select_for_update().get(pk=edition.pk)
        shift = values["starts_at"] - current.starts_at
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        current.save(update_fields=[*EDITION_FIELDS])
        if shift_agenda and shift:
            try:  # no phase may leave the calendar (years 1 to 9999)
                for row in Phase.objects.filter(edition=current).values_list("starts_at", "ends_at"):
                    for moment in row:
                        moment + shift
            except OverflowError:
                raise ValidationError({"starts_at": _(
                    "Please choose a start that keeps every date of the edition within the years 1 to 9999."
                )})
            Phase.objects.filter(edition=current).update(starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift)
    return current


def edition_set_status(*, actor, edition: Edition, status: str) -> Edition:
    """Publish an edition (it shows on the home page and takes registrations in its window),
    or take it back to draft."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    if status not in Edition.Status.values:
        raise ValidationError(_("Unknown status."))
    if status == Edition.Status.PUBLISHED and not edition.phases.exists():
        raise ValidationError(_("Please give the edition an agenda before publishing it."))
    with transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(status=status)
    edition.status = status
    return edition


def edition_copy(*, actor, source: Edition, title: str, slug: str = "", starts_at: datetime) -> Edition:
    """A new draft edition like `source`, starting at `starts_at`: its dates, registration window
    and agenda move by the difference of the starts. Copied: texts, capacity, licence, the
    phase table additions, partners, challenges (with guiding questions and partner), phases,
    evaluation settings and criteria, team settings, and the organizers (with the actor).
    Nothing of the people who took part: no registrations, ideas, comments, teams, jury,
    moderators, announcements or live events."""
    # Settings of the apps above editions; imported here because they import editions.
    from helpathon.evaluation.models import Criterion, EvaluationSettings
    from helpathon.teams.models import TeamSettings

    if not may_create_edition(actor) or not may(actor, Action.MANAGE_EDITION, source):
        raise PermissionDenied
    title = _clean_text(title)
    errors = {}
    if not title:
        errors["title"] = _("Please give the edition a title.")
    elif len(title) > 200:
        errors["title"] = _("The title may have at most 200 characters.")
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("Please give a date and time.")
    else:
        # Every date moves by the shift; none may leave the calendar (years 1 to 9999).
        shift = starts_at - source.starts_at
        moments = [source.ends_at, source.registration_opens_at, source.registration_closes_at]
        moments += [m for row in Phase.objects.filter(edition=source).values_list("starts_at", "ends_at") for m in row]
        try:
            for moment in moments:
                moment + shift
            if not _storable(starts_at):
                raise OverflowError
        except OverflowError:
            errors["starts_at"] = _("Please choose a start that keeps every date of the edition within the years 1 to 9999.")
    if errors:
        raise ValidationError(errors)
    with _slug_race(), transaction.atomic():
        edition = Edition(
            slug=_free_slug(slug, title=title), title=title, motto=source.motto, description=source.description,
            starts_at=starts_at, ends_at=source.ends_at + shift,
            registration_opens_at=source.registration_opens_at + shift,
            registration_closes_at=source.registration_closes_at + shift,
            capacity=source.capacity, status=Edition.Status.DRAFT, licence=source.licence,
            phase_actions_extra=copy.deepcopy(source.phase_actions_extra),
        )
        edition.full_clean()
        edition.save()
        edition.partners.set(source.partners.all())
        edition.organizers.set([*source.organizers.all(), actor])
        Challenge.objects.bulk_create(
            Challenge(
                edition=edition, slug=c.slug, title=c.title, description=c.description,
                guiding_questions=c.guiding_questions, partner_id=c.partner_id, order=c.order,
            )
            for c in Challenge.objects.filter(edition=source).order_by("order", "pk")
        )
        Phase.objects.bulk_create(
            Phase(
                edition=edition, kind=p.kind, title=p.title, description=p.description,
                starts_at=p.starts_at + shift, ends_at=p.ends_at + shift,
            )
            for p in Phase.objects.filter(edition=source).order_by("starts_at", "pk")
        )
        settings_row = EvaluationSettings.objects.filter(edition=source).first()
        if settings_row is not None:
            settings_row.pk = None
            settings_row.edition = edition
            settings_row._state.adding = True
            settings_row.save(force_insert=True)
        Criterion.objects.bulk_create(
            Criterion(
                edition=edition, key=c.key, name=c.name, description=c.description, weight=c.weight,
                order=c.order, for_participants=c.for_participants, for_jury=c.for_jury,
            )
            for c in Criterion.objects.filter(edition=source).order_by("order", "pk")
        )
        team_settings = TeamSettings.objects.filter(edition=source).first()
        if team_settings is not None:
            team_settings.pk = None
            team_settings.edition = edition
            team_settings._state.adding = True
            team_settings.save(force_insert=True)
    return edition
