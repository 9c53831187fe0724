"""The request bodies, one pydantic model per endpoint: every parameter declared once.

Wire names and shapes are OpenAI's (the ``Create*Request`` schemas of its OpenAPI
document): ``max_tokens``, ``top_p``, never a translated name. Each field carries the
API's allowed range and help text (``json_schema_extra`` holds the page's label and
input kind); the page's inputs (``form_layout``), the server-side validation
(``spec``) and its error messages (``spec_errors``) read them. Unknown keys pass
through untouched: providers have their own extensions.
"""

from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from playground.image_edit_files import edit_file_problems
from playground.image_models import edit_family_problems, family_problems, size_problem
from playground.jsonpath import path_text
from playground.message_files import attachment_errors
from playground.spec_parts import (
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
from playground.translation_marks import gettext_noop

MAX_STOP_SEQUENCES = 4
MAX_EMBEDDING_INPUTS = 2048

# --- parameters shared by several bodies (one factory each, so each model gets its own) ---


# The label and help text are marked for translation here and translated when the page
# shows them (playground.form_layout): the body models are built once, in no language.
def _param(description: str, label: str, input: str = "number", **kwargs: Any) -> Any:
    extra: dict[str, Any] = {"label": label, "input": input}
    extra.update(kwargs.pop("extra", {}))
    return Field(default=None, description=description, json_schema_extra=extra, **kwargs)


def _temperature() -> Any:
    return _param(
        gettext_noop("Sampling temperature: higher is more random, 0 is nearly deterministic."),
        gettext_noop("Temperature"),
        ge=0,
        le=2,
        extra={"step": 0.1},
    )


def _top_p() -> Any:
    return _param(
        gettext_noop("Nucleus sampling: only tokens within this probability mass are considered."),
        gettext_noop("Top P"),
        ge=0,
        le=1,
        extra={"step": 0.05},
    )


def _n() -> Any:
    return _param(
        gettext_noop("How many replies to generate, each in its own column."),
        gettext_noop("Candidates"),
        ge=1,
        le=128,
    )


def _stop() -> Any:
    return _param(
        gettext_noop("Up to 4 sequences where the reply stops: one per line, or a JSON list."),
        gettext_noop("Stop sequences"),
        input="stop",
    )


def _penalty(which: str) -> Any:
    text = {
        "presence": gettext_noop("Positive values push the model towards new topics."),
        "frequency": gettext_noop("Positive values discourage repeating the same words."),
    }[which]
    label = {
        "presence": gettext_noop("Presence penalty"),
        "frequency": gettext_noop("Frequency penalty"),
    }[which]
    return _param(text, label, ge=-2, le=2, extra={"step": 0.1})


def _seed() -> Any:
    return _param(
        gettext_noop("Seed for best-effort determinism."),
        gettext_noop("Seed"),
        ge=-(2**63),
        le=2**63 - 1,
        extra={"step": 1},
    )


def _logit_bias() -> Any:
    return _param(
        gettext_noop('Token id → bias from -100 to 100, as JSON: {"50256": -100} bans that token.'),
        gettext_noop("Logit bias"),
        input="json",
    )


def _user() -> Any:
    return _param(
        gettext_noop("An id for your end user, for the provider's abuse monitoring."),
        gettext_noop("User"),
        "text",
    )


def _stream() -> Any:
    return _param(
        gettext_noop("Stream the reply as it is generated."), gettext_noop("Stream"), "bool"
    )


def _stream_options() -> Any:
    return _param(
        gettext_noop("Streaming options; include_usage adds a last chunk with token counts."),
        gettext_noop("Stream options"),
        "json",
    )


def _model() -> Any:
    return Field(min_length=1, description="Model name, as the provider spells it.")


def _max_tokens(minimum: int = 1) -> Any:
    return _param(
        gettext_noop("Upper bound on the tokens generated for the reply."),
        gettext_noop("Max tokens"),
        ge=minimum,
        extra={"step": 1},
    )


class WireBody(BaseModel):
    """A request body: declared parameters checked, unknown keys passed through."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def consistency_errors(self) -> dict[str, str]:
        """Rules between parameters that a single field cannot express."""
        return {}

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        """How many replies a body of this kind streams (0: its answer is not text)."""
        return 0

    @classmethod
    def file_problems(cls, body: dict[str, Any], files: dict[str, list[Any]]) -> dict[str, str]:
        """``{field: why}`` for the files the body names, once read (``files``: each file
        field's ``FileContent`` list, ``playground.request_files``); empty when they fit."""
        return {}

    @field_validator("logit_bias", check_fields=False)
    @classmethod
    def _logit_bias_ids_and_range(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return check_logit_bias(value)

    @field_validator("stop", check_fields=False)
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > MAX_STOP_SEQUENCES:
            raise ValueError(
                _("at most %(count)s stop sequences are allowed") % {"count": MAX_STOP_SEQUENCES}
            )
        return value


def _stream_options_need_stream(body: WireBody) -> dict[str, str]:
    if getattr(body, "stream_options", None) is not None and not getattr(body, "stream", None):
        return {"stream_options": _("is only allowed when stream is true")}
    return {}


class ChatBody(WireBody):
    """The body of POST /chat/completions."""

    model: str = _model()
    messages: list[Message] = Field(min_length=1, description="The conversation so far.")
    temperature: float | None = _temperature()
    top_p: float | None = _top_p()
    max_tokens: int | None = _max_tokens()
    max_completion_tokens: int | None = _param(
        gettext_noop(
            "Upper bound on generated tokens, reasoning included (reasoning models need this one)."
        ),
        gettext_noop("Max completion tokens"),
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
        gettext_noop("Return the log probability of each reply token (the probability view)."),
        gettext_noop("Log probabilities"),
        "bool",
    )
    top_logprobs: int | None = _param(
        gettext_noop("How many likeliest alternatives to return per token (needs logprobs)."),
        gettext_noop("Top alternatives"),
        ge=0,
        le=20,
        extra={"step": 1},
    )
    response_format: ResponseFormat | None = _param(
        gettext_noop("Plain text, any JSON object, or JSON that satisfies a schema."),
        gettext_noop("Response format"),
        "response_format",
    )
    tools: Annotated[list[Tool], Field(max_length=128)] | None = _param(
        gettext_noop("Functions the model may call: name, description and JSON-Schema parameters."),
        gettext_noop("Tools"),
        "tools",
    )
    tool_choice: ToolChoice | None = _param(
        gettext_noop(
            "Whether the model may (auto), must (required) or must not (none) call a tool, "
            "or which one it must call."
        ),
        gettext_noop("Tool choice"),
        "tool_choice",
    )
    parallel_tool_calls: bool | None = _param(
        gettext_noop("Allow several tool calls in one reply."),
        gettext_noop("Parallel tool calls"),
        "bool",
    )
    user: str | None = _user()
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        _param(
            gettext_noop("How hard a reasoning model thinks before answering."),
            gettext_noop("Reasoning effort"),
            "select",
        )
    )
    verbosity: Literal["low", "medium", "high"] | None = _param(
        gettext_noop("How long and detailed the reply is (newer OpenAI models)."),
        gettext_noop("Verbosity"),
        "select",
    )
    safety_identifier: str | None = _param(
        gettext_noop(
            "A stable, hashed id of your end user (up to 64 characters) for the provider's abuse "
            "detection; replaces user."
        ),
        gettext_noop("Safety identifier"),
        "text",
        max_length=64,
    )
    prompt_cache_key: str | None = _param(
        gettext_noop(
            "Requests with the same key and prompt prefix share the provider's prompt cache."
        ),
        gettext_noop("Prompt cache key"),
        "text",
    )
    service_tier: Literal["auto", "default", "flex", "scale", "priority", "fast"] | None = _param(
        gettext_noop(
            "Which processing tier serves the request (OpenAI): flex is cheaper and slower, "
            "priority faster."
        ),
        gettext_noop("Service tier"),
        "select",
    )
    store: bool | None = _param(
        gettext_noop(
            "Keep the completion in the provider's dashboard (OpenAI: for evals and distillation)."
        ),
        gettext_noop("Store"),
        "bool",
    )
    metadata: dict[str, str] | None = _param(
        gettext_noop('Up to 16 tags stored with the completion, as JSON: {"experiment": "v2"}.'),
        gettext_noop("Metadata"),
        "json",
    )
    modalities: Annotated[list[Literal["text", "audio"]], Field(min_length=1)] | None = _param(
        gettext_noop(
            'Output types: ["text"], or ["text", "audio"] for audio models (then set Audio output).'
        ),
        gettext_noop("Modalities"),
        "json",
    )
    audio: AudioOutput | None = _param(
        gettext_noop(
            'A spoken reply\'s voice and format, as JSON: {"voice": "alloy", "format": "mp3"}.'
        ),
        gettext_noop("Audio output"),
        "json",
    )
    prediction: Prediction | None = _param(
        gettext_noop(
            'Text the reply will mostly repeat, for faster edits: {"type": "content", "content": "…"}.'
        ),
        gettext_noop("Predicted output"),
        "json",
    )
    web_search_options: WebSearchOptions | None = _param(
        gettext_noop(
            "How a search model searches the web, as JSON: "
            '{"search_context_size": "low"} or a user_location.'
        ),
        gettext_noop("Web search"),
        "json",
    )
    prompt_cache_options: PromptCacheOptions | None = _param(
        gettext_noop(
            'Prompt caching, as JSON: {"ttl": "30m", "mode": "implicit"} or "explicit" '
            "(breakpoints you set)."
        ),
        gettext_noop("Prompt cache options"),
        "json",
    )
    prompt_cache_retention: Literal["in_memory", "24h"] | None = _param(
        gettext_noop(
            "How long the provider may keep the cached prompt prefix (deprecated by OpenAI in "
            "favour of prompt cache options)."
        ),
        gettext_noop("Prompt cache retention"),
        "select",
    )
    moderation: ModerationOptions | None = _param(
        gettext_noop(
            'Moderate this completion\'s input and output, as JSON: {"model": '
            '"omni-moderation-latest"}.'
        ),
        gettext_noop("Moderation"),
        "json",
    )
    stream: bool | None = _stream()
    stream_options: StreamOptions | None = _stream_options()

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        return int(body.get("n") or 1)

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
            errors["top_logprobs"] = _("needs logprobs set to true")
        tool_names = [tool.function.name for tool in self.tools or []]
        if self.tool_choice is not None and not self.tools:
            errors["tool_choice"] = _("is only allowed when tools are defined")
        elif not isinstance(self.tool_choice, str | type(None)):
            wanted = self.tool_choice.function.name
            if wanted not in tool_names:
                defined = ", ".join(tool_names) or _("none")
                errors["tool_choice"] = _(
                    "names %(name)s, which is not a defined tool (%(defined)s)"
                ) % {"name": repr(wanted), "defined": defined}
        if self.parallel_tool_calls is not None and not self.tools:
            errors["parallel_tool_calls"] = _("is only allowed when tools are defined")
        for position, name in enumerate(tool_names):
            if name in tool_names[:position]:
                errors[path_text(("tools", position, "function", "name"))] = _(
                    "%(name)s is defined twice"
                ) % {"name": repr(name)}
        errors.update(_unanswered_tool_messages(self.messages))
        if any(isinstance(getattr(m, "content", None), list) for m in self.messages):
            messages = [m.model_dump(mode="json", exclude_unset=True) for m in self.messages]
            errors.update(attachment_errors({"messages": messages}))
        return errors


def _unanswered_tool_messages(messages: list[Any]) -> dict[str, str]:
    """A tool message must answer a call made by an earlier assistant message."""
    errors: dict[str, str] = {}
    called: set[str] = set()
    for position, message in enumerate(messages):
        if isinstance(message, AssistantMessage):
            called.update(call.id for call in message.tool_calls or [])
        elif isinstance(message, ToolMessage) and message.tool_call_id not in called:
            errors[path_text(("messages", position, "tool_call_id"))] = _(
                "%(id)s answers no tool call of an earlier assistant message"
            ) % {"id": repr(message.tool_call_id)}
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
    suffix: str | None = _param(
        gettext_noop("Text that comes after the completion."), gettext_noop("Suffix"), "textarea"
    )
    echo: bool | None = _param(
        gettext_noop("Repeat the prompt before the completion."), gettext_noop("Echo"), "bool"
    )
    best_of: int | None = _param(
        gettext_noop("Generate this many server side and return the best n (not with streaming)."),
        gettext_noop("Best of"),
        ge=0,
        le=20,
        extra={"step": 1},
    )
    logprobs: int | None = _param(
        gettext_noop(
            "Return the log probabilities of the likeliest tokens (0 to 5) at each position."
        ),
        gettext_noop("Log probabilities"),
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

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        """n replies for each prompt, when the prompt is a list of texts or of token lists."""
        n = int(body.get("n") or 1)
        prompt = body.get("prompt")
        if isinstance(prompt, list) and prompt and not isinstance(prompt[0], int):
            n *= len(prompt)
        return n

    def consistency_errors(self) -> dict[str, str]:
        errors = _stream_options_need_stream(self)
        if self.best_of is not None and self.n is not None and self.best_of < self.n:
            errors["best_of"] = _("must be at least n (%(n)s)") % {"n": self.n}
        if self.best_of is not None and self.best_of > 1 and self.stream:
            errors["best_of"] = _("cannot be used with streaming (set stream to false)")
        return errors


def _texts_not_empty(value: Any) -> Any:
    if isinstance(value, str) and not value:
        raise ValueError(_("must not be empty"))
    if isinstance(value, list):
        for position, item in enumerate(value):
            if item == "" or item == []:
                raise ValueError(_("item %(position)s is empty") % {"position": position})
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
        gettext_noop("How many numbers each vector has (text-embedding-3 models and later)."),
        gettext_noop("Dimensions"),
        ge=1,
        extra={"step": 1},
    )
    encoding_format: Literal["float", "base64"] | None = _param(
        gettext_noop("Vectors as lists of numbers, or as base64 of little-endian float32."),
        gettext_noop("Encoding format"),
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


# OpenAI's longest image prompt (the GPT image models); dall-e models take less
# (playground.image_models says which).
MAX_IMAGE_PROMPT_CHARS = 32_000


class ImageBody(WireBody):
    """The body of POST /images/generations."""

    prompt: str = Field(
        min_length=1,
        max_length=MAX_IMAGE_PROMPT_CHARS,
        description="What the image shows, in words.",
    )
    model: str | None = Field(
        default=None, min_length=1, description="Image model (the provider's default if unset)."
    )
    size: str | None = _param(
        gettext_noop(
            "auto, or WIDTHxHEIGHT in pixels: 1024x1024, 1536x1024 or 1024x1536 (GPT image "
            "models), 256x256 or 512x512 (dall-e-2), 1792x1024 or 1024x1792 (dall-e-3)."
        ),
        gettext_noop("Size"),
        "text",
    )
    quality: Literal["standard", "hd", "low", "medium", "high", "auto"] | None = _param(
        gettext_noop("low, medium or high for the GPT image models; standard or hd for dall-e-3."),
        gettext_noop("Quality"),
        "select",
    )
    n: int | None = _param(
        gettext_noop("How many images to make (dall-e-3 makes one)."),
        gettext_noop("Images"),
        ge=1,
        le=10,
        extra={"step": 1},
    )
    style: Literal["vivid", "natural"] | None = _param(
        gettext_noop("dall-e-3 only: vivid leans to dramatic images, natural to plainer ones."),
        gettext_noop("Style"),
        "select",
    )
    background: Literal["transparent", "opaque", "auto"] | None = _param(
        gettext_noop("GPT image models: a transparent background needs png or webp output."),
        gettext_noop("Background"),
        "select",
    )
    output_format: Literal["png", "jpeg", "webp"] | None = _param(
        gettext_noop("GPT image models: the file format of the images (png if unset)."),
        gettext_noop("Output format"),
        "select",
    )
    output_compression: int | None = _param(
        gettext_noop("GPT image models: compression in percent, for jpeg or webp output."),
        gettext_noop("Output compression"),
        ge=0,
        le=100,
        extra={"step": 1},
    )
    moderation: Literal["low", "auto"] | None = _param(
        gettext_noop("GPT image models: low filters less strictly than auto."),
        gettext_noop("Content moderation"),
        "select",
    )
    response_format: Literal["url", "b64_json"] | None = _param(
        gettext_noop(
            "dall-e models: a link valid for an hour (url) or the image itself (b64_json). "
            "GPT image models always send the image itself."
        ),
        gettext_noop("Response format"),
        "select",
    )
    user: str | None = _user()

    @field_validator("size")
    @classmethod
    def _a_size_some_model_makes(cls, value: str | None) -> str | None:
        problem = size_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    def consistency_errors(self) -> dict[str, str]:
        errors = family_problems(self.model_dump(exclude_none=True))
        if self.output_compression is not None and self.output_format not in {"jpeg", "webp"}:
            errors.setdefault(
                "output_compression",
                _("only applies to jpeg or webp images: set output_format to one of them"),
            )
        if self.background == "transparent" and self.output_format == "jpeg":
            errors.setdefault(
                "background",
                _("transparent needs output_format png or webp (jpeg has no transparency)"),
            )
        # The page shows it for every image body; only an edit (ImageEditBody) takes it.
        if (self.model_extra or {}).get("input_fidelity") is not None:
            errors["input_fidelity"] = _(
                "is for editing an image: choose an image to edit, or clear it"
            )
        return errors


# Image edits take up to 16 images (the GPT image models; dall-e-2 takes one).
MAX_EDIT_IMAGES = 16
_EDIT_REFUSES = ("style", "moderation")


def _file_reference(value: Any) -> Any:
    from playground.uploads.references import is_file_reference  # light: no ORM

    if not is_file_reference(value):
        raise ValueError(
            _("expected a file: upload:<sha256> from the page, or @path in the terminal")
        )
    return value


class ImageEditBody(ImageBody):
    """The body of POST /images/edits: an image body with the image(s) to edit and a mask.

    Files are references (``upload:<sha256>``, or ``@path`` in the terminal) that become
    the multipart upload's file parts; what the files are (type, size, the mask's
    dimensions and alpha) is checked when they are read (``file_problems``)."""

    image: str | list[str] = Field(
        description="The image to edit (png, webp or jpg), or up to 16 of them.",
        json_schema_extra={"label": gettext_noop("Image to edit"), "input": "file"},
    )
    mask: str | None = _param(
        gettext_noop(
            "A PNG of the same size as the image whose fully transparent areas are "
            "where it is edited."
        ),
        gettext_noop("Mask"),
        "file",
    )
    input_fidelity: Literal["high", "low"] | None = _param(
        gettext_noop(
            "Image edits with GPT image models (not gpt-image-1-mini): how closely the "
            "input's style and faces are kept (low if unset)."
        ),
        gettext_noop("Input fidelity"),
        "select",
    )

    @field_validator("image")
    @classmethod
    def _images_are_files(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            if not 1 <= len(value) <= MAX_EDIT_IMAGES:
                raise ValueError(_("give from 1 to %(count)s images") % {"count": MAX_EDIT_IMAGES})
            for item in value:
                _file_reference(item)
            return value
        return _file_reference(value)  # type: ignore[no-any-return]

    @field_validator("mask")
    @classmethod
    def _mask_is_a_file(cls, value: str | None) -> str | None:
        return None if value is None else _file_reference(value)

    def consistency_errors(self) -> dict[str, str]:
        errors = super().consistency_errors()
        for name in _EDIT_REFUSES:
            if getattr(self, name) is not None:
                errors[name] = _("is for generating images; image edits do not take it")
        errors.update(edit_family_problems(self.model_dump(exclude_none=True)))
        return errors

    @classmethod
    def file_problems(cls, body: dict[str, Any], files: dict[str, list[Any]]) -> dict[str, str]:
        return edit_file_problems(body, files)


# OpenAI's limits for POST /audio/speech (CreateSpeechRequest).
MAX_SPEECH_INPUT_CHARS = 4096
MAX_SPEECH_INSTRUCTIONS_CHARS = 4096
# The built-in voices the spec's description names (its schema accepts any string, but a
# voice the provider does not have is refused only after a round trip: refused here, before
# sending, listing these). A custom voice is an object, {"id": "voice_…"}.
SPEECH_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "onyx",
    "nova",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
# tts-1 and tts-1-hd take neither instructions nor a stream of SSE events (the spec says so).
_CLASSIC_TTS_MODELS = ("tts-1", "tts-1-hd")
# OpenAI's speech models (dated versions included): held to the voices above.
_OPENAI_TTS_PREFIXES = ("tts-1-", "gpt-4o-mini-tts", "gpt-4o-tts")


def _unknown_voice() -> str:
    return _('must be one of %(voices)s, or a custom voice as {"id": "voice_…"}') % {
        "voices": ", ".join(SPEECH_VOICES)
    }


class SpeechBody(WireBody):
    """The body of POST /audio/speech: text to read aloud, and how.

    The answer is an audio file (``response_format``), streamed as bytes, not JSON."""

    model: str = _model()
    input: str = Field(
        min_length=1,
        max_length=MAX_SPEECH_INPUT_CHARS,
        description="The text to read aloud, at most 4096 characters.",
    )
    voice: str | dict[str, str] = Field(
        description='A built-in voice, or a custom voice as {"id": "voice_…"}.',
    )
    instructions: str | None = Field(
        default=None,
        max_length=MAX_SPEECH_INSTRUCTIONS_CHARS,
        description="How to speak (tone, pace, accent); not for tts-1 or tts-1-hd.",
    )
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None = _param(
        gettext_noop(
            "The audio file's format (mp3 if unset). pcm is raw 24 kHz 16-bit mono samples, "
            "with no header: browsers cannot play it."
        ),
        gettext_noop("Audio format"),
        "select",
    )
    speed: float | None = _param(
        gettext_noop("How fast the voice speaks: 1 is normal speed."),
        gettext_noop("Speed"),
        ge=0.25,
        le=4,
        extra={"step": 0.25},
    )
    stream_format: Literal["audio", "sse"] | None = _param(
        gettext_noop(
            "audio (the default) streams the file's bytes; sse streams events of base64 "
            "audio (not for tts-1 or tts-1-hd)."
        ),
        gettext_noop("Stream format"),
        "select",
    )

    @field_validator("voice", mode="before")
    @classmethod
    def _a_voice(cls, value: Any) -> Any:
        # Any name here: another server's model names its own voices (consistency_errors
        # holds OpenAI's models to OpenAI's).
        if isinstance(value, str) and value.strip():
            return value
        if (
            isinstance(value, dict)
            and set(value) == {"id"}
            and isinstance(value["id"], str)
            and value["id"]
        ):
            return value
        raise ValueError(_unknown_voice())

    def consistency_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        openai_model = self.model in _CLASSIC_TTS_MODELS or self.model.startswith(
            _OPENAI_TTS_PREFIXES
        )
        if openai_model and isinstance(self.voice, str) and self.voice not in SPEECH_VOICES:
            errors["voice"] = _unknown_voice()
        if self.model in _CLASSIC_TTS_MODELS:
            if self.instructions is not None:
                errors["instructions"] = _(
                    "%(model)s does not take instructions: choose gpt-4o-mini-tts, or clear them"
                ) % {"model": self.model}
            if self.stream_format == "sse":
                errors["stream_format"] = _(
                    "%(model)s streams audio only: choose audio, or gpt-4o-mini-tts"
                ) % {"model": self.model}
        return errors
