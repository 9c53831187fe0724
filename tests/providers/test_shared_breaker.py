"""A provider's circuit breaker in Redis: failures seen by any worker open it for all, and
one trial request on one worker closes it for all. Two RedisCircuitBreaker objects with
the same keys stand for two daphne workers (each has its own connection, as a process
would). Against the real Redis at 127.0.0.1:6379; each test has keys of its own.
"""

import logging
import uuid

import pytest
import redis.asyncio

from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError
from playground.providers.breaker import CircuitBreaker
from playground.providers.shared_breaker import RedisCircuitBreaker
from tests.test_limits_redis import REDIS_URL, Clock, closed_port, pytestmark  # noqa: F401


@pytest.fixture
async def workers():
    prefix = f"playground:test-breaker:{uuid.uuid4().hex}:"
    clock = Clock()
    made: list[RedisCircuitBreaker] = []

    def make(threshold: int = 3, reset_seconds: float = 30.0) -> RedisCircuitBreaker:
        breaker = RedisCircuitBreaker(
            "gateway",
            REDIS_URL,
            threshold=threshold,
            reset_seconds=reset_seconds,
            prefix=prefix,
            clock=clock,
            fallback=CircuitBreaker("gateway", threshold=threshold, reset_seconds=reset_seconds),
        )
        made.append(breaker)
        return breaker

    make.clock = clock
    yield make
    for breaker in made:
        await breaker.aclose()
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


async def refused(breaker: RedisCircuitBreaker) -> str:
    with pytest.raises(UpstreamError) as caught:
        await breaker.before_request()
    assert caught.value.kind == "circuit_open"
    return caught.value.message


async def test_failures_on_two_workers_open_the_circuit_for_both(workers):
    a, b = workers(threshold=3), workers(threshold=3)
    for worker in (a, b):
        assert await worker.before_request() is False
    await a.record_failure()
    await b.record_failure()
    assert await a.before_request() is False  # two failures: still closed
    await a.record_failure()
    for worker in (a, b):
        message = await refused(worker)
        assert "The provider 'gateway' failed 3 times in a row" in message
        assert "(in 30 s)" in message


async def test_a_success_anywhere_resets_the_count(workers):
    a, b = workers(threshold=2), workers(threshold=2)
    await a.record_failure()
    await b.record_success()
    await a.record_failure()
    assert await b.before_request() is False


async def test_after_the_reset_one_trial_on_one_worker_decides_for_all(workers):
    a, b = workers(threshold=1, reset_seconds=30), workers(threshold=1, reset_seconds=30)
    await a.record_failure()
    assert "(in 30 s)" in await refused(b)
    workers.clock.now += 30
    trial = await b.before_request()
    assert trial  # b sends the one trial request
    assert "as soon as the trial request now under way succeeds" in await refused(a)
    await b.record_success(trial)
    assert await a.before_request() is False
    assert await b.before_request() is False


async def test_a_failed_trial_opens_the_circuit_again_for_all(workers):
    a, b = workers(threshold=1, reset_seconds=10), workers(threshold=1, reset_seconds=10)
    await a.record_failure()
    workers.clock.now += 10
    trial = await a.before_request()
    await a.record_failure(trial)
    assert "(in 10 s)" in await refused(b)


async def test_a_trial_stopped_by_the_user_lets_another_worker_try(workers):
    a, b = workers(threshold=1, reset_seconds=10), workers(threshold=1, reset_seconds=10)
    await a.record_failure()
    workers.clock.now += 10
    trial = await a.before_request()
    await refused(b)
    await a.release_trial(trial)
    assert await b.before_request()


async def test_an_unreachable_redis_leaves_the_decision_to_this_process(caplog):
    local = CircuitBreaker("gateway", threshold=2, reset_seconds=30)
    breaker = RedisCircuitBreaker(
        "gateway",
        f"redis://127.0.0.1:{closed_port()}/0",
        threshold=2,
        reset_seconds=30,
        fallback=local,
    )
    with caplog.at_level(logging.WARNING):
        assert await breaker.before_request() == ("local", False)
        await breaker.record_failure(("local", False))
        await breaker.record_failure(False)
    assert local.state == "open"
    assert "The provider 'gateway' failed 2 times in a row" in await refused(breaker)
    warnings = [r for r in caplog.records if "Redis did not answer" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per run
    assert "127.0.0.1" in warnings[0].getMessage()
    await breaker.aclose()


def test_with_redis_url_set_providers_get_the_shared_breaker(settings):
    settings.REDIS_URL = REDIS_URL
    assert isinstance(get_provider("openai").breaker, RedisCircuitBreaker)
    settings.REDIS_URL = ""
    assert isinstance(get_provider("openai").breaker, CircuitBreaker)
