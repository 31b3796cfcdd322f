from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.moderation.services import (
    DECISION_REASON_MAX,
    DECISION_REASON_MIN,
    REPORT_REASON_MAX,
    REPORT_REASON_MIN,
)


def _reason_field(*, label, help_text, low: int, high: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        min_length=low,
        max_length=high,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please give a reason."),
            "min_length": _("Please give a reason of at least %(limit_value)d characters."),
            "max_length": _("The reason may have at most %(limit_value)d characters."),
        },
    )


class ReportForm(forms.Form):
    reason = _reason_field(
        label=_("What is wrong with it?"),
        help_text=_("Only the moderators read this."),
        low=REPORT_REASON_MIN,
        high=REPORT_REASON_MAX,
    )


class DecisionForm(forms.Form):
    """The reason for hiding, restoring or dismissing."""

    reason = _reason_field(
        label=_("Reason"),
        help_text=_("The author is told this reason by email."),
        low=DECISION_REASON_MIN,
        high=DECISION_REASON_MAX,
    )


class DismissForm(forms.Form):
    reason = _reason_field(
        label=_("Reason"),
        help_text=_("Kept with the report for the record."),
        low=DECISION_REASON_MIN,
        high=REPORT_REASON_MAX,
    )
