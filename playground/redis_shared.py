"""What every module that keeps state in Redis shares: its client, its errors, and how an
outage is survived (skip Redis for a while, warn once).

Used by the run limits (playground.limits), the providers' circuit breakers
(playground.providers.shared_breaker) and the model-list cache
(playground.providers.discovery): each falls back to this process's own state while
Redis does not answer, so that a Redis outage never stops a run.
"""

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import redis.asyncio

logger = logging.getLogger(__name__)

# After a failure, Redis is skipped for this long: the page never waits on a Redis that is
# down for every run, and the log gets one warning per outage instead of one per run.
OUTAGE_RETRY_SECONDS = 5.0


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a call to Redis raises when Redis is away (or slow): redis-py's errors, a
    socket's, or a timeout. For ``except redis_errors():``, evaluated only when something
    was raised.

    redis-py (~6 MiB per worker) is loaded only when REDIS_URL is set (redis_client, the
    Django cache): until it is, no error of its can exist, and it is not imported for this.
    """
    exceptions = sys.modules.get("redis.exceptions")
    if exceptions is None:
        return (OSError, asyncio.TimeoutError)
    return (exceptions.RedisError, OSError, asyncio.TimeoutError)


class RedisOutage:
    """After Redis failed, skip it for OUTAGE_RETRY_SECONDS, with one warning per outage:
    the page never waits on a Redis that is down, and the log is not flooded."""

    def __init__(
        self, what: str, meanwhile: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._what, self._meanwhile = what, meanwhile
        self._clock = clock
        self._until = 0.0

    def active(self) -> bool:
        """Whether Redis failed less than OUTAGE_RETRY_SECONDS ago (skip it then)."""
        return self._clock() < self._until

    def clear(self) -> None:
        """Try Redis again at the next call (it is known to answer again)."""
        self._until = 0.0

    def note(self, error: BaseException) -> None:
        if not self.active():
            # The error names host and port, never the URL's password.
            logger.warning(
                "%s: Redis did not answer (%s: %s); %s",
                self._what,
                type(error).__name__,
                error,
                self._meanwhile,
            )
        self._until = self._clock() + OUTAGE_RETRY_SECONDS


def redis_client(url: str, timeout: float | None = None) -> "redis.asyncio.Redis":
    """A client for one event loop that gives up after ``timeout`` seconds, once
    (PLAYGROUND_LIMITS_REDIS_TIMEOUT by default).

    Its pool holds PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS connections; when all are busy
    (a burst of run starts), a call waits up to PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT for one.
    redis-py's default pool would refuse it at once (100 connections, "Too many
    connections"), and the run would be counted by this process alone just when the shared
    count matters most.
    """
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    if timeout is None:
        timeout = settings.PLAYGROUND_LIMITS_REDIS_TIMEOUT
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url,
        max_connections=settings.PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS,
        timeout=settings.PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT,
        decode_responses=True,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        # One try, then the fallback: retries with backoff (Redis() built directly
        # defaults to 3) would be seconds of waiting before a run may start.
        retry=Retry(NoBackoff(), 0),
    )
    return redis.asyncio.Redis.from_pool(pool)
