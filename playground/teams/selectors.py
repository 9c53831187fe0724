"""Team queries for a user."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from playground.teams.models import Membership, Role, Team


class TeamNotFound(Exception):
    """No team with this id that the user is a member of."""


def teams_for_user(*, user: AbstractBaseUser) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user_id=user.pk).order_by("name")


def teams_where_user_edits(*, user: AbstractBaseUser) -> QuerySet[Team]:
    """Teams where the user may put presets: those where they are an editor or an owner."""
    return Team.objects.filter(
        memberships__user_id=user.pk, memberships__role__in=[Role.OWNER, Role.EDITOR]
    ).order_by("name")


def memberships_for_user(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk).select_related("team").order_by("team__name")


def team_get(*, user: AbstractBaseUser, team_id: Any) -> tuple[Team, str]:
    """The team and the user's role in it; TeamNotFound for teams they are not in."""
    membership = (
        Membership.objects.select_related("team").filter(team_id=team_id, user_id=user.pk).first()
    )
    if membership is None:
        raise TeamNotFound()
    return membership.team, membership.role
