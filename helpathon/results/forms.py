"""Forms of the city's voice and the follow-up. They check the shape of the input; the rules
(who, when, how long, which date) are the services' and come back through
`helpathon.forms.add_service_errors`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpathon.results.models import FollowUp
from helpathon.results.services import COMMENT_MAX, STATEMENT_MAX

REASON_MAX = 300


class TemplateCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please write your comment."),
            "max_length": _("Please keep your comment to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"), max_length=REASON_MAX,
        error_messages={
            "required": _("Please give a reason."),
            "max_length": _("Please keep the reason to %(limit_value)d characters."),
        },
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TemplateStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUp.choices)
    statement = forms.CharField(
        label=_("Public statement"), required=False, max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the template's page and on the follow-up page; the team gets it by email."),
        error_messages={"max_length": _("Please keep the statement to %(limit_value)d characters.")},
    )
    status_date = forms.DateField(
        label=_("As of"), required=False, widget=DateInput(),
        help_text=_("Today if left empty; it cannot lie in the future."),
        error_messages={"invalid": _("Please enter a valid date.")},
    )

    def __init__(self, *args, template=None, **kwargs):
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = {"status": template.status, "statement": template.statement,
                                 "status_date": timezone.localdate()}
        super().__init__(*args, **kwargs)
        self.fields["status_date"].widget.attrs["max"] = timezone.localdate().isoformat()
