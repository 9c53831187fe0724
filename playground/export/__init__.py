"""Export a request as runnable code: one module per language, each with ``render()``."""

from typing import Any

from playground.export import curl, jsonbody, node, python
from playground.export.shared import inline_target, target_for
from playground.spec import RequestInvalid, validate_request

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
        return RENDERERS[lang](request, target_for(request.provider, user))
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
    return RENDERERS[lang](request, target)
