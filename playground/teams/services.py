"""Team changes: create a team, add and remove members, set roles (team owners only)."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from playground.storable import unstorable_reason
from playground.teams.models import Membership, Role, Team

ACCOUNTS_REFUSED = gettext_lazy(
    "Only admins create accounts; add an existing user by name, or ask an admin."
)


class TeamInputInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


def _require_owner(*, actor: User, team: Team) -> None:
    """Lock the team, then check the actor owns it (call inside transaction.atomic).

    Every change to a team's members takes the team's row first, so two owners changing
    each other's roles at once queue here instead of deadlocking on each other's
    membership rows (PostgreSQL), and the second sees the first's change: it may have
    made its actor no longer an owner.
    """
    if not Team.objects.select_for_update().filter(pk=team.pk).exists():
        raise PermissionDenied(_("This team no longer exists."))
    if not Membership.objects.filter(team=team, user_id=actor.pk, role=Role.OWNER).exists():
        raise PermissionDenied(_("Only the team's owners manage its members."))


def _role_clean(role: Any) -> str:
    if role not in Role.values:
        raise TeamInputInvalid(
            {
                "role": _("%(role)s is not allowed (use %(allowed)s)")
                % {"role": repr(role), "allowed": ", ".join(Role.values)}
            }
        )
    return role


def _taken(name: str) -> str:
    return _("a team named %(name)s exists already") % {"name": repr(name)}


@transaction.atomic
def team_create(*, creator: User, name: str) -> Team:
    """A new team whose creator is its first owner."""
    name = " ".join(str(name or "").split())
    if reason := unstorable_reason(name):
        raise TeamInputInvalid({"name": reason})
    if not name:
        raise TeamInputInvalid({"name": _("must not be empty")})
    if len(name) > 200:
        raise TeamInputInvalid({"name": _("at most 200 characters")})
    if Team.objects.filter(name__iexact=name).exists():
        raise TeamInputInvalid({"name": _taken(name)})
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name)
    except IntegrityError:
        raise TeamInputInvalid({"name": _taken(name)}) from None
    Membership.objects.create(team=team, user=creator, role=Role.OWNER)
    return team


@transaction.atomic
def account_create(*, actor: User, team: Team, data: Mapping[str, Any], role: str) -> Membership:
    """A new user account (Django's own checks on the name and password), added to the team.

    For admins (the ``auth.add_user`` permission) who own the team: the small team page
    does what the Django admin does, without leaving it.
    """
    _require_owner(actor=actor, team=team)
    if not actor.has_perm("auth.add_user"):
        raise PermissionDenied(ACCOUNTS_REFUSED)
    role = _role_clean(role)
    form: UserCreationForm[User] = UserCreationForm(data)
    if not form.is_valid():
        raise TeamInputInvalid(
            {field: " ".join(map(str, messages)) for field, messages in form.errors.items()}
        )
    user = form.save()
    return Membership.objects.create(team=team, user=user, role=role)


@transaction.atomic
def membership_add(*, actor: User, team: Team, username: str, role: str) -> Membership:
    _require_owner(actor=actor, team=team)
    role = _role_clean(role)
    username = str(username).strip()
    # No stored name holds a NUL or a lone surrogate, and PostgreSQL refuses them in a query.
    users = get_user_model().objects
    user = None if unstorable_reason(username) else users.filter(username=username).first()
    if user is None:
        raise TeamInputInvalid({"username": _("no user named %(name)s") % {"name": repr(username)}})
    membership, created = Membership.objects.get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if not created:
        raise TeamInputInvalid(
            {"username": _("%(name)s is in the team already") % {"name": user.get_username()}}
        )
    return membership


@transaction.atomic
def membership_set_role(*, actor: User, team: Team, user_id: Any, role: str) -> Membership:
    _require_owner(actor=actor, team=team)
    role = _role_clean(role)
    membership = Membership.objects.select_for_update().filter(team=team, user_id=user_id).first()
    if membership is None:
        raise TeamInputInvalid({"member": _("not in this team")})
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(team=team)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor: User, team: Team, user_id: Any) -> None:
    _require_owner(actor=actor, team=team)
    membership = Membership.objects.select_for_update().filter(team=team, user_id=user_id).first()
    if membership is None:
        raise TeamInputInvalid({"member": _("not in this team")})
    if membership.role == Role.OWNER:
        _keep_an_owner(team=team)
    membership.delete()


def _keep_an_owner(*, team: Team) -> None:
    # A team without an owner could no longer be managed from the team page.
    owners = Membership.objects.select_for_update().filter(team=team, role=Role.OWNER)
    if len(owners) <= 1:
        raise TeamInputInvalid({"role": _("a team keeps at least one owner")})
