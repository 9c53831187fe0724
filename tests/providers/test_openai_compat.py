"""The OpenAI-compatible client against the fake upstream: wire format and error mapping."""

import pytest

from playground.providers import (
    Finished,
    RawChunk,
    ResponseHeaders,
    TextDelta,
    UpstreamError,
    Usage,
    get_provider,
)
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


async def test_the_key_is_scrubbed_from_upstream_error_text(fake_upstream):
    fake_upstream.answer_next(Scenario(status=401, error_message=f"bad key {TEST_API_KEY}"))
    with pytest.raises(UpstreamError) as caught:
        await events_of(BODY)
    assert TEST_API_KEY not in caught.value.message
    assert "bad key ***" in caught.value.message


def test_repr_never_shows_the_key():
    assert TEST_API_KEY not in repr(get_provider("openai"))
