"""A provider's circuit breaker kept in Redis, so that every daphne worker sees one state;
and ``breaker_for``, which gives a provider this one or the process's own.

With one breaker per process, N workers each send ``threshold`` failing requests before
they all stop, and each lets its own trial through. Here the failures counted by any
worker open the circuit for all, and one trial request, on one worker, decides for all.

The states are those of ``breaker.CircuitBreaker``; per provider, three keys:
  failures  failures in a row (any success deletes the three keys: closed)
  opened    wall-clock time the circuit opened: open until ``reset_seconds`` later,
            then half-open until a success
  trial     the run holding the half-open trial (a lease, in case its worker dies)

If Redis cannot be reached, this process's own breaker decides, with a warning in the log,
and Redis is asked again a few seconds later (as the run limits do).
"""

import asyncio
import time
import uuid
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings

from playground.providers.breaker import (
    Breaker,
    CircuitBreaker,
    circuit_open_error,
    local_breaker_for,
    reset_local_breakers,
)
from playground.redis_shared import RedisOutage, redis_client, redis_errors

if TYPE_CHECKING:
    # redis-py is loaded when REDIS_URL is set, by the first call to Redis (redis_shared).
    import redis.asyncio

# A trial's worker renews nothing: the trial ends at the first token or the failure, well
# within this; a worker that dies mid-trial frees it for another after this long.
TRIAL_LEASE_SECONDS = 120.0
# Idle providers' keys go away by themselves after a day.
KEY_SECONDS = 86400

# KEYS: opened, trial. ARGV: now, reset seconds, this run's token, trial lease (ms).
# Returns {"closed"|"trial"|"open"|"trial_running", opened}.
BEFORE_LUA = """
local opened = redis.call('GET', KEYS[1])
if not opened then return {'closed', ''} end
if tonumber(ARGV[1]) - tonumber(opened) < tonumber(ARGV[2]) then return {'open', opened} end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4]) then return {'trial', opened} end
return {'trial_running', opened}
"""

# KEYS: failures, opened, trial. ARGV: now, threshold, this run's token ('' if no trial),
# key seconds. A failed trial, or the threshold reached, (re)opens the circuit.
FAILURE_LUA = """
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
local was_trial = ARGV[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[3]
if was_trial then redis.call('DEL', KEYS[3]) end
if was_trial or failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4])
end
return failures
"""

