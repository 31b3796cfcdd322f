"""Write limits per person, shared by the pages and the API (django-ratelimit).

The cache key is made of group and rate, so pages and API must use these same values to draw
on one budget per person.
"""

from django.utils.translation import gettext_lazy as _
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

IDEAS_GROUP, RATE_IDEAS = "ideas.write", "10/10m"
COMMENTS_GROUP, RATE_COMMENTS = "comments.write", "30/10m"

TOO_MANY_IDEAS = _("You have submitted many ideas in a short time. Please wait a few minutes.")
TOO_MANY_COMMENTS = _("You have written many comments in a short time. Please wait a few minutes.")


def limited(request, group: str, rate: str) -> bool:
    """Count this write (POST, PUT, PATCH or DELETE: pages and API share one counter) and say
    whether the person is over the limit."""
    return is_ratelimited(request, group=group, key="user", rate=rate, method=ALL, increment=True)

# Evaluation: generous enough for a real person in a voting rush, low enough to stop a script.
SUPPORTS_GROUP, RATE_SUPPORTS = "evaluation.support", "120/10m"
RATINGS_GROUP, RATE_RATINGS = "evaluation.rate", "200/10m"
COMPARISONS_GROUP, RATE_COMPARISONS = "evaluation.compare", "300/10m"

TOO_MANY_SUPPORTS = _("You have changed your supports very often in a short time. Please wait a few minutes.")
TOO_MANY_RATINGS = _("You have rated very often in a short time. Please wait a few minutes.")
TOO_MANY_COMPARISONS = _("You have compared very many pairs in a short time. Please wait a few minutes.")

# Teams and prototypes. Autosave posts a draft at most every 20 seconds while someone types.
TEAMS_GROUP, RATE_TEAMS = "teams.found", "20/h"
TEAM_REQUESTS_GROUP, RATE_TEAM_REQUESTS = "teams.request", "60/h"
PROTOTYPE_GROUP, RATE_PROTOTYPE = "teams.prototype", "240/10m"
UPLOADS_GROUP, RATE_UPLOADS = "teams.upload", "60/h"

TOO_MANY_TEAM_WRITES = _("You have done this very often in a short time. Please wait a few minutes.")
