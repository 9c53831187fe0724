"""The small interface every provider implements, and the events a stream yields."""

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from playground.modes import DEFAULT_MODE
from playground.secrets_scrub import Scrubber


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of reply text for candidate ``index``."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    """Candidate ``index`` is complete; ``reason`` is the upstream's finish_reason."""

    index: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    # When the provider reports them (prompt_tokens_details / completion_tokens_details).
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    # True when counted here, not reported by the provider (a stream without usage, a Stop).
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call as it streams: the first names it, later ones add arguments."""

    index: int  # the candidate
    call_index: int  # the call's position within the candidate's reply
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A complete tool call of candidate ``index`` (assembled from its deltas)."""

    index: int
    call_index: int
    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """One reply token, its log probability and the likeliest alternatives at its place."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Logprobs:
    """Log probabilities of the tokens just streamed for candidate ``index``."""

    index: int
    tokens: tuple[TokenLogprob, ...]


@dataclass(frozen=True, slots=True)
class Embeddings:
    """The vectors of an embeddings request, one per input, in input order."""

    vectors: tuple[tuple[float, ...], ...]
    model: str

    def cosine_matrix(self) -> list[list[float]]:
        """Cosine similarity of every pair of inputs (1.0 on the diagonal)."""
        norms = [math.sqrt(sum(x * x for x in v)) or 1.0 for v in self.vectors]
        return [
            [
                sum(x * y for x, y in zip(a, b, strict=False)) / (na * nb)
                for b, nb in zip(self.vectors, norms, strict=True)
            ]
            for a, na in zip(self.vectors, norms, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class Moderations:
    """One moderation result per input, in OpenAI's shape (flagged, categories, scores)."""

    results: tuple[dict[str, Any], ...]
    model: str


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """One image of an images answer: its file as base64, or a link to it (never fetched
    here), and the prompt the model drew from when it rewrote it (dall-e-3 does)."""

    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


@dataclass(frozen=True, slots=True)
class Images:
    """The images of an image request, in answer order."""

    images: tuple[GeneratedImage, ...]
    model: str
    # The file format the answer names (the GPT image models say it), else None.
    output_format: str | None = None


@dataclass(frozen=True, slots=True)
class AudioPiece:
    """A piece of a speech answer's audio file, in arrival order (passed on as it comes:
    a long answer is never held whole by the provider)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class AudioDone:
    """The speech answer's audio file is complete, in ``response_format`` (mp3, wav…)."""

    model: str
    response_format: str


@dataclass(frozen=True, slots=True)
class TimedText:
    """A piece of a transcript with its place in the audio, in seconds (a segment or a
    word of a verbose_json answer; ``speaker`` for a diarized one)."""

    start: float
    end: float
    text: str
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class Transcript:
    """What a transcription or translation said beside its text (which comes as the reply's
    ``TextDelta``): the language and duration, and the timed segments and words of a
    verbose answer (empty for json, text and subtitles)."""

    model: str
    response_format: str
    language: str = ""
    duration: float | None = None
    segments: tuple[TimedText, ...] = ()
    words: tuple[TimedText, ...] = ()


@dataclass(frozen=True, slots=True)
class StreamEventType:
    """A typed stream event arrived (the Responses API's ``response.output_text.delta``…):
    the inspector lists the types in arrival order, with counts."""

    type: str


@dataclass(frozen=True, slots=True)
class ResponseId:
    """The id of the response being made (the Responses API): continued with
    ``previous_response_id``."""

    id: str


@dataclass(frozen=True, slots=True)
class JobCreated:
    """A fine-tuning job the run created at the provider (followed by a background task)."""

    id: str
    status: str
    model: str
    provider: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the reasoning summary a model streams beside its reply."""

    text: str


@dataclass(frozen=True, slots=True)
class ResponseHeaders:
    """The upstream's status and the headers worth showing (rate limits, request id)."""

    status: int
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RawChunk:
    """One SSE ``data:`` payload, or the whole JSON answer, exactly as received."""

    data: str


@dataclass(frozen=True, slots=True)
class Retrying:
    """The attempt before failed before any text arrived; attempt ``attempt`` of ``attempts``
    starts after ``delay`` seconds. ``reason`` says why, in plain words ("rate limited (429)")."""

    attempt: int
    attempts: int
    delay: float
    reason: str


Event = (
    TextDelta
    | Finished
    | Usage
    | ToolCallDelta
    | ToolCall
    | Logprobs
    | Embeddings
    | Moderations
    | Images
    | AudioPiece
    | AudioDone
    | Transcript
    | StreamEventType
    | ResponseId
    | JobCreated
    | ReasoningDelta
    | ResponseHeaders
    | RawChunk
    | Retrying
)

# Headers shown in the raw response inspector; everything else (cookies...) stays out.
SHOWN_HEADER_PREFIXES = ("x-ratelimit-", "openai-", "x-request-id", "retry-after")


def shown_headers(headers: Any) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name.lower(), value)
        for name, value in headers.items()
        if name.lower().startswith(SHOWN_HEADER_PREFIXES)
    )


class ToolCallAssembler:
    """Joins streamed tool-call deltas into complete calls, per candidate, in call order."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[int, dict[str, str]]] = {}

    def add(self, delta: ToolCallDelta) -> None:
        call = self._calls.setdefault(delta.index, {}).setdefault(
            delta.call_index, {"id": "", "name": "", "arguments": ""}
        )
        if delta.id:
            call["id"] = delta.id
        if delta.name:
            call["name"] += delta.name
        call["arguments"] += delta.arguments

    def complete(self, index: int) -> list[ToolCall]:
        """The finished calls of candidate ``index`` (and forget them)."""
        calls = self._calls.pop(index, {})
        return [
            ToolCall(index, position, call["id"], call["name"], call["arguments"])
            for position, call in sorted(calls.items())
        ]

    def pending(self) -> list[int]:
        return sorted(self._calls)


class UpstreamError(Exception):
    """An upstream failure, told in plain words: what happened and what to do.

    ``kind`` is one of: auth, forbidden, not_found, bad_request, rate_limited,
    server_error, timeout, connect_timeout, unreachable, stream_cut, bad_response,
    unknown_provider, circuit_open, refused (a capability hint stopped the request),
    private_address (PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS refused the address connected to).
    ``retry_after`` is the upstream's Retry-After in seconds, when it sent one;
    ``param`` names the request parameter an upstream 400 blamed, when it named one.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        param: str | None = None,
    ) -> None:
        self.kind = kind
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.param = param
        super().__init__(message)


class Provider(Protocol):
    name: str
    label: str
    offline: bool
    default_model: str
    # The model the chat page's moderation switch checks texts with, and where a user sets
    # it (named in the message when the check fails).
    moderation_model: str
    moderation_setting: str
    # Finds the provider's secrets in what leaves the server (playground/secrets_scrub.py).
    scrubber: Scrubber

    def stream(self, body: dict[str, Any], mode: str = DEFAULT_MODE) -> AsyncIterator[Event]:
        """Send ``body`` to ``mode``'s endpoint and yield its events; raise UpstreamError."""
        ...

    async def list_models(self) -> list[str]:
        """The model names this provider serves, best effort."""
        ...

    async def fetch_models(self, *, wait: float = 5.0) -> list[str]:
        """The model names the provider lists, or UpstreamError saying why it could not."""
        ...
