"""Per-user run limits kept in Redis: several workers share one count per user.

Runs against the real Redis at 127.0.0.1:6379 (PLAYGROUND_TEST_REDIS_URL overrides it).
Each test keeps its keys under a prefix of its own and deletes them afterwards. Without
a reachable Redis these tests are skipped, unless PLAYGROUND_TEST_REDIS_URL is set (CI
sets it, so that there a missing Redis fails instead of hiding).
"""

import asyncio
import logging
import os
import socket
import time
import uuid

import pytest
import redis
import redis.asyncio
from django.contrib.auth.models import User

from playground.limits import (
    RedisLease,
    RedisRunLimiter,
    RunLease,
    RunLimiter,
    RunRefused,
    get_run_limiter,
    user_key,
)
from playground.providers.shared_breaker import shared_breaker_for
from tests.conftest import chat_request
from tests.fake_upstream import Scenario
from tests.test_consumers import wait_for
from tests.test_limits import connect

REDIS_URL = os.environ.get("PLAYGROUND_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers() -> bool:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5) as client:
            return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


# Also used by the other test modules that need the real Redis.
needs_redis = pytest.mark.skipif(
    "PLAYGROUND_TEST_REDIS_URL" not in os.environ and not redis_answers(),
    reason=f"no Redis answers at {REDIS_URL}",
)
pytestmark = needs_redis

TOO_MANY_RUNNING = (
    "You already have {n} runs going (the limit per user). Wait for one to finish, "
    "or stop one, then run again."
)


class Clock:
    """A wall clock the test moves by hand (the limiter's default is time.time)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def prefix():
    """A key prefix for this test alone; its keys are deleted afterwards."""
    prefix = f"playground:limits:test-{uuid.uuid4().hex}:"
    yield prefix
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def make_limiter(prefix):
    """Build limiters that stand in for separate daphne workers (each its own client)."""
    made: list[RedisRunLimiter] = []

    def make(**options) -> RedisRunLimiter:
        options.setdefault("prefix", prefix)
        limiter = RedisRunLimiter(REDIS_URL, **options)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.aclose()


async def test_two_workers_share_one_count_per_user(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 2
    first_worker, second_worker = make_limiter(), make_limiter()
    await first_worker.acquire("ana")
    await second_worker.acquire("ana")
    with pytest.raises(RunRefused) as refused:
        await first_worker.acquire("ana")
    assert refused.value.message == TOO_MANY_RUNNING.format(n=2)
    # Another user has a count of her own.
    await second_worker.acquire("bo")
    assert await first_worker.running("ana") == 2
    assert await first_worker.running("bo") == 1


async def test_many_acquires_at_once_never_pass_the_concurrent_limit(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 4
    workers = [make_limiter() for _ in range(3)]
    results = await asyncio.gather(
        *(worker.acquire("ana") for _ in range(20) for worker in workers),
        return_exceptions=True,
    )
    refusals = [result for result in results if isinstance(result, BaseException)]
    assert len(results) - len(refusals) == 4
    assert {getattr(refusal, "message", repr(refusal)) for refusal in refusals} == {
        TOO_MANY_RUNNING.format(n=4)
    }
    assert await workers[0].running("ana") == 4


async def test_many_acquires_at_once_never_pass_the_minute_limit(settings, make_limiter):
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 7
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1000
    workers = [make_limiter() for _ in range(3)]

    async def run_once(worker: RedisRunLimiter) -> bool:
        try:
            lease = await worker.acquire("ana")
        except RunRefused as refused:
            assert "You started 7 runs in the last minute (the limit per user)" in refused.message
            return False
        await lease.release()
        return True

    results = await asyncio.gather(*(run_once(worker) for _ in range(20) for worker in workers))
    assert results.count(True) == 7


async def test_a_release_frees_exactly_its_own_slot(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 2
    first_worker, second_worker = make_limiter(), make_limiter()
    first = await first_worker.acquire("ana")
    await second_worker.acquire("ana")
    with pytest.raises(RunRefused):
        await second_worker.acquire("ana")
    await first.release()
    await first.release()  # twice: the other run still counts
    assert await second_worker.running("ana") == 1
    await second_worker.acquire("ana")
    with pytest.raises(RunRefused):
        await first_worker.acquire("ana")


async def test_the_minute_window_slides_across_workers(settings, make_limiter):
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 1
    clock = Clock()
    first_worker, second_worker = make_limiter(clock=clock), make_limiter(clock=clock)
    start = clock.now
    await (await first_worker.acquire("ana")).release()
    clock.now = start + 59
    with pytest.raises(RunRefused) as refused:
        await second_worker.acquire("ana")
    assert refused.value.message == (
        "You started 1 runs in the last minute (the limit per user). Run again in 1 s."
    )
    clock.now = start + 60
    await second_worker.acquire("ana")


async def test_a_crashed_workers_run_stops_counting_after_its_lease(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    clock = Clock()
    start = clock.now
    crashed = make_limiter(clock=clock, lease_seconds=30)
    survivor = make_limiter(clock=clock, lease_seconds=30)
    await crashed.acquire("ana")
    await crashed.aclose()  # the worker is gone: no release, no renewal
    clock.now = start + 29.9
    with pytest.raises(RunRefused):
        await survivor.acquire("ana")
    clock.now = start + 30
    await survivor.acquire("ana")
    assert await survivor.running("ana") == 1


async def test_a_running_task_renews_its_lease_and_releases_it_when_it_ends(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    worker_clock, observer_clock = Clock(), Clock()
    start = worker_clock.now
    worker = make_limiter(clock=worker_clock, lease_seconds=30, renew_every=0.01)
    observer = make_limiter(clock=observer_clock, lease_seconds=30)
    lease = await worker.acquire("ana")
    finished = asyncio.Event()
    run = asyncio.create_task(finished.wait())
    lease.hold_while(run)
    # The worker renews at its time start+25 (lease until start+55); at start+40, a time
    # the first lease would not have covered, the run still counts everywhere.
    worker_clock.now = start + 25
    observer_clock.now = start + 40
    deadline = time.monotonic() + 3
    while await observer.running("ana") == 0:
        assert time.monotonic() < deadline, "the lease was not renewed"
        await asyncio.sleep(0.01)
    with pytest.raises(RunRefused):
        await observer.acquire("ana")
    finished.set()
    deadline = time.monotonic() + 3
    while await observer.running("ana") == 1:
        assert time.monotonic() < deadline, "the lease was not released"
        await asyncio.sleep(0.01)
    await observer.acquire("ana")


async def test_a_run_cancelled_before_it_started_gives_its_slot_back(settings, make_limiter):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    worker = make_limiter()
    lease = await worker.acquire("ana")
    run = asyncio.create_task(asyncio.sleep(10))
    lease.hold_while(run)
    run.cancel()  # before its first step: its body never runs
    await lease.release()  # what the consumer's Stop awaits; the holder's release is the same
    assert await worker.running("ana") == 0
    await worker.acquire("ana")


async def test_keys_live_under_the_prefix_and_expire(settings, prefix, make_limiter):
    await make_limiter().acquire("ana")
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        assert len(keys) == 2  # runs going, runs started
        for key in keys:
            assert 0 < await client.pttl(key) <= 60_000
    finally:
        await client.aclose()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_redis_lets_runs_through_counted_by_this_process(settings, caplog):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    limiter = RedisRunLimiter(
        f"redis://:hunter2-redis-password@127.0.0.1:{closed_port()}/0",
        timeout=0.2,
        fallback=RunLimiter(),
    )
    with caplog.at_level(logging.WARNING, logger="playground.redis_shared"):
        async with asyncio.timeout(5):
            lease = await limiter.acquire("ana")
            # The process's own count still holds while Redis is away.
            with pytest.raises(RunRefused) as refused:
                await limiter.acquire("ana")
            assert refused.value.message == TOO_MANY_RUNNING.format(n=1).replace("runs", "run")
            await lease.release()
            await limiter.acquire("ana")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not one per run
    assert "Redis" in warnings[0].getMessage()
    assert "hunter2" not in caplog.text
    await limiter.aclose()


async def test_a_redis_that_never_answers_does_not_hang_the_run(settings, caplog):
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts, reads, never answers
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    limiter = RedisRunLimiter(f"redis://127.0.0.1:{port}/0", timeout=0.2, fallback=RunLimiter())
    try:
        with caplog.at_level(logging.WARNING, logger="playground.redis_shared"):
            async with asyncio.timeout(3):
                await limiter.acquire("ana")
        assert "Redis" in caplog.text
    finally:
        await limiter.aclose()
        server.close()


# --- Through the page's websocket, with REDIS_URL set -----------------------------------


@pytest.fixture
async def redis_limits(settings, prefix):
    """The app configured as in production: REDIS_URL set, so the limits live in Redis."""
    settings.REDIS_URL = REDIS_URL
    settings.PLAYGROUND_LIMITS_KEY_PREFIX = prefix
    assert isinstance(get_run_limiter(), RedisRunLimiter)
    yield
    await get_run_limiter().aclose()


async def test_the_page_is_refused_while_another_worker_holds_the_users_slot(
    settings, redis_limits, make_limiter
):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    other_worker = make_limiter()
    elsewhere = await other_worker.acquire(user_key(User(username="ana")))
    page = await connect("ana")
    try:
        await page.send(chat_request(provider="offline"))
        assert await page.receive_until_state() == "error"
        assert (
            "You already have 1 run going (the limit per user). Wait for one to finish, "
            "or stop one, then run again." in page.status_text()
        )
        await elsewhere.release()
        await page.send(chat_request(provider="offline"))
        assert await page.receive_until_state() == "done"
    finally:
        await page.communicator.disconnect()


async def test_runs_per_minute_count_the_runs_of_every_worker(settings, redis_limits, make_limiter):
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 2
    other_worker = make_limiter()
    await (await other_worker.acquire(user_key(User(username="ana")))).release()
    page = await connect("ana")
    try:
        await page.send(chat_request(provider="offline"))
        assert await page.receive_until_state() == "done"
        await page.send(chat_request(provider="offline"))
        assert await page.receive_until_state() == "error"
        assert "You started 2 runs in the last minute (the limit per user)" in page.status_text()
        assert "Run again in 60 s." in page.status_text()
    finally:
        await page.communicator.disconnect()


async def test_a_new_run_in_the_same_tab_replaces_the_old_one_within_the_limit(
    settings, redis_limits, fake_upstream
):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    page = await connect("ana")
    try:
        fake_upstream.answer_next(Scenario(tokens_per_second=20, tokens=lambda b: [" x"] * 100))
        await page.send(chat_request())
        await wait_for(lambda: bool(fake_upstream.chat_requests))
        # The old run's slot is given back before the new run asks for one.
        await page.send(chat_request())
        states = [await page.receive_until_state(), await page.receive_until_state()]
        assert states == ["stopped", "done"]
        # The finished run stops counting too.
        limiter, ana = get_run_limiter(), user_key(User(username="ana"))
        deadline = time.monotonic() + 3
        while await limiter.running(ana):
            assert time.monotonic() < deadline, "the finished run still counts"
            await asyncio.sleep(0.01)
    finally:
        await page.communicator.disconnect()


async def test_a_burst_of_200_run_starts_is_counted_in_redis_not_by_the_process_alone(
    settings, redis_limits, prefix, make_limiter, caplog
):
    # More runs at once than redis-py's default pool has connections (100): the run starts
    # that find every connection busy wait for one instead of counting in this process.
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1000
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 1000
    settings.PLAYGROUND_BREAKER_KEY_PREFIX = f"{prefix}breaker:"
    limiter = get_run_limiter()
    breaker = shared_breaker_for("burst", threshold=5, reset_seconds=30)

    async def run_start() -> tuple[RunLease, object]:
        # What a run's start asks Redis: a place in the limits, then the provider's breaker.
        return await limiter.acquire("ana"), await breaker.before_request()

    try:
        with caplog.at_level(logging.WARNING, logger="playground.redis_shared"):
            started = await asyncio.gather(*(run_start() for _ in range(200)))
    finally:
        await breaker.aclose()
    assert [record.getMessage() for record in caplog.records] == []
    assert all(isinstance(lease, RedisLease) for lease, _ in started)
    assert {ticket for _, ticket in started} == {False}  # closed, as Redis says
    # Another worker sees all 200.
    assert await make_limiter().running("ana") == 200
