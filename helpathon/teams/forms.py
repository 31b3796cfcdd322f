"""Forms of the team pages. They parse and check the shape of the input; the services decide
what is allowed (phase, role, team size) and their errors are shown at the fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from helpathon.ideas.models import Idea
from helpathon.registrations.models import Registration
from helpathon.teams.models import TeamSettings

SKILLS_HELP = _("Separated by commas, e.g. design, law, data.")


MAX_ID = 2**31 - 1


def _checked_ids(values, error):
    """Ids as numbers the database can hold: a made-up huge or non-numeric id is an invalid
    choice, not an overflow in the database driver."""
    ids = []
    for value in values:
        try:
            number = int(str(value))
        except ValueError:
            raise error from None
        if not 0 < number <= MAX_ID:
            raise error
        ids.append(number)
    return ids


class SafeMultipleChoice(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        error = forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": ""})
        return super()._check_values(_checked_ids(value, error))


class SafeChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        _checked_ids([value], forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice"))
        return super().to_python(value)


class IdeaChoices(SafeMultipleChoice):
    def label_from_instance(self, obj):
        return f"#{obj.pk} {obj.title}"


class TeamFoundForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    description = forms.CharField(
        label=_("What the team wants to build"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    ideas = IdeaChoices(
        label=_("Ideas the team works on"), queryset=Idea.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("A team forms around at least one idea."),
            "invalid_choice": _("Choose visible ideas of this challenge."),
            "invalid_pk_value": _("Choose visible ideas of this challenge."),
        },
    )
    skills_needed = forms.CharField(label=_("Skills still needed"), required=False, max_length=300, help_text=SKILLS_HELP)

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the challenge's visible ideas can be chosen: another challenge's idea or a
        # made-up id is an invalid choice, not a server error.
        self.fields["ideas"].queryset = (
            Idea.objects.filter(challenge=challenge, hidden_at__isnull=True)
            .exclude(status=Idea.Status.MERGED)
            .order_by("pk")
        )


class TeamEditForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    description = forms.CharField(
        label=_("What the team wants to build"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    skills_needed = forms.CharField(label=_("Skills still needed"), required=False, max_length=300, help_text=SKILLS_HELP)
    looking_for_members = forms.BooleanField(label=_("We are looking for members"), required=False)


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("A few words to the team (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteForm(forms.Form):
    """Invite a confirmed participant by display name or email address. The email address
    is only matched, never shown: the page names people by their display names."""

    user = forms.CharField(
        label=_("Display name or email address"), max_length=254,
        help_text=_("A confirmed participant of this edition."),
    )
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=500)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition

    def clean_user(self):
        wanted = " ".join(self.cleaned_data["user"].split())
        confirmed = Registration.objects.filter(edition=self.edition, status=Registration.Status.CONFIRMED)
        people = get_user_model().objects.filter(
            is_active=True, pk__in=confirmed.values("user_id")
        )
        if "@" in wanted:
            found = list(people.filter(email__iexact=wanted)[:2])
        else:
            found = list(people.filter(display_name__iexact=wanted)[:2])
        if not found:
            raise forms.ValidationError(_("There is no confirmed participant of this edition by that name or address."))
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several participants have this display name. Please use the person's email address.")
            )
        return found[0]


class HandOverForm(forms.Form):
    user = SafeChoice(
        label=_("New lead"), queryset=get_user_model().objects.none(),
        error_messages={"invalid_choice": _("Hand the lead to a member of the team.")},
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = get_user_model().objects.filter(pk__in=[m.user_id for m in members])
        # Labels from the memberships already loaded: display names, never email addresses.
        field.choices = [("", "---------")] + [(m.user_id, m.user.public_name) for m in members]


class MentorForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the mentor's account"), max_length=254)

    def clean_email(self):
        user = get_user_model().objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no account with this email address. Ask the person to sign up first."))
        return user


class RoomForm(forms.Form):
    room_url = forms.CharField(
        label=_("Own room link"), required=False, max_length=200,
        help_text=_("Empty: the edition's video service."),
    )


class NotesForm(forms.Form):
    # No max_length here: the service names the limit in its message.
    notes = forms.CharField(label=_("Team notes"), required=False, widget=forms.Textarea(attrs={"rows": 8}))


class SeekerForm(forms.Form):
    skills = forms.CharField(label=_("My skills"), max_length=300, help_text=SKILLS_HELP)
    challenges = SafeMultipleChoice(
        label=_("Challenges I prefer"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if any challenge suits you."),
        error_messages={"invalid_choice": _("Choose challenges of this edition."),
                        "invalid_pk_value": _("Choose challenges of this edition.")},
    )
    message = forms.CharField(
        label=_("A few words about me (optional)"), required=False, max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenges"].queryset = edition.challenges.all()


class BoardFilterForm(forms.Form):
    challenge = forms.ChoiceField(label=_("Challenge"), required=False)
    skill = forms.CharField(label=_("Skill"), required=False, max_length=60)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenges = {c.slug: c for c in edition.challenges.all()}
        self.fields["challenge"].choices = [("", _("All challenges"))] + [
            (c.slug, c.title) for c in self.challenges.values()
        ]

    def chosen(self):
        """(challenge or None, skill) from valid input; no filter where the input is not."""
        if not self.is_valid():
            return None, ""
        return self.challenges.get(self.cleaned_data["challenge"]), self.cleaned_data["skill"].strip()


class SettingsForm(forms.ModelForm):
    class Meta:
        model = TeamSettings
        fields = ["max_team_size", "teams_per_person", "room_url_pattern"]
