from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.accounts.models import Role, Sector, User


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
        user.save(update_fields=["display_name", "sector", "role"])


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "sector", "role"]
