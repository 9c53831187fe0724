"""The request object and the parameter spec: the one shape everything reads.

The data path is one straight line::

    form (htmx) ─► request JSON ─► validate_request() ─► RunRequest.body
        ─► provider (endpoint_path(request)) ─► events ─► websocket ─► page

A request is ``{"mode", "provider", "body", "variables"}``. ``mode`` picks the
endpoint (``ENDPOINTS``) and the body model (``BODY_MODELS``): chat and edit go
to /chat/completions (an edit is a chat body built from an instruction and an
input), completion to /completions, embedding to /embeddings, moderation to
/moderations. ``RunRequest.body`` is exactly the JSON body sent upstream, in
OpenAI's wire format: parameters keep their wire names (``max_tokens``,
``top_p``) and a parameter the user did not set is absent, never ``null``.
Unknown keys in the body pass through untouched (providers have their own
extensions; ``extension_keys`` names them). Every parameter is declared once,
below, with the API's allowed range and help text; the page's inputs, the
server-side validation and its error messages read it.
"""

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from playground.capabilities import CHAT_MODES, REASONING_REFUSED
from playground.spec_parts import (
    ROLES,
    AssistantMessage,
    AudioOutput,
    Message,
    ModerationOptions,
    ModerationPart,
    Prediction,
    PromptCacheOptions,
    ResponseFormat,
    StreamOptions,
    Tool,
    ToolChoice,
    ToolMessage,
    WebSearchOptions,
    check_logit_bias,
    check_metadata,
)

MAX_STOP_SEQUENCES = 4
MAX_EMBEDDING_INPUTS = 2048
MAX_REPORTED_ERRORS = 12
Mode = Literal["chat", "completion", "edit", "embedding", "moderation"]
MODES: tuple[str, ...] = ("chat", "completion", "edit", "embedding", "moderation")
ENDPOINTS = {
    "chat": "/chat/completions",
    "edit": "/chat/completions",
    "completion": "/completions",
    "embedding": "/embeddings",
    "moderation": "/moderations",
}
# Modes whose answer streams token by token (the others answer with one JSON object).
GENERATING_MODES = frozenset({"chat", "edit", "completion"})


