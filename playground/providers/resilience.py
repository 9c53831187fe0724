"""A layer around any provider's stream: retries, a circuit breaker, and stream timeouts.

Why a wrapper and not code inside each client: every upstream fails the same ways
(rate limits, a gateway's 502, a refused connection, a stream that goes quiet),
and the rules for what to do are the same whatever speaks to it:

- Retry only before the first token: once text is on the page, a retry would
  send a second, different reply under the first. Retried: 429, 502, 503, 504,
  refused connections, connect timeouts and connections dropped before any text,
  with exponential backoff and jitter,
  or exactly the upstream's Retry-After when it sent one. A wait longer than
  ``max_delay`` is not waited out: the user is told how long to wait instead.
- A circuit breaker per provider stops sending to an upstream that failed
  ``threshold`` times in a row, says when it will try again, and lets one trial
  request through after ``reset_seconds`` (half-open) to recover by itself.
- Timeouts for the first token, for the gap between two tokens and for the whole
  run, so that a hung or dripping upstream never leaves the page waiting.
"""

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from playground.modes import DEFAULT_MODE
from playground.providers.base import (
    AudioPiece,
    Embeddings,
    Event,
    Images,
    Moderations,
    Provider,
    Retrying,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
)
from playground.providers.breaker import Breaker
from playground.providers.http_errors import seconds_text

# Events that put something of the answer on the page: once one arrived, a failure is not
# retried (the user would see the answer twice), and the upstream counts as alive. Until
# the first, the first-token timeout runs; after it, the gap timeout runs between them.
CONTENT_EVENTS = (
    TextDelta,
    ToolCallDelta,
    ToolCall,
    Embeddings,
    Moderations,
    Images,
    AudioPiece,
)

