"""Configured providers, looked up by name (settings.PLAYGROUND_PROVIDERS)."""

from typing import Any

from django.conf import settings

from playground.providers.base import (
    Event,
    Finished,
    Provider,
    Retrying,
    TextDelta,
    UpstreamError,
    Usage,
)
from playground.providers.offline import OfflineProvider
from playground.providers.openai_compat import OpenAICompatibleProvider
from playground.providers.resilience import (
    ResilientProvider,
    RetryPolicy,
    StreamTimeouts,
    breaker_for,
)

__all__ = [
    "Event",
    "Finished",
    "Provider",
    "Retrying",
    "TextDelta",
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
    return build_provider(name, config)


# Settings of the resilience layer; the rest of a config goes to the provider's class.
_RESILIENCE_KEYS = (
    "first_token_timeout",
    "token_gap_timeout",
    "run_timeout",
    "retry_attempts",
    "retry_base_delay",
    "retry_max_delay",
    "breaker_threshold",
    "breaker_reset_seconds",
)


def build_provider(name: str, config: dict[str, Any]) -> Provider:
    """A provider from its configuration; network providers come wrapped in the resilience layer."""
    options = {k: v for k, v in config.items() if k != "kind" and k not in _RESILIENCE_KEYS}
    if config["kind"] == "offline":
        return OfflineProvider(name=name, **options)

    def setting(key: str) -> Any:
        value = config.get(key)
        return value if value is not None else getattr(settings, "PLAYGROUND_" + key.upper())

    read_timeout = float(config.get("read_timeout") or settings.PLAYGROUND_READ_TIMEOUT)
    timeouts = StreamTimeouts(
        first_token=float(config.get("first_token_timeout") or read_timeout),
        token_gap=float(config.get("token_gap_timeout") or read_timeout),
        run=float(setting("run_timeout")),
    )
    # The client's own read timeout is only a backstop: the wrapper's timeouts fire first
    # and say which wait ran out.
    options["read_timeout"] = max(timeouts.first_token, timeouts.token_gap) + 5.0
    inner = _KINDS[config["kind"]](name=name, **options)
    return ResilientProvider(
        inner,
        retry=RetryPolicy(
            attempts=max(1, int(setting("retry_attempts"))),
            base_delay=float(setting("retry_base_delay")),
            max_delay=float(setting("retry_max_delay")),
        ),
        timeouts=timeouts,
        breaker=breaker_for(
            name,
            threshold=max(1, int(setting("breaker_threshold"))),
            reset_seconds=float(setting("breaker_reset_seconds")),
        ),
    )


def available_providers() -> list[Provider]:
    return [get_provider(name) for name in settings.PLAYGROUND_PROVIDERS]
