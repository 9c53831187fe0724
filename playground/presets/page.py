"""What the playground page needs from presets: the open preset and the save controls."""

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from playground import spec
from playground.presets import permissions, selectors
from playground.presets.models import Preset, Visibility
from playground.presets.services import PresetNotFound
from playground.teams.selectors import teams_for_user

User = AbstractBaseUser | AnonymousUser


def request_from_page(values: dict[str, Any]) -> dict[str, Any]:
    """The request the page's form describes, with the parts of the opened preset it lacks.

    When the page opens a preset, presets.js puts every part of the request that the
    form has no input for (``seed`` on a page without a seed input, ``variables``…) in
    the hidden field ``preset_extra``, so that saving from the form does not lose them.
    What the form sets wins; the result is validated like any request.
    """
    request = spec.request_from_form(values)
    raw = values.get("preset_extra") or ""
    if not raw:
        return request
    try:
        extra = json.loads(raw)
    except ValueError:
        raise spec.RequestInvalid(
            {"preset_extra": "is not valid JSON; reopen the preset"}
        ) from None
    if not isinstance(extra, dict):
        raise spec.RequestInvalid({"preset_extra": "must be a JSON object; reopen the preset"})
    body_extra = extra.get("body") or {}
    if isinstance(body_extra, dict):
        # What the form sets wins; the hidden parts only fill what it has no input for.
        request["body"] = {**body_extra, **request["body"]}
    if extra.get("variables"):
        request["variables"] = extra["variables"]
    return request


def save_controls_context(user: User, preset: Preset | None, version: int | None) -> dict:
    """Context for templates/presets/_save_controls.html."""
    return {
        "open_preset": preset,
        "open_version": version,
        "can_save_version": preset is not None and permissions.can_save_version(user, preset),
        "teams": list(teams_for_user(user=user)) if user.is_authenticated else [],
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
        context["preset_notice"] = "No preset you may open has this id and version."
        return context
    context.update(save_controls_context(request.user, preset, version.number))
    context["preset_request"] = version.request
    context["preset_link"] = link
    provider = version.request.get("provider", "")
    if provider not in settings.PLAYGROUND_PROVIDERS:
        context["missing_provider"] = provider
    return context
