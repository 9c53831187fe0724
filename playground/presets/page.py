"""What the playground page needs from presets: the open preset and the save controls."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from playground.presets import permissions, selectors
from playground.presets.models import Preset, Visibility
from playground.presets.services import PresetNotFound, Visitor
from playground.providerconfig.lookup import provider_names
from playground.teams.selectors import teams_where_user_edits


def save_controls_context(
    user: Visitor, preset: Preset | None, version: int | None
) -> dict[str, Any]:
    """Context for templates/presets/_save_controls.html."""
    return {
        "open_preset": preset,
        "open_version": version,
        "can_save_version": preset is not None and permissions.can_save_version(user, preset),
        # Only where the user may save presets (presets.services._team_clean refuses others).
        "teams": list(teams_where_user_edits(user=user)) if user.is_authenticated else [],
        "visibility_choices": Visibility.choices,
    }


def playground_preset_context(request: HttpRequest) -> dict[str, Any]:
    """``/?preset=<uuid>&version=N`` opens that version in the editor, if the user may open it.

    A preset the user may not open gets the same notice as one that does not exist.
    """
    preset_id = request.GET.get("preset")
    context: dict[str, Any] = save_controls_context(request.user, None, None)
    if not preset_id:
        return context
    link = request.GET.get("link") or None
    try:
        preset = selectors.preset_get(user=request.user, preset_id=preset_id, link_token=link)
        if not permissions.can_open(request.user, preset, link):
            raise PresetNotFound()
        version = selectors.preset_version_get(preset=preset, number=request.GET.get("version"))
    except PresetNotFound:
        context["preset_notice"] = _("No preset you may open has this id and version.")
        return context
    context.update(save_controls_context(request.user, preset, version.number))
    context["preset_request"] = version.request
    context["preset_link"] = link
    provider = version.request.get("provider", "")
    # The environment's providers and the stored ones this user may use.
    if provider not in provider_names(request.user):
        context["missing_provider"] = provider
    return context
