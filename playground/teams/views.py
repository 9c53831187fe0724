"""The team page: my teams; owners add and remove members and set roles. Thin views."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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
            _flash_problems(request, invalid)
        else:
            messages.success(
                request, _("Created the team “%(name)s”; you are its owner.") % {"name": team.name}
            )
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
        {
            "team": team,
            "role": role,
            "role_label": Role(role).label,
            "members": members,
            "roles": Role.choices,
        },
    )


def _flash_problems(request: AuthenticatedHttpRequest, invalid: services.TeamInputInvalid) -> None:
    for field, message in invalid.errors.items():
        # Translators: a form field's name (as the form sends it), then what is wrong with it.
        messages.error(request, _("%(field)s: %(problem)s") % {"field": field, "problem": message})


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
        _flash_problems(request, invalid)
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
        _("Added the member."),
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
        _("Created the account %(name)s and added it as %(role)s.")
        # Lower case: the role inside a sentence ("added it as editor").
        % {
            "name": username,
            "role": str(Role(role).label).lower() if role in Role.values else role,
        },
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
        _("Changed the role."),
    )


@require_POST
@login_required
def member_remove(request: AuthenticatedHttpRequest, team_id: int, user_id: int) -> HttpResponse:
    return _member_action(
        request,
        team_id,
        lambda team: services.membership_remove(actor=request.user, team=team, user_id=user_id),
        _("Removed the member."),
    )
