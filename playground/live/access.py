"""Who watches a run and who stops it.

Watching follows the run's history entry (``runs.selectors``: its owner, the members of the
team whose preset it ran, admins), whether it is still running or already a row. Stopping a
run from a watcher's page is for its owner and the owners of its team, checked here, on the
watcher's process, before the runner is asked.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from playground.live.links import LiveRunRef, live_ref
from playground.runs.models import Run
from playground.runs.selectors import RunNotFound, run_get, run_visible_to
from playground.teams.models import Membership, Role, Team


@dataclass(frozen=True)
class LiveWatch:
    """A running run the user may watch, as its link names it."""

    ref: LiveRunRef
    may_stop: bool
    owner_name: str
    team_name: str


def may_stop(*, user: AbstractBaseUser | Any, owner_id: int | None, team_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if owner_id is not None and owner_id == user.pk:
        return True
    return (
        team_id is not None
        and Membership.objects.filter(team_id=team_id, user_id=user.pk, role=Role.OWNER).exists()
    )


def watch_target(
    *, user: AbstractBaseUser | Any, run_id: Any, token: str | None
) -> Run | LiveWatch | None:
    """The run's row if it has ended (and the user sees it), else the live run the token
    names if the user may watch it, else None (no such run, or not for this user: one answer)."""
    try:
        return run_get(user=user, run_id=run_id)
    except RunNotFound:
        pass
    ref = live_ref(run_id, token)
    if ref is None or not run_visible_to(user=user, owner_id=ref.owner_id, team_id=ref.team_id):
        return None
    owner = (
        get_user_model().objects.filter(pk=ref.owner_id).first()
        if ref.owner_id is not None
        else None
    )
    team = Team.objects.filter(pk=ref.team_id).first() if ref.team_id is not None else None
    return LiveWatch(
        ref=ref,
        may_stop=may_stop(user=user, owner_id=ref.owner_id, team_id=ref.team_id),
        owner_name=owner.get_username() if owner is not None else "a deleted user",
        team_name=team.name if team is not None else "",
    )
