"""The mode registry: everything the playground knows about a mode, in one record each.

A mode is what the request's ``mode`` names: which endpoint the body goes to, which
body model checks it, how the answer comes back, how the official SDKs call it, what
the page's form shows for it and which partial renders its result. Validation,
providers, fragments, exports, the terminal and the page all ask this registry;
nothing else branches on a mode's name.

Adding a mode: its body model (``bodies``), a record here, the provider method for a
new ``answer`` shape (``providers``), and its templates (the form's prompt fields
``playground/prompt/_<prompt_fields>.html``, the result partial, and the export
printers ``export/printers/<answer>[-stream].<lang>.txt``). ``tests/test_modes.py``
walks the registry and fails on a mode missing any of them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from playground.bodies import (
    ChatBody,
    CompletionBody,
    EditBody,
    EmbeddingBody,
    ImageBody,
    ImageEditBody,
    ModerationBody,
    SpeechBody,
    WireBody,
)
from playground.finetuning_body import FineTuningBody
from playground.responses_body import ResponsesBody
from playground.transcription_body import TranscriptionBody, TranslationBody
from playground.translation_marks import gettext_noop

# The parameters chat-shaped modes show on the page, in this order.
_CHAT_PARAMETERS = (
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
)

# Keyword arguments each Python SDK create() accepts since openai 1.50 (tests check them
# against the installed SDK). Anything else goes in extra_body: the SDK rejects unknowns.
_PYTHON_CHAT_KEYWORDS = frozenset(
    "messages model audio frequency_penalty function_call functions logit_bias logprobs "
    "max_completion_tokens max_tokens metadata modalities n parallel_tool_calls prediction "
    "presence_penalty reasoning_effort response_format seed service_tier stop store stream "
    "stream_options temperature tool_choice tools top_logprobs top_p user".split()
)
_PYTHON_COMPLETION_KEYWORDS = frozenset(
    "model prompt best_of echo frequency_penalty logit_bias logprobs max_tokens n "
    "presence_penalty seed stop stream stream_options suffix temperature top_p user".split()
)

# images.generate() keywords of the Python SDK; background, moderation and output_* came
# with the GPT image models (openai 1.76): an older SDK refuses them.
_PYTHON_IMAGE_KEYWORDS = frozenset(
    "prompt model background moderation n output_compression output_format quality "
    "response_format size style user".split()
)
# audio.speech.create() keywords (stream_format came with openai 1.99, custom voices later).
_PYTHON_SPEECH_KEYWORDS = frozenset(
    "input model voice instructions response_format speed stream_format".split()
)
# images.edit() keywords (input_fidelity came with openai 1.97).
# responses.create() keywords of the Python SDK since openai 1.66 (the Responses API).
_PYTHON_RESPONSES_KEYWORDS = frozenset(
    "input model include instructions max_output_tokens metadata parallel_tool_calls "
    "previous_response_id reasoning store stream temperature text tool_choice tools top_p "
    "truncation user".split()
)
# audio.transcriptions.create() and audio.translations.create() keywords (stream came with
# openai 1.68, keywords and languages later: sent in extra_body, as an older SDK needs).
_PYTHON_TRANSCRIPTION_KEYWORDS = frozenset(
    "file model chunking_strategy include language prompt response_format stream "
    "temperature timestamp_granularities".split()
)
_PYTHON_TRANSLATION_KEYWORDS = frozenset("file model prompt response_format temperature".split())
# fine_tuning.jobs.create() keywords (method and metadata came with openai 1.58 and 1.7x).
_PYTHON_FINE_TUNING_KEYWORDS = frozenset(
    "model training_file hyperparameters integrations metadata method seed suffix "
    "validation_file".split()
)
_PYTHON_IMAGE_EDIT_KEYWORDS = frozenset(
    "image prompt mask model background input_fidelity n output_compression output_format "
    "quality response_format size user".split()
)


@dataclass(frozen=True)
class SdkCall:
    """How the official SDKs send this mode's body."""

    # The client method, the same path in both SDKs: ``client.<method>(…)``.
    method: str
    # The Python SDK's keyword arguments for it; other body keys go in ``extra_body``.
    python_keywords: frozenset[str]
    # Keys the SDKs' method adds to the body when absent (embeddings.create() adds
    # encoding_format "base64"): then a snippet posts the body as is, to send the same.
    adds_when_absent: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # The Python SDK's answer type (module, class), for a snippet that posts the body as is.
    python_answer_type: tuple[str, str] = ("", "")
    # The answer is a file, streamed: the Python snippet calls the method through
    # ``with_streaming_response`` (``with client.audio.speech.with_streaming_response.
    # create(…) as response:``) so that it is written to disk in pieces, never held whole.
    python_streams_file: bool = False
    # The Node.js SDK's path when it differs (camelCase: ``fineTuning.jobs.create``).
    node_method: str = ""

    @property
    def node(self) -> str:
        return self.node_method or self.method

    def adds_to(self, body: Mapping[str, Any]) -> bool:
        """True when calling the method would send more than ``body``."""
        return any(key not in body for key in self.adds_when_absent)


