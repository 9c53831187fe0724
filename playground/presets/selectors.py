"""Preset queries for a user: what they may see, search, the trash."""

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from playground.presets import permissions
from playground.presets.models import TRASH_RETENTION, Preset, PresetVersion, Visibility
from playground.presets.services import PresetNotFound
from playground.teams.models import Role

User = AbstractBaseUser | AnonymousUser

SCOPES = ("all", "mine", "team", "shared")


def _visible_q(user: AbstractBaseUser) -> Q:
    shared = ~Q(visibility=Visibility.PRIVATE) & Q(team__memberships__user_id=user.pk)
    return Q(owner_id=user.pk) | shared


def preset_list(
    *, user: User, query: str = "", scope: str = "all", team_id: Any = None
) -> QuerySet[Preset]:
    """Presets the user may see, newest version number annotated, filtered and searched.

    scope: ``mine`` (I own them), ``team`` (they belong to one of my teams), ``shared``
    (others share them with me through a team), or ``all``.
    """
    if not user.is_authenticated:
        return Preset.objects.none()
    presets = Preset.objects.filter(deleted_at__isnull=True).filter(_visible_q(user))
    if scope == "mine":
        presets = presets.filter(owner_id=user.pk)
    elif scope == "team":
        presets = presets.filter(team__memberships__user_id=user.pk).exclude(
            visibility=Visibility.PRIVATE
        )
    elif scope == "shared":
        presets = presets.exclude(owner_id=user.pk)
    if team_id and str(team_id).isdigit():
        presets = presets.filter(team_id=int(team_id))
    for word in query.split():
        presets = presets.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(tags__icontains=word)
            | Q(versions__request__body__model__icontains=word)
        )
    # The joins above can repeat a preset; ids through a subquery keep the annotation right.
    return (
        Preset.objects.filter(pk__in=presets.values("pk"))
        .select_related("owner", "team")
        .annotate(latest_version=Max("versions__number"))
        .order_by("name", "created_at")
    )


def _as_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise PresetNotFound() from None


def preset_get(*, user: User, preset_id: Any, link_token: str | None = None) -> Preset:
    """The preset, if the user may see it; otherwise PresetNotFound (a 404, never a 403)."""
    preset_id = _as_uuid(preset_id)
    preset = (
        Preset.objects.select_related("owner", "team", "forked_from")
        .filter(pk=preset_id, deleted_at__isnull=True)
        .first()
    )
    if preset is None or not permissions.can_view(user, preset, link_token):
        raise PresetNotFound()
    return preset


def preset_get_any(*, user: User, preset_id: Any, link_token: str | None = None) -> Preset:
    """Like preset_get, but also a preset in the trash when the user may restore it.

    Actions go through this so that a refused one answers 403 only to those who see it.
    """
    preset_id = _as_uuid(preset_id)
    preset = (
        Preset.objects.select_related("owner", "team")
        .filter(pk=preset_id)
        .filter(Q(deleted_at__isnull=True) | Q(deleted_at__gte=_trash_cutoff()))
        .first()
    )
    if preset is None:
        raise PresetNotFound()
    if not (
        permissions.can_view(user, preset, link_token) or permissions.can_restore(user, preset)
    ):
        raise PresetNotFound()
    return preset


def preset_version_get(*, preset: Preset, number: Any = None) -> PresetVersion:
    """A version by number, or the latest; PresetNotFound when there is no such number."""
    versions = preset.versions.select_related("author")
    if number in (None, ""):
        version = versions.order_by("-number").first()
    else:
        version = versions.filter(number=int(number)).first() if str(number).isdigit() else None
    if version is None:
        raise PresetNotFound()
    return version


def trash_list(*, user: User) -> QuerySet[Preset]:
    """Deleted presets the user may restore, still within the retention period."""
    if not user.is_authenticated:
        return Preset.objects.none()
    managed = Q(owner_id=user.pk) | (
        ~Q(visibility=Visibility.PRIVATE)
        & Q(team__memberships__user_id=user.pk, team__memberships__role=Role.OWNER)
    )
    ids = Preset.objects.filter(deleted_at__gte=_trash_cutoff()).filter(managed).values("pk")
    return Preset.objects.filter(pk__in=ids).select_related("owner", "team").order_by("-deleted_at")


def _trash_cutoff():
    return timezone.now() - TRASH_RETENTION
