"""What an edition hands to the city: innovation templates (Innovationsvorlagen), the city's
voice on them (supports and comments of any verified citizen during public feedback), and
their follow-up status, kept up to date by the organizers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Challenge, Edition
from helpathon.teams.models import Prototype


class FollowUp(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    BEING_IMPLEMENTED = "being_implemented", _("Being implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_PURSUED = "not_pursued", _("Not pursued")


class InnovationTemplate(models.Model):
    """A submitted prototype as handed to the city once prototyping has ended. The sections
    are read from the prototype (read-only once submitted); `prototype_version` records which
    version was handed over."""

    prototype = models.OneToOneField(Prototype, on_delete=models.CASCADE, related_name="template")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="templates")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="templates")
    prototype_version = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=20, choices=FollowUp.choices, default=FollowUp.RECEIVED)
    statement = models.TextField(_("public statement"), blank=True)
    status_date = models.DateField(_("as of"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["edition_id", "challenge_id", "pk"]
        verbose_name = _("innovation template")
        verbose_name_plural = _("innovation templates")

    def __str__(self):
        return self.prototype.title

    def get_absolute_url(self):
        return reverse("results:template", kwargs={"slug": self.edition.slug, "pk": self.pk})


class StatusChange(models.Model):
    """One step of a template's follow-up, shown publicly as its history."""

    template = models.ForeignKey(InnovationTemplate, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=FollowUp.choices)
    statement = models.TextField(_("public statement"), blank=True)
    status_date = models.DateField(_("as of"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["template_id", "-changed_at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class Voice(models.TextChoices):
    """Whose voice a piece of feedback is, decided when it is given."""

    CITIZEN = "citizen", _("Citizens")
    PARTICIPANT = "participant", _("Participants")
    JURY = "jury", _("Jury")


class TemplateSupport(models.Model):
    template = models.ForeignKey(InnovationTemplate, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voice = models.CharField(max_length=12, choices=Voice.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["template_id", "created_at", "pk"]
        verbose_name = _("support of a template")
        verbose_name_plural = _("supports of templates")
        constraints = [models.UniqueConstraint(fields=["template", "user"], name="template_support_once_per_person")]


class TemplateComment(models.Model):
    template = models.ForeignKey(InnovationTemplate, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="template_comments")
    voice = models.CharField(max_length=12, choices=Voice.choices)
    body = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["template_id", "created_at", "pk"]
        verbose_name = _("comment on a template")
        verbose_name_plural = _("comments on templates")
        indexes = [models.Index(fields=["template", "created_at"], condition=Q(hidden_at__isnull=True), name="template_comment_visible")]
