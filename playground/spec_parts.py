"""The nested wire types of a request body: messages, content parts, tools, formats.

Wire names and shapes are OpenAI's (``CreateChatCompletionRequest`` in the
OpenAPI document). Every model allows extra keys, because gateways and local
servers add their own (``cache_control`` on a content part, for example); what
the playground knows it checks, what it does not know it passes through.
"""

import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# OpenAI's rule for function and json_schema names.
NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
NAME_RULE = "1 to 64 letters, digits, underscores or dashes"


class WirePart(BaseModel):
    model_config = ConfigDict(extra="allow")


def check_json_schema(schema: Any) -> Any:
    """Refuse a value that is not a valid JSON Schema (as the upstream would, later)."""
    if not isinstance(schema, dict):
        raise ValueError(_('must be a JSON Schema object, for example {"type": "object"}'))
    # Imported here: only a request with a JSON schema needs it, and it costs every worker
    # process ~2 MiB of memory that most never use.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise ValueError(
            _("is not a valid JSON Schema at %(where)s: %(error)s")
            % {"where": where, "error": error.message}
        ) from None
    return schema


# --- content parts --------------------------------------------------------------------


class TextPart(WirePart):
    type: Literal["text"]
    text: str


class ImageURL(WirePart):
    url: str = Field(min_length=1)
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(WirePart):
    type: Literal["image_url"]
    image_url: ImageURL


class InputAudio(WirePart):
    data: str = Field(min_length=1, description="Base64-encoded audio.")
    format: Literal["wav", "mp3"]


class AudioPart(WirePart):
    type: Literal["input_audio"]
    input_audio: InputAudio


class FilePart(WirePart):
    type: Literal["file"]
    file: dict[str, Any]


class RefusalPart(WirePart):
    type: Literal["refusal"]
    refusal: str


UserPart = Annotated[TextPart | ImagePart | AudioPart | FilePart, Field(discriminator="type")]
AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]


# --- messages -------------------------------------------------------------------------


class FunctionCall(WirePart):
    name: str = Field(min_length=1)
    arguments: str = Field(description="The arguments as JSON text, as the model wrote them.")


class ToolCall(WirePart):
    id: str = Field(min_length=1)
    type: Literal["function"] = "function"
    function: FunctionCall


class SystemMessage(WirePart):
    role: Literal["system"]
    content: str | Annotated[list[TextPart], Field(min_length=1)]
    name: str | None = None


class DeveloperMessage(WirePart):
    role: Literal["developer"]
    content: str | Annotated[list[TextPart], Field(min_length=1)]
    name: str | None = None


class UserMessage(WirePart):
    role: Literal["user"]
    content: str | Annotated[list[UserPart], Field(min_length=1)]
    name: str | None = None


class AssistantMessage(WirePart):
    role: Literal["assistant"]
    content: str | list[AssistantPart] | None = None
    refusal: str | None = None
    name: str | None = None
    tool_calls: Annotated[list[ToolCall], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _says_something(self) -> "AssistantMessage":
        if self.content is None and not self.tool_calls and "audio" not in (self.model_extra or {}):
            raise ValueError(_("an assistant message needs content or tool_calls"))
        return self


class ToolMessage(WirePart):
    role: Literal["tool"]
    content: str | Annotated[list[TextPart], Field(min_length=1)]
    tool_call_id: str = Field(min_length=1)


class FunctionMessage(WirePart):
    """Deprecated by OpenAI in favour of tool messages; still accepted."""

    role: Literal["function"]
    content: str | None
    name: str = Field(min_length=1)


Message = Annotated[
    SystemMessage
    | DeveloperMessage
    | UserMessage
    | AssistantMessage
    | ToolMessage
    | FunctionMessage,
    Field(discriminator="role"),
]
ROLES = ("system", "developer", "user", "assistant", "tool", "function")


# --- tools ----------------------------------------------------------------------------


class FunctionDefinition(WirePart):
    name: str = Field(pattern=NAME_PATTERN, description=f"The function's name: {NAME_RULE}.")
    description: str | None = None
    parameters: dict[str, Any] | None = Field(
        default=None, description="The arguments, as a JSON Schema object."
    )
    strict: bool | None = None

    @field_validator("parameters")
    @classmethod
    def _parameters_are_a_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return value if value is None else check_json_schema(value)


class Tool(WirePart):
    type: Literal["function"]
    function: FunctionDefinition


class NamedFunction(WirePart):
    name: str = Field(min_length=1)


class NamedToolChoice(WirePart):
    type: Literal["function"]
    function: NamedFunction


ToolChoice = Literal["none", "auto", "required"] | NamedToolChoice


# --- response formats -----------------------------------------------------------------


class TextFormat(WirePart):
    type: Literal["text"]


class JsonObjectFormat(WirePart):
    type: Literal["json_object"]


class JsonSchemaSpec(WirePart):
    name: str = Field(pattern=NAME_PATTERN, description=f"The schema's name: {NAME_RULE}.")
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)

    @field_validator("schema_")
    @classmethod
    def _a_valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return value if value is None else check_json_schema(value)


