"""The team page: my teams; owners add and remove members and set roles. Thin views."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from playground.http import AuthenticatedHttpRequest
from playground.teams import selectors, services
from playground.teams.models import Role, Team


@login_required
def team_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            team = services.team_create(creator=request.user, name=request.POST.get("name", ""))
        except services.TeamInputInvalid as invalid:
            for field, message in invalid.errors.items():
                messages.error(request, f"{field}: {message}")
        else:
            messages.success(request, f"Created the team “{team.name}”; you are its owner.")
            return redirect("team-detail", team_id=team.pk)
    memberships = selectors.memberships_for_user(user=request.user)
    return render(request, "teams/list.html", {"memberships": memberships})


@login_required
def team_detail(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    team, role = _team_or_404(request, team_id)
    members = team.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "teams/detail.html",
        {"team": team, "role": role, "members": members, "roles": Role.choices},
    )


def _team_or_404(request: AuthenticatedHttpRequest, team_id: Any) -> tuple[Team, str]:
    try:
        return selectors.team_get(user=request.user, team_id=team_id)
    except selectors.TeamNotFound:
        raise Http404("No team of yours has this id.") from None


def _member_action(
    request: AuthenticatedHttpRequest, team_id: int, perform: Callable[..., Any], done: str
) -> HttpResponse:
    team, _ = _team_or_404(request, team_id)
    try:
        perform(team)
    except services.TeamInputInvalid as invalid:
        for field, message in invalid.errors.items():
            messages.error(request, f"{field}: {message}")
    else:
        messages.success(request, done)
    return redirect("team-detail", team_id=team.pk)


@require_POST
@login_required
def member_add(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    return _member_action(
        request,
        team_id,
        lambda team: services.membership_add(
            actor=request.user,
            team=team,
            username=request.POST.get("username", ""),
            role=request.POST.get("role", ""),
        ),
        "Added the member.",
    )


@require_POST
@login_required
def account_create(request: AuthenticatedHttpRequest, team_id: int) -> HttpResponse:
    """An admin creates a user account and adds it to the team in one step."""
    role = request.POST.get("role", "")
    username = request.POST.get("username", "")
    return _member_action(
        request,
        team_id,
        lambda team: services.account_create(
            actor=request.user, team=team, data=request.POST, role=role
        ),
        f"Created the account {username} and added it as {role}.",
    )


@require_POST
@login_required
def member_set_role(request: AuthenticatedHttpRequest, team_id: int, user_id: int) -> HttpResponse:
    return _member_action(
        request,
        team_id,
        lambda team: services.membership_set_role(
            actor=request.user, team=team, user_id=user_id, role=request.POST.get("role", "")
        ),
        "Changed the role.",
    )


@require_POST
@login_required
def member_remove(request: AuthenticatedHttpRequest, team_id: int, user_id: int) -> HttpResponse:
    return _member_action(
        request,
        team_id,
        lambda team: services.membership_remove(actor=request.user, team=team, user_id=user_id),
        "Removed the member.",
    )
