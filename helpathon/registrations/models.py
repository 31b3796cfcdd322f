from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpathon.accounts.models import Role, Sector
from helpathon.editions.models import Challenge, Edition


class Registration(models.Model):
    """A person's place in an edition.

    pending: a place is held until `expires_at` while the emailed link is unconfirmed;
    confirmed: the place is theirs; waitlisted: queued by `created_at`, promoted in order;
    cancelled: by the person; lapsed: the link was not confirmed in time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        LAPSED = "lapsed", _("Lapsed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    preferred_challenges = models.ManyToManyField(
        Challenge, blank=True, related_name="+", verbose_name=_("preferred challenges")
    )
    consent_at = models.DateTimeField(_("consent given at"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # Where the person stands in the waitlist; reset when they join it again.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("place held until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Set by organizers at the (virtual) door on the day.
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # The language the person registered in: mails about this place are written in it.
    language = models.CharField(max_length=10, default="de")
    # Bumped on every new opt-in mail so that older links stop working.
    token_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="registration_one_per_person_and_edition")
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self):
        return f"{self.user} → {self.edition} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.CONFIRMED, self.Status.WAITLISTED}
