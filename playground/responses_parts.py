"""The nested wire types of a Responses API body (``CreateResponse`` in OpenAI's document).

Input items, their content parts, tools, tool_choice, the text format and reasoning.
What the playground knows it checks (a function call's output answers a call id, a
json_schema format has a name and a valid schema); item and tool types it does not
check beyond their ``type`` (the built-in tools, computer calls…) pass through, as the
spec allows them.
"""

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from playground.spec_parts import NAME_PATTERN, NAME_RULE, WirePart, check_json_schema

# --- content parts of an input message ------------------------------------------------


class InputText(WirePart):
    type: Literal["input_text"]
    text: str


class InputImage(WirePart):
    type: Literal["input_image"]
    image_url: str | None = Field(default=None, min_length=1)
    file_id: str | None = Field(default=None, min_length=1)
    detail: Literal["low", "high", "auto", "original"] | None = None


class InputFile(WirePart):
    type: Literal["input_file"]
    file_id: str | None = None
    file_data: str | None = None
    file_url: str | None = None
    filename: str | None = None


class OutputText(WirePart):
    """An earlier assistant reply's text, given back as input."""

    type: Literal["output_text"]
    text: str


class Refusal(WirePart):
    type: Literal["refusal"]
    refusal: str


InputPart = Annotated[
    InputText | InputImage | InputFile | OutputText | Refusal, Field(discriminator="type")
]

# --- input items ------------------------------------------------------------------------


class InputMessage(WirePart):
    """A message: ``{"role": "user", "content": "…"}`` (``type`` "message" may be given)."""

    type: Literal["message"] | None = None
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[InputPart]


class FunctionCallItem(WirePart):
    """A function call the model made earlier, given back as input."""

    type: Literal["function_call"]
    call_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    arguments: str


class FunctionCallOutput(WirePart):
    """What a function call returned: answers the call with the same ``call_id``."""

    type: Literal["function_call_output"]
    call_id: str = Field(min_length=1, max_length=64)
    output: str | list[InputPart]


class ItemReference(WirePart):
    type: Literal["item_reference"]
    id: str = Field(min_length=1)


class ReasoningItem(WirePart):
    type: Literal["reasoning"]
    summary: list[dict[str, Any]]


# Item types of the spec's ``Item`` the playground passes on without looking inside.
OTHER_ITEM_TYPES = (
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "web_search_call",
    "image_generation_call",
    "code_interpreter_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "custom_tool_call",
    "custom_tool_call_output",
    "compaction",
)


class OtherItem(WirePart):
    type: Literal[OTHER_ITEM_TYPES]  # type: ignore[valid-type]


def _item_kind(value: Any) -> str:
    """Which item model reads ``value``: a message has no type or type "message"."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in (None, "message"):
        return "message"
    return kind if kind in _ITEM_TAGS else "other"


InputItem = Annotated[
    Annotated[InputMessage, Tag("message")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[FunctionCallOutput, Tag("function_call_output")]
    | Annotated[ItemReference, Tag("item_reference")]
    | Annotated[ReasoningItem, Tag("reasoning")]
    | Annotated[OtherItem, Tag("other")],
    Discriminator(_item_kind),
]
_ITEM_TAGS = frozenset({"function_call", "function_call_output", "item_reference", "reasoning"})

# --- tools ----------------------------------------------------------------------------


class FunctionTool(WirePart):
    """A function the model may call. The spec requires ``parameters`` and ``strict``
    (each may be null)."""

    type: Literal["function"]
    name: str = Field(pattern=NAME_PATTERN, description=f"The function's name: {NAME_RULE}.")
    description: str | None = None
    parameters: dict[str, Any] | None
    strict: bool | None

    @field_validator("parameters")
    @classmethod
    def _parameters_are_a_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return value if value is None else check_json_schema(value)


class FileSearchTool(WirePart):
    type: Literal["file_search"]
    vector_store_ids: list[str]


# Built-in tools checked by their type only (their options are the provider's to judge).
BUILT_IN_TOOL_TYPES = (
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "computer",
    "computer_use",
    "computer_use_preview",
    "code_interpreter",
    "image_generation",
    "mcp",
    "local_shell",
    "shell",
    "custom",
    "apply_patch",
    "namespace",
    "tool_search",
    "programmatic_tool_calling",
)


class BuiltInTool(WirePart):
    type: Literal[BUILT_IN_TOOL_TYPES]  # type: ignore[valid-type]


# Tags of their own: an error's path drops them (playground.spec_errors), and a chat
# tool's path goes through a key named "function".
def _tool_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"{kind}_tool" if kind in {"function", "file_search"} else "built_in_tool"


ResponsesTool = Annotated[
    Annotated[FunctionTool, Tag("function_tool")]
    | Annotated[FileSearchTool, Tag("file_search_tool")]
    | Annotated[BuiltInTool, Tag("built_in_tool")],
    Discriminator(_tool_kind),
]

# --- tool_choice --------------------------------------------------------------------------


class FunctionChoice(WirePart):
    type: Literal["function"]
    name: str = Field(min_length=1)


class HostedToolChoice(WirePart):
    type: Literal[
        "file_search",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "computer",
        "computer_use",
        "computer_use_preview",
        "image_generation",
        "code_interpreter",
    ]


class AllowedToolsChoice(WirePart):
    type: Literal["allowed_tools"]
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class NamedToolChoice(WirePart):
    """A named MCP or custom tool."""

    type: Literal["mcp", "custom"]
    name: str | None = None


_CHOICE_TAGS = {"function": "function_choice", "allowed_tools": "allowed_tools_choice"}
_CHOICE_TAGS |= {"mcp": "named_choice", "custom": "named_choice"}


def _choice_kind(value: Any) -> str:
    if isinstance(value, str):
        return "option"
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return _CHOICE_TAGS.get(str(kind), "hosted_choice")


ResponsesToolChoice = Annotated[
    Annotated[Literal["none", "auto", "required"], Tag("option")]
    | Annotated[FunctionChoice, Tag("function_choice")]
    | Annotated[HostedToolChoice, Tag("hosted_choice")]
    | Annotated[AllowedToolsChoice, Tag("allowed_tools_choice")]
    | Annotated[NamedToolChoice, Tag("named_choice")],
    Discriminator(_choice_kind),
]

# --- text format and reasoning ---------------------------------------------------------


class PlainTextFormat(WirePart):
    type: Literal["text"]


class JsonObjectTextFormat(WirePart):
    type: Literal["json_object"]


class JsonSchemaTextFormat(WirePart):
    """Structured output: the reply is JSON valid for ``schema`` (flat, unlike chat's
    ``response_format.json_schema``)."""

    type: Literal["json_schema"]
    name: str = Field(pattern=NAME_PATTERN, description=f"The schema's name: {NAME_RULE}.")
    schema_: dict[str, Any] = Field(alias="schema")
    description: str | None = None
    strict: bool | None = None

    model_config = WirePart.model_config | {"populate_by_name": True, "serialize_by_alias": True}

    @field_validator("schema_")
    @classmethod
    def _a_valid_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = check_json_schema(value)
        return checked


TextFormat = Annotated[
    PlainTextFormat | JsonObjectTextFormat | JsonSchemaTextFormat, Field(discriminator="type")
]


class TextOptions(WirePart):
    format: TextFormat | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class ReasoningOptions(WirePart):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None
