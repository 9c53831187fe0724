"""The request object: its shape, its validation, and the body it sends upstream.

The data path is one straight line::

    form (htmx) ─► request JSON ─► validate_request() ─► RunRequest.body
        ─► provider (the mode's endpoint) ─► events ─► websocket ─► page

A request is ``{"mode", "provider", "body", "variables"}``. ``mode`` names a record of
the mode registry (``playground.modes``): its endpoint and its body model
(``playground.bodies``), which declares every parameter once with the API's allowed
range. ``RunRequest.body`` is exactly the JSON body sent upstream, in OpenAI's wire
format: parameters keep their wire names (``max_tokens``, ``top_p``) and a parameter
the user did not set is absent, never ``null``. Unknown keys in the body pass through
untouched (providers have their own extensions; ``extension_keys`` names them).
Errors name each bad field and what is allowed (``playground.spec_errors``).
"""

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from playground.bodies import WireBody
from playground.jsonpath import depth, path_text, walk
from playground.modes import DEFAULT_MODE, MODE_NAMES, REGISTRY, get_mode
from playground.spec_errors import FormInvalid, RequestInvalid, describe_errors
from playground.storable import first_lone_surrogate
from playground.variables import MissingVariables, fill_body

__all__ = [
    "FormInvalid",
    "RequestInvalid",
    "RunRequest",
    "edit_body",
    "edit_parts",
    "extension_keys",
    "input_texts",
    "template_body",
    "upstream_body",
    "validate_request",
]

# The registry's names as a Literal, so that an unknown mode is refused naming them all.
ModeName = Literal[MODE_NAMES]  # type: ignore[valid-type]


@dataclass(frozen=True)
class RunRequest:
    """A validated request: ``body`` is an instance of its endpoint's ``body_model``."""

    mode: str
    provider: str
    body: WireBody
    variables: dict[str, str] = field(default_factory=dict)


class _Envelope(BaseModel):
    """The request's outer keys, checked before the body is read with its mode's model."""

    model_config = ConfigDict(extra="forbid")

    mode: ModeName = DEFAULT_MODE
    provider: str = Field(min_length=1)
    body: dict[str, Any]
    variables: dict[str, str] = Field(default_factory=dict)


def validate_request(data: Any) -> RunRequest:
    """Validate a request JSON value, or raise RequestInvalid naming each bad field."""
    if not isinstance(data, dict):
        raise RequestInvalid({"request": _("must be a JSON object")})
    # JSON's "\ud800" escape reads as half a character: no frame, page or upstream body can
    # carry it (UTF-8 has no form for it), so it is named here rather than failing later.
    surrogate = first_lone_surrogate(data)
    if surrogate:
        raise RequestInvalid(dict([surrogate]))
    errors: dict[str, str] = {}
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        envelope = None
        errors.update(describe_errors(exc, _Envelope, prefix=()))
    name = data.get("mode", DEFAULT_MODE)
    # An unknown one (or not even text, such as a list): the envelope says.
    mode = REGISTRY.get(name) if isinstance(name, str) else None
    # The body picks its endpoint (an image body with an image to edit: /images/edits).
    given = data.get("body")
    body_model = (
        mode.endpoint_for(given).body_model
        if mode is not None and isinstance(given, dict)
        else None
    )
    body = None
    if isinstance(data.get("body"), dict):
        too_deep = too_deeply_nested(data["body"])
        if too_deep:
            raise RequestInvalid(too_deep)
    if body_model is not None and isinstance(data.get("body"), dict):
        non_finite = _non_finite_numbers(data["body"])
        try:
            body = body_model.model_validate(data["body"])
        except ValidationError as exc:
            errors.update(describe_errors(exc, body_model, prefix=("body",)))
        else:
            errors.update(body.consistency_errors())
        # After the field checks, so that this plainer message wins for the same field.
        errors.update(non_finite)
    if errors or envelope is None or body is None:
        raise RequestInvalid(errors or {"body": _("is required")})
    return RunRequest(
        mode=envelope.mode, provider=envelope.provider, body=body, variables=envelope.variables
    )


# pydantic cannot serialise a value nested about 255 levels deep; no provider parameter
# needs anywhere near this many.
MAX_VALUE_DEPTH = 200


def too_deeply_nested(body: dict[str, Any]) -> dict[str, str]:
    """The body's keys whose value is nested deeper than MAX_VALUE_DEPTH, by field path."""
    return {
        path_text(("body", key)): _("nested too deeply (at most %(levels)s levels)")
        % {"levels": MAX_VALUE_DEPTH}
        for key, value in body.items()
        if depth(value) > MAX_VALUE_DEPTH
    }


def _non_finite_numbers(body: dict[str, Any]) -> dict[str, str]:
    """NaN and ±Infinity anywhere in the body, by field path.

    Python's json module reads them, but they are not JSON: an extension such as
    ``top_k`` would reach the provider as ``null`` or as text it cannot parse.
    """
    return {
        path_text(path): "must be a finite number (JSON has no NaN or Infinity)"
        for path, value in walk(body)
        if isinstance(value, float) and not math.isfinite(value)
    }


def template_body(request: RunRequest) -> dict[str, Any]:
    """The body as written: what was set, with wire names, ``{{variables}}`` unfilled
    (what presets and the run record keep, beside the values)."""
    return request.body.model_dump(mode="json", exclude_unset=True, by_alias=True)


def upstream_body(request: RunRequest) -> dict[str, Any]:
    """The JSON body sent upstream: the template body with its variables filled.

    RequestInvalid names each variable the texts use without a value."""
    body = template_body(request)
    try:
        return fill_body(body, get_mode(request.mode).template_keys, request.variables)
    except MissingVariables as missing:
        raise RequestInvalid(
            {f"variables.{name}": str(MISSING_VARIABLE) for name in missing.names}
        ) from None


MISSING_VARIABLE = gettext_lazy(
    "has no value: give it one under Variables (to send the braces themselves, write \\{{)"
)


def extension_keys(mode: str, body: dict[str, Any]) -> list[str]:
    """Body keys the spec does not declare for ``mode``: passed through, shown as extensions."""
    declared = get_mode(mode).endpoint_for(body).body_model.model_fields
    return [key for key in body if key not in declared]


def edit_body(instruction: str, input: str, **params: Any) -> dict[str, Any]:
    """The chat body an edit sends: the instruction as system message, the input as user."""
    messages = [{"role": "system", "content": instruction}, {"role": "user", "content": input}]
    return {"model": params.pop("model", ""), "messages": messages, **params}


def edit_parts(body: dict[str, Any]) -> tuple[str, str]:
    """The instruction and input of an edit body (empty when absent)."""
    messages: list[dict[str, Any]] = body.get("messages") or []
    instruction = next((m for m in messages if m.get("role") == "system"), {}).get("content", "")
    text = next((m for m in messages if m.get("role") == "user"), {}).get("content", "")
    return (
        instruction if isinstance(instruction, str) else "",
        text if isinstance(text, str) else "",
    )


def input_texts(value: Any) -> list[str]:
    """An embeddings or moderation ``input`` as texts, one per input, whatever its shape:
    a string, strings, token ids (shown as their numbers) or content parts (an image part
    has no text: "")."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [" ".join(map(str, value))]
    texts = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, list):
            texts.append(" ".join(map(str, item)))
        elif isinstance(item, dict):
            texts.append(str(item.get("text", "")))
    return texts
