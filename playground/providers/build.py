"""A provider client from its configuration (a ``PLAYGROUND_PROVIDERS``-style entry).

Network clients come wrapped in the resilience layer: retries, a circuit breaker and
stream timeouts, each set by the entry or else by the settings' defaults.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from playground.providers.base import Provider
from playground.providers.descriptor import describe
from playground.providers.offline import OfflineProvider
from playground.providers.openai_compat import OpenAICompatibleProvider
from playground.providers.resilience import ResilientProvider, RetryPolicy, StreamTimeouts
from playground.providers.shared_breaker import breaker_for

_KINDS = {"offline": OfflineProvider, "openai": OpenAICompatibleProvider}

# Settings of the resilience layer; the rest of an entry goes to the client's class.
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


def build_provider(name: str, config: Mapping[str, Any]) -> Provider:
    """The provider a run uses: the client, wrapped in the resilience layer if it is a
    network one."""
    if config["kind"] == "offline":
        return build_client(name, config)

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
    inner = build_client(
        name, config, read_timeout=max(timeouts.first_token, timeouts.token_gap) + 5.0
    )
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


def build_client(
    name: str, config: Mapping[str, Any], *, read_timeout: float | None = None
) -> OfflineProvider | OpenAICompatibleProvider:
    """The bare client of ``config``, without retries or breaker (the connection check
    asks it directly); its name, label and default model are its descriptor's."""
    descriptor = describe(name, config)
    options = {k: v for k, v in config.items() if k != "kind" and k not in _RESILIENCE_KEYS}
    options.update(label=descriptor.label, default_model=descriptor.default_model)
    if read_timeout is not None:
        options["read_timeout"] = read_timeout
    client: OfflineProvider | OpenAICompatibleProvider = _KINDS[descriptor.kind](
        name=name, **options
    )
    return client
