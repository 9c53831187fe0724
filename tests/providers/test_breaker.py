"""The circuit breaker in this process's memory: its states follow failures and the clock."""

import pytest

from playground.providers import UpstreamError
from playground.providers.breaker import CircuitBreaker


async def test_breaker_states_follow_the_clock():
    now = [100.0]
    breaker = CircuitBreaker("p", threshold=2, reset_seconds=10, clock=lambda: now[0])
    await breaker.record_failure()
    assert breaker.state == "closed"
    await breaker.record_failure()
    assert breaker.state == "open"
    now[0] += 10
    assert breaker.state == "half_open"
    assert await breaker.before_request() is True  # the trial
    with pytest.raises(UpstreamError) as refused:  # one trial at a time
        await breaker.before_request()
    assert "as soon as the trial request now under way succeeds" in refused.value.message
    await breaker.record_success(True)
    assert breaker.state == "closed"
    assert await breaker.before_request() is False
