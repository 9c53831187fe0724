"""Which providers a user may use, by name: the environment's (settings.PLAYGROUND_PROVIDERS)
first, then the ones stored on the Providers page that are open to them.

Listing them (``available_providers``, ``provider_names``) reads settings and rows only:
no key is decrypted and no host name resolved. Only ``get_provider``, for a run or a model
listing, builds the one client it is asked for.
"""

import logging
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from playground.providerconfig.models import ProviderConfig
from playground.providerconfig.selectors import provider_config_for, provider_configs_for
from playground.providerconfig.services import (
    base_url_refusal,
    provider_settings,
    stored_provider_entry,
)
from playground.providers.base import Provider, UpstreamError
from playground.providers.build import build_provider
from playground.providers.descriptor import ProviderDescriptor, describe

logger = logging.getLogger(__name__)


def available_providers(user: Any = None) -> list[ProviderDescriptor]:
    """What the provider list shows ``user``: the environment's providers, then the stored
    ones open to them, leaving out a stored one whose base URL this deployment refuses on
    its face (an address written in it is private, say); ``user=None`` is the server."""
    listed = [describe(name, config) for name, config in settings.PLAYGROUND_PROVIDERS.items()]
    for config in _stored_configs(user):
        if config.name in settings.PLAYGROUND_PROVIDERS:
            continue
        if base_url_refusal(config.base_url, resolve=False) is None:
            listed.append(describe(config.name, stored_provider_entry(config)))
    return listed


def provider_names(user: Any = None) -> list[str]:
    """Names of the providers ``user`` may use, in the order the list shows them."""
    return [descriptor.name for descriptor in available_providers(user)]


def get_provider(name: str, user: Any = None) -> Provider:
    """The provider named ``name`` that ``user`` may use, or UpstreamError naming the ones
    that exist; ``user=None`` (the server itself) skips the team check. A stored provider
    is read from the database (from async code, call ``aget_provider``)."""
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
    return await database_sync_to_async(get_provider)(name, user)


def _stored_configs(user: Any) -> list[ProviderConfig]:
    try:
        return list(provider_configs_for(user))
    except DatabaseError as error:
        _warn_no_stored_providers(error)
        return []


def _stored_provider_settings(name: str, user: Any) -> dict[str, Any] | None:
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
