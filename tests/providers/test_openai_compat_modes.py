"""The OpenAI-compatible client in every mode, against the fake upstream."""

import pytest

from playground.providerconfig.lookup import get_provider
from playground.providers import (
    Embeddings,
    Finished,
    Images,
    Logprobs,
    Moderations,
    RawChunk,
    ResponseHeaders,
    TextDelta,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from tests.conftest import TEST_API_KEY
from tests.fake_upstream import Scenario

CHAT = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
CALLS = [
    {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'},
    {"name": "get_time", "arguments": '{"zone": "Europe/Paris"}'},
]


async def events_of(body: dict, mode: str = "chat") -> list:
    return [event async for event in get_provider("openai").stream(body, mode)]


@pytest.mark.parametrize("stream", [True, False])
async def test_tool_calls_are_assembled_into_complete_calls_before_finishing(fake_upstream, stream):
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: CALLS))
    events = await events_of({**CHAT, "stream": stream})
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.call_index, c.name, c.arguments) for c in calls] == [
        (0, "get_weather", CALLS[0]["arguments"]),
        (1, "get_time", CALLS[1]["arguments"]),
    ]
    assert all(c.id.startswith("call_fake") for c in calls)
    assert events.index(calls[-1]) < events.index(Finished(0, "tool_calls"))
    if stream:
        deltas = [e for e in events if isinstance(e, ToolCallDelta) and e.call_index == 0]
        assert len(deltas) > 2 and deltas[0].name == "get_weather"


@pytest.mark.parametrize("stream", [True, False])
async def test_chat_logprobs_arrive_per_token(fake_upstream, stream):
    events = await events_of({**CHAT, "stream": stream, "logprobs": True, "top_logprobs": 2})
    tokens = [t for e in events if isinstance(e, Logprobs) for t in e.tokens]
    assert [t.token for t in tokens] == [" word0", " word1", " word2"]
    assert all(isinstance(t, TokenLogprob) and len(t.top) == 2 and t.logprob < 0 for t in tokens)


async def test_legacy_completions_stream_text_and_logprobs_from_the_completions_endpoint(
    fake_upstream,
):
    body = {
        "model": "fake-instruct",
        "prompt": "Once",
        "max_tokens": 2,
        "stream": True,
        "logprobs": 1,
    }
    events = await events_of(body, "completion")
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == " word0 word1"
    assert [t.token for e in events if isinstance(e, Logprobs) for t in e.tokens] == [
        " word0",
        " word1",
    ]
    assert Finished(0, "stop") in events
    assert fake_upstream.completion_requests[0].body == body
    assert fake_upstream.completion_requests[0].path == "/v1/completions"


async def test_a_whole_legacy_completion_is_understood(fake_upstream):
    events = await events_of({"model": "m", "prompt": ["a", "b"], "max_tokens": 1}, "completion")
    assert [e for e in events if isinstance(e, TextDelta)] == [
        TextDelta(0, " word0"),
        TextDelta(1, " word0"),
    ]


@pytest.mark.parametrize("encoding", [None, "base64"])
async def test_embeddings_come_back_as_vectors_in_input_order(fake_upstream, encoding):
    body = {"model": "fake-embedding", "input": ["one", "two"], "dimensions": 8}
    if encoding:
        body["encoding_format"] = encoding
    events = await events_of(body, "embedding")
    (result,) = [e for e in events if isinstance(e, Embeddings)]
    assert [len(v) for v in result.vectors] == [8, 8]
    assert result.model == "fake-embedding"
    assert events[-1] == Usage(2, 0, 2)
    assert fake_upstream.embedding_requests[0].body == body


async def test_moderation_results_come_back_per_input(fake_upstream):
    events = await events_of({"input": ["kill", "fine"]}, "moderation")
    (result,) = [e for e in events if isinstance(e, Moderations)]
    assert [r["flagged"] for r in result.results] == [True, False]
    assert fake_upstream.moderation_requests[0].body == {"input": ["kill", "fine"]}


async def test_raw_chunks_and_rate_limit_headers_are_reported(fake_upstream):
    events = await events_of({**CHAT, "stream": True})
    (headers,) = [e for e in events if isinstance(e, ResponseHeaders)]
    assert headers.status == 200
    assert ("x-ratelimit-remaining-requests", "99") in headers.headers
    assert not any(name in {"content-type", "set-cookie"} for name, _ in headers.headers)
    raw = [e.data for e in events if isinstance(e, RawChunk)]
    assert raw[-1] == "[DONE]" and '"chat.completion.chunk"' in raw[0]
    assert len(raw) == 1 + 3 + 1 + 1  # role, three tokens, finish, [DONE]


async def test_the_key_in_raw_chunks_is_found_by_the_providers_scrubber(fake_upstream):
    """Raw chunks are scrubbed where they leave the server (frames, the terminal: see
    tests/test_hostile_upstream.py), with the provider's scrubber, which knows the key."""
    fake_upstream.answer_next(Scenario(tokens=lambda body: [f" {TEST_API_KEY}"]))
    events = await events_of({**CHAT, "stream": True})
    raw = "".join(e.data for e in events if isinstance(e, RawChunk))
    shown = get_provider("openai").scrubber.scrub(raw)
    assert TEST_API_KEY in raw and TEST_API_KEY not in shown and "***" in shown


async def test_images_come_back_with_revised_prompts_and_token_usage(fake_upstream):
    body = {"model": "gpt-image-1", "prompt": "a fox", "size": "1024x1024", "n": 2}
    events = await events_of(body, "image")
    (result,) = [e for e in events if isinstance(e, Images)]
    assert result.model == "gpt-image-1" and result.output_format == "png"
    assert [image.b64_json[:8] for image in result.images] == ["iVBORw0K"] * 2  # PNG
    assert all(image.url is None and "a fox" in image.revised_prompt for image in result.images)
    # gpt-image-1 counts input and output tokens: read as prompt and completion tokens.
    assert events[-1] == Usage(2, 512, 514)
    assert fake_upstream.requests_to("/images/generations")[0].body == body


async def test_images_answered_as_links_are_links(fake_upstream):
    body = {"model": "dall-e-2", "prompt": "a fox", "size": "256x256", "response_format": "url"}
    (result,) = [e for e in await events_of(body, "image") if isinstance(e, Images)]
    assert result.images[0].url == fake_upstream.base_url + "/generated/0.png"
    assert result.images[0].b64_json is None


@pytest.mark.parametrize("mode", ["embedding", "moderation", "image"])
async def test_failures_of_answer_modes_are_told_in_plain_words(fake_upstream, mode):
    fake_upstream.answer_next(Scenario(status=429, retry_after="4"))
    with pytest.raises(UpstreamError) as caught:
        await events_of({"model": "m", "input": "x", "prompt": "x"}, mode)
    assert caught.value.kind == "rate_limited" and "Wait 4 s" in caught.value.message
