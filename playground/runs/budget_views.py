"""Budget pages: admins set any team's or user's monthly budget; owners set their team's.

Thin views: the permission checks and the input rules are in runs/budgets.py.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from playground.http import AuthenticatedHttpRequest
from playground.runs import budgets
from playground.runs.models import Budget
from playground.runs.selectors import is_admin
from playground.teams.models import Membership, Team


@login_required
def budget_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Admins: every budget with this month's spend, and the forms to set more. Everyone
    else: their own budget and their teams', to read (owners set theirs on the team page)."""
    if not is_admin(request.user):
        memberships = Membership.objects.filter(user_id=request.user.pk).select_related("team")
        return render(
            request,
            "runs/my_budgets.html",
            {
                "mine": budgets.budget_summary(user=request.user),
                "teams": [
                    (membership.team, budgets.budget_summary(team=membership.team))
                    for membership in memberships.order_by("team__name")
                ],
            },
        )
    rows = [
        budgets.budget_summary(team=budget.team, user=budget.user)
        for budget in Budget.objects.select_related("team", "user").order_by(
            "team__name", "user__username"
        )
    ]
    return render(
        request,
        "runs/budgets.html",
        {
            "rows": rows,
            "teams": Team.objects.select_related("budget").order_by("name"),
            "field": budgets.FIELD_LABEL,
        },
    )


@require_POST
@login_required
def team_budget_set(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    team = Team.objects.filter(pk=team_id).first()
    # Someone outside the team (and no admin) is not told that it exists.
    if team is None or not (
        is_admin(request.user)
        or Membership.objects.filter(team=team, user_id=request.user.pk).exists()
    ):
        raise Http404("No team of yours has this id.")
    # A member who is not an owner: PermissionDenied from the service, a 403.
    _set(request, team=team, user=None, name=_("the team %(name)s") % {"name": team.name})
    return _back(request, default=("team-detail", {"team_id": team.pk}))


@require_POST
@login_required
def user_budget_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise Http404("No such page.")
    username = request.POST.get("username", "").strip()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        # Translators: "username" is the form field's name, kept as it is written.
        messages.error(
            request, _("username: no user is named “%(name)s”.") % {"name": username[:150]}
        )
    else:
        _set(request, team=None, user=user, name=user.get_username())
    return _back(request, default=("budget-list", {}))


def _set(request: AuthenticatedHttpRequest, *, team: Team | None, user: Any, name: str) -> None:
    try:
        budget = budgets.budget_set(
            actor=request.user,
            team=team,
            user=user,
            monthly_usd=request.POST.get(budgets.FIELD, ""),
        )
    except budgets.BudgetInputInvalid as invalid:
        for field, message in invalid.errors.items():
            messages.error(
                request, _("%(field)s: %(problem)s") % {"field": field, "problem": message}
            )
        return
    if budget is None:
        messages.success(request, _("Removed the monthly budget of %(name)s.") % {"name": name})
    else:
        amount = budgets.dollars(budget.monthly_usd)
        messages.success(
            request,
            _("The monthly budget of %(name)s is %(amount)s.") % {"name": name, "amount": amount},
        )


def _back(
    request: AuthenticatedHttpRequest, *, default: tuple[str, dict[str, Any]]
) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default[0], **default[1])
