"""What the run limits, the circuit breakers and the model-list cache share about Redis: an
outage is warned about once and Redis is left alone for a while; a client never waits long."""

import asyncio
import logging

import pytest

from playground.redis_shared import OUTAGE_RETRY_SECONDS, RedisOutage, redis_client, redis_errors


def test_an_outage_is_warned_about_once_and_redis_skipped_until_it_is_asked_again(caplog):
    now = [100.0]
    outage = RedisOutage("Model lists", "they are asked each time.", clock=lambda: now[0])
    assert not outage.active()
    with caplog.at_level(logging.WARNING, logger="playground.redis_shared"):
        outage.note(ConnectionRefusedError("Connect call failed ('127.0.0.1', 6390)"))
        now[0] += 1
        outage.note(ConnectionRefusedError("Connect call failed ('127.0.0.1', 6390)"))
        assert outage.active()
        now[0] += OUTAGE_RETRY_SECONDS
        assert not outage.active()  # time to ask Redis again
        outage.note(TimeoutError())  # still away: a new outage, a new warning
    assert [record.getMessage() for record in caplog.records] == [
        "Model lists: Redis did not answer (ConnectionRefusedError: Connect call failed "
        "('127.0.0.1', 6390)); they are asked each time.",
        "Model lists: Redis did not answer (TimeoutError: ); they are asked each time.",
    ]


async def test_a_client_gives_up_on_a_redis_that_never_answers_after_its_timeout():
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts, reads, never answers
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    client = redis_client(f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0", 0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        with pytest.raises(redis_errors()):
            await client.get("playground:anything")
        assert loop.time() - started < 1.0  # one try, no retries with backoff
    finally:
        await client.aclose()
        server.close()


async def test_a_call_that_finds_every_connection_busy_waits_a_bounded_time(settings):
    # A burst waits for a free connection rather than failing at once, but not forever:
    # past PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT it fails like an outage (and falls back).
    settings.PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS = 1
    settings.PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT = 0.3

    asked = asyncio.Event()

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        asked.set()
        await reader.read()  # never answers: the one connection stays busy
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    client = redis_client(f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0", 5.0)
    loop = asyncio.get_running_loop()
    busy = asyncio.create_task(client.get("playground:first"))
    try:
        await asyncio.wait_for(asked.wait(), 5)  # the first call holds the only connection
        started = loop.time()
        with pytest.raises(redis_errors(), match="No connection available"):
            await client.get("playground:second")
        assert 0.25 < loop.time() - started < 2.0
    finally:
        busy.cancel()
        await asyncio.gather(busy, return_exceptions=True)
        await client.aclose()
        server.close()
