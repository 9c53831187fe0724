"""The circuit breaker and backoff of the resilience layer, against the real fake upstream."""

import asyncio

import pytest

from playground.providerconfig.lookup import get_provider
from playground.providers import Retrying, TextDelta, UpstreamError
from playground.providers.resilience import RetryPolicy
from tests.fake_upstream import Scenario

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}


@pytest.fixture
def fragile(settings, test_providers):
    """'openai' with no retries and a breaker that opens after 2 failures for 0.3 s."""
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {
            **test_providers["openai"],
            "retry_attempts": 1,
            "breaker_threshold": 2,
            "breaker_reset_seconds": 0.3,
        },
    }


async def run_once(name: str = "openai") -> str:
    """Stream BODY; return the text, or raise the UpstreamError."""
    text = ""
    async for event in get_provider(name).stream(BODY):
        if isinstance(event, TextDelta):
            text += event.text
    return text


async def test_the_breaker_opens_after_failures_in_a_row_and_fails_fast(fragile, fake_upstream):
    fake_upstream.answer_next(Scenario(status=500))
    fake_upstream.answer_next(Scenario(status=500))
    for _ in range(2):
        with pytest.raises(UpstreamError) as caught:
            await run_once()
        assert caught.value.kind == "server_error"
    with pytest.raises(UpstreamError) as caught:
        await run_once()
    assert caught.value.kind == "circuit_open"
    assert "The provider 'openai' failed 2 times in a row" in caught.value.message
    assert "It will try again at " in caught.value.message
    assert "UTC (in 1 s)" in caught.value.message
    assert len(fake_upstream.chat_requests) == 2  # the third run never left the server


async def test_the_breaker_lets_one_trial_through_after_the_pause_and_closes_on_success(
    fragile, fake_upstream
):
    fake_upstream.answer_next(Scenario(status=503))
    fake_upstream.answer_next(Scenario(status=503))
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await run_once()
    await asyncio.sleep(0.35)
    fake_upstream.answer_next(Scenario(first_token_delay=0.3))
    trial = asyncio.create_task(run_once())
    await asyncio.sleep(0.05)
    # While the trial is under way, others still fail fast.
    with pytest.raises(UpstreamError) as caught:
        await run_once()
    assert caught.value.kind == "circuit_open"
    assert "as soon as the trial request now under way succeeds" in caught.value.message
    assert await trial == "".join(f" word{i}" for i in range(20))
    assert await run_once() == "".join(f" word{i}" for i in range(20))


async def test_a_failed_trial_opens_the_breaker_again(fragile, fake_upstream):
    for _ in range(3):
        fake_upstream.answer_next(Scenario(status=502))
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await run_once()
    await asyncio.sleep(0.35)
    with pytest.raises(UpstreamError) as caught:
        await run_once()
    assert caught.value.kind == "server_error"  # the trial went upstream, and failed
    with pytest.raises(UpstreamError) as caught:
        await run_once()
    assert caught.value.kind == "circuit_open"
    assert len(fake_upstream.chat_requests) == 3


async def test_client_errors_do_not_open_the_breaker(fragile, fake_upstream):
    for _ in range(3):
        fake_upstream.answer_next(Scenario(status=400, error_message="bad"))
    for _ in range(3):
        with pytest.raises(UpstreamError) as caught:
            await run_once()
        assert caught.value.kind == "bad_request"
    assert await run_once() == "".join(f" word{i}" for i in range(20))


async def test_one_providers_breaker_does_not_stop_another(fragile, fake_upstream, settings):
    settings.PLAYGROUND_PROVIDERS["other"] = dict(settings.PLAYGROUND_PROVIDERS["openai"])
    fake_upstream.answer_next(Scenario(status=500))
    fake_upstream.answer_next(Scenario(status=500))
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await run_once()
    assert await run_once("other") == "".join(f" word{i}" for i in range(20))


async def test_retries_are_announced_with_the_attempt_and_the_wait(fake_upstream):
    fake_upstream.answer_next(Scenario(status=429, retry_after="0.1"))
    fake_upstream.answer_next(Scenario(status=504))
    events = [event async for event in get_provider("openai").stream(BODY)]
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [(r.attempt, r.attempts, r.reason) for r in retries] == [
        (2, 3, "rate limited (429)"),
        (3, 3, "the provider failed (504)"),
    ]
    assert retries[0].delay == 0.1
    assert len(fake_upstream.chat_requests) == 3


def test_backoff_doubles_with_jitter_and_stays_under_the_cap():
    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=5.0)
    for attempt, ceiling in [(2, 1.0), (3, 2.0), (4, 4.0), (5, 5.0), (6, 5.0)]:
        delays = {policy.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, not one fixed value


async def test_a_steady_stream_longer_than_the_gap_timeout_is_not_cut(
    settings, test_providers, fake_upstream
):
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {
            **test_providers["openai"],
            "first_token_timeout": 0.4,
            "token_gap_timeout": 0.3,
        },
    }
    fake_upstream.answer_next(Scenario(first_token_delay=0.25, tokens_per_second=8))
    started = asyncio.get_running_loop().time()
    assert await run_once() == "".join(f" word{i}" for i in range(20))
    assert asyncio.get_running_loop().time() - started > 2.0  # far longer than either timeout


async def test_an_embeddings_request_is_retried_like_a_chat(fake_upstream):
    from playground.providers import Embeddings, ResponseHeaders

    fake_upstream.answer_next(Scenario(status=503))
    body = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    events = [event async for event in get_provider("openai").stream(body, "embedding")]
    # The refused attempt's status and error body come first (for the inspector), then the retry.
    assert isinstance(events[0], ResponseHeaders) and events[0].status == 503
    retries = [event for event in events if isinstance(event, Retrying)]
    assert [r.reason for r in retries] == ["the provider failed (503)"]
    vectors = next(e for e in events if isinstance(e, Embeddings)).vectors
    assert len(vectors) == 2
    assert [r.path for r in fake_upstream.requests] == ["/v1/embeddings"] * 2


async def test_a_reply_of_tool_calls_only_counts_as_a_reply(
    settings, test_providers, fake_upstream
):
    from playground.providers import ToolCall

    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {**test_providers["openai"], "first_token_timeout": 0.5},
    }
    fake_upstream.answer_next(
        Scenario(tool_calls=lambda body: [{"name": "lookup", "arguments": '{"q": "x"}'}])
    )
    body = {**BODY, "tools": [{"type": "function", "function": {"name": "lookup"}}]}
    events = [event async for event in get_provider("openai").stream(body)]
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.name, c.arguments) for c in calls] == [("lookup", '{"q": "x"}')]
    assert not any(isinstance(e, Retrying) for e in events)
