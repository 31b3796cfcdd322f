"""Mail to many: an organizers' message to all participants of an edition or to one team,
sent in the background by a task (django-tasks, database backend) that records its progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Edition


class Mailing(models.Model):
    class Audience(models.TextChoices):
        PARTICIPANTS = "participants", _("All confirmed participants")
        WAITLIST = "waitlist", _("Everyone on the waitlist")
        TEAM = "team", _("One team")
        TEAMS = "teams", _("All team members")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Stopped with errors")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="mailings")
    audience = models.CharField(_("to"), max_length=20, choices=Audience.choices)
    team = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=10000)
    # Fixed when the mailing is created: who gets it does not change while it is sent.
    recipient_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text=_("People who switched these mails off."))
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self):
        return self.subject

    @property
    def done(self) -> int:
        return self.sent + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class ReminderSent(models.Model):
    """That the event reminder went to a person, so that it goes once."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="reminder_once_per_person")]
