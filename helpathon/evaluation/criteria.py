"""The default criteria: keys with names and explanations in the reader's language."""

from django.utils.translation import gettext, gettext_lazy as _

DEFAULTS = (
    # key, name, explanation, weight
    ("impact", _("Impact"), _("How much would it improve life or business in the city?"), 1.0),
    ("feasibility", _("Feasibility"), _("Could it be done with the means at hand, soon?"), 1.0),
    ("novelty", _("Novelty"), _("Is it new here, or a new combination?"), 1.0),
    ("sustainability", _("Sustainability"), _("Will it last, socially, economically and ecologically?"), 1.0),
)
_BY_KEY = {key: (name, text) for key, name, text, _weight in DEFAULTS}


def default_label(key: str) -> str:
    return gettext(_BY_KEY[key][0]) if key in _BY_KEY else key


def default_help(key: str) -> str:
    return gettext(_BY_KEY[key][1]) if key in _BY_KEY else ""
