"""Configured providers, looked up by name (settings.PLAYGROUND_PROVIDERS)."""

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from playground.providers.base import (
    Embeddings,
    Event,
    Finished,
    Logprobs,
    Moderations,
    Provider,
    RawChunk,
    ResponseHeaders,
    Retrying,
    TextDelta,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from playground.providers.offline import OfflineProvider
from playground.providers.openai_compat import OpenAICompatibleProvider
from playground.providers.resilience import ResilientProvider, RetryPolicy, StreamTimeouts
from playground.providers.shared_breaker import breaker_for

__all__ = [
    "Embeddings",
    "Event",
    "Finished",
    "Logprobs",
    "Moderations",
    "Provider",
    "RawChunk",
    "ResponseHeaders",
    "Retrying",
    "TextDelta",
    "TokenLogprob",
    "ToolCall",
    "ToolCallDelta",
    "UpstreamError",
    "Usage",
    "aget_provider",
    "available_providers",
    "build_provider",
    "get_provider",
    "provider_names",
]

logger = logging.getLogger(__name__)

_KINDS = {"offline": OfflineProvider, "openai": OpenAICompatibleProvider}


def get_provider(name: str, user: Any = None) -> Provider:
    """The provider named ``name`` that ``user`` may use, or UpstreamError naming the ones
    that exist. Providers from the environment first, then those stored in the database;
    ``user=None`` (the server itself) skips the team check. Touches the database: from
    async code, call it through ``database_sync_to_async``."""
    config = settings.PLAYGROUND_PROVIDERS.get(name)
    if config is None:
        config = _stored_provider_settings(name, user)
    if config is None:
        known = ", ".join(provider_names(user)) or "none"
        raise UpstreamError(
            "unknown_provider",
            f"There is no provider named {name!r} that you may use (configured: {known}). "
            "Pick one from the list, or set OPENAI_API_KEY / OPENAI_BASE_URL for 'openai'.",
        )
    return build_provider(name, config)


async def aget_provider(name: str, user: Any = None) -> Provider:
    """``get_provider`` for consumers. A provider from the environment is built right here:
    only a stored one needs the database, and so a trip to the database thread (which all
    runs share, so fifty simultaneous starts would queue there for nothing). Views use
    ``sync_to_async(get_provider)``: a request closes its own database connections."""
    if name in settings.PLAYGROUND_PROVIDERS:
        return get_provider(name, user)
    from channels.db import database_sync_to_async

    return await database_sync_to_async(get_provider)(name, user)


def provider_names(user: Any = None) -> list[str]:
    """Names of the providers ``user`` may use: the environment's, then the stored ones."""
    from playground.providerconfig.selectors import provider_configs_for

    try:
        stored = list(provider_configs_for(user).values_list("name", flat=True))
    except DatabaseError as error:
        _warn_no_stored_providers(error)
        stored = []
    env_names = list(settings.PLAYGROUND_PROVIDERS)
    return env_names + [name for name in stored if name not in settings.PLAYGROUND_PROVIDERS]


def available_providers(user: Any = None) -> list[Provider]:
    """Every provider ``user`` may use; a stored one that cannot be built now is left out."""
    providers = []
    for name in provider_names(user):
        try:
            providers.append(get_provider(name, user))
        except UpstreamError:
            continue
    return providers


def _stored_provider_settings(name: str, user: Any) -> dict[str, Any] | None:
    # Imported here: the providers package is loaded before Django's apps are ready.
    from playground.providerconfig.selectors import provider_config_for
    from playground.providerconfig.services import provider_settings

    try:
        stored = provider_config_for(name, user)
    except DatabaseError as error:
        _warn_no_stored_providers(error)
        return None
    return provider_settings(stored) if stored is not None else None


def _warn_no_stored_providers(error: DatabaseError) -> None:
    # e.g. `manage.py run_request` before the first `migrate`: the environment's providers
    # still work, so say why the stored ones are missing instead of failing the run.
    logger.warning("Stored providers are unavailable (%s); run `manage.py migrate`.", error)


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
