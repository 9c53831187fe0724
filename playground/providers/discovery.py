"""Model names from a provider's ``GET /models``, kept in Django's cache.

Many gateways list only part of what they serve, so the list only suggests names:
the model field still takes any name typed in.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from playground.providers.base import Provider
from playground.redis_shared import RedisOutage

# A failed listing falls back to the default model; ask again soon rather than keep that.
_FALLBACK_SECONDS = 30


def _cache_key(provider: Provider) -> str:
    where = getattr(provider, "base_url", "")
    digest = hashlib.sha256(f"{provider.name}|{where}".encode()).hexdigest()[:24]
    return f"playground:models:{digest}"


async def provider_models(provider: Provider, *, refresh: bool = False) -> list[str]:
    """The models ``provider`` lists, from the cache unless ``refresh`` or not cached yet."""
    key = _cache_key(provider)
    if not refresh:
        cached = await _cached(key)
        if cached is not None:
            return cached
    models = await provider.list_models()
    fell_back = models == [provider.default_model]
    timeout = _FALLBACK_SECONDS if fell_back else settings.PLAYGROUND_MODELS_CACHE_SECONDS
    await _keep(key, models, timeout)
    return models


async def provider_models_store(provider: Provider, models: list[str]) -> None:
    """Keep ``models`` as the provider's list (an admin's refresh that got a real answer)."""
    await _keep(_cache_key(provider), models, settings.PLAYGROUND_MODELS_CACHE_SECONDS)


# The cache is Redis when REDIS_URL is set. If it does not answer, the list is asked of the
# provider each time: slower, but the page and its model suggestions keep working.
_outage = RedisOutage("Model lists", "they are asked of the provider each time until it does.")


async def _cached(key: str) -> list[str] | None:
    if _outage.active():
        return None
    try:
        cached: list[str] | None = await cache.aget(key)
        return cached
    except Exception as error:  # redis-py's errors, or OSError, depending on where it failed
        _outage.note(error)
        return None


async def _keep(key: str, models: list[str], seconds: float) -> None:
    if _outage.active():
        return
    try:
        await cache.aset(key, models, seconds)
    except Exception as error:
        _outage.note(error)
