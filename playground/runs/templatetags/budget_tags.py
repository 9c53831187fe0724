"""The team page's budget block, as a tag: the teams package does not import the runs one
(runs already imports teams), and the block's queries stay with the budgets."""

from typing import Any

from django import template

from playground.runs.budgets import budget_summary, may_set_team_budget
from playground.runs.selectors import is_admin
from playground.teams.models import Team

register = template.Library()


@register.inclusion_tag("runs/_team_budget.html", takes_context=True)
def team_budget(context: template.Context, team: Team) -> dict[str, Any]:
    user = context["request"].user
    return {
        "team": team,
        "budget": budget_summary(team=team),
        "may_set_budget": may_set_team_budget(actor=user, team=team),
        "admin": is_admin(user),
        "csrf_token": context.get("csrf_token"),
    }
