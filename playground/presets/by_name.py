"""A preset by id or by name, as the user may run it (run_preset, evaluations, compare).

A name several presets share is refused, naming each candidate with what tells it apart
(owner, team, versions, last saved), never resolved to one of them silently.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from playground.presets import permissions, selectors
from playground.presets.models import Preset
from playground.presets.services import PresetNotFound


class AmbiguousPresetName(LookupError):
    """Several presets the user sees have this name; ``candidates`` are (id, details)."""

    def __init__(self, name: str, candidates: list[tuple[str, str]]) -> None:
        self.name = name
        self.candidates = candidates
        listed = ", ".join(f"{pk} ({details})" for pk, details in candidates)
        super().__init__(f"{self.headline()}: {listed}")

    def headline(self) -> str:
        return _(
            "%(count)s presets you may see are named %(name)s; give the id of the one you mean"
        ) % {"count": len(self.candidates), "name": repr(self.name)}


def preset_details(preset: Any, *, user: Any) -> str:
    """ "yours, no team, 2 versions, updated 2026-12-03 10:04 UTC" for a ``preset_list`` row."""
    owner = (
        _("yours")
        if preset.owner_id == user.pk
        else _("owner %(name)s") % {"name": preset.owner.get_username()}
    )
    team = _("team %(name)s") % {"name": preset.team.name} if preset.team else _("no team")
    versions = preset.latest_version or 0
    counted = ngettext("%(count)s version", "%(count)s versions", versions) % {"count": versions}
    updated = preset.updated_at or preset.created_at
    when = updated.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _("%(owner)s, %(team)s, %(versions)s, updated %(when)s") % {
        "owner": owner,
        "team": team,
        "versions": counted,
        "when": when,
    }


def preset_find(*, user: Any, name_or_id: str) -> Preset:
    """The preset with this id, or the one preset named so, that ``user`` may run;
    LookupError (AmbiguousPresetName for a shared name) says why there is none."""
    preset: Preset | None
    try:
        preset = selectors.preset_get(user=user, preset_id=name_or_id)
    except PresetNotFound:
        named = [p for p in selectors.preset_list(user=user) if p.name == name_or_id]
        if len(named) > 1:
            raise AmbiguousPresetName(
                name_or_id, [(str(p.pk), preset_details(p, user=user)) for p in named]
            ) from None
        preset = named[0] if named else None
    if preset is None or not permissions.can_run(user, preset):
        raise LookupError(
            _("no preset you may run is named or has the id %(name)s") % {"name": repr(name_or_id)}
        )
    return preset


def preset_request_for(user: Any) -> Callable[[str], dict[str, Any]]:
    """A lookup of the latest version's request of a preset ``user`` may run;
    LookupError says why there is none."""

    def lookup(name_or_id: str) -> dict[str, Any]:
        if user is None:
            raise LookupError(_("needs a user to read presets as (pass --user NAME)"))
        preset = preset_find(user=user, name_or_id=name_or_id)
        version = selectors.preset_version_get(preset=preset)
        return dict(version.request)

    return lookup
