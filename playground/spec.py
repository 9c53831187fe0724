"""The request object and the parameter spec: the one shape everything reads.

The data path is one straight line::

    form (htmx) ─► request JSON ─► validate_request() ─► RunRequest.body
        ─► provider.stream(body) ─► deltas ─► websocket ─► page

``RunRequest.body`` is exactly the JSON body sent upstream, in OpenAI's wire
format: parameters keep their wire names (``max_tokens``, ``top_p``) and a
parameter the user did not set is absent, never ``null``. Unknown keys in the
body pass through untouched (providers have their own extensions). Every
parameter is declared once, below, with its allowed range and help text; the
page's inputs, the server-side validation and its error messages read it.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MAX_STOP_SEQUENCES = 4


class RequestInvalid(Exception):
    """A request that must not reach the upstream; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str


class ChatBody(BaseModel):
    """The body of POST /chat/completions, as far as the playground knows it."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, description="Model name, as the provider spells it.")
    messages: list[Message] = Field(min_length=1, description="The conversation so far.")
    temperature: float | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Sampling temperature: higher is more random, 0 is nearly deterministic.",
        json_schema_extra={"step": 0.1, "label": "Temperature"},
    )
    top_p: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Nucleus sampling: only tokens within this probability mass are considered.",
        json_schema_extra={"step": 0.05, "label": "Top P"},
    )
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Upper bound on the tokens generated for the reply.",
        json_schema_extra={"step": 1, "label": "Max tokens"},
    )
    n: int | None = Field(default=None, ge=1, le=128, description="How many replies to generate.")
    stop: str | list[str] | None = Field(
        default=None, description="Up to 4 sequences where the reply stops."
    )
    seed: int | None = Field(default=None, description="Seed for best-effort determinism.")
    stream: bool | None = Field(default=None, description="Stream the reply as it is generated.")

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > MAX_STOP_SEQUENCES:
            raise ValueError(f"at most {MAX_STOP_SEQUENCES} stop sequences are allowed")
        return value


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["chat"] = "chat"
    provider: str = Field(min_length=1)
    body: ChatBody
    variables: dict[str, str] = Field(default_factory=dict)


# The sampling parameters the page shows as inputs, in this order.
FORM_PARAMETERS = ("temperature", "top_p", "max_tokens")


def parameter_inputs() -> list[dict[str, Any]]:
    """Describe the page's parameter inputs from the spec (name, label, min, max, step, help)."""
    inputs = []
    for name in FORM_PARAMETERS:
        field = ChatBody.model_fields[name]
        bounds = _bounds(field)
        extra = field.json_schema_extra or {}
        inputs.append(
            {
                "name": name,
                "label": extra.get("label", name),
                "min": bounds.get("ge"),
                "max": bounds.get("le"),
                "step": extra.get("step", "any"),
                "help": field.description,
            }
        )
    return inputs


def validate_request(data: Any) -> RunRequest:
    """Validate a request JSON value, or raise RequestInvalid naming each bad field."""
    if not isinstance(data, dict):
        raise RequestInvalid({"request": "must be a JSON object"})
    try:
        return RunRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestInvalid(_describe_errors(exc)) from None


def upstream_body(request: RunRequest) -> dict[str, Any]:
    """The JSON body sent upstream: what was set, with wire names, nothing else."""
    return request.body.model_dump(mode="json", exclude_unset=True)


def request_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """Turn the page's form values into a request JSON value (not yet validated).

    Messages arrive as ``messages-<i>-role`` / ``messages-<i>-content``; an empty
    parameter input means "not set", so it is left out of the body.
    """
    body: dict[str, Any] = {"model": _text(values.get("model"))}
    messages = []
    system = _text(values.get("system"))
    if system.strip():
        messages.append({"role": "system", "content": system})
    indexes = sorted(
        int(key.split("-")[1])
        for key in values
        if key.startswith("messages-") and key.endswith("-role") and key.split("-")[1].isdigit()
    )
    for i in indexes:
        messages.append(
            {
                "role": _text(values.get(f"messages-{i}-role")),
                "content": _text(values.get(f"messages-{i}-content")),
            }
        )
    body["messages"] = messages
    for name in FORM_PARAMETERS:
        raw = _text(values.get(name)).strip()
        if raw:
            body[name] = raw
    body["stream"] = True
    return {"mode": "chat", "provider": _text(values.get("provider")), "body": body}


def _text(value: Any) -> str:
    # htmx sends a repeated name as a list; the page never repeats one, so take the last.
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def _bounds(field: Any) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for constraint in field.metadata:
        for name in ("ge", "le", "gt", "lt", "min_length", "max_length"):
            if getattr(constraint, name, None) is not None:
                bounds[name] = getattr(constraint, name)
    return bounds


def _allowed(field_name: str) -> str | None:
    field = ChatBody.model_fields.get(field_name)
    if field is None:
        return None
    bounds = _bounds(field)
    if "ge" in bounds and "le" in bounds:
        return f"allowed: {bounds['ge']} to {bounds['le']}"
    if "ge" in bounds:
        return f"allowed: {bounds['ge']} or more"
    return None


def _describe_errors(exc: ValidationError) -> dict[str, str]:
    """One plain message per field, naming what is allowed."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        # Union types report one error per member; the first one per field is enough.
        loc = [part for part in loc if part not in {"str", "list[str]", "int", "float", "bool"}]
        if len(loc) > 1 and loc[0] == "body":
            loc = loc[1:]
        field = ".".join(loc) or "request"
        if field in errors:
            continue
        errors[field] = _message_for(field, error)
    return errors


def _message_for(field: str, error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    name = field.split(".")[-1]
    if kind == "missing":
        return "is required"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        allowed = _allowed(name) or error["msg"].lower()
        return f"{given!r} is out of range ({allowed})"
    if kind in {"float_parsing", "float_type"}:
        return f"must be a number, got {given!r} ({_allowed(name) or 'any number'})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number, got {given!r} ({_allowed(name) or 'any whole number'})"
    if kind == "literal_error":
        return f"{given!r} is not allowed ({error['msg'].replace('Input should be', 'use')})"
    if kind == "too_short" and name == "messages":
        return "add at least one message"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "extra_forbidden":
        return "is not a known request key (allowed: mode, provider, body, variables)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]
