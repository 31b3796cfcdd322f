from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    SCIENCE = "science", _("Science")
    BUSINESS = "business", _("Business")
    ADMINISTRATION = "administration", _("Administration")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    FOUNDER = "founder", _("Founder")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    EMPLOYEE = "employee", _("Employee")
    CITIZEN = "citizen", _("Citizen")
    OTHER = "other", _("Other")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. The email address is private: only the person and organizers ever see it;
    everyone else sees the display name."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=80, help_text=_("Shown publicly next to your contributions.")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # Results and open data name a person only with this consent; otherwise a pseudonym.
    named_in_results = models.BooleanField(
        _("name me in results"), default=False,
        help_text=_("Show my display name in innovation templates, reports and open data. "
                    "Without this, results show a pseudonym such as “Participant 7f3a”."),
    )
    # Mails are written in this language (set from the language the person last used).
    language = models.CharField(_("language for emails"), max_length=10, choices=settings.LANGUAGES, default="de")
    # Which mails the person wants (each mail carries a link to switch its kind off).
    email_registration = models.BooleanField(
        _("confirmations about my registrations"), default=True,
        help_text=_("Registration confirmed, a place from the waitlist."),
    )
    email_reminders = models.BooleanField(_("event reminders"), default=True)
    email_teams = models.BooleanField(_("team requests and invitations"), default=True)
    email_template_status = models.BooleanField(_("news about our innovation templates"), default=True)
    email_organizers = models.BooleanField(_("messages from the organizers"), default=True)
    # Set when the person deleted their account: what they wrote stays, anonymous.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        if self.deleted_at is not None:
            return str(_("deleted account"))
        return self.display_name or _("Participant #%(id)s") % {"id": self.pk}

    @property
    def public_name(self) -> str:
        return str(self)


# The kinds of mail a person can switch off, by the field that holds their choice.
EMAIL_KINDS = ("email_registration", "email_reminders", "email_teams", "email_template_status", "email_organizers")
