from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.accounts.models import Role, Sector


class RegistrationForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—")] + Sector.choices)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—")] + Role.choices)
    preferred_challenges = forms.ModelMultipleChoiceField(
        label=_("Which challenges interest you most?"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my registration is processed for this edition."),
        error_messages={"required": _("Please agree to the privacy notice to register.")},
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_challenges"].queryset = edition.challenges.all()
        self.fields["sector"].error_messages["required"] = _("Please choose your sector.")
        self.fields["role"].error_messages["required"] = _("Please choose your role.")
