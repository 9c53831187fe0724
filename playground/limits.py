"""Per-user run limits: runs going at once, and runs started in any 60 seconds.

The limits stop a stuck script or an impatient double-click from hammering a shared
key. Two stores give the same behaviour and the same messages:

- ``RunLimiter`` counts in this process's memory: the laptop default, no Redis needed.
- ``RedisRunLimiter`` counts in Redis when ``REDIS_URL`` is set, so that several daphne
  workers share one count per user (each counting alone, N workers allowed N times the limit).

``get_run_limiter()`` picks one from the settings. ``acquire`` returns the run's lease or
raises RunRefused; ``lease.hold_while(task)`` keeps the lease for as long as the run's
task lives and gives it back when the task ends, however it ends; ``lease.release()``
gives it back now (idempotent: it frees exactly this run's slot, once).
"""

import asyncio
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings

from playground.redis_shared import RedisOutage, redis_client, redis_errors

if TYPE_CHECKING:
    # redis-py is loaded when REDIS_URL is set, by the first call to Redis (redis_shared).
    import redis.asyncio
    from redis.commands.core import AsyncScript

WINDOW_SECONDS = 60.0

# A Redis lease lasts this long unless the run's worker renews it (every third of it):
# a worker that crashes mid-run stops counting against its users within this time.
# Renewing, rather than one expiry as long as the longest run (PLAYGROUND_RUN_TIMEOUT,
# 10 min), keeps a crash from locking a user out for minutes; it costs one small Redis
# call per run every 10 s.
LEASE_SECONDS = 30.0


class RunRefused(Exception):
    """A run the limits do not allow now; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def too_many_running(concurrent: int) -> RunRefused:
    return RunRefused(
        f"You already have {concurrent} run{'' if concurrent == 1 else 's'} going (the limit per user). Wait for one "
        "to finish, or stop one, then run again."
    )


def too_many_started(per_minute: int, *, seconds_since_oldest: float) -> RunRefused:
    wait = max(1, round(WINDOW_SECONDS - seconds_since_oldest))
    return RunRefused(
        f"You started {per_minute} runs in the last minute (the limit per user). "
        f"Run again in {wait} s."
    )


class RunLease(Protocol):
    """One run's place in the limits."""

    async def release(self) -> None: ...

    def hold_while(self, task: asyncio.Task) -> None: ...


# Background tasks that hold leases; asyncio keeps only weak references to tasks.
_holders: set[asyncio.Task] = set()


# --- In this process's memory --------------------------------------------------------


class MemoryLease:
    def __init__(self, limiter: "RunLimiter", user_key: Any, run_id: str) -> None:
        self._limiter, self._user_key, self._run_id = limiter, user_key, run_id

    async def release(self) -> None:
        self.release_now()

    def release_now(self) -> None:
        self._limiter._release(self._user_key, self._run_id)

    def hold_while(self, task: asyncio.Task) -> None:
        # A done-callback runs even when the task is cancelled before its first step.
        task.add_done_callback(lambda _task: self.release_now())


