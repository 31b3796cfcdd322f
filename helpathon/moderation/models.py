from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Edition
from helpathon.ideas.models import Comment, Idea


class Report(models.Model):
    """Someone flags an idea or a comment; moderators decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Dismissed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="reports")
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=False, comment__isnull=True) | Q(idea__isnull=True, comment__isnull=False),
                name="report_targets_one_thing",
            ),
            # One open report per person and item, also under concurrent requests.
            models.UniqueConstraint(
                fields=["reporter", "idea"], condition=Q(status="open", idea__isnull=False),
                name="report_one_open_per_person_and_idea",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(status="open", comment__isnull=False),
                name="report_one_open_per_person_and_comment",
            ),
        ]


class ModerationAction(models.Model):
    """The record of every hide and restore: who, when, why."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("hidden")
        RESTORE = "restore", _("restored")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
