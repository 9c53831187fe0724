"""The body of POST /responses (OpenAI's Responses API, ``CreateResponse``)."""

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, field_validator

from playground.bodies import (
    WireBody,
    _model,
    _param,
    _stream,
    _temperature,
    _top_p,
    _user,
)
from playground.jsonpath import path_text
from playground.responses_parts import (
    FunctionCallItem,
    FunctionCallOutput,
    FunctionChoice,
    FunctionTool,
    InputItem,
    ReasoningOptions,
    ResponsesTool,
    ResponsesToolChoice,
    TextOptions,
)
from playground.spec_parts import StreamOptions, check_metadata
from playground.translation_marks import gettext_noop

# The Responses API's smallest max_output_tokens.
MIN_OUTPUT_TOKENS = 16


class ResponsesBody(WireBody):
    """The body of POST /responses: an input (text or items), instructions, tools and
    the options; ``previous_response_id`` continues an earlier response."""

    model: str = _model()
    input: str | Annotated[list[InputItem], Field(min_length=1)] = Field(
        description="A text, or a list of input items (messages, function call outputs)."
    )
    instructions: str | None = Field(
        default=None, description="A system (developer) message put first for this response."
    )
    previous_response_id: str | None = Field(
        default=None,
        min_length=1,
        description="The id of a response to continue (the provider keeps the conversation).",
    )
    temperature: float | None = _temperature()
    top_p: float | None = _top_p()
    max_output_tokens: int | None = _param(
        gettext_noop("Upper bound on the tokens generated, reasoning included (at least 16)."),
        gettext_noop("Max output tokens"),
        ge=MIN_OUTPUT_TOKENS,
        extra={"step": 1},
    )
    tools: Annotated[list[ResponsesTool], Field(max_length=128)] | None = _param(
        gettext_noop(
            'Tools as JSON: functions, {"type": "function", "name": "…", "parameters": {…}, '
            '"strict": false}, or built-in ones such as {"type": "web_search_preview"}.'
        ),
        gettext_noop("Tools"),
        "json",
    )
    tool_choice: ResponsesToolChoice | None = _param(
        gettext_noop(
            "Whether the model may (auto), must (required) or must not (none) call a tool; "
            'a function it must call goes in the JSON view: {"type": "function", "name": "…"}.'
        ),
        gettext_noop("Tool choice"),
        "select",
    )
    parallel_tool_calls: bool | None = _param(
        gettext_noop("Allow several tool calls in one response."),
        gettext_noop("Parallel tool calls"),
        "bool",
    )
    # The page shows text.format as chat's response_format (a type, and for json_schema a
    # name, schema and strict), and reasoning as its effort and summary.
    text: TextOptions | None = _param(
        gettext_noop("Plain text, any JSON object, or JSON that satisfies a schema (text.format)."),
        gettext_noop("Text format"),
        "text_format",
        extra={"choices": ["text", "json_object", "json_schema"]},
    )
    reasoning: ReasoningOptions | None = _param(
        gettext_noop(
            "Reasoning models: how hard they think (effort), and a summary of their reasoning "
            "shown beside the reply (summary)."
        ),
        gettext_noop("Reasoning effort"),
        "reasoning",
        extra={"choices": ["none", "minimal", "low", "medium", "high", "xhigh", "max"]},
    )
    store: bool | None = _param(
        gettext_noop(
            "Keep the response with the provider, so that a later request can continue it."
        ),
        gettext_noop("Store"),
        "bool",
    )
    metadata: dict[str, str] | None = _param(
        gettext_noop('Up to 16 tags stored with the response, as JSON: {"experiment": "v2"}.'),
        gettext_noop("Metadata"),
        "json",
    )
    truncation: Literal["auto", "disabled"] | None = _param(
        gettext_noop(
            "auto drops the oldest items when the input is too long for the model; "
            "disabled (the default) fails instead."
        ),
        gettext_noop("Truncation"),
        "select",
    )
    user: str | None = _user()
    stream: bool | None = _stream()
    stream_options: StreamOptions | None = None
    include: list[str] | None = None
    background: bool | None = None
    max_tool_calls: int | None = Field(default=None, ge=1)
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    safety_identifier: str | None = Field(default=None, max_length=64)
    prompt_cache_key: str | None = None
    conversation: str | dict[str, Any] | None = None

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        return 1  # a response has one output

    @field_validator("metadata")
    @classmethod
    def _metadata_within_limits(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return check_metadata(value)

    @field_validator("input")
    @classmethod
    def _text_not_empty(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError(_("must not be empty: write a text, or give input items"))
        return value

    def consistency_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.stream_options is not None and not self.stream:
            errors["stream_options"] = _("is only allowed when stream is true")
        if self.previous_response_id is not None and self.conversation is not None:
            errors["previous_response_id"] = _("cannot be used together with conversation")
        functions = [tool.name for tool in self.tools or [] if isinstance(tool, FunctionTool)]
        for position, name in enumerate(functions):
            if name in functions[:position]:
                errors[path_text(("tools", position, "name"))] = _("%(name)s is defined twice") % {
                    "name": repr(name)
                }
        if isinstance(self.tool_choice, FunctionChoice) and self.tool_choice.name not in functions:
            defined = ", ".join(functions) or _("none")
            errors["tool_choice"] = _(
                "names %(name)s, which is not a defined function tool (%(defined)s)"
            ) % {"name": repr(self.tool_choice.name), "defined": defined}
        elif self.tool_choice not in (None, "none", "auto") and not self.tools:
            errors["tool_choice"] = _("needs tools: define the tools the model must call")
        errors.update(self._unanswered_outputs())
        return errors

    def _unanswered_outputs(self) -> dict[str, str]:
        """A function_call_output answers a call of the input before it, or one of the
        previous response (which only the provider knows: then it is not checked here)."""
        if not isinstance(self.input, list) or self.previous_response_id:
            return {}
        errors: dict[str, str] = {}
        called: set[str] = set()
        for position, item in enumerate(self.input):
            if isinstance(item, FunctionCallItem):
                called.add(item.call_id)
            elif isinstance(item, FunctionCallOutput) and item.call_id not in called:
                errors[path_text(("input", position, "call_id"))] = _(
                    "%(id)s answers no function call: give the call before it, or "
                    "previous_response_id of the response that made it"
                ) % {"id": repr(item.call_id)}
        return errors
