"""What one run produced: its text, the events beside it, timings and the raw answer.

``playground.streaming`` fills one while it relays a run; the final frame
(``playground.fragments``), the inspector and the moderation check read it.
"""

import dataclasses
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from playground.modes import DEFAULT_MODE
from playground.providers import (
    AudioDone,
    AudioPiece,
    Embeddings,
    Images,
    JobCreated,
    Logprobs,
    Moderations,
    RawChunk,
    ReasoningDelta,
    ResponseHeaders,
    ResponseId,
    StreamEventType,
    TokenLogprob,
    ToolCall,
    Transcript,
    Usage,
)
from playground.secrets_scrub import NO_SECRETS, Scrubber
from playground.speech_files import AudioSink, StoredSpeech

# The raw response inspector keeps at most this much of an answer (a long reply or a
# big embeddings answer would otherwise make one huge final frame).
RAW_KEEP_CHARS = 300_000

# Chunks are kept as they come until this many characters, then compressed as one block.
# A streamed answer is hundreds of near-identical JSON chunks (~250 characters each, ~50 kB
# for 200 tokens) that compress ~40 times: 200 sockets, each keeping its last run for the
# inspector, hold ~2 MB instead of ~10 MB. A block of 16 kB costs ~1 µs per chunk to
# compress; smaller blocks cost more per chunk (zlib's setup) and compress less.
RAW_BLOCK_CHARS = 16_384


class RawChunks:
    """The raw answer's chunks in arrival order, compact: a list's ``append``, ``len`` and
    iteration, over compressed blocks and the chunks since the last block."""

    def __init__(self) -> None:
        # Each block: the UTF-8 of its chunks joined, compressed; and each chunk's length.
        self._blocks: list[tuple[bytes, array]] = []
        self._open: list[str] = []
        self._open_chars = 0
        self._count = 0

    def append(self, chunk: str) -> None:
        self._open.append(chunk)
        self._open_chars += len(chunk)
        self._count += 1
        if self._open_chars >= RAW_BLOCK_CHARS:
            lengths = array("L", map(len, self._open))
            self._blocks.append(
                (zlib.compress("".join(self._open).encode("utf-8", "surrogatepass"), 1), lengths)
            )
            self._open = []
            self._open_chars = 0

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[str]:
        for packed, lengths in self._blocks:
            text = zlib.decompress(packed).decode("utf-8", "surrogatepass")
            start = 0
            for length in lengths:
                yield text[start : start + length]
                start += length
        yield from self._open


class RunStatus:
    """How a run ended (``RunOutcome.status``; the run record's status)."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    # Not sent: a budget, the run limits or the moderation check said no.
    REFUSED = "refused"


@dataclass
class RunOutcome:
    """A run's result, kept as it streams (one per run, written once at its end)."""

    status: str = RunStatus.RUNNING
    # The plain words the page showed for a failed or refused run.
    error: str = ""
    # Wall-clock start (time.time()), for the run record's date.
    started_at: float = 0.0
    text: dict[int, str] = field(default_factory=dict)
    finish_reasons: dict[int, str | None] = field(default_factory=dict)
    usage: Usage | None = None
    first_token_seconds: float | None = None
    seconds: float = 0.0
    mode: str = DEFAULT_MODE
    body: dict[str, Any] = field(default_factory=dict)
    tool_calls: dict[int, list[ToolCall]] = field(default_factory=dict)
    logprobs: dict[int, list[TokenLogprob]] = field(default_factory=dict)
    embeddings: Embeddings | None = None
    moderations: Moderations | None = None
    images: Images | None = None
    # A speech answer's audio while it arrives, its format, and the file once stored.
    audio: AudioSink | None = None
    audio_format: str = ""
    speech: StoredSpeech | None = None
    # A transcription's or translation's language, duration and timed segments.
    transcript: Transcript | None = None
    # The fine-tuning job a fine_tuning run created.
    job: JobCreated | None = None
    headers: ResponseHeaders | None = None
    # The Responses API's: the response's id, its reasoning summary, and each typed
    # event's count in the order the types first arrived.
    response_id: str = ""
    reasoning: str = ""
    event_types: dict[str, int] = field(default_factory=dict)
    raw: RawChunks = field(default_factory=RawChunks)
    raw_chars: int = 0
    raw_dropped: int = 0
    # The provider's: the probability view shows the reply token by token, where a secret
    # spelled over several tokens escapes a scrubber that reads one frame at a time.
    scrubber: Scrubber = NO_SECRETS

    def shown_logprobs(self) -> dict[int, list[TokenLogprob]]:
        """The logprobs as the page shows them: tokens that spell a secret hide it."""
        if not self.scrubber:
            return self.logprobs
        shown = {}
        for index, tokens in self.logprobs.items():
            texts = self.scrubber.scrub_pieces([token.token for token in tokens])
            shown[index] = [
                token if text == token.token else dataclasses.replace(token, token=text)
                for token, text in zip(tokens, texts, strict=True)
            ]
        return shown

    def record(self, event: object) -> None:
        """Keep an event that is not reply text, for the final frame and the inspector."""
        if isinstance(event, RawChunk):
            if self.raw_chars + len(event.data) <= RAW_KEEP_CHARS:
                self.raw.append(event.data)
                self.raw_chars += len(event.data)
            else:
                self.raw_dropped += 1
        elif isinstance(event, Logprobs):
            self.logprobs.setdefault(event.index, []).extend(event.tokens)
        elif isinstance(event, ToolCall):
            self.tool_calls.setdefault(event.index, []).append(event)
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, ResponseHeaders):
            self.headers = event
        elif isinstance(event, Embeddings):
            self.embeddings = event
        elif isinstance(event, Moderations):
            self.moderations = event
        elif isinstance(event, Images):
            self.images = event
        elif isinstance(event, AudioPiece):
            if self.audio is None:
                self.audio = AudioSink()
            self.audio.write(event.data)
        elif isinstance(event, AudioDone):
            self.audio_format = event.response_format
        elif isinstance(event, StreamEventType):
            self.event_types[event.type] = self.event_types.get(event.type, 0) + 1
        elif isinstance(event, ResponseId):
            self.response_id = event.id
        elif isinstance(event, ReasoningDelta):
            self.reasoning += event.text
        elif isinstance(event, Transcript):
            self.transcript = event
        elif isinstance(event, JobCreated):
            self.job = event