class RequestInvalid(Exception):
    """A request that must not reach the upstream; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


# --- parameters shared by several bodies (one factory each, so each model gets its own) ---


def _param(description: str, label: str, input: str = "number", **kwargs: Any) -> Any:
    extra: dict[str, Any] = {"label": label, "input": input}
    extra.update(kwargs.pop("extra", {}))
    return Field(default=None, description=description, json_schema_extra=extra, **kwargs)


def _temperature() -> Any:
    return _param(
        "Sampling temperature: higher is more random, 0 is nearly deterministic.",
        "Temperature",
        ge=0,
        le=2,
        extra={"step": 0.1},
    )


def _top_p() -> Any:
    return _param(
        "Nucleus sampling: only tokens within this probability mass are considered.",
        "Top P",
        ge=0,
        le=1,
        extra={"step": 0.05},
    )


def _n() -> Any:
    return _param(
        "How many replies to generate, each in its own column.", "Candidates", ge=1, le=128
    )


def _stop() -> Any:
    return _param(
        "Up to 4 sequences where the reply stops: one per line, or a JSON list.",
        "Stop sequences",
        input="stop",
    )


def _penalty(which: str) -> Any:
    text = {
        "presence": "Positive values push the model towards new topics.",
        "frequency": "Positive values discourage repeating the same words.",
    }[which]
    return _param(text, f"{which.title()} penalty", ge=-2, le=2, extra={"step": 0.1})


def _seed() -> Any:
    return _param(
        "Seed for best-effort determinism.",
        "Seed",
        ge=-(2**63),
        le=2**63 - 1,
        extra={"step": 1},
    )


def _logit_bias() -> Any:
    return _param(
        'Token id → bias from -100 to 100, as JSON: {"50256": -100} bans that token.',
        "Logit bias",
        input="json",
    )


def _user() -> Any:
    return _param("An id for your end user, for the provider's abuse monitoring.", "User", "text")


def _stream() -> Any:
    return _param("Stream the reply as it is generated.", "Stream", "bool")


def _stream_options() -> Any:
    return _param(
        "Streaming options; include_usage adds a last chunk with token counts.",
        "Stream options",
        "json",
    )


def _model() -> Any:
    return Field(min_length=1, description="Model name, as the provider spells it.")


def _max_tokens(minimum: int = 1) -> Any:
    return _param(
        "Upper bound on the tokens generated for the reply.",
        "Max tokens",
        ge=minimum,
        extra={"step": 1},
    )


class WireBody(BaseModel):
    """A request body: declared parameters checked, unknown keys passed through."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def consistency_errors(self) -> dict[str, str]:
        """Rules between parameters that a single field cannot express."""
        return {}

    @field_validator("logit_bias", check_fields=False)
    @classmethod
    def _logit_bias_ids_and_range(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_logit_bias(value)

    @field_validator("stop", check_fields=False)
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > MAX_STOP_SEQUENCES:
            raise ValueError(f"at most {MAX_STOP_SEQUENCES} stop sequences are allowed")
        return value


def _stream_options_need_stream(body: WireBody) -> dict[str, str]:
    if getattr(body, "stream_options", None) is not None and not getattr(body, "stream", None):
        return {"stream_options": "is only allowed when stream is true"}
    return {}


class ChatBody(WireBody):
    """The body of POST /chat/completions."""

    model: str = _model()
    messages: list[Message] = Field(min_length=1, description="The conversation so far.")
    temperature: float | None = _temperature()
    top_p: float | None = _top_p()
    max_tokens: int | None = _max_tokens()
    max_completion_tokens: int | None = _param(
        "Upper bound on generated tokens, reasoning included (reasoning models need this one).",
        "Max completion tokens",
        ge=1,
        extra={"step": 1},
    )
    n: int | None = _n()
    stop: str | Annotated[list[str], Field(min_length=1)] | None = _stop()
    presence_penalty: float | None = _penalty("presence")
    frequency_penalty: float | None = _penalty("frequency")
    seed: int | None = _seed()
    logit_bias: dict[str, Any] | None = _logit_bias()
    logprobs: bool | None = _param(
        "Return the log probability of each reply token (the probability view).",
        "Log probabilities",
        "bool",
    )
    top_logprobs: int | None = _param(
        "How many likeliest alternatives to return per token (needs logprobs).",
        "Top alternatives",
        ge=0,
        le=20,
        extra={"step": 1},
    )
    response_format: ResponseFormat | None = _param(
        "Plain text, any JSON object, or JSON that satisfies a schema.",
        "Response format",
        "response_format",
    )
    tools: Annotated[list[Tool], Field(max_length=128)] | None = _param(
        "Functions the model may call: name, description and JSON-Schema parameters.",
        "Tools",
        "tools",
    )
    tool_choice: ToolChoice | None = _param(
        "Whether the model may (auto), must (required) or must not (none) call a tool, "
        "or which one it must call.",
        "Tool choice",
        "tool_choice",
    )
    parallel_tool_calls: bool | None = _param(
        "Allow several tool calls in one reply.", "Parallel tool calls", "bool"
    )
    user: str | None = _user()
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        _param("How hard a reasoning model thinks before answering.", "Reasoning effort", "select")
    )
    verbosity: Literal["low", "medium", "high"] | None = _param(
        "How long and detailed the reply is (newer OpenAI models).", "Verbosity", "select"
    )
    safety_identifier: str | None = _param(
        "A stable, hashed id of your end user (up to 64 characters) for the provider's abuse "
        "detection; replaces user.",
        "Safety identifier",
        "text",
        max_length=64,
    )
    prompt_cache_key: str | None = _param(
        "Requests with the same key and prompt prefix share the provider's prompt cache.",
        "Prompt cache key",
        "text",
    )
    service_tier: Literal["auto", "default", "flex", "scale", "priority", "fast"] | None = _param(
        "Which processing tier serves the request (OpenAI): flex is cheaper and slower, "
        "priority faster.",
        "Service tier",
        "select",
    )
    store: bool | None = _param(
        "Keep the completion in the provider's dashboard (OpenAI: for evals and distillation).",
        "Store",
        "bool",
    )
    metadata: dict[str, str] | None = _param(
        'Up to 16 tags stored with the completion, as JSON: {"experiment": "v2"}.',
        "Metadata",
        "json",
    )
    modalities: Annotated[list[Literal["text", "audio"]], Field(min_length=1)] | None = _param(
        'Output types: ["text"], or ["text", "audio"] for audio models (then set Audio output).',
        "Modalities",
        "json",
    )
    audio: AudioOutput | None = _param(
        'A spoken reply\'s voice and format, as JSON: {"voice": "alloy", "format": "mp3"}.',
        "Audio output",
        "json",
    )
    prediction: Prediction | None = _param(
        'Text the reply will mostly repeat, for faster edits: {"type": "content", "content": "…"}.',
        "Predicted output",
        "json",
    )
    web_search_options: WebSearchOptions | None = _param(
        "How a search model searches the web, as JSON: "
        '{"search_context_size": "low"} or a user_location.',
        "Web search",
        "json",
    )
    prompt_cache_options: PromptCacheOptions | None = _param(
        'Prompt caching, as JSON: {"ttl": "30m", "mode": "implicit"} or "explicit" '
        "(breakpoints you set).",
        "Prompt cache options",
        "json",
    )
    prompt_cache_retention: Literal["in_memory", "24h"] | None = _param(
        "How long the provider may keep the cached prompt prefix (deprecated by OpenAI in "
        "favour of prompt cache options).",
        "Prompt cache retention",
        "select",
    )
    moderation: ModerationOptions | None = _param(
        'Moderate this completion\'s input and output, as JSON: {"model": '
        '"omni-moderation-latest"}.',
        "Moderation",
        "json",
    )
    stream: bool | None = _stream()
    stream_options: StreamOptions | None = _stream_options()

    @field_validator("metadata")
    @classmethod
    def _metadata_within_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return check_metadata(value)

    def consistency_errors(self) -> dict[str, str]:
        errors = _stream_options_need_stream(self)
        wants_audio = "audio" in (self.modalities or [])
        if wants_audio and self.audio is None:
            errors["audio"] = 'is needed when modalities asks for "audio" (voice and format)'
        elif self.audio is not None and not wants_audio:
            errors["modalities"] = 'must include "audio" when audio output is set'
        if self.top_logprobs is not None and not self.logprobs:
            errors["top_logprobs"] = "needs logprobs set to true"
        tool_names = [tool.function.name for tool in self.tools or []]
        if self.tool_choice is not None and not self.tools:
            errors["tool_choice"] = "is only allowed when tools are defined"
        elif not isinstance(self.tool_choice, str | type(None)):
            wanted = self.tool_choice.function.name
            if wanted not in tool_names:
                defined = ", ".join(tool_names) or "none"
                errors["tool_choice"] = f"names {wanted!r}, which is not a defined tool ({defined})"
        if self.parallel_tool_calls is not None and not self.tools:
            errors["parallel_tool_calls"] = "is only allowed when tools are defined"
        for position, name in enumerate(tool_names):
            if name in tool_names[:position]:
                errors[f"tools.{position}.function.name"] = f"{name!r} is defined twice"
        errors.update(_unanswered_tool_messages(self.messages))
        return errors


