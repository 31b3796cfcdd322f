from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from helpathon.evaluation import selectors, services
from helpathon.evaluation.models import Criterion, EvaluationSettings

# The 1-5 scale with words, so that a number is never the only label.
SCALE = [
    (1, _("very low")),
    (2, _("low")),
    (3, _("medium")),
    (4, _("high")),
    (5, _("very high")),
]
# The same message as `services.rating_set` gives for a value out of range.
OUT_OF_RANGE = _("Please choose a value from 1 to 5.")


class RatingForm(forms.Form):
    """One 1-5 choice per criterion, named by the criterion's key. Leaving a criterion out
    keeps the rating given before; the service checks the rest (at least one, own work…)."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[criterion.key] = forms.TypedChoiceField(
                label=criterion.label, help_text=criterion.help, choices=SCALE, coerce=int, empty_value=None,
                required=False, widget=forms.RadioSelect, error_messages={"invalid_choice": OUT_OF_RANGE},
            )

    def values(self) -> dict[str, int]:
        """The chosen values by criterion key (call after `is_valid()`)."""
        return {key: value for key, value in self.cleaned_data.items() if value is not None}

    def rows(self):
        """(criterion, bound field) pairs in the criteria's order, for the template."""
        return [(criterion, self[criterion.key]) for criterion in self.criteria]


def rating_form_for(*, user, kind: str, target, panel: str) -> RatingForm | None:
    """The person's rating form for a target, filled with their own ratings; None when they
    may not rate it now."""
    if not services.may_rate(user=user, kind=kind, target=target, panel=panel):
        return None
    mine = selectors.my_ratings(user, kind=kind, target_id=target.pk, panel=panel)
    return RatingForm(criteria=selectors.criteria(target.edition, panel), initial=mine)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("left", "left"), ("right", "right"), ("tie", "tie"), ("skip", "skip")],
        error_messages={
            "required": _("Please choose one of the two ideas, “can't decide” or “skip”."),
            "invalid_choice": _("Please choose one of the two ideas, “can't decide” or “skip”."),
        },
    )


class AppointForm(forms.Form):
    """Appoint a juror by the email address of an existing account."""

    email = forms.EmailField(label=_("Email address of the account"), max_length=254)
    challenges = forms.ModelMultipleChoiceField(
        label=_("Challenges to score"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to let the juror score every challenge."),
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenges"].queryset = edition.challenges.all()

    def clean_email(self):
        user = get_user_model().objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no account with this email address. Ask the person to sign up first.")
            )
        return user


class AssignForm(forms.Form):
    """Change the challenges an appointed juror scores."""

    challenges = forms.ModelMultipleChoiceField(
        label=_("Challenges to score"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenges"].queryset = edition.challenges.all()


class SettingsForm(forms.ModelForm):
    """The organizers' choices for an edition's evaluation (saved through
    `services.settings_update`)."""

    class Meta:
        model = EvaluationSettings
        fields = ["support_budget", "budget_scope", "rankings_while_open", "participants_rate", "jury_rates"]
