"""The teams working on an idea, and the link to found one, for the idea page."""

from django import template

from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.teams import selectors

register = template.Library()


@register.inclusion_tag("teams/_idea_teams.html", takes_context=True)
def idea_teams(context, edition, idea):
    user = context["request"].user
    return {
        "edition": edition,
        "idea": idea,
        "teams": list(selectors.teams_of(edition).filter(ideas=idea)),
        "can_found": idea.hidden_at is None and idea.status != "merged" and may(user, Action.CREATE_TEAM, idea),
    }
