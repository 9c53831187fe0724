"""Who may see and change datasets and evaluations: the roles of presets.

The owner may do everything; a team's members see the team's datasets and evaluations,
its editors and owners change them; admins (staff) see all. Nobody else learns that
one exists (views answer 404).
"""

from typing import Any

from django.db.models import Q, QuerySet

from playground.evals.models import Dataset, Evaluation
from playground.runs.selectors import is_admin
from playground.teams.models import Membership, Role

EDITING_ROLES = (Role.EDITOR, Role.OWNER)


def _teams(user: Any, roles: tuple[str, ...] | None = None) -> list[int]:
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return list(memberships.values_list("team_id", flat=True))


def datasets_visible(*, user: Any) -> QuerySet[Dataset]:
    if not getattr(user, "is_authenticated", False):
        return Dataset.objects.none()
    if is_admin(user):
        return Dataset.objects.all()
    return Dataset.objects.filter(Q(owner_id=user.pk) | Q(team_id__in=_teams(user)))


def can_edit_dataset(user: Any, dataset: Dataset) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if dataset.owner_id == user.pk or is_admin(user):
        return True
    return dataset.team_id is not None and dataset.team_id in _teams(user, EDITING_ROLES)


def evaluations_visible(*, user: Any) -> QuerySet[Evaluation]:
    if not getattr(user, "is_authenticated", False):
        return Evaluation.objects.none()
    if is_admin(user):
        return Evaluation.objects.all()
    return Evaluation.objects.filter(Q(user_id=user.pk) | Q(team_id__in=_teams(user)))


def can_run_evaluation(user: Any, evaluation: Evaluation) -> bool:
    """Cancel, run again: who started it, the team's editors and owners, admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    if evaluation.user_id == user.pk or is_admin(user):
        return True
    return evaluation.team_id is not None and evaluation.team_id in _teams(user, EDITING_ROLES)


def editable_teams(user: Any) -> list[int]:
    """The teams whose datasets the user may create or change."""
    return _teams(user, EDITING_ROLES)
