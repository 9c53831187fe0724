"""What the run limits, the circuit breakers and the model-list cache share about Redis: an
outage is warned about once and Redis is left alone for a while; a client never waits long."""

import asyncio
import logging

import pytest

from playground.redis_shared import OUTAGE_RETRY_SECONDS, REDIS_ERRORS, RedisOutage, redis_client


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
        with pytest.raises(REDIS_ERRORS):
            await client.get("playground:anything")
        assert loop.time() - started < 1.0  # one try, no retries with backoff
    finally:
        await client.aclose()
        server.close()
