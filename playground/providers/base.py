"""The small interface every provider implements, and the events a stream yields."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol


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


@dataclass(frozen=True, slots=True)
class Retrying:
    """The attempt before failed before any text arrived; attempt ``attempt`` of ``attempts``
    starts after ``delay`` seconds. ``reason`` says why, in plain words ("rate limited (429)")."""

    attempt: int
    attempts: int
    delay: float
    reason: str


Event = TextDelta | Finished | Usage | Retrying


class UpstreamError(Exception):
    """An upstream failure, told in plain words: what happened and what to do.

    ``kind`` is one of: auth, forbidden, not_found, bad_request, rate_limited,
    server_error, timeout, connect_timeout, unreachable, stream_cut, bad_response,
    unknown_provider, circuit_open, refused (a capability hint stopped the request).
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

    def stream(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        """Send ``body`` upstream and yield its events; raise UpstreamError on failure."""
        ...

    async def list_models(self) -> list[str]:
        """The model names this provider serves, best effort."""
        ...
