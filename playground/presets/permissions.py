"""Who may do what with a preset: plain yes/no answers that views, consumers and tests share.

Roles, from the preset's point of view:

- the preset's owner may do everything;
- members of the preset's team see it once it is shared (visibility ``team`` or ``link``):
  viewers read, open, run, fork and export it; editors also save versions; team owners
  also rename, share, move to another team, delete and restore it;
- anyone signed in who holds the read-only link (visibility ``link``) may read, open,
  fork and export it; signed-out visitors only read and export it, and only when the
  owner allowed that;
- nobody else learns that it exists (views answer 404, not 403).

A remembered link visit (``PresetLinkVisit``) only lists the preset for its visitor, with
the token seen; every page still asks for the token, checked here.

A preset in the trash is seen only by those who may restore it.
"""

import secrets

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from playground.presets.models import Preset, Visibility
from playground.teams.models import Membership, Role

User = AbstractBaseUser | AnonymousUser


def team_role(user: User, preset: Preset) -> str | None:
    """The user's role in the preset's team, or None when there is no team or no membership."""
    if not user.is_authenticated or preset.team_id is None:
        return None
    return (
        Membership.objects.filter(team_id=preset.team_id, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


def _is_owner(user: User, preset: Preset) -> bool:
    return user.is_authenticated and preset.owner_id == user.pk


def _shared_role(user: User, preset: Preset) -> str | None:
    """The team role that counts: only once the owner shared the preset with the team."""
    if preset.visibility == Visibility.PRIVATE:
        return None
    return team_role(user, preset)


def _holds_link(user: User, preset: Preset, link_token: str | None) -> bool:
    if preset.visibility != Visibility.LINK or not preset.link_token or not link_token:
        return False
    if not link_token.isascii():
        return False  # compare_digest refuses non-ASCII text; no token of ours has any
    if not secrets.compare_digest(preset.link_token, link_token):
        return False
    return user.is_authenticated or preset.link_allows_anonymous


def _manages(user: User, preset: Preset) -> bool:
    return _is_owner(user, preset) or _shared_role(user, preset) == Role.OWNER


def can_view(user: User, preset: Preset, link_token: str | None = None) -> bool:
    if preset.deleted_at is not None:
        return False
    return (
        _is_owner(user, preset)
        or _shared_role(user, preset) is not None
        or _holds_link(user, preset, link_token)
    )


def only_through_link(user: User, preset: Preset, link_token: str | None) -> bool:
    """A signed-in user whom the link, and nothing else, lets read the preset.

    Such a visit is remembered so the list can show the preset again; the owner and the
    team's members see it anyway and are not.
    """
    return (
        user.is_authenticated
        and preset.deleted_at is None
        and _holds_link(user, preset, link_token)
        and not _is_owner(user, preset)
        and _shared_role(user, preset) is None
    )


def can_open(user: User, preset: Preset, link_token: str | None = None) -> bool:
    """Open into the editor: the playground needs a signed-in user."""
    return user.is_authenticated and can_view(user, preset, link_token)


def can_run(user: User, preset: Preset, link_token: str | None = None) -> bool:
    """Run a saved version as it is (the run websocket): reading is enough, signed in."""
    return can_open(user, preset, link_token)


def can_export(user: User, preset: Preset, link_token: str | None = None) -> bool:
    # An export shows nothing the preset page does not already show.
    return can_view(user, preset, link_token)


def can_fork(user: User, preset: Preset, link_token: str | None = None) -> bool:
    return user.is_authenticated and can_view(user, preset, link_token)


def can_save_version(user: User, preset: Preset, link_token: str | None = None) -> bool:
    if preset.deleted_at is not None:
        return False
    return _is_owner(user, preset) or _shared_role(user, preset) in {Role.OWNER, Role.EDITOR}


def can_rename(user: User, preset: Preset, link_token: str | None = None) -> bool:
    return preset.deleted_at is None and _manages(user, preset)


def can_share(user: User, preset: Preset, link_token: str | None = None) -> bool:
    return preset.deleted_at is None and _manages(user, preset)


def can_move(user: User, preset: Preset, link_token: str | None = None) -> bool:
    """Move to another team: the preset's owner, or an owner of the team it is shared with.

    Where it may go is the service's question: a team where the mover edits or owns.
    """
    return preset.deleted_at is None and _manages(user, preset)


def can_delete(user: User, preset: Preset, link_token: str | None = None) -> bool:
    return preset.deleted_at is None and _manages(user, preset)


def can_restore(user: User, preset: Preset, link_token: str | None = None) -> bool:
    """Restore from the trash (the caller's selector hides presets past the 30 days)."""
    return preset.deleted_at is not None and _manages(user, preset)
