"""A preset's request by id or by name, as the user may run it (evaluations, compare)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from playground.presets import permissions, selectors
from playground.presets.models import Preset
from playground.presets.services import PresetNotFound


def preset_request_for(user: Any) -> Callable[[str], dict[str, Any]]:
    """A lookup of the latest version's request of a preset ``user`` may run;
    LookupError says why there is none."""

    def lookup(name_or_id: str) -> dict[str, Any]:
        if user is None:
            raise LookupError(_("needs a user to read presets as (pass --user NAME)"))
        preset: Preset | None
        try:
            preset = selectors.preset_get(user=user, preset_id=name_or_id)
        except PresetNotFound:
            named = [p for p in selectors.preset_list(user=user) if p.name == name_or_id]
            if len(named) > 1:
                ids = ", ".join(str(p.pk) for p in named)
                raise LookupError(
                    _("several presets are named %(name)s; give the id (%(ids)s)")
                    % {"name": repr(name_or_id), "ids": ids}
                ) from None
            preset = named[0] if named else None
        if preset is None or not permissions.can_run(user, preset):
            raise LookupError(
                _("no preset you may run is named or has the id %(name)s")
                % {"name": repr(name_or_id)}
            )
        version = selectors.preset_version_get(preset=preset)
        return dict(version.request)

    return lookup