@dataclass(frozen=True)
class Endpoint:
    """Where a body goes upstream, which model checks it and how the SDKs send it.

    A mode has one (its ``endpoint``, ``body_model`` and ``sdk``) and may have variants
    chosen by the body (``Mode.endpoint_for``): a body with an ``image`` goes to
    ``/images/edits`` instead of ``/images/generations``."""

    # The upstream path, relative to the provider's base URL.
    path: str
    body_model: type[WireBody]
    sdk: SdkCall
    # Body keys that hold files (``upload:<sha256>`` or ``@path``, see
    # ``playground.uploads.references``): a body with any of them set is sent as
    # multipart/form-data, each file as a file part; none: as JSON.
    file_fields: tuple[str, ...] = ()
    # What the files may be (a purpose of ``playground.uploads.kinds.UPLOAD_KINDS``).
    upload_purpose: str = ""

    @property
    def multipart(self) -> bool:
        return bool(self.file_fields)

    def chosen_by(self, body: Mapping[str, Any]) -> bool:
        """Whether ``body`` goes here: it sets one of this endpoint's file fields."""
        return any(body.get(name) not in (None, "", []) for name in self.file_fields)


@dataclass(frozen=True)
class Mode:
    """One mode of the playground."""

    name: str
    label: str
    # The upstream path, relative to the provider's base URL.
    endpoint: str
    body_model: type[WireBody]
    # The shape of the answer: the provider method that reads it, and the export
    # printers that print it ("chat", "completion", "embedding", "moderation", "image",
    # "speech": an audio file; "responses"; "transcription": text read from an audio file;
    # "fine_tuning": a job created, followed in the background).
    answer: str
    sdk: SdkCall
    # The form's prompt fields (the partial playground/prompt/_<prompt_fields>.html).
    prompt_fields: str
    # The parameters the page shows as inputs for this mode, in this order.
    parameters: tuple[str, ...] = ()
    # Streams text token by token into candidate columns (the others answer once).
    generates_text: bool = False
    # Sends a chat body: what is known about chat models (reasoning models refusing
    # sampling parameters, an embeddings model that cannot chat) applies.
    sends_chat: bool = False
    # The page's moderation switch (check the prompt before, the reply after) applies.
    moderation_switch: bool = False
    # The result shows the reply as a word diff of the input it rewrote.
    diff_with_input: bool = False
    # The partial that renders a finished run's result beyond the reply text.
    result_template: str = "playground/_mode_result.html"
    # The body keys whose texts are templates: ``{{name}}`` filled from the request's
    # variables before sending (``playground.variables``).
    template_keys: tuple[str, ...] = ()
    # A small valid body: the registry's self-check validates, exports and runs it offline.
    example_body: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Other endpoints, each chosen by the body (``Endpoint.chosen_by``), first match first.
    variants: tuple[Endpoint, ...] = ()
    # The body keys of the mode's own endpoint that hold files (then it is always a
    # multipart upload, as a transcription's audio is) and what they may be.
    upload_fields: tuple[str, ...] = ()
    upload_purpose: str = ""
    # The model a new request of this mode starts with on a provider that is not the offline
    # model (OpenAI's name for it; "" : the provider's default model).
    suggested_model: str = ""
    # Body keys that name files the provider must hold before the call (a fine-tuning job's
    # training file): a file of the playground there is uploaded to /files first, and its
    # id sent (unlike ``upload_fields``, the call itself is JSON).
    uploaded_first: tuple[str, ...] = ()
    # Why a request of this mode is never run once per row of a dataset ("" when it may
    # be): each run of a fine-tuning job starts a paid job.
    not_evaluated: str = ""
    # Why the page shows no token estimate before a run of this mode ("" when it does):
    # an audio file's tokens are the provider's to count.
    no_estimate: str = ""

    @property
    def streams(self) -> bool:
        """Whether a body of this mode may ask for a streamed answer (``stream``)."""
        return "stream" in self.body_model.model_fields

    @property
    def default_endpoint(self) -> Endpoint:
        return Endpoint(
            self.endpoint,
            self.body_model,
            self.sdk,
            file_fields=self.upload_fields,
            upload_purpose=self.upload_purpose,
        )

    def endpoint_for(self, body: Mapping[str, Any]) -> Endpoint:
        """The endpoint ``body`` goes to: the first variant it chooses, else the mode's own."""
        return next((v for v in self.variants if v.chosen_by(body)), self.default_endpoint)

    @property
    def body_models(self) -> tuple[type[WireBody], ...]:
        """The body models of every endpoint, the mode's own first."""
        return (self.body_model, *(variant.body_model for variant in self.variants))

    @property
    def file_fields(self) -> tuple[str, ...]:
        """The body keys of every endpoint that hold files (the page's file inputs)."""
        endpoints = (self.default_endpoint, *self.variants)
        return tuple(name for endpoint in endpoints for name in endpoint.file_fields)


