"""One run: provider events in, coalesced HTML frames out.

Why coalesce: every websocket frame costs the server ~100+ µs of CPU, so a fast
upstream (or hundreds of concurrent streams) must not cost one frame per token.
The process shares a frame budget (frames per second over all streams): each
stream flushes at most once per ``max(min_interval, active_streams / budget)``.
A lone stream at 50 tokens/s therefore gets every token at once, while 200
streams batch a few tokens per frame instead of saturating the CPU. A run's first
token is never batched: it goes out at once, even from inside an upstream burst.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from playground import fragments
from playground.markdown_render import SettledBlocks
from playground.modes import DEFAULT_MODE
from playground.outcome import RawChunks, RunOutcome, RunStatus
from playground.providers import (
    Finished,
    Provider,
    ResponseId,
    Retrying,
    StreamEventType,
    TextDelta,
    UpstreamError,
)
from playground.secrets_scrub import NO_SECRETS, Scrubber, StreamScrubber
from playground.speech_files import SpeechRefused, speech_store_async

logger = logging.getLogger(__name__)

SendHtml = Callable[[str], Awaitable[None]]

INTERNAL_ERROR = gettext_lazy(
    "The playground hit an internal error (details are in the server log). "
    "Run again; if it repeats, please report it."
)

_active_streams = 0


def frame_interval() -> float:
    """Seconds between two frames of one stream, given the current load of this process."""
    share = _active_streams / settings.PLAYGROUND_FRAME_BUDGET
    return max(settings.PLAYGROUND_MIN_FRAME_INTERVAL, share)


class FrameCoalescer:
    """Collects reply text per candidate and flushes it as frames, no faster than the interval.

    Text still pending when the stream ends is left for the caller's final frame
    (``take_pending``), so the last words always travel with the final status. Each frame
    also carries the blocks of Markdown the candidate's text completed, rendered once each
    (``SettledBlocks``; the final frame renders the whole reply). A provider
    with secrets has each candidate's text pass its scrubber's stream, which holds back a
    tail that may be the start of a secret until the next piece (the consumer scrubs each
    frame, and a secret split across two frames would pass unseen).
    """

    def __init__(self, send_html: SendHtml, scrubber: Scrubber = NO_SECRETS) -> None:
        self._send_html = send_html
        self._scrubber = scrubber
        self._streams: dict[int, StreamScrubber] = {}
        self._blocks: dict[int, SettledBlocks] = {}
        self._pending: dict[int, list[str]] = {}
        self._wake = asyncio.Event()
        self._flushing = False
        self._stopping = False
        self._writer: asyncio.Task | None = None
        self._last_flush = 0.0

    def add(self, index: int, text: str) -> None:
        self._pending.setdefault(index, []).append(text)
        self._wake.set()

    async def send_now(self, index: int, text: str) -> None:
        """Send ``text`` in a frame of its own at once, ahead of any batch (a run's first token).

        It passes the candidate's scrubber stream like any batch: a first token that may be
        the start of a secret is held back with the rest.
        """
        self._pending.setdefault(index, []).append(text)
        batch = self._take(final=False)
        if not batch:
            return
        self._flushing = True
        try:
            await self._send_html(self._frame(batch))
        finally:
            self._flushing = False
        self._last_flush = asyncio.get_running_loop().time()
        # daphne only buffers the frame (Twisted writes when the loop next polls the socket),
        # and a burst already read is worked through without yielding: let the loop poll
        # (first pass) and run the socket's write (second pass) before going on.
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    def _frame(self, batch: dict[int, str]) -> str:
        settled: dict[int, tuple[str, str]] = {}
        for index, text in batch.items():
            blocks = self._blocks.get(index)
            if blocks is None:
                blocks = self._blocks[index] = SettledBlocks()
            done = blocks.feed(text)
            if done is not None:
                settled[index] = done
        return fragments.reply_text(batch, settled)

    def take_pending(self) -> dict[int, str]:
        """All the text not sent yet, held-back tails included: the stream has ended."""
        return self._take(final=True)

    def _take(self, *, final: bool) -> dict[int, str]:
        if not self._scrubber:
            batch = {index: "".join(pieces) for index, pieces in self._pending.items()}
            self._pending.clear()
            return batch
        batch = {}
        for index in self._pending.keys() | self._streams.keys() if final else self._pending:
            stream = self._streams.get(index)
            if stream is None:
                stream = self._streams[index] = self._scrubber.stream()
            text = stream.feed("".join(self._pending.get(index, ())))
            if final:
                text += stream.finish()
            if text:
                batch[index] = text
        self._pending.clear()
        return batch

    async def __aenter__(self) -> "FrameCoalescer":
        global _active_streams
        _active_streams += 1
        self._writer = asyncio.create_task(self._write_frames())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        global _active_streams
        _active_streams -= 1
        assert self._writer is not None
        if self._flushing:
            # Let a frame in flight finish so that its text is neither lost nor sent twice.
            self._stopping = True
            self._wake.set()
            await asyncio.shield(self._writer)
        else:
            self._writer.cancel()

    async def _write_frames(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            await self._wake.wait()
            wait = self._last_flush + frame_interval() - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._wake.clear()
            if self._pending and not self._stopping:
                batch = self._take(final=False)
                if batch:
                    self._flushing = True
                    try:
                        await self._send_html(self._frame(batch))
                    finally:
                        self._flushing = False
                    self._last_flush = loop.time()


# How often a Stop cancels a run again until the run ends (see cancel_until_done).
RECANCEL_SECONDS = 0.05
# Stops of closed pages, held until done (the loop keeps only weak references to tasks).
_stopping: set["asyncio.Task[None]"] = set()


async def cancel_until_done(task: "asyncio.Task[Any]") -> None:
    """Cancel ``task`` and wait for it to end, cancelling again while it runs on.

    A Stop that lands while the HTTP client waits for a connection from its pool can be
    swallowed there (httpcore waits inside an anyio cancel scope, which may take a native
    cancellation for its own), and the run would stream to its end. A run never catches a
    cancellation to carry on, so cancelling again until it ends is safe."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=RECANCEL_SECONDS)


def cancel_in_background(task: "asyncio.Task[Any]") -> None:
    """``cancel_until_done`` for a caller that cannot wait (a socket closing)."""
    stopping = asyncio.ensure_future(cancel_until_done(task))
    _stopping.add(stopping)
    stopping.add_done_callback(_stopping.discard)


async def _audio_store(outcome: RunOutcome) -> None:
    """Store a speech answer's audio as an upload (the page plays it from its URL); an
    answer that is not the audio asked for fails the run, saying so."""
    sink = outcome.audio
    assert sink is not None
    try:
        outcome.speech = await speech_store_async(
            sink=sink, body=outcome.body, response_format=outcome.audio_format or "mp3"
        )
    except SpeechRefused as refused:
        raise UpstreamError("bad_response", str(refused)) from None
    finally:
        sink.close()
        outcome.audio = None


def _news(event: object, outcome: RunOutcome) -> bool:
    """Whether ``event`` (just recorded) is a typed event's first arrival of its type."""
    if isinstance(event, StreamEventType):
        return outcome.event_types.get(event.type) == 1
    return isinstance(event, ResponseId) and not outcome.event_types


async def relay_run(
    provider: Provider,
    body: dict,
    send_html: SendHtml,
    mode: str = DEFAULT_MODE,
    outcome: RunOutcome | None = None,
) -> RunOutcome:
    """Stream ``body`` through ``provider`` to the page, ending with one status frame.

    Upstream failures end the run with the partial text kept and a plain message;
    cancellation (Stop) sends a "stopped" frame and re-raises. Tool calls,
    logprobs, embeddings, moderation results and the raw answer travel with the
    final frame. ``outcome``, when given, is filled in place: a caller that is cancelled
    (Stop) still holds what the run produced, to record it.
    """
    if outcome is None:
        outcome = RunOutcome()
    outcome.mode, outcome.body, outcome.scrubber = mode, body, provider.scrubber
    outcome.started_at = time.time()
    started = time.monotonic()
    await send_html(fragments.run_started(body, provider, mode=mode))
    frames = FrameCoalescer(send_html, provider.scrubber)
    try:
        async with frames:
            async for event in provider.stream(body, mode):
                if isinstance(event, TextDelta):
                    outcome.text[event.index] = outcome.text.get(event.index, "") + event.text
                    if outcome.first_token_seconds is None:
                        outcome.first_token_seconds = time.monotonic() - started
                        # The first token leaves at once, even inside a burst; batching
                        # applies after it.
                        await frames.send_now(event.index, event.text)
                    else:
                        frames.add(event.index, event.text)
                elif isinstance(event, Finished):
                    outcome.finish_reasons[event.index] = event.reason
                elif isinstance(event, Retrying):
                    # The inspector shows the attempt that answers, not the one that failed.
                    outcome.headers, outcome.raw, outcome.raw_chars = None, RawChunks(), 0
                    await send_html(fragments.run_retrying(event))
                else:
                    outcome.record(event)
                    if _news(event, outcome):
                        # A new event type (or the response's id): the inspector's list
                        # grows as they arrive; repeats are counted in the final frame.
                        await send_html(fragments.responses_progress(outcome))
            if outcome.audio is not None:
                await _audio_store(outcome)
    except UpstreamError as error:
        outcome.seconds = time.monotonic() - started
        outcome.status, outcome.error = RunStatus.FAILED, error.message
        # An open circuit breaker refuses before sending: there is nothing to inspect.
        sent = error.kind != "circuit_open"
        await send_html(
            fragments.run_failed(
                frames.take_pending(),
                error.message,
                partial=any(outcome.text.values()),
                param=error.param,
                outcome=outcome,
            )
            + (fragments.raw_response(outcome, failed=True) if sent else "")
        )
        return outcome
    except asyncio.CancelledError:
        outcome.seconds = time.monotonic() - started
        outcome.status = RunStatus.STOPPED
        await send_html(fragments.run_stopped(frames.take_pending(), outcome))
        raise
    except Exception:
        # A bug of ours, not the upstream's: say so plainly, keep the text, log the details.
        logger.exception("Run failed inside the playground")
        outcome.seconds = time.monotonic() - started
        outcome.status, outcome.error = RunStatus.FAILED, str(INTERNAL_ERROR)
        await send_html(
            # Not rendered again (the bug may be there): the settled blocks and the tail
            # after them already show the whole text.
            fragments.run_failed(
                frames.take_pending(), outcome.error, partial=any(outcome.text.values())
            )
        )
        return outcome
    outcome.seconds = time.monotonic() - started
    outcome.status = RunStatus.FINISHED
    await send_html(fragments.run_finished(frames.take_pending(), outcome))
    return outcome
