"""Per-user run limits, as the page sees them: a clear refusal, other users unaffected."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from playground.consumers import RunConsumer
from playground.limits import RunLimiter, RunRefused
from tests.conftest import RunClient, chat_request
from tests.fake_upstream import Scenario
from tests.test_consumers import wait_for


async def connect(username: str) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username=username)
    assert (await communicator.connect())[0]
    return RunClient(communicator)


async def test_a_user_over_the_concurrent_limit_is_refused_and_others_are_not(
    settings, fake_upstream
):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    fake_upstream.default = Scenario(tokens_per_second=50)
    first_tab, second_tab, colleague = (
        await connect("ana"),
        await connect("ana"),
        await connect("bo"),
    )
    try:
        await first_tab.send(chat_request())
        await first_tab.receive()  # the run started
        await second_tab.send(chat_request())
        assert await second_tab.receive_until_state() == "error"
        assert (
            "You already have 1 run going (the limit per user). Wait for one to finish, "
            "or stop one, then run again." in second_tab.status_text()
        )
        await colleague.send(chat_request())
        assert await colleague.receive_until_state() == "done"
        assert await first_tab.receive_until_state() == "done"
        # The finished run no longer counts.
        await second_tab.send(chat_request())
        assert await second_tab.receive_until_state() == "done"
        assert len(fake_upstream.chat_requests) == 3
    finally:
        for client in (first_tab, second_tab, colleague):
            await client.communicator.disconnect()


async def test_a_new_run_in_the_same_tab_replaces_the_old_one_within_the_limit(
    settings, run_client, fake_upstream
):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    fake_upstream.answer_next(Scenario(tokens_per_second=20, tokens=lambda b: [" x"] * 100))
    await run_client.send(chat_request())
    await wait_for(lambda: bool(fake_upstream.chat_requests))
    await run_client.send(chat_request())
    states = [await run_client.receive_until_state(), await run_client.receive_until_state()]
    assert states == ["stopped", "done"]


async def test_runs_per_minute_are_limited_with_the_wait_named(settings, run_client):
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 2
    for _ in range(2):
        await run_client.send(chat_request(provider="offline"))
        assert await run_client.receive_until_state() == "done"
    await run_client.send(chat_request(provider="offline"))
    assert await run_client.receive_until_state() == "error"
    assert "You started 2 runs in the last minute (the limit per user)" in (
        run_client.status_text()
    )
    assert "Run again in 60 s." in run_client.status_text()


async def test_the_minute_window_slides(settings):
    settings.PLAYGROUND_MAX_RUNS_PER_MINUTE = 1
    now = [0.0]
    limiter = RunLimiter(clock=lambda: now[0])
    await (await limiter.acquire("u")).release()
    now[0] = 59.0
    with pytest.raises(RunRefused, match="Run again in 1 s"):
        await limiter.acquire("u")
    now[0] = 60.0
    await limiter.acquire("u")
    assert await limiter.running("u") == 1


async def test_a_release_frees_exactly_its_own_run_and_twice_is_harmless(settings):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 2
    limiter = RunLimiter()
    first = await limiter.acquire("u")
    await limiter.acquire("u")
    await first.release()
    await first.release()
    assert await limiter.running("u") == 1
    await limiter.acquire("u")
    with pytest.raises(RunRefused, match="You already have 2 runs going"):
        await limiter.acquire("u")


async def test_a_held_run_is_released_when_its_task_ends_even_if_it_never_started(settings):
    settings.PLAYGROUND_MAX_CONCURRENT_RUNS = 1
    limiter = RunLimiter()
    lease = await limiter.acquire("u")
    task = asyncio.create_task(asyncio.sleep(10))
    lease.hold_while(task)
    task.cancel()  # before its first step: its body never runs
    await asyncio.wait([task])
    await asyncio.sleep(0)
    assert await limiter.running("u") == 0