def _example(**body: Any) -> Mapping[str, Any]:
    return MappingProxyType({"model": "example-model", **body})


_CHAT_SDK = SdkCall("chat.completions.create", _PYTHON_CHAT_KEYWORDS)
_AUDIO_NOT_ESTIMATED = gettext_noop(
    "The provider counts the audio by its length: no estimate before the run."
)

REGISTRY: Mapping[str, Mode] = MappingProxyType(
    {
        mode.name: mode
        for mode in (
            Mode(
                name="chat",
                label=gettext_noop("Chat"),
                endpoint="/chat/completions",
                body_model=ChatBody,
                answer="chat",
                sdk=_CHAT_SDK,
                prompt_fields="messages",
                parameters=_CHAT_PARAMETERS,
                generates_text=True,
                sends_chat=True,
                moderation_switch=True,
                template_keys=("messages",),
                example_body=_example(messages=[{"role": "user", "content": "Say hello."}]),
            ),
            Mode(
                name="completion",
                suggested_model="gpt-3.5-turbo-instruct",
                label=gettext_noop("Completion (legacy)"),
                endpoint="/completions",
                body_model=CompletionBody,
                answer="completion",
                sdk=SdkCall("completions.create", _PYTHON_COMPLETION_KEYWORDS),
                prompt_fields="prompt",
                parameters=(
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
                generates_text=True,
                template_keys=("prompt", "suffix"),
                example_body=_example(prompt="Once upon a time"),
            ),
            # An edit is a chat body built from an instruction and an input.
            Mode(
                name="edit",
                label=gettext_noop("Edit"),
                endpoint="/chat/completions",
                body_model=EditBody,
                answer="chat",
                sdk=_CHAT_SDK,
                prompt_fields="instruction",
                parameters=_CHAT_PARAMETERS,
                generates_text=True,
                sends_chat=True,
                diff_with_input=True,
                template_keys=("messages",),
                example_body=_example(
                    messages=[
                        {"role": "system", "content": "Fix the spelling."},
                        {"role": "user", "content": "Helo wrld"},
                    ]
                ),
            ),
            Mode(
                name="embedding",
                suggested_model="text-embedding-3-small",
                label=gettext_noop("Embeddings"),
                endpoint="/embeddings",
                body_model=EmbeddingBody,
                answer="embedding",
                sdk=SdkCall(
                    "embeddings.create",
                    frozenset({"model", "input", "dimensions", "encoding_format", "user"}),
                    MappingProxyType({"encoding_format": "base64"}),
                    ("openai.types", "CreateEmbeddingResponse"),
                ),
                prompt_fields="inputs",
                parameters=("dimensions", "encoding_format", "user"),
                template_keys=("input",),
                example_body=_example(input=["The cat sat.", "A cat was sitting."]),
            ),
            Mode(
                name="moderation",
                suggested_model="omni-moderation-latest",
                label=gettext_noop("Moderation"),
                endpoint="/moderations",
                body_model=ModerationBody,
                answer="moderation",
                sdk=SdkCall("moderations.create", frozenset({"model", "input"})),
                prompt_fields="inputs",
                template_keys=("input",),
                example_body=_example(input="I like cats."),
            ),
            Mode(
                name="image",
                suggested_model="gpt-image-1",
                label=gettext_noop("Image"),
                endpoint="/images/generations",
                body_model=ImageBody,
                answer="image",
                sdk=SdkCall("images.generate", _PYTHON_IMAGE_KEYWORDS),
                prompt_fields="image",
                parameters=(
                    "size",
                    "quality",
                    "n",
                    "output_format",
                    "background",
                    "output_compression",
                    "style",
                    "moderation",
                    "input_fidelity",
                    "response_format",
                    "user",
                ),
                result_template="playground/_image_result.html",
                template_keys=("prompt",),
                example_body=_example(prompt="A lighthouse at dusk", size="256x256"),
                # With an image (and maybe a mask) to edit: /images/edits, as a form upload.
                variants=(
                    Endpoint(
                        "/images/edits",
                        ImageEditBody,
                        SdkCall("images.edit", _PYTHON_IMAGE_EDIT_KEYWORDS),
                        file_fields=("image", "mask"),
                        upload_purpose="image",
                    ),
                ),
            ),
            Mode(
                name="speech",
                suggested_model="gpt-4o-mini-tts",
                label=gettext_noop("Speech"),
                endpoint="/audio/speech",
                body_model=SpeechBody,
                answer="speech",
                sdk=SdkCall(
                    "audio.speech.create", _PYTHON_SPEECH_KEYWORDS, python_streams_file=True
                ),
                # The text, voice and instructions are the prompt's fields.
                prompt_fields="speech",
                parameters=("response_format", "speed", "stream_format"),
                result_template="playground/_speech_result.html",
                template_keys=("input", "instructions"),
                example_body=_example(input="Hello from the playground.", voice="alloy"),
            ),
            # OpenAI's Responses API: typed events, items in and out, and responses the
            # provider keeps, continued by previous_response_id.
            Mode(
                name="responses",
                label=gettext_noop("Responses"),
                endpoint="/responses",
                body_model=ResponsesBody,
                answer="responses",
                sdk=SdkCall("responses.create", _PYTHON_RESPONSES_KEYWORDS),
                prompt_fields="responses",
                parameters=(
                    "temperature",
                    "top_p",
                    "max_output_tokens",
                    "tools",
                    "tool_choice",
                    "parallel_tool_calls",
                    "text",
                    "reasoning",
                    "store",
                    "metadata",
                    "truncation",
                    "user",
                    "stream",
                ),
                generates_text=True,
                result_template="playground/_responses_result.html",
                template_keys=("input", "instructions"),
                example_body=_example(input="Say hello.", instructions="Be brief."),
            ),
            # Speech to text: an uploaded audio file in, its words out (the reply), with
            # timed segments for verbose_json; translation writes them in English.
            Mode(
                name="transcription",
                suggested_model="whisper-1",
                label=gettext_noop("Transcription"),
                endpoint="/audio/transcriptions",
                body_model=TranscriptionBody,
                answer="transcription",
                sdk=SdkCall("audio.transcriptions.create", _PYTHON_TRANSCRIPTION_KEYWORDS),
                prompt_fields="audio",
                parameters=(
                    "language",
                    "response_format",
                    "temperature",
                    "timestamp_granularities",
                    "include",
                    "stream",
                ),
                result_template="playground/_transcription_result.html",
                template_keys=("prompt",),
                example_body=_example(file="@hello.wav", language="en"),
                upload_fields=("file",),
                upload_purpose="audio",
                no_estimate=_AUDIO_NOT_ESTIMATED,
            ),
            Mode(
                name="translation",
                suggested_model="whisper-1",
                label=gettext_noop("Translation (audio to English)"),
                endpoint="/audio/translations",
                body_model=TranslationBody,
                answer="transcription",
                sdk=SdkCall("audio.translations.create", _PYTHON_TRANSLATION_KEYWORDS),
                prompt_fields="audio",
                parameters=("response_format", "temperature"),
                result_template="playground/_transcription_result.html",
                template_keys=("prompt",),
                example_body=_example(file="@hello.wav"),
                upload_fields=("file",),
                upload_purpose="audio",
                no_estimate=_AUDIO_NOT_ESTIMATED,
            ),
            # A fine-tuning job: its training file uploaded to /files first when it is a file
            # of the playground; the run ends once the job is created, and a background task
            # follows it (playground.finetuning).
            Mode(
                name="fine_tuning",
                suggested_model="gpt-4o-mini-2024-07-18",
                label=gettext_noop("Fine-tuning job"),
                endpoint="/fine_tuning/jobs",
                body_model=FineTuningBody,
                answer="fine_tuning",
                sdk=SdkCall(
                    "fine_tuning.jobs.create",
                    _PYTHON_FINE_TUNING_KEYWORDS,
                    node_method="fineTuning.jobs.create",
                ),
                prompt_fields="fine_tuning",
                parameters=("hyperparameters", "suffix", "seed"),
                result_template="playground/_fine_tuning_result.html",
                example_body=_example(training_file="@train.jsonl", suffix="faq"),
                uploaded_first=("training_file", "validation_file"),
                not_evaluated=gettext_noop(
                    "fine_tuning starts a job each run: it is not run over a dataset (evaluate "
                    "the fine-tuned model in chat mode instead)"
                ),
                no_estimate=gettext_noop(
                    "A fine-tuning job is priced by the tokens it trains on: see its page."
                ),
            ),
        )
    }
)

MODE_NAMES: tuple[str, ...] = tuple(REGISTRY)
DEFAULT_MODE = "chat"


class UnknownMode(KeyError):
    """A mode name the registry does not know."""


def get_mode(name: object) -> Mode:
    """The mode named ``name``; UnknownMode (naming the known ones) otherwise."""
    mode = REGISTRY.get(name) if isinstance(name, str) else None
    if mode is None:
        raise UnknownMode(f"must be one of {', '.join(MODE_NAMES)}")
    return mode


def modes_where(**flags: bool) -> tuple[Mode, ...]:
    """The modes whose flags have the given values (``modes_where(generates_text=True)``)."""
    return tuple(
        mode
        for mode in REGISTRY.values()
        if all(getattr(mode, flag) == value for flag, value in flags.items())
    )