def _unanswered_tool_messages(messages: list[Any]) -> dict[str, str]:
    """A tool message must answer a call made by an earlier assistant message."""
    errors: dict[str, str] = {}
    called: set[str] = set()
    for position, message in enumerate(messages):
        if isinstance(message, AssistantMessage):
            called.update(call.id for call in message.tool_calls or [])
        elif isinstance(message, ToolMessage) and message.tool_call_id not in called:
            errors[f"messages.{position}.tool_call_id"] = (
                f"{message.tool_call_id!r} answers no tool call of an earlier assistant message"
            )
    return errors


class EditBody(ChatBody):
    """An edit: a chat body whose system message is the instruction and user message the input.

    ``edit_body`` builds one; ``edit_parts`` reads the instruction and input back.
    """


class CompletionBody(WireBody):
    """The body of POST /completions (legacy completions)."""

    model: str = _model()
    prompt: (
        str
        | Annotated[list[str], Field(min_length=1)]
        | Annotated[list[int], Field(min_length=1)]
        | Annotated[list[Annotated[list[int], Field(min_length=1)]], Field(min_length=1)]
    ) = Field(description="The text to continue (or several texts, or token ids).")
    suffix: str | None = _param("Text that comes after the completion.", "Suffix", "textarea")
    echo: bool | None = _param("Repeat the prompt before the completion.", "Echo", "bool")
    best_of: int | None = _param(
        "Generate this many server side and return the best n (not with streaming).",
        "Best of",
        ge=0,
        le=20,
        extra={"step": 1},
    )
    logprobs: int | None = _param(
        "Return the log probabilities of the likeliest tokens (0 to 5) at each position.",
        "Log probabilities",
        ge=0,
        le=5,
        extra={"step": 1},
    )
    temperature: float | None = _temperature()
    top_p: float | None = _top_p()
    max_tokens: int | None = _max_tokens(minimum=0)
    n: int | None = _n()
    stop: str | Annotated[list[str], Field(min_length=1)] | None = _stop()
    presence_penalty: float | None = _penalty("presence")
    frequency_penalty: float | None = _penalty("frequency")
    seed: int | None = _seed()
    logit_bias: dict[str, Any] | None = _logit_bias()
    user: str | None = _user()
    stream: bool | None = _stream()
    stream_options: StreamOptions | None = _stream_options()

    def consistency_errors(self) -> dict[str, str]:
        errors = _stream_options_need_stream(self)
        if self.best_of is not None and self.n is not None and self.best_of < self.n:
            errors["best_of"] = f"must be at least n ({self.n})"
        if self.best_of is not None and self.best_of > 1 and self.stream:
            errors["best_of"] = "cannot be used with streaming (set stream to false)"
        return errors


