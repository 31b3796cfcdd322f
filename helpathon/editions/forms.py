from django import forms
from django.utils.translation import gettext_lazy as _

from helpathon.editions.services import ANNOUNCEMENT_MAX


class AnnouncementForm(forms.Form):
    """The organizers' announcement. The service checks the text (empty, too long) after
    collapsing whitespace, so the form neither requires nor limits it: it carries the text and
    shows the service's errors beside the field. Its own checks only keep out what no text may
    hold (NUL characters) and absurd sizes."""

    text = forms.CharField(
        label=_("Text of the announcement"), required=False, max_length=10 * ANNOUNCEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone who has a page of this edition open sees it at once."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "announcement_%s")
        super().__init__(*args, **kwargs)
