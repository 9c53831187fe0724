"""Configured providers, looked up by name (settings.PLAYGROUND_PROVIDERS)."""

from django.conf import settings

from playground.providers.base import (
    Embeddings,
    Event,
    Finished,
    Logprobs,
    Moderations,
    Provider,
    RawChunk,
    ResponseHeaders,
    TextDelta,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from playground.providers.offline import OfflineProvider
from playground.providers.openai_compat import OpenAICompatibleProvider

__all__ = [
    "Embeddings",
    "Event",
    "Finished",
    "Logprobs",
    "Moderations",
    "Provider",
    "RawChunk",
    "ResponseHeaders",
    "TextDelta",
    "TokenLogprob",
    "ToolCall",
    "ToolCallDelta",
    "UpstreamError",
    "Usage",
    "available_providers",
    "get_provider",
]

_KINDS = {"offline": OfflineProvider, "openai": OpenAICompatibleProvider}


def get_provider(name: str) -> Provider:
    """The provider configured under ``name``, or UpstreamError naming the ones that exist."""
    config = settings.PLAYGROUND_PROVIDERS.get(name)
    if config is None:
        known = ", ".join(settings.PLAYGROUND_PROVIDERS) or "none"
        raise UpstreamError(
            "unknown_provider",
            f"There is no provider named {name!r} (configured: {known}). "
            "Pick one from the list, or set OPENAI_API_KEY / OPENAI_BASE_URL for 'openai'.",
        )
    return _KINDS[config["kind"]](name=name, **{k: v for k, v in config.items() if k != "kind"})


def available_providers() -> list[Provider]:
    return [get_provider(name) for name in settings.PLAYGROUND_PROVIDERS]