class RunLimiter:
    """The limits counted in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._running: dict[Any, set[str]] = {}
        self._started: dict[Any, deque[float]] = {}

    async def acquire(self, user_key: Any) -> MemoryLease:
        """Count one more run for ``user_key``, or raise RunRefused."""
        concurrent = settings.PLAYGROUND_MAX_CONCURRENT_RUNS
        per_minute = settings.PLAYGROUND_MAX_RUNS_PER_MINUTE
        now = self._clock()
        started = self._started.setdefault(user_key, deque())
        while started and now - started[0] >= WINDOW_SECONDS:
            started.popleft()
        running = self._running.setdefault(user_key, set())
        if len(running) >= concurrent:
            raise too_many_running(concurrent)
        if len(started) >= per_minute:
            raise too_many_started(per_minute, seconds_since_oldest=now - started[0])
        started.append(now)
        run_id = uuid.uuid4().hex
        running.add(run_id)
        return MemoryLease(self, user_key, run_id)

    def _release(self, user_key: Any, run_id: str) -> None:
        running = self._running.get(user_key)
        if running is not None:
            running.discard(run_id)
            if not running:
                del self._running[user_key]

    async def running(self, user_key: Any) -> int:
        return len(self._running.get(user_key, ()))

    def reset(self) -> None:
        self._running.clear()
        self._started.clear()


run_limiter = RunLimiter()


# --- In Redis, shared by every worker ------------------------------------------------

# Per user, two sorted sets (one Lua script reads and writes both, so two workers asking
# at once cannot both take the last slot):
#   running: run id -> lease expiry; an entry counts while its expiry is after now.
#   started: run id -> start time; the sliding window of the last 60 s.
# ARGV: now, lease seconds, window seconds, max concurrent, max per window, run id.
# Returns {"ok", ""}, {"concurrent", ""} or {"per_minute", start time of the oldest}.
ACQUIRE_LUA = """
local now = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return {'concurrent', ''}
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return {'per_minute', redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[6])
redis.call('ZADD', KEYS[2], now, ARGV[6])
-- Idle users' keys go away by themselves; a key's expiry only ever moves later.
for i, ttl in ipairs({math.ceil(lease * 1000), math.ceil(window * 1000)}) do
  if redis.call('PTTL', KEYS[i]) < ttl then
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
return {'ok', ''}
"""

# ARGV: new lease expiry, lease seconds, run id. Only extends a run still there (XX): a
# released or lapsed run is not brought back.
RENEW_LUA = """
if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[3]) == 1 then
  local ttl = math.ceil(tonumber(ARGV[2]) * 1000)
  if redis.call('PTTL', KEYS[1]) < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
