from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def validate_phase_actions_extra(value) -> None:
    from helpathon.editions.phases import validate_phase_actions_extra as validate

    validate(value)


class PhaseKind(models.TextChoices):
    """The kinds of agenda items. What each kind allows lives in `editions.phases`."""

    REGISTRATION = "registration", _("Registration")
    KICKOFF = "kickoff", _("Kick-off")
    IDEATION = "ideation", _("Ideation")
    EVALUATION = "evaluation", _("Evaluation")
    TEAM_BUILDING = "team_building", _("Team building")
    PROTOTYPING = "prototyping", _("Prototyping")
    PITCHES = "pitches", _("Pitches")
    JURY = "jury", _("Jury")
    PUBLIC_FEEDBACK = "public_feedback", _("Public feedback")
    RESULTS = "results", _("Results")


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(_("website"), blank=True)
    description = models.CharField(_("short description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class Licence(models.TextChoices):
    """Licences for an edition's open data and innovation templates."""

    CC_BY_4 = "CC-BY-4.0", "Creative Commons Attribution 4.0 (CC BY 4.0)"
    CC_BY_SA_4 = "CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)"
    CC0 = "CC0-1.0", "Creative Commons Zero 1.0 (CC0)"
    DL_DE_BY = "dl-de/by-2-0", "Datenlizenz Deutschland – Namensnennung – 2.0"
    DL_DE_ZERO = "dl-de/zero-2-0", "Datenlizenz Deutschland – Zero – 2.0"


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.DL_DE_BY: "https://www.govdata.de/dl-de/by-2-0",
    Licence.DL_DE_ZERO: "https://www.govdata.de/dl-de/zero-2-0",
}


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    motto = models.CharField(_("motto"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), default=100, help_text=_("Confirmed places; further people join the waitlist.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    partners = models.ManyToManyField(Partner, blank=True, related_name="editions", verbose_name=_("partners"))
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organized_editions", verbose_name=_("organizers")
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="moderated_editions", verbose_name=_("moderators")
    )
    # Set by an organizer who runs the day by hand; null means the agenda follows the clock.
    phase_override = models.ForeignKey(
        "Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("phase override")
    )
    # Per-edition additions to the phase table (`editions.phases`): {phase kind: [action, ...]}.
    phase_actions_extra = models.JSONField(
        _("additional actions per phase"), default=dict, blank=True,
        validators=[validate_phase_actions_extra],
        help_text=_('For example {"evaluation": ["jury_score"]} lets the jury score during evaluation.'),
    )
    licence = models.CharField(
        _("licence of open data and results"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="edition_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="edition_registration_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("editions:detail", kwargs={"slug": self.slug})

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class Challenge(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("edition"))
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    guiding_questions = models.TextField(
        _("guiding questions"), blank=True, help_text=_("One question per line.")
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="challenges", verbose_name=_("partner")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["edition_id", "order", "pk"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [models.UniqueConstraint(fields=["edition", "slug"], name="challenge_unique_slug_per_edition")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("editions:challenge", kwargs={"slug": self.edition.slug, "challenge_slug": self.slug})

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.guiding_questions.splitlines() if line.strip()]


class Phase(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="phases", verbose_name=_("edition"))
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Defaults to the kind's name."))
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["edition_id", "starts_at", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="phase_ends_after_start")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()


class PhaseChange(models.Model):
    """An organizer's manual override of the agenda, kept for the record."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="phase_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    from_phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # False when the organizer handed control back to the clock.
    manual = models.BooleanField(default=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")


class Announcement(models.Model):
    """An organizers' message to everyone following the edition, shown live on its pages."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="announcements")
    text = models.CharField(_("announcement"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.text[:60]

    def wire(self) -> dict:
        """The public form (live snapshot and events)."""
        return {"id": self.pk, "text": self.text, "at": self.created_at.isoformat()}
