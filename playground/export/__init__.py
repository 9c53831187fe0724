"""Export a request as runnable code: one module per language, each with ``render()``."""

import dataclasses
from typing import Any

from playground.export import curl, jsonbody, node, python
from playground.export.shared import Target, inline_target, target_for
from playground.modes import get_mode
from playground.spec import RequestInvalid, RunRequest, template_body, validate_request
from playground.variables import body_names

RENDERERS = {
    "python": python.render,
    "node": node.render,
    "curl": curl.render,
    "json": jsonbody.render,
}


def export(lang: str, data: Any, user: Any = None) -> str:
    """Validate a request JSON value and render it as ``lang`` (RequestInvalid if bad).

    ``user`` limits named providers to those the user may use (None: the server itself)."""
    provider = data.get("provider") if isinstance(data, dict) else None
    if not isinstance(provider, dict):
        request = validate_request(data)
        return RENDERERS[lang](
            request, _noting_variables(request, target_for(request.provider, user))
        )
    # An inline provider exists for export only; validation wants a name. Both parts'
    # mistakes are reported together.
    errors: dict[str, str] = {}
    try:
        request = validate_request({**data, "provider": "inline"})
    except RequestInvalid as invalid:
        errors |= invalid.errors
    try:
        target = inline_target(provider)
    except RequestInvalid as invalid:
        errors |= invalid.errors
    if errors:
        raise RequestInvalid(errors)
    return RENDERERS[lang](request, _noting_variables(request, target))


def _noting_variables(request: RunRequest, target: Target) -> Target:
    """The snippet sends the filled body; its comment names the variables filled in."""
    names = body_names(template_body(request), get_mode(request.mode).template_keys)
    if not names:
        return target
    filled = f"Sends the prompt with its variables filled in: {', '.join(names)}."
    return dataclasses.replace(target, note=f"{target.note} {filled}".strip())