end
return 1
"""


@dataclass
class _Connection:
    """A Redis client and its scripts, for one event loop (clients cannot cross loops)."""

    client: "redis.asyncio.Redis"
    acquire: "AsyncScript"
    renew: "AsyncScript"


class RedisLease:
    def __init__(self, limiter: "RedisRunLimiter", running_key: str, run_id: str) -> None:
        self._limiter, self._running_key, self._run_id = limiter, running_key, run_id
        self._released: asyncio.Future | None = None

    async def renew(self) -> None:
        await self._limiter._renew(self._running_key, self._run_id)

    async def release(self) -> None:
        # Every caller (the holder when the task ends, Stop before the next run) waits for
        # the one removal, so that a new run asked for right after finds the slot free.
        if self._released is None:
            self._released = asyncio.ensure_future(
                self._limiter._release(self._running_key, self._run_id)
            )
        await asyncio.shield(self._released)

    def hold_while(self, task: asyncio.Task) -> None:
        holder = asyncio.create_task(self._hold(task))
        _holders.add(holder)
        holder.add_done_callback(_holders.discard)

    async def _hold(self, task: asyncio.Task) -> None:
        try:
            while not task.done():
                await asyncio.wait([task], timeout=self._limiter.renew_every)
                if not task.done():
                    await self.renew()
        finally:
            await self.release()


class RedisRunLimiter:
    """The limits counted in Redis, shared by every worker that uses the same keys.

    If Redis cannot be reached, runs are let through (a store for rate limits that is down
    must not stop every run) and counted by ``fallback``, this process's own limiter, with
    a warning in the log; Redis is asked again a few seconds later (see redis_shared).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "playground:limits:",
        clock: Callable[[], float] = time.time,
        lease_seconds: float = LEASE_SECONDS,
        renew_every: float | None = None,
        timeout: float | None = None,
        fallback: RunLimiter | None = None,
    ) -> None:
        self._url = url
        self._prefix = prefix
        # Wall-clock time, because every worker compares the same scores: keep the
        # workers' clocks in sync (NTP); a second of skew moves a window by a second.
        self._clock = clock
        self.lease_seconds = lease_seconds
        self.renew_every = renew_every if renew_every is not None else lease_seconds / 3
        self._timeout = timeout
        self._fallback = fallback if fallback is not None else run_limiter
        self._connections: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connection] = (
            weakref.WeakKeyDictionary()
        )
        self._outage = RedisOutage(
            "Run limits",
            "runs are let through and counted by this process alone until it does.",
        )

    def _keys(self, user_key: Any) -> tuple[str, str]:
        # The braces are a Redis Cluster hash tag: both keys of a user land on one node,
        # which a script touching both needs.
        base = f"{self._prefix}{{{user_key}}}"
        return f"{base}:running", f"{base}:started"

    def _connection(self) -> _Connection:
        loop = asyncio.get_running_loop()
        connection = self._connections.get(loop)
        if connection is None:
            from redis.commands.core import AsyncScript

            client = redis_client(self._url, self._timeout)
            connection = _Connection(
                client, AsyncScript(client, ACQUIRE_LUA), AsyncScript(client, RENEW_LUA)
            )
            self._connections[loop] = connection
        return connection

    async def acquire(self, user_key: Any) -> RunLease:
        """Count one more run for ``user_key`` on every worker, or raise RunRefused."""
        if self._outage.active():
            return await self._fallback.acquire(user_key)
        concurrent = settings.PLAYGROUND_MAX_CONCURRENT_RUNS
        per_minute = settings.PLAYGROUND_MAX_RUNS_PER_MINUTE
        running_key, started_key = self._keys(user_key)
        run_id = uuid.uuid4().hex
        now = self._clock()
        try:
            verdict, oldest = await self._connection().acquire(
                keys=[running_key, started_key],
                args=[
                    repr(now),
                    self.lease_seconds,
                    WINDOW_SECONDS,
                    concurrent,
                    per_minute,
                    run_id,
                ],
            )
        except redis_errors() as error:
            self._outage.note(error)
            return await self._fallback.acquire(user_key)
        if verdict == "concurrent":
            raise too_many_running(concurrent)
        if verdict == "per_minute":
            raise too_many_started(per_minute, seconds_since_oldest=now - float(oldest))
        return RedisLease(self, running_key, run_id)

    async def _renew(self, running_key: str, run_id: str) -> None:
        try:
            await self._connection().renew(
                keys=[running_key],
                args=[repr(self._clock() + self.lease_seconds), self.lease_seconds, run_id],
            )
        except redis_errors() as error:
            self._outage.note(error)  # the lease lapses on its own if Redis stays away

    async def _release(self, running_key: str, run_id: str) -> None:
        try:
            await self._connection().client.zrem(running_key, run_id)
        except redis_errors() as error:
            self._outage.note(error)  # the lease lapses on its own if Redis stays away

    async def running(self, user_key: Any) -> int:
        """Runs of ``user_key`` going now, on every worker (read only)."""
        running_key, _ = self._keys(user_key)
        return await self._connection().client.zcount(running_key, f"({self._clock()!r}", "+inf")

    async def aclose(self) -> None:
        """Close this event loop's connections (tests; a worker's end closes them anyway)."""
        connection = self._connections.pop(asyncio.get_running_loop(), None)
        if connection is not None:
            await connection.client.aclose()


_shared: dict[tuple[str, str], RedisRunLimiter] = {}


def get_run_limiter() -> RunLimiter | RedisRunLimiter:
    """The limiter the settings ask for: in Redis when REDIS_URL is set, else in memory."""
    url = settings.REDIS_URL
    if not url:
        return run_limiter
    key = (url, settings.PLAYGROUND_LIMITS_KEY_PREFIX)
    limiter = _shared.get(key)
    if limiter is None:
        limiter = _shared[key] = RedisRunLimiter(url, prefix=key[1])
    return limiter


def user_key(user: Any) -> Any:
    """What the limits count by: the user's id, or the name of a user not saved (tests)."""
    return user.pk if getattr(user, "pk", None) is not None else f"name:{user.get_username()}"
