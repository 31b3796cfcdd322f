from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from helpathon.accounts.models import EMAIL_KINDS, Role, Sector, User


class ProfileFieldsMixin(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown publicly next to your contributions. Your email address is never shown."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—")] + Sector.choices, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—")] + Role.choices, required=False)

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a display name."))
        if "@" in name:
            raise forms.ValidationError(_("A display name must not contain an email address."))
        return name


class SignupForm(ProfileFieldsMixin):
    """Extra sign-up fields for allauth (ACCOUNT_SIGNUP_FORM_CLASS)."""

    field_order = ["email", "display_name", "sector", "role", "password1", "password2"]

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.sector = self.cleaned_data["sector"]
        user.role = self.cleaned_data["role"]
        # Mails are written in the language the person signed up in.
        user.language = translation.get_language() or settings.LANGUAGE_CODE
        user.save(update_fields=["display_name", "sector", "role", "language"])


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    """The public profile, and in a fieldset of its own the person's mail settings (EMAIL_FIELDS)."""

    EMAIL_FIELDS = ("language", *EMAIL_KINDS)

    class Meta:
        model = User
        fields = ["display_name", "sector", "role", "named_in_results", "language", *EMAIL_KINDS]
        help_texts = {
            "language": _("Mails from Helpathon are written in this language."),
            "email_reminders": _("A day before an event starts, with the dates for your calendar."),
            "email_teams": _("Someone asks to join your team, invites you, or answers you."),
            "email_template_status": _("What became of the innovation templates of your teams."),
            "email_organizers": _("Messages the organizers of your events send to participants."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_in_results"].label = _("Name me in results")
        # Optional: a form sent without it keeps the language of the page it was sent from.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or translation.get_language() or settings.LANGUAGE_CODE

    def profile_fields(self):
        return [self[name] for name in self.fields if name not in self.EMAIL_FIELDS and name != "named_in_results"]

    def email_fields(self):
        return [self[name] for name in self.EMAIL_FIELDS]


class AccountDeleteForm(forms.Form):
    """Deleting one's account: what happens to one's contributions, the password again, and
    an explicit confirmation."""

    KEEP, REMOVE = "keep", "remove"

    contributions = forms.ChoiceField(
        label=_("Your contributions"),
        choices=[
            (KEEP, _("Keep my contributions, with “deleted account” as their author")),
            (REMOVE, _("Also remove my ideas and comments")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good and cannot be restored."),
        error_messages={"required": _("Please confirm that you want to delete your account.")},
    )