def _texts_not_empty(value: Any) -> Any:
    if isinstance(value, str) and not value:
        raise ValueError("must not be empty")
    if isinstance(value, list):
        for position, item in enumerate(value):
            if item == "" or item == []:
                raise ValueError(f"item {position} is empty")
    return value


class EmbeddingBody(WireBody):
    """The body of POST /embeddings."""

    model: str = _model()
    input: (
        str
        | Annotated[list[str], Field(min_length=1, max_length=MAX_EMBEDDING_INPUTS)]
        | Annotated[list[int], Field(min_length=1)]
        | Annotated[
            list[Annotated[list[int], Field(min_length=1)]],
            Field(min_length=1, max_length=MAX_EMBEDDING_INPUTS),
        ]
    ) = Field(description="One text, or several (one per line in the form).")
    dimensions: int | None = _param(
        "How many numbers each vector has (text-embedding-3 models and later).",
        "Dimensions",
        ge=1,
        extra={"step": 1},
    )
    encoding_format: Literal["float", "base64"] | None = _param(
        "Vectors as lists of numbers, or as base64 of little-endian float32.",
        "Encoding format",
        "select",
    )
    user: str | None = _user()

    @field_validator("input")
    @classmethod
    def _inputs_not_empty(cls, value: Any) -> Any:
        return _texts_not_empty(value)


class ModerationBody(WireBody):
    """The body of POST /moderations."""

    model: str | None = Field(default=None, min_length=1, description="Moderation model.")
    input: (
        str
        | Annotated[list[str], Field(min_length=1)]
        | Annotated[list[ModerationPart], Field(min_length=1)]
    ) = Field(description="One text, or several (one per line in the form).")

    @field_validator("input")
    @classmethod
    def _inputs_not_empty(cls, value: Any) -> Any:
        return _texts_not_empty(value)


BODY_MODELS: dict[str, type[WireBody]] = {
    "chat": ChatBody,
    "edit": EditBody,
    "completion": CompletionBody,
    "embedding": EmbeddingBody,
    "moderation": ModerationBody,
}


class RunRequest(BaseModel):
    """A validated request: ``body`` is an instance of ``BODY_MODELS[mode]``."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "chat"
    provider: str = Field(min_length=1)
    body: WireBody
    variables: dict[str, str] = Field(default_factory=dict)


class _Envelope(BaseModel):
    """The request's outer keys, checked before the body is read with its mode's model."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "chat"
    provider: str = Field(min_length=1)
    body: dict[str, Any]
    variables: dict[str, str] = Field(default_factory=dict)


def validate_request(data: Any) -> RunRequest:
    """Validate a request JSON value, or raise RequestInvalid naming each bad field."""
    if not isinstance(data, dict):
        raise RequestInvalid({"request": "must be a JSON object"})
    errors: dict[str, str] = {}
    try:
        envelope = _Envelope.model_validate(data)
    except ValidationError as exc:
        envelope = None
        errors.update(_describe_errors(exc, _Envelope, prefix=()))
    mode = data.get("mode", "chat")
    body_model = BODY_MODELS.get(mode) if isinstance(mode, str) else None
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
            errors.update(_describe_errors(exc, body_model, prefix=("body",)))
        else:
            errors.update(body.consistency_errors())
        # After the field checks, so that this plainer message wins for the same field.
        errors.update(non_finite)
    if errors or envelope is None or body is None:
        raise RequestInvalid(errors or {"body": "is required"})
    return RunRequest.model_construct(
        mode=envelope.mode,
        provider=envelope.provider,
        body=body,
        variables=envelope.variables,
        _fields_set={"mode", "provider", "body", "variables"},
    )


