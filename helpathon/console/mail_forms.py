"""The form organizers write a mailing with. The confirmation ("yes, send to N people") is
drawn by the page, because N is known only after the audience is checked."""

from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.notifications.models import Mailing
from helpathon.notifications.services import BODY_MAX, SUBJECT_MAX
from helpathon.teams.models import Team


class MailingForm(forms.Form):
    audience = forms.ChoiceField(label=_("To"), choices=Mailing.Audience.choices)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("— choose a team —"),
        help_text=_("Only for “One team”: its leads, members and mentors."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text, sent as written. Each person gets it with a greeting in their language "
                    "and a link to switch off messages from the organizers."),
    )
    # The number of people the organizer saw and confirmed (set by the confirmation step).
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(edition=edition).order_by("name", "pk")

    def clean(self):
        data = super().clean()
        if data.get("audience") == Mailing.Audience.TEAM and not data.get("team"):
            self.add_error("team", _("Please choose a team of this edition."))
        return data
