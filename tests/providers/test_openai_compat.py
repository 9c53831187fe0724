"""The OpenAI-compatible client against the fake upstream: wire format and error mapping."""

import asyncio

import pytest

from playground.providerconfig.lookup import get_provider
from playground.providers import (
    Finished,
    RawChunk,
    ResponseHeaders,
    TextDelta,
    UpstreamError,
    Usage,
)
from playground.providers.openai_compat import OpenAICompatibleProvider
from tests.conftest import TEST_API_KEY
from tests.fake_upstream import Scenario


async def all_events_of(body: dict, mode: str = "chat") -> list:
    return [event async for event in get_provider("openai").stream(body, mode)]


async def events_of(body: dict, mode: str = "chat") -> list:
    """The events that carry the answer (raw chunks and headers left out)."""
    events = await all_events_of(body, mode)
    return [e for e in events if not isinstance(e, RawChunk | ResponseHeaders)]


BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}


async def test_streams_text_finish_reason_and_usage(fake_upstream):
    events = await events_of({**BODY, "n": 2, "stream_options": {"include_usage": True}})
    text = {0: "", 1: ""}
    for event in events:
        if isinstance(event, TextDelta):
            text[event.index] += event.text
    expected = "".join(f" word{i}" for i in range(20))
    assert text == {0: expected, 1: expected}
    assert Finished(0, "stop") in events and Finished(1, "stop") in events
    # The offline model's count: "hi" is one token, and each message costs 4 more.
    assert events[-1] == Usage(5, 40, 45)


async def test_sends_the_body_as_is_with_the_key_only_in_the_header(fake_upstream):
    await events_of(BODY)
    sent = fake_upstream.chat_requests[0]
    assert sent.body == BODY
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {TEST_API_KEY}"


async def test_a_non_streaming_answer_is_understood(fake_upstream):
    events = await events_of({**BODY, "stream": False})
    assert events == [
        TextDelta(0, "".join(f" word{i}" for i in range(20))),
        Finished(0, "stop"),
        Usage(5, 20, 25),
    ]


async def test_a_400_carries_the_providers_explanation(fake_upstream):
    fake_upstream.answer_next(Scenario(status=400, error_message="'temperature' is not supported"))
    with pytest.raises(UpstreamError) as caught:
        await events_of(BODY)
    assert caught.value.kind == "bad_request"
    assert "The provider said: 'temperature' is not supported" in caught.value.message


async def test_list_models_reads_the_models_endpoint(fake_upstream):
    assert await get_provider("openai").list_models() == ["fake-model", "fake-model-mini"]


async def test_list_models_falls_back_to_the_default_model_when_unreachable(
    test_providers, settings
):
    settings.PLAYGROUND_PROVIDERS = {
        "openai": {**test_providers["openai"], "base_url": "http://127.0.0.1:9/v1"}
    }
    assert await get_provider("openai").list_models() == ["fake-model"]


@pytest.fixture
async def answering_server():
    """A server on 127.0.0.1 that answers every request 200 with the body it is given;
    yields a function that sets the body and returns the base URL."""
    body = [b""]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body[0])}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body[0])
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    def answering(text: bytes) -> str:
        body[0] = text
        return f"http://127.0.0.1:{port}/v1"

    yield answering
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize(
    "body", [b'{"object": "list"}', b'{"data": "none"}', b"[]", b"<html>Welcome</html>"]
)
async def test_an_answer_that_is_no_model_list_is_told_as_a_wrong_url(answering_server, body):
    base_url = answering_server(body)
    client = OpenAICompatibleProvider(name="gw", base_url=base_url, default_model="gw-1")
    with pytest.raises(UpstreamError) as caught:
        await client.fetch_models()
    assert caught.value.kind == "bad_response"
    assert caught.value.message == (
        f"Wrong URL: {base_url}/models answered, but not with an OpenAI-style model list. "
        "Check that OPENAI_BASE_URL points at the API (it usually ends in /v1)."
    )
    assert await client.list_models() == ["gw-1"]  # the page suggests the default instead


async def test_a_model_list_keeps_each_id_once_sorted_and_skips_entries_without_one(
    answering_server,
):
    base_url = answering_server(
        b'{"data": [{"id": "b"}, {"id": "a"}, {"id": "b"}, {"object": "model"}, "c"]}'
    )
    client = OpenAICompatibleProvider(name="gw", base_url=base_url)
    assert await client.fetch_models() == ["a", "b"]
    assert await client.list_models() == ["a", "b"]


async def test_the_key_is_scrubbed_from_upstream_error_text(fake_upstream):
    fake_upstream.answer_next(Scenario(status=401, error_message=f"bad key {TEST_API_KEY}"))
    with pytest.raises(UpstreamError) as caught:
        await events_of(BODY)
    assert TEST_API_KEY not in caught.value.message
    assert "bad key ***" in caught.value.message


def test_repr_never_shows_the_key():
    assert TEST_API_KEY not in repr(get_provider("openai"))