# pydantic cannot serialise a value nested about 255 levels deep; no provider parameter
# needs anywhere near this many.
MAX_VALUE_DEPTH = 200


def _depth(value: Any) -> int:
    """How many lists and objects deep a JSON value goes (a number: 0), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
            deepest = max(deepest, depth + 1)
    return deepest


def too_deeply_nested(body: dict[str, Any]) -> dict[str, str]:
    """The body's keys whose value is nested deeper than MAX_VALUE_DEPTH, by field path."""
    return {
        f"body.{key}": f"nested too deeply (at most {MAX_VALUE_DEPTH} levels)"
        for key, value in body.items()
        if _depth(value) > MAX_VALUE_DEPTH
    }


def _non_finite_numbers(value: Any, path: tuple[str, ...] = ()) -> dict[str, str]:
    """NaN and ±Infinity anywhere in ``value``, by field path.

    Python's json module reads them, but they are not JSON: an extension such as
    ``top_k`` would reach the provider as ``null`` or as text it cannot parse.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return {".".join(path): "must be a finite number (JSON has no NaN or Infinity)"}
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    found: dict[str, str] = {}
    for key, item in items:
        found.update(_non_finite_numbers(item, (*path, str(key))))
    return found


def upstream_body(request: RunRequest) -> dict[str, Any]:
    """The JSON body sent upstream: what was set, with wire names, nothing else."""
    return request.body.model_dump(mode="json", exclude_unset=True, by_alias=True)


def endpoint_path(request: RunRequest | str) -> str:
    """The upstream path for a request (or a mode), relative to the provider's base URL."""
    mode = request if isinstance(request, str) else request.mode
    return ENDPOINTS[mode]


def extension_keys(mode: str, body: dict[str, Any]) -> list[str]:
    """Body keys the spec does not declare for ``mode``: passed through, shown as extensions."""
    model = BODY_MODELS.get(mode, ChatBody)
    return [key for key in body if key not in model.model_fields]


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


# --- the page's form ------------------------------------------------------------------

# The parameters the page shows as inputs for each mode, in this order.
FORM_PARAMETERS: dict[str, tuple[str, ...]] = {
    "chat": (
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "seed",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "response_format",
        "tool_choice",
        "parallel_tool_calls",
        "reasoning_effort",
        "verbosity",
        "user",
        "safety_identifier",
        "prompt_cache_key",
        "service_tier",
        "store",
        "metadata",
        "modalities",
        "audio",
        "prediction",
        "web_search_options",
        "prompt_cache_options",
        "prompt_cache_retention",
        "moderation",
        "stream",
        "stream_options",
    ),
    "completion": (
        "temperature",
        "top_p",
        "max_tokens",
        "n",
        "best_of",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "seed",
        "logprobs",
        "echo",
        "logit_bias",
        "user",
        "stream",
        "stream_options",
    ),
    "embedding": ("dimensions", "encoding_format", "user"),
    "moderation": (),
}
FORM_PARAMETERS["edit"] = FORM_PARAMETERS["chat"]

# Parameters shown at once; the page folds the others into "More parameters", which
# opens by itself when one of them is set.
COMMON_PARAMETERS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "n",
        "stop",
        "seed",
        # Embeddings have no sampling: their size and encoding are what people change.
        "dimensions",
        "encoding_format",
    }
)


def parameter_inputs(mode: str = "chat") -> list[dict[str, Any]]:
    """Describe the page's parameter inputs from the spec (name, label, kind, range, help)."""
    model = BODY_MODELS[mode]
    inputs = []
    for name in FORM_PARAMETERS[mode]:
        field = model.model_fields[name]
        bounds = _bounds(field)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        inputs.append(
            {
                "name": name,
                "label": extra.get("label", name),
                "kind": extra.get("input", "number"),
                "min": bounds.get("ge"),
                "max": bounds.get("le"),
                "step": extra.get("step", "any"),
                "choices": _choices(field.annotation),
                "help": field.description,
                "common": name in COMMON_PARAMETERS,
                "reasoning_only": name == "reasoning_effort",
                "not_for_reasoning": mode in CHAT_MODES and name in REASONING_REFUSED,
            }
        )
    return inputs


