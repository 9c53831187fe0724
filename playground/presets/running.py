"""Resolve ``{"action": "run", "preset": "<uuid>", "version": N}`` for the run websocket."""

from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.presets import permissions, selectors
from playground.presets.services import PresetNotFound, Visitor
from playground.row_ids import row_number

# One message for "no such preset", "no such version" and "not yours to read",
# so the socket cannot be used to learn which ids exist.
UNAVAILABLE = gettext_noop("No preset you may read has this id and version.")


class PresetUnavailable(Exception):
    def __init__(self) -> None:
        super().__init__(_(UNAVAILABLE))


@dataclass(frozen=True)
class PresetRun:
    """A preset version about to run: its request, and what the run record names."""

    request: dict[str, Any]
    preset_id: Any
    version: int
    team_id: int | None


def preset_request_for_run(
    *,
    user: Visitor,
    preset_id: Any,
    version: Any = None,
    link_token: str | None = None,
) -> PresetRun:
    """The stored request JSON of a preset version the user may run, else PresetUnavailable."""
    try:
        preset = selectors.preset_get(user=user, preset_id=preset_id, link_token=link_token)
        if not permissions.can_run(user, preset, link_token):
            raise PresetNotFound()
        stored = selectors.preset_version_get(preset=preset, number=_version_number(version))
    except PresetNotFound:
        raise PresetUnavailable() from None
    return PresetRun(
        request=stored.request, preset_id=preset.pk, version=stored.number, team_id=preset.team_id
    )


def _version_number(version: Any) -> int | None:
    """N as a number, or as the digits a page's form sends ("3"); None means the latest."""
    if version is None:
        return None
    number = row_number(version)
    if number is None:
        raise PresetNotFound()
    return number


preset_request_for_run_async = database_sync_to_async(preset_request_for_run)
