"""Preset queries for a user: what they may see, search, the trash."""

import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from playground.presets import permissions
from playground.presets.models import (
    TRASH_RETENTION,
    Preset,
    PresetLinkVisit,
    PresetVersion,
    Visibility,
)
from playground.presets.services import PresetNotFound, Visitor
from playground.row_ids import row_number
from playground.storable import without_unstorable
from playground.teams.models import Role, Team

SCOPES = ("all", "mine", "team", "shared")
MAX_SEARCH_WORDS = 20


def _visible_q(user: AbstractBaseUser) -> Q:
    shared = ~Q(visibility=Visibility.PRIVATE) & Q(team__memberships__user_id=user.pk)
    return Q(owner_id=user.pk) | shared | Q(pk__in=_live_visits(user).values("preset_id"))


def _live_visits(user: AbstractBaseUser) -> QuerySet[PresetLinkVisit]:
    """The user's link visits whose link still works: the same token, link sharing on.

    Unsharing clears the preset's token and a new link replaces it, so comparing the
    token seen with the current one is what permissions.can_view would answer.
    """
    return PresetLinkVisit.objects.filter(
        user_id=user.pk,
        preset__visibility=Visibility.LINK,
        link_token=F("preset__link_token"),
    )


def search_words(query: str) -> list[str]:
    """The words a search matches (each must match): unique, at most MAX_SEARCH_WORDS.

    Thousands of words made a query SQLite refuses ("Expression tree is too large").
    """
    # Nothing stored holds a NUL or a lone surrogate, and PostgreSQL refuses them in a query.
    words = list(dict.fromkeys(without_unstorable(query).split()))
    return words[:MAX_SEARCH_WORDS]


def preset_list(
    *, user: Visitor, query: str = "", scope: str = "all", team_id: Any = None
) -> QuerySet[Preset]:
    """Presets the user may see, newest version number annotated, filtered and searched.

    scope: ``mine`` (I own them), ``team`` (they belong to one of my teams), ``shared``
    (others share them with me through a team, or I opened them through their link), or
    ``all``. ``visit_link`` is the link token a preset opened through its link needs.
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
    team_number = row_number(team_id)
    if team_id and team_number is not None:
        presets = presets.filter(team_id=team_number)
    for word in search_words(query):
        # The model through a subquery: a join on versions per word would multiply the
        # rows by the number of versions once per word (seconds by the fifth word).
        with_model = PresetVersion.objects.filter(request__body__model__icontains=word)
        presets = presets.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(tags__icontains=word)
            | Q(pk__in=with_model.values("preset_id"))
        )
    # The joins above can repeat a preset; ids through a subquery keep the annotation right.
    visit_link = _live_visits(user).filter(preset_id=OuterRef("pk")).values("link_token")
    return (
        Preset.objects.filter(pk__in=presets.values("pk"))
        .select_related("owner", "team")
        .annotate(
            latest_version=Max("versions__number"),
            # When its newest version was saved: with the owner, team and short id, what
            # tells presets of one name apart.
            updated_at=Max("versions__created_at"),
            # Only for those the link alone lets in: owner and team members keep plain URLs.
            visit_link=Subquery(visit_link[:1]),
        )
        .order_by("name", "created_at")
    )


def _as_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise PresetNotFound() from None


def preset_get(*, user: Visitor, preset_id: Any, link_token: str | None = None) -> Preset:
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


def preset_get_any(*, user: Visitor, preset_id: Any, link_token: str | None = None) -> Preset:
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
        wanted = row_number(number)
        version = versions.filter(number=wanted).first() if wanted is not None else None
    if version is None:
        raise PresetNotFound()
    return version


def move_targets(*, user: Visitor, preset: Preset) -> list[Team]:
    """The teams the sharing form offers: where the user edits or owns, and the current one.

    The current team is listed even when the user only views it there, so that saving the
    sharing form unchanged never moves the preset by accident.
    """
    if not user.is_authenticated:
        return []
    allowed = Q(memberships__user_id=user.pk, memberships__role__in=[Role.OWNER, Role.EDITOR])
    current = Q(pk=preset.team_id) if preset.team_id else Q(pk__in=[])
    return list(Team.objects.filter(allowed | current).distinct().order_by("name"))


def trash_list(*, user: Visitor) -> QuerySet[Preset]:
    """Deleted presets the user may restore, still within the retention period."""
    if not user.is_authenticated:
        return Preset.objects.none()
    managed = Q(owner_id=user.pk) | (
        ~Q(visibility=Visibility.PRIVATE)
        & Q(team__memberships__user_id=user.pk, team__memberships__role=Role.OWNER)
    )
    ids = Preset.objects.filter(deleted_at__gte=_trash_cutoff()).filter(managed).values("pk")
    return Preset.objects.filter(pk__in=ids).select_related("owner", "team").order_by("-deleted_at")


def _trash_cutoff() -> datetime:
    return timezone.now() - TRASH_RETENTION