class JsonSchemaFormat(WirePart):
    type: Literal["json_schema"]
    json_schema: JsonSchemaSpec


ResponseFormat = Annotated[
    TextFormat | JsonObjectFormat | JsonSchemaFormat, Field(discriminator="type")
]


class StreamOptions(WirePart):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


# --- moderation inputs ----------------------------------------------------------------


class ModerationImagePart(WirePart):
    type: Literal["image_url"]
    image_url: dict[str, Any]


ModerationPart = Annotated[TextPart | ModerationImagePart, Field(discriminator="type")]


TOKEN_ID = re.compile(r"^\d+$")


def check_logit_bias(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Keys are token ids (as text), values whole numbers from -100 to 100."""
    if value is None:
        return value
    for key, bias in value.items():
        if not TOKEN_ID.match(key):
            raise ValueError(
                _("key %(key)s is not a token id (use the token's number as text)")
                % {"key": repr(key)}
            )
        if isinstance(bias, bool) or not isinstance(bias, int | float) or bias != int(bias):
            raise ValueError(
                _("the bias for token %(key)s must be a whole number, got %(bias)s")
                % {"key": key, "bias": repr(bias)}
            )
        if not -100 <= bias <= 100:
            raise ValueError(
                _("the bias for token %(key)s is %(bias)s, allowed: -100 to 100")
                % {"key": key, "bias": bias}
            )
    return {key: int(bias) for key, bias in value.items()}


# --- output options of newer chat models ----------------------------------------------


class CustomVoice(WirePart):
    id: str = Field(min_length=1)


class AudioOutput(WirePart):
    """``audio``: the voice and format of a spoken reply (with ``modalities`` text + audio)."""

    voice: str | CustomVoice
    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]


class Prediction(WirePart):
    """``prediction``: text the reply will mostly repeat (a file being edited), for speed."""

    type: Literal["content"]
    content: str | Annotated[list[TextPart], Field(min_length=1)]


class WebSearchLocation(WirePart):
    country: str | None = None
    region: str | None = None
    city: str | None = None
    timezone: str | None = None


class WebSearchUserLocation(WirePart):
    type: Literal["approximate"]
    approximate: WebSearchLocation


class WebSearchOptions(WirePart):
    """``web_search_options``: how search models (gpt-4o-search-preview) search the web."""

    search_context_size: Literal["low", "medium", "high"] | None = None
    user_location: WebSearchUserLocation | None = None


class PromptCacheOptions(WirePart):
    """``prompt_cache_options``: the minimum cache lifetime and who sets breakpoints."""

    ttl: Literal["30m"] | None = None
    mode: Literal["implicit", "explicit"] | None = None


class ModerationOptions(WirePart):
    """``moderation``: moderate the input and output of this completion (newer OpenAI)."""

    model: str = Field(min_length=1)
    policy: dict[str, Any] | None = None


METADATA_PAIRS, METADATA_KEY_CHARS, METADATA_VALUE_CHARS = 16, 64, 512


def check_metadata(value: dict[str, str] | None) -> dict[str, str] | None:
    """OpenAI's rule for ``metadata``: up to 16 pairs, keys up to 64 and values up to 512
    characters (the API refuses more)."""
    if value is None:
        return value
    if len(value) > METADATA_PAIRS:
        raise ValueError(
            _("at most %(count)s key-value pairs are allowed") % {"count": METADATA_PAIRS}
        )
    for key, text in value.items():
        if len(key) > METADATA_KEY_CHARS:
            raise ValueError(
                _("keys are at most %(count)s characters (%(key)s…)")
                % {"count": METADATA_KEY_CHARS, "key": repr(key[:20])}
            )
        if len(text) > METADATA_VALUE_CHARS:
            raise ValueError(
                _("values are at most %(count)s characters (key %(key)s)")
                % {"count": METADATA_VALUE_CHARS, "key": repr(key)}
            )
    return value