# 500 is not retried: it usually means this request broke the upstream, and would again.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# A cut before any text is a dropped connection (e.g. a kept-alive one the server closed).
RETRYABLE_KINDS = frozenset({"unreachable", "connect_timeout", "stream_cut"})
# Failures that say the upstream itself is unwell; a 4xx says the request or key is wrong.
BREAKER_KINDS = frozenset({"server_error", "unreachable", "connect_timeout", "timeout"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2, 3, …): doubling, with "equal jitter"
        so that many clients throttled at once do not all come back at the same instant."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 2))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class StreamTimeouts:
    first_token: float = 60.0
    token_gap: float = 60.0
    run: float = 600.0


def is_retryable(error: UpstreamError) -> bool:
    return error.kind in RETRYABLE_KINDS or (
        error.status in RETRYABLE_STATUSES and error.kind in ("rate_limited", "server_error")
    )


def _reason(error: UpstreamError) -> str:
    if error.kind == "rate_limited":
        return _("rate limited (429)")
    if error.status:
        return _("the provider failed (%(status)s)") % {"status": error.status}
    if error.kind == "connect_timeout":
        return _("could not connect in time")
    if error.kind == "stream_cut":
        return _("the connection dropped before the reply began")
    return _("could not reach the provider")


class ResilientProvider:
    """Wraps a provider: same interface, with retries, breaker and timeouts around ``stream``."""

    def __init__(
        self,
        inner: Provider,
        *,
        retry: RetryPolicy,
        timeouts: StreamTimeouts,
        breaker: Breaker,
    ) -> None:
        self.inner = inner
        self.retry = retry
        self.timeouts = timeouts
        self.breaker = breaker

    def __getattr__(self, name: str) -> Any:
        # name, label, offline, default_model, list_models, base_url…: the inner provider's.
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"<ResilientProvider {self.inner!r}>"

    async def fetch_models(self, *, wait: float = 5.0) -> list[str]:
        return await self.inner.fetch_models(wait=wait)

    async def stream(self, body: dict[str, Any], mode: str = DEFAULT_MODE) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        run_deadline = loop.time() + self.timeouts.run
        attempt = 1
        while True:
            trial = await self.breaker.before_request()
            text_shown = False
            try:
                async for event in self._attempt(body, mode, run_deadline):
                    if isinstance(event, CONTENT_EVENTS) and not text_shown:
                        text_shown = True
                        await self.breaker.record_success(trial)
                    yield event
            except UpstreamError as error:
                if text_shown:
                    raise
                if error.kind in BREAKER_KINDS:
                    await self.breaker.record_failure(trial)
                else:
                    # The upstream answered (a 4xx, or a stream with no text): it is alive.
                    await self.breaker.record_success(trial)
                delay = self._delay_before_retry(error, attempt)
                if delay is None:
                    raise self._final(error, attempt) from None
                attempt += 1
                yield Retrying(attempt, self.retry.attempts, delay, _reason(error))
                await asyncio.sleep(delay)
                continue
            except BaseException:
                await asyncio.shield(self.breaker.release_trial(trial))
                raise
            if not text_shown:
                await self.breaker.record_success(trial)
            return

    def _delay_before_retry(self, error: UpstreamError, attempt: int) -> float | None:
        if not is_retryable(error) or attempt >= self.retry.attempts:
            return None
        delay = (
            error.retry_after if error.retry_after is not None else self.retry.backoff(attempt + 1)
        )
        if delay > self.retry.max_delay:
            return None  # not worth holding the page for; the message says how long to wait
        return delay

    def _final(self, error: UpstreamError, attempts: int) -> UpstreamError:
        if attempts == 1:
            return error
        return UpstreamError(
            error.kind,
            f"{error.message} (Tried {attempts} times.)",
            status=error.status,
            retry_after=error.retry_after,
            param=error.param,
        )

    async def _attempt(
        self, body: dict[str, Any], mode: str, run_deadline: float
    ) -> AsyncIterator[Event]:
        """One upstream request, its events given up when the upstream goes quiet too long."""
        loop = asyncio.get_running_loop()
        watchdog = _Watchdog(loop, loop.time() + self.timeouts.first_token, run_deadline)
        seen_text = False
        events = aiter(self.inner.stream(body, mode))
        try:
            while True:
                watchdog.waiting = True
                try:
                    event = await anext(events)
                except StopAsyncIteration:
                    return
                except asyncio.CancelledError:
                    if watchdog.expired():
                        raise self._timeout_error(
                            seen_text, hit_run_limit=watchdog.hit_run_limit
                        ) from None
                    raise
                finally:
                    watchdog.waiting = False
                if isinstance(event, CONTENT_EVENTS):
                    seen_text = True
                    watchdog.quiet_until(loop.time() + self.timeouts.token_gap)
                yield event
        finally:
            watchdog.stop()
            await events.aclose()  # type: ignore[attr-defined]

    def _timeout_error(self, seen_text: bool, *, hit_run_limit: bool) -> UpstreamError:
        if hit_run_limit:
            return UpstreamError(
                "timeout",
                f"The run took longer than the limit of {seconds_text(self.timeouts.run)} for one "
                "run, so it was ended. Ask for a shorter reply (max_tokens), or raise the "
                "provider's run timeout.",
            )
        if seen_text:
            return UpstreamError(
                "timeout",
                f"The provider went quiet for {seconds_text(self.timeouts.token_gap)} in the middle "
                "of the reply, so the run was ended. It may be overloaded: run again, or raise "
                "the provider's gap timeout for slow models.",
            )
        return UpstreamError(
            "timeout",
            f"No reply from the provider within {seconds_text(self.timeouts.first_token)} (the "
            "first-token timeout). It may be overloaded or loading the model: run again, or "
            "raise the provider's first-token timeout for slow models.",
        )


class _Watchdog:
    """Cancels the task reading a stream once the stream has been quiet past its deadline.

    Why not ``asyncio.timeout`` around each read: that arms and cancels a timer per
    token (about 7 µs of CPU each, measured), where this keeps one timer per quiet
    period and moves a number per token. It cancels only while the task is waiting on
    the upstream (``waiting``), never while the caller handles an event, and like
    ``asyncio.timeout`` it tells its own cancellation from a Stop by ``uncancel()``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, deadline: float, run_deadline: float):
        self._loop = loop
        self._task = asyncio.current_task()
        assert self._task is not None
        self._cancelling = self._task.cancelling()
        self._run_deadline = run_deadline
        self._deadline = min(deadline, run_deadline)
        self.hit_run_limit = self._deadline == run_deadline
        self.waiting = False
        self._fired = False
        self._handle: asyncio.TimerHandle | None = loop.call_at(self._deadline, self._check)

    def quiet_until(self, deadline: float) -> None:
        self._deadline = min(deadline, self._run_deadline)
        self.hit_run_limit = self._deadline == self._run_deadline
        if self._handle is not None and self._handle.when() > self._deadline:
            self._handle.cancel()  # an earlier deadline than the one armed (rare: once)
            self._handle = self._loop.call_at(self._deadline, self._check)

    def _check(self) -> None:
        self._handle = None
        now = self._loop.time()
        if now < self._deadline:
            self._handle = self._loop.call_at(self._deadline, self._check)
        elif not self.waiting:
            # The caller is busy with an event: look again in a moment.
            self._handle = self._loop.call_at(now + 0.01, self._check)
        else:
            self._fired = True
            assert self._task is not None
            self._task.cancel()

    def expired(self) -> bool:
        """Whether the cancellation being handled is ours (and not a Stop)."""
        assert self._task is not None
        return self._fired and self._task.uncancel() <= self._cancelling

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
