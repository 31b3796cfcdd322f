"""Forms of the organizers' console. They carry and pre-check the input; the services in
editions.services decide (and their errors are shown beside the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Licence
from helpathon.editions.services import CHALLENGES_MAX, EDITION_CAPACITY_MAX
from helpathon.registrations.models import Registration

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (accessible, localized by the browser)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _when(label, help_text=""):
    return forms.DateTimeField(label=label, widget=DateTimeInput(), help_text=help_text)


class EditionFieldsForm(forms.Form):
    """The fields an organizer sets on an edition."""

    title = forms.CharField(label=_("Title"), max_length=200)
    motto = forms.CharField(label=_("Motto"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the edition is about, for the public edition page."),
    )
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    registration_opens_at = _when(_("Registration opens at"))
    registration_closes_at = _when(_("Registration closes at"), _("At the latest when the edition ends."))
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=EDITION_CAPACITY_MAX, initial=100,
        help_text=_("Confirmed places; further people join the waitlist."),
    )
    licence = forms.ChoiceField(
        label=_("Licence of open data and results"), choices=Licence.choices, initial=Licence.CC_BY_4,
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The edition must end after it starts."))
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        return data


class EditionCreateForm(EditionFieldsForm):
    slug = forms.SlugField(
        label=_("Web address"), max_length=80, required=False,
        help_text=_("The last part of the edition's address, for example “helpathon-2026”. Leave it empty to make one from the title."),
    )
    field_order = ["title", "slug"]


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("Title of the challenge"), max_length=200, required=False)
    guiding_questions = forms.CharField(
        label=_("Guiding questions"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question per line."),
    )


ChallengeFormSet = forms.formset_factory(
    ChallengeForm, extra=3, max_num=CHALLENGES_MAX, absolute_max=CHALLENGES_MAX, validate_max=True
)


class EditionEditForm(EditionFieldsForm):
    shift_agenda = forms.BooleanField(
        label=_("Move the agenda with the start"), required=False, initial=True,
        help_text=_("If the start changes, every phase moves by the same time."),
    )


class EditionCopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the new edition"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"), max_length=80, required=False,
        help_text=_("Leave it empty to make one from the title."),
    )
    starts_at = _when(
        _("The new edition starts at"),
        _("The end, the registration window and every phase move by the same time."),
    )


class SearchInput(forms.TextInput):
    input_type = "search"


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Registration.Status.choices]
    )
    q = forms.CharField(label=_("Search name or email"), required=False, max_length=100, widget=SearchInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
