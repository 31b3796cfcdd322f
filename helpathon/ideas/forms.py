import re

from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.ideas.models import Idea
from helpathon.ideas import selectors
from helpathon.ideas.selectors import SORTS


class IdeaForm(forms.Form):
    challenge = forms.ModelChoiceField(label=_("Challenge"), queryset=None, empty_label="—")
    title = forms.CharField(label=_("Title"), max_length=160, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    body = forms.CharField(
        label=_("Description"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What is the problem, what is your idea, who would benefit? Markdown is supported."),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=400,
        help_text=_("Up to 8 keywords, separated by commas."),
    )
    builds_on = forms.CharField(
        label=_("Builds on ideas"), required=False, max_length=200,
        help_text=_("Numbers of ideas yours builds on, e.g. 12, 40 (shown as #12 on every idea)."),
    )
    note = forms.CharField(label=_("What did you change?"), required=False, max_length=200)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, edition, idea: Idea | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.idea = idea
        self.fields["challenge"].queryset = edition.challenges.all()
        if idea is not None:
            # An idea stays in its challenge; the edit form does not offer to move it.
            del self.fields["challenge"]
        else:
            del self.fields["note"]
            del self.fields["base_version"]

    def clean_tags(self):
        return [t for t in re.split(r"[,;]", self.cleaned_data["tags"]) if t.strip()]

    def clean_builds_on(self):
        raw = self.cleaned_data["builds_on"]
        extra = self.data.getlist("builds_on_pick") if hasattr(self.data, "getlist") else []
        numbers = re.findall(r"\d+", raw + " " + " ".join(extra))
        if re.sub(r"[\s,;#\d]", "", raw):
            raise forms.ValidationError(_("Please enter idea numbers only, e.g. 12, 40."))
        ids = sorted({int(n) for n in numbers if len(n) < 10} - {self.idea.pk if self.idea else None})
        found = selectors.ideas_by_ids(self.edition, ids)
        missing = sorted(set(ids) - {i.pk for i in found})
        if missing:
            raise forms.ValidationError(
                _("There is no idea %(numbers)s in this edition.") % {"numbers": ", ".join(f"#{n}" for n in missing)}
            )
        return found


class FilterForm(forms.Form):
    """The list filters; bad values fall back to defaults instead of failing."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    challenge = forms.CharField(required=False, max_length=80)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All open for discussion"))] + list(Idea.Status.choices)
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[("new", _("Newest")), ("supported", _("Most supported")), ("discussed", _("Most discussed")),
                 ("random", _("Random order"))],
    )
    seed = forms.IntegerField(required=False, min_value=0, max_value=99_999)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def value(self, name, default):
        # Invalid fields drop out of cleaned_data; the others still apply.
        self.is_valid()
        return self.cleaned_data.get(name) or default


assert set(dict(FilterForm.base_fields["sort"].choices)) == set(SORTS)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Merge into idea number"), min_value=1, help_text=_("The number of the idea that stays, e.g. 12.")
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(v, label) for v, label in Idea.Status.choices if v != Idea.Status.MERGED],
    )
