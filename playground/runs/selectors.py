"""Run queries for a user: which runs they may see, and one run by id.

Who sees a run: the user who ran it; the members of the team whose preset it ran; staff
(the admins) see all. Every page, search, download and command reads runs through here.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from playground.runs.models import Run


class RunNotFound(Exception):
    """No run the user may see has this id (the same answer for one that does not exist)."""


def is_admin(user: AbstractBaseUser | Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def run_visible_q(user: AbstractBaseUser | Any) -> Q:
    return Q(user_id=user.pk) | Q(team__memberships__user_id=user.pk)


def runs_visible(*, user: AbstractBaseUser | Any) -> QuerySet[Run]:
    """Every run the user may see, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Run.objects.none()
    if is_admin(user):
        return Run.objects.all()
    # A run is in at most one team, and a user is in it once: the join cannot repeat rows,
    # but a subquery keeps the query simple for the filters and aggregates added after it.
    return Run.objects.filter(pk__in=Run.objects.filter(run_visible_q(user)).values("pk"))


def run_get(*, user: AbstractBaseUser | Any, run_id: Any) -> Run:
    """The run with this id if the user may see it, else RunNotFound."""
    try:
        return runs_visible(user=user).select_related("user", "team", "preset").get(pk=run_id)
    except (Run.DoesNotExist, ValidationError, ValueError, TypeError) as missing:
        # A malformed id (not a UUID) is "no such run", not a 500.
        raise RunNotFound() from missing