def parameter_groups() -> list[dict[str, Any]]:
    """The page's parameter inputs, grouped by the modes that show them.

    A parameter that chat and legacy completions share (same name, same kind of
    input) is one input for both, so its value survives a switch of mode and its
    label names one input only.
    """
    chat = parameter_inputs("chat")
    completion = {p["name"]: p for p in parameter_inputs("completion")}
    shared = [p for p in chat if completion.get(p["name"], {}).get("kind") == p["kind"]]
    shared_names = {p["name"] for p in shared}
    return [
        {"modes": "chat edit completion", "prefix": "param-", "inputs": shared},
        {
            "modes": "chat edit",
            "prefix": "param-",
            "inputs": [p for p in chat if p["name"] not in shared_names],
        },
        {
            "modes": "completion",
            "prefix": "completion-param-",
            "inputs": [p for name, p in completion.items() if name not in shared_names],
        },
        {
            "modes": "embedding",
            "prefix": "embedding-param-",
            "inputs": parameter_inputs("embedding"),
        },
    ]


def _choices(annotation: Any) -> list[str]:
    """The allowed values of a Literal (inside an optional), for a select input."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if getattr(arg, "__origin__", None) is Literal:
            return [str(v) for v in arg.__args__]
    if getattr(annotation, "__origin__", None) is Literal:
        return [str(v) for v in annotation.__args__]
    return []


class FormInvalid(RequestInvalid):
    """Form text that cannot even become a request (JSON that does not parse)."""


# --- error messages -------------------------------------------------------------------


def _bounds(field: Any) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for constraint in field.metadata:
        for name in ("ge", "le", "gt", "lt", "min_length", "max_length"):
            if getattr(constraint, name, None) is not None:
                bounds[name] = getattr(constraint, name)
    return bounds


def _allowed(model: type[BaseModel], field_name: str) -> str | None:
    field = model.model_fields.get(field_name)
    if field is None:
        return None
    bounds = _bounds(field)
    if "ge" in bounds and "le" in bounds:
        return f"allowed: {bounds['ge']} to {bounds['le']}"
    if "ge" in bounds:
        return f"allowed: {bounds['ge']} or more"
    return None


# Discriminated unions put the chosen member's tag in an error's location, right after
# the container (or its list index). The tag is not part of the field's path.
_PART_TYPES = {"text", "image_url", "input_audio", "file", "refusal"}
_UNION_TAGS = {
    "messages": set(ROLES),
    "content": _PART_TYPES,
    "input": _PART_TYPES,
    "response_format": {"text", "json_object", "json_schema"},
}
_TYPE_NAMES = {"str", "int", "float", "bool", "dict", "list", "none"}
_TYPE_ERRORS = {"string_type", "int_type", "int_parsing", "float_parsing", "float_type"}
_TYPE_ERRORS |= {"list_type", "dict_type", "model_type", "bool_type", "bool_parsing"}


def _is_union_member(part: Any) -> bool:
    """True for the location part naming a plain union's member (``str``, ``list[int]``)."""
    text = str(part)
    return "[" in text or text.lower() in _TYPE_NAMES or text.startswith("function-")


def _field_path(loc: tuple[Any, ...]) -> list[str]:
    path: list[str] = []
    container: str | None = None
    previous: Any = None
    for part in loc:
        text = str(part)
        is_tag = container is not None and text in _UNION_TAGS.get(container, set())
        if is_tag and (previous == container or isinstance(previous, int)):
            previous = part
            continue
        if not _is_union_member(part):
            path.append(text)
            if isinstance(part, str):
                container = text
        previous = part
    return path