# KEYS: trial. ARGV: this run's token. Only the holder lets go of the trial.
RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisCircuitBreaker:
    """The breaker of provider ``name`` for every worker that uses the same keys."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        threshold: int = 5,
        reset_seconds: float = 30.0,
        prefix: str = "playground:breaker:",
        clock: Callable[[], float] = time.time,
        timeout: float | None = None,
        fallback: CircuitBreaker | None = None,
    ) -> None:
        self.name = name
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._url = url
        # The braces are a Redis Cluster hash tag: the scripts touch all three keys.
        base = f"{prefix}{{{name}}}"
        self._failures, self._opened, self._trial = (
            f"{base}:failures",
            f"{base}:opened",
            f"{base}:trial",
        )
        # Wall-clock time, compared across workers: keep their clocks in sync (NTP).
        self._clock = clock
        self._timeout = timeout
        self._fallback = fallback or CircuitBreaker(
            name, threshold=threshold, reset_seconds=reset_seconds
        )
        self._scripts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Scripts] = (
            weakref.WeakKeyDictionary()
        )
        self._outage = RedisOutage(
            f"Circuit breaker of provider '{name}'", "this process decides alone until it does."
        )

    def _connection(self) -> "_Scripts":
        loop = asyncio.get_running_loop()
        scripts = self._scripts.get(loop)
        if scripts is None:
            client = redis_client(self._url, self._timeout)
            scripts = _Scripts(client)
            self._scripts[loop] = scripts
        return scripts

    async def before_request(self) -> Any:
        """A trial ticket (truthy) for the half-open trial, else False; raise
        UpstreamError("circuit_open") when no request may go to the upstream now."""
        if self._outage.active():
            return ("local", await self._fallback.before_request())
        token = uuid.uuid4().hex
        now = self._clock()
        try:
            state, opened = await self._connection().before(
                keys=[self._opened, self._trial],
                args=[repr(now), self.reset_seconds, token, int(TRIAL_LEASE_SECONDS * 1000)],
            )
        except redis_errors() as error:
            self._outage.note(error)
            return ("local", await self._fallback.before_request())
        if state == "closed":
            return False
        if state == "trial":
            return ("redis", token)
        wait = None if state == "trial_running" else float(opened) + self.reset_seconds - now
        raise circuit_open_error(self.name, self.threshold, wait=wait)

    # A ticket is False, ("redis", token) for the trial held in Redis, or ("local", trial)
    # when this process's breaker decided (Redis away).

    async def record_success(self, trial: Any = False) -> None:
        if self._decided_here(trial):
            await self._fallback.record_success(self._local_trial(trial))
            return
        try:
            await self._connection().client.delete(self._failures, self._opened, self._trial)
        except redis_errors() as error:
            self._outage.note(error)

    async def record_failure(self, trial: Any = False) -> None:
        if self._decided_here(trial):
            await self._fallback.record_failure(self._local_trial(trial))
            return
        try:
            await self._connection().failure(
                keys=[self._failures, self._opened, self._trial],
                args=[repr(self._clock()), self.threshold, trial[1] if trial else "", KEY_SECONDS],
            )
        except redis_errors() as error:
            self._outage.note(error)
            await self._fallback.record_failure(False)

    async def release_trial(self, trial: Any = False) -> None:
        if not trial:
            return
        if self._decided_here(trial):
            await self._fallback.release_trial(self._local_trial(trial))
            return
        try:
            await self._connection().release(keys=[self._trial], args=[trial[1]])
        except redis_errors() as error:
            self._outage.note(error)  # the trial's lease lapses on its own

    def _decided_here(self, trial: Any) -> bool:
        return (bool(trial) and trial[0] == "local") or (not trial and self._outage.active())

    @staticmethod
    def _local_trial(trial: Any) -> bool:
        return bool(trial) and trial[0] == "local" and bool(trial[1])

    async def aclose(self) -> None:
        """Close this event loop's connection (tests; a worker's end closes it anyway)."""
        scripts = self._scripts.pop(asyncio.get_running_loop(), None)
        if scripts is not None:
            await scripts.client.aclose()


class _Scripts:
    """A Redis client and the breaker's scripts, for one event loop."""

    def __init__(self, client: "redis.asyncio.Redis") -> None:
        from redis.commands.core import AsyncScript

        self.client = client
        self.before = AsyncScript(client, BEFORE_LUA)
        self.failure = AsyncScript(client, FAILURE_LUA)
        self.release = AsyncScript(client, RELEASE_LUA)


_shared: dict[tuple[str, str, str, int, float], RedisCircuitBreaker] = {}


def shared_breaker_for(name: str, *, threshold: int, reset_seconds: float) -> RedisCircuitBreaker:
    """Provider ``name``'s breaker in Redis (REDIS_URL), one object per process."""
    key = (
        settings.REDIS_URL,
        settings.PLAYGROUND_BREAKER_KEY_PREFIX,
        name,
        threshold,
        reset_seconds,
    )
    breaker = _shared.get(key)
    if breaker is None:
        breaker = _shared[key] = RedisCircuitBreaker(
            name,
            settings.REDIS_URL,
            threshold=threshold,
            reset_seconds=reset_seconds,
            prefix=settings.PLAYGROUND_BREAKER_KEY_PREFIX,
            # Without Redis, the process's own breaker for this provider decides.
            fallback=local_breaker_for(name, threshold=threshold, reset_seconds=reset_seconds),
        )
    return breaker


def breaker_for(name: str, *, threshold: int, reset_seconds: float) -> Breaker:
    """The provider's breaker: in Redis when REDIS_URL is set (all workers), else here."""
    if settings.REDIS_URL:
        return shared_breaker_for(name, threshold=threshold, reset_seconds=reset_seconds)
    return local_breaker_for(name, threshold=threshold, reset_seconds=reset_seconds)


def reset_breakers() -> None:
    """Forget every breaker of this process, local and shared (tests start closed)."""
    reset_local_breakers()
    _shared.clear()
