"""A provider's circuit breaker in this process's memory, and the words it says when open.

``shared_breaker.RedisCircuitBreaker`` keeps the same states in Redis for all workers and
falls back to the breaker here while Redis is away; both have the ``Breaker`` shape that
``resilience.ResilientProvider`` calls.
"""

import datetime
import time
from collections.abc import Callable
from typing import Any, Protocol

from playground.providers.base import UpstreamError
from playground.providers.http_errors import seconds_text


class Breaker(Protocol):
    """What the resilience layer asks of a breaker. ``before_request`` returns a ticket
    (truthy for the half-open trial) that the request hands back to the other three."""

    async def before_request(self) -> Any: ...

    async def record_success(self, trial: Any = False) -> None: ...

    async def record_failure(self, trial: Any = False) -> None: ...

    async def release_trial(self, trial: Any = False) -> None: ...


def circuit_open_error(name: str, threshold: int, *, wait: float | None) -> UpstreamError:
    """What the page says while a provider's circuit is open (``wait`` None: half-open,
    another run's trial request is under way)."""
    if wait is None:
        when = "as soon as the trial request now under way succeeds"
    else:
        at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=wait)
        when = f"at {at:%H:%M:%S} UTC (in {seconds_text(max(wait, 1.0))})"
    return UpstreamError(
        "circuit_open",
        f"The provider '{name}' failed {threshold} times in a row, so the playground is not "
        f"sending to it for now. It will try again {when}; pick another provider meanwhile.",
    )


class CircuitBreaker:
    """Closed → open after ``threshold`` failures in a row → half-open after ``reset_seconds``
    (one trial request) → closed on its success, open again on its failure.

    This one lives in the process's memory; ``shared_breaker.RedisCircuitBreaker`` keeps
    the same states in Redis for all workers. ``before_request`` answers whether this
    request is the trial; the request hands that back to ``record_*`` and ``release_trial``.
    """

    def __init__(
        self,
        name: str,
        *,
        threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.trial_running = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self._clock() - self.opened_at >= self.reset_seconds:
            return "half_open"
        return "open"

    async def before_request(self) -> bool:
        """True for the half-open trial; raise UpstreamError("circuit_open") when no
        request may go to the upstream now."""
        state = self.state
        if state == "closed":
            return False
        if state == "half_open" and not self.trial_running:
            self.trial_running = True
            return True
        assert self.opened_at is not None
        wait = max(0.0, self.opened_at + self.reset_seconds - self._clock())
        raise circuit_open_error(
            self.name, self.threshold, wait=None if state == "half_open" else wait
        )

    async def record_success(self, trial: bool = False) -> None:
        self.failures = 0
        self.opened_at = None
        self.trial_running = False

    async def record_failure(self, trial: bool = False) -> None:
        self.failures += 1
        if trial or self.failures >= self.threshold:
            self.opened_at = self._clock()
        if trial:
            self.trial_running = False

    async def release_trial(self, trial: bool = False) -> None:
        """A trial that ended neither way (the user pressed Stop): let another one try."""
        if trial:
            self.trial_running = False


# One breaker per provider name in this process: the upstream's health is shared by all runs.
_breakers: dict[str, CircuitBreaker] = {}


def local_breaker_for(name: str, *, threshold: int, reset_seconds: float) -> CircuitBreaker:
    """Provider ``name``'s breaker in this process (a new one when its settings changed)."""
    breaker = _breakers.get(name)
    if breaker is None or breaker.threshold != threshold or breaker.reset_seconds != reset_seconds:
        breaker = _breakers[name] = CircuitBreaker(
            name, threshold=threshold, reset_seconds=reset_seconds
        )
    return breaker


def reset_local_breakers() -> None:
    _breakers.clear()