def _most_specific(errors: list[Any]) -> list[Any]:
    """For a plain union (``str | list[...]``) keep the errors of one member only.

    Pydantic reports every member's errors. Keep the member the value came closest to:
    one whose errors are more than "wrong type" (too long, out of range), else the one
    whose errors reach deepest into the value (the list whose item 3 is wrong).
    """
    groups: dict[tuple[Any, ...], dict[str, list[Any]]] = {}
    order: list[Any] = []
    for error in errors:
        loc = error["loc"]
        cut = next((i for i, part in enumerate(loc) if _is_union_member(part)), None)
        if cut is None:
            order.append(error)
            continue
        key = tuple(loc[:cut])
        if key not in groups:
            groups[key] = {}
            order.append(key)
        groups[key].setdefault(str(loc[cut]), []).append(error)
    kept: list[Any] = []
    for item in order:
        if not isinstance(item, tuple):
            kept.append(item)
            continue
        members = list(groups[item].values())

        def rank(member: list[Any]) -> tuple[int, int]:
            depth = max(len(_field_path(e["loc"])) for e in member)
            return (int(not all(e["type"] in _TYPE_ERRORS for e in member)), depth)

        best = max(members, key=rank)  # max keeps the first of equals: the declared order
        if all(e["type"] in _TYPE_ERRORS and len(e["loc"]) == len(item) + 1 for e in best):
            # The value is none of the union's shapes at all: name every shape allowed.
            shapes = " or ".join(dict.fromkeys(_shape(tag) for tag in groups[item]))
            kept.append({**best[0], "type": "union_shape", "loc": item, "msg": shapes})
        else:
            kept.extend(best)
    return kept


def _shape(member: str) -> str:
    """A union member's pydantic tag (``list[int]``) in plain words."""
    if member.startswith("list[list["):
        return "a list of token id lists"
    if member.startswith("list[int"):
        return "a list of token ids"
    if member.startswith("list[str"):
        return "a list of texts"
    if member.startswith("list["):
        return "a list of content parts"
    return {
        "str": "text",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
    }.get(member, "an object")


def _describe_errors(
    exc: ValidationError, model: type[BaseModel], prefix: tuple[str, ...]
) -> dict[str, str]:
    """One plain message per field, naming what is allowed.

    Body fields are named without the ``body.`` prefix (``temperature``,
    ``messages.0.role``): that is how the page labels its inputs.
    """
    errors: dict[str, str] = {}
    for error in _most_specific(exc.errors()):
        path = _field_path(error["loc"])
        if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            path.append(str(error.get("ctx", {}).get("discriminator", "type")).strip("'"))
        if prefix and path == []:
            path = list(prefix)
        field = ".".join(path) or "request"
        if field not in errors:
            errors[field] = _message_for(model, path, error)
    if len(errors) > MAX_REPORTED_ERRORS:
        # A list of thousands of bad items would bury the page: name the first ones.
        shown = dict(list(errors.items())[:MAX_REPORTED_ERRORS])
        shown["request"] = f"and {len(errors) - MAX_REPORTED_ERRORS} more problems like these"
        return shown
    return errors


def _message_for(model: type[BaseModel], path: list[str], error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    name = path[-1] if path else "request"
    top = model if len(path) == 1 else None
    allowed = _allowed(top, name) if top is not None else None
    if kind in {"missing", "union_tag_not_found"}:
        return "is required"
    if kind == "union_tag_invalid":
        tags = error.get("ctx", {}).get("expected_tags", "")
        return f"{error.get('ctx', {}).get('tag')!r} is not allowed (use {tags})"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{given!r} is out of range ({allowed or error['msg'].lower()})"
    if kind in {"float_parsing", "float_type"}:
        return f"must be a number, got {_short(given)} ({allowed or 'any number'})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number, got {_short(given)} ({allowed or 'any whole number'})"
    if kind in {"bool_parsing", "bool_type"}:
        return f"must be true or false, got {_short(given)}"
    if kind == "literal_error":
        return f"{_short(given)} is not allowed ({error['msg'].replace('Input should be', 'use')})"
    if kind == "too_short" and name == "messages":
        return "add at least one message"
    if kind == "too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"has too many items ({error['msg'].lower()})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{_short(given)} is not allowed (use 1 to 64 letters, digits, _ or -)"
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        wanted = {
            "string_type": "text",
            "dict_type": "a JSON object",
            "list_type": "a list",
        }.get(kind, "a JSON object")
        return f"must be {wanted}, got {_short(given)}"
    if kind == "union_shape":
        return f"must be {error['msg']}, got {_short(given)}"
    if kind == "extra_forbidden":
        return "is not a known request key (allowed: mode, provider, body, variables)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
