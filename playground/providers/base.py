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


Event = TextDelta | Finished | Usage


class UpstreamError(Exception):
    """An upstream failure, told in plain words: what happened and what to do.

    ``kind`` is one of: auth, forbidden, not_found, bad_request, rate_limited,
    server_error, timeout, unreachable, stream_cut, bad_response, unknown_provider.
    """

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        self.kind = kind
        self.status = status
        self.message = message
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
