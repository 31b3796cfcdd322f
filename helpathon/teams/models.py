"""Teams around ideas: who is in which team with which role, requests to join and
invitations, the team's private room link and notes, and people looking for a team."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Challenge, Edition
from helpathon.ideas.models import Idea

JITSI = "https://meet.jit.si/{room}"


def validate_room_pattern(value: str) -> None:
    # Without {room} every team would meet in the same room.
    if "{room}" not in value or not value.startswith("https://"):
        raise ValidationError(_("Give an https:// address with {room} in it."))


def new_room_secret() -> str:
    return secrets.token_urlsafe(18)


class TeamSettings(models.Model):
    """How teams work in an edition. Missing settings mean the defaults below."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, primary_key=True, related_name="team_settings")
    max_team_size = models.PositiveSmallIntegerField(
        _("largest team"), default=6, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("Leads and members; mentors do not count."),
    )
    teams_per_person = models.PositiveSmallIntegerField(
        _("teams per person"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    room_url_pattern = models.CharField(
        _("video room address"), max_length=300, default=JITSI, validators=[validate_room_pattern],
        help_text=_("{room} is replaced by the team's unguessable room name."),
    )

    class Meta:
        verbose_name = _("team settings")
        verbose_name_plural = _("team settings")

    def __str__(self):
        return str(self.edition)


class Team(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="teams")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="teams", verbose_name=_("challenge"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what the team wants to build"), blank=True)
    ideas = models.ManyToManyField(Idea, related_name="teams", verbose_name=_("ideas"))
    skills_needed = models.CharField(
        _("skills still needed"), max_length=300, blank=True, help_text=_("Separated by commas, e.g. design, law, data.")
    )
    looking_for_members = models.BooleanField(_("looking for members"), default=True)
    # Private: only members, mentors and organizers see the room and the notes.
    room_secret = models.CharField(max_length=40, default=new_room_secret, editable=False)
    room_url = models.URLField(
        _("own room link"), blank=True, validators=[URLValidator(schemes=["https"])],
        help_text=_("Empty: the edition's video service."),
    )
    notes = models.TextField(_("team notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["edition_id", "challenge_id", "created_at", "pk"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="team_unique_name_per_edition")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teams:detail", kwargs={"slug": self.edition.slug, "pk": self.pk})

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills_needed.split(",") if s.strip()]


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")
        MENTOR = "mentor", _("Mentor")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["team_id", "joined_at", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_once_per_team"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="lead"), name="membership_one_lead_per_team"),
        ]
        indexes = [models.Index(fields=["user", "role"])]


class JoinRequest(models.Model):
    """A person asks to join a team (`request`), or a lead invites a person (`invite`)."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("request to join")
        INVITE = "invite", _("invitation")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(status="pending"), name="join_request_one_open_per_team_and_person"
            ),
        ]


class TeamSeeker(models.Model):
    """A participant who looks for a team (opt-in): shown on the board with skills and wishes."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="team_seekers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    skills = models.CharField(_("my skills"), max_length=300, help_text=_("Separated by commas."))
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="+", verbose_name=_("challenges I prefer"))
    message = models.CharField(_("a few words about me"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("person looking for a team")
        verbose_name_plural = _("people looking for a team")
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="team_seeker_once_per_edition")]

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.split(",") if s.strip()]


SECTIONS = (
    # field, label, help
    ("problem", _("Problem"), _("What is the problem, for whom, and how do we know?")),
    ("target_group", _("Target group"), _("Who benefits, who takes part?")),
    ("solution", _("Solution"), _("What do we propose, and how does it work?")),
    ("future_scenario", _("Future scenario"), _("What do life or business in the neighbourhood look like when it works?")),
    ("stakeholders", _("Stakeholders and partners"), _("Who has to join in: administration, businesses, initiatives…")),
    ("resources", _("Resources needed"), _("Money, space, people, data, permits.")),
    ("next_steps", _("Next steps"), _("What happens in the next weeks, and who does it?")),
    ("risks", _("Risks"), _("What could go wrong, and what would we do then?")),
)
SECTION_FIELDS = tuple(field for field, _label, _help in SECTIONS)


def prototype_upload_path(instance, filename: str) -> str:
    # The name is ours, never the uploader's: a random token and the type we checked.
    extension = filename.rsplit(".", 1)[-1].lower()
    prototype_id = instance.pk if isinstance(instance, Prototype) else instance.prototype_id
    return f"prototypes/{prototype_id}/{secrets.token_hex(12)}.{extension}"


class Prototype(models.Model):
    """A team's prototype: structured sections in Markdown, images and a pitch. Every save
    keeps a PrototypeVersion; once submitted it is read-only until organizers reopen it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="prototype")
    # The team's, kept here so that prototypes can be listed and evaluated per challenge.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="prototypes")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="prototypes")
    problem = models.TextField(_("problem"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    future_scenario = models.TextField(_("future scenario"), blank=True)
    stakeholders = models.TextField(_("stakeholders and partners"), blank=True)
    resources = models.TextField(_("resources needed"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    pitch_url = models.URLField(_("pitch video link"), blank=True)
    pitch_pdf = models.FileField(_("pitch slides (PDF)"), upload_to=prototype_upload_path, blank=True)
    version = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["edition_id", "challenge_id", "pk"]
        verbose_name = _("prototype")
        verbose_name_plural = _("prototypes")

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.team.name

    @property
    def author_ids(self) -> set[int]:
        return set(self.team.memberships.exclude(role=Membership.Role.MENTOR).values_list("user_id", flat=True))

    def sections(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in SECTION_FIELDS}


class PrototypeVersion(models.Model):
    prototype = models.ForeignKey(Prototype, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sections = models.JSONField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["prototype_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["prototype", "number"], name="prototype_version_unique_number")
        ]


class PrototypeDraft(models.Model):
    """What a member typed and has not saved yet (autosave), per person, so that nothing
    typed is lost, also across a conflict."""

    prototype = models.ForeignKey(Prototype, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sections = models.JSONField()
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prototype", "user"], name="prototype_draft_one_per_person")]


class PrototypeImage(models.Model):
    prototype = models.ForeignKey(Prototype, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to=prototype_upload_path)
    alt = models.CharField(_("description for people who cannot see the image"), max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["prototype_id", "created_at", "pk"]
