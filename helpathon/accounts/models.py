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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or _("Participant #%(id)s") % {"id": self.pk}

    @property
    def public_name(self) -> str:
        return str(self)
