"""The fake upstream answers every endpoint in OpenAI's own response shapes.

Its answers are validated against the response schemas of the published OpenAPI
document, so tests that pass against the fake exercise the real wire format.
"""

import base64
import json
import math
import struct

import httpx
import pytest

from playground.providers.offline_answers import embedding_vectors, moderation_results
from tests.fake_upstream import FakeUpstream, Scenario
from tests.openapi import assert_valid


def post(upstream: FakeUpstream, path: str, body: dict) -> httpx.Response:
    return httpx.post(upstream.base_url + path, json=body, timeout=5)


def sse_payloads(response: httpx.Response) -> list[dict]:
    lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    return [json.loads(line[len("data: ") :]) for line in lines[:-1]]


CHAT = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
WEATHER_CALL = {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}


def test_chat_stream_chunks_are_valid_and_carry_logprobs_when_asked(fake_upstream):
    body = {**CHAT, "stream": True, "logprobs": True, "top_logprobs": 3}
    chunks = sse_payloads(post(fake_upstream, "/chat/completions", body))
    for chunk in chunks:
        assert_valid(chunk, "CreateChatCompletionStreamResponse")
    with_tokens = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert [c["choices"][0]["delta"]["content"] for c in with_tokens] == [
        " word0",
        " word1",
        " word2",
    ]
    first = with_tokens[0]["choices"][0]["logprobs"]["content"][0]
    assert first["token"] == " word0" and first["logprob"] < 0
    assert [alt["token"] for alt in first["top_logprobs"]] == [" word0", " WORD0", " word0ss"]


def test_chat_without_logprobs_has_none(fake_upstream):
    chunks = sse_payloads(post(fake_upstream, "/chat/completions", {**CHAT, "stream": True}))
    assert all(choice["logprobs"] is None for c in chunks for choice in c["choices"])


def test_chat_whole_answer_is_valid_with_logprobs(fake_upstream):
    body = {**CHAT, "logprobs": True, "top_logprobs": 2}
    answer = post(fake_upstream, "/chat/completions", body).json()
    assert_valid(answer, "CreateChatCompletionResponse")
    tokens = answer["choices"][0]["logprobs"]["content"]
    assert [t["token"] for t in tokens] == [" word0", " word1", " word2"]
    assert all(len(t["top_logprobs"]) == 2 for t in tokens)


def test_chat_streams_tool_call_deltas_that_assemble_into_the_calls(fake_upstream):
    second = {"name": "get_time", "arguments": '{"zone": "Europe/Paris"}'}
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: [WEATHER_CALL, second]))
    response = post(fake_upstream, "/chat/completions", {**CHAT, "stream": True})
    chunks = sse_payloads(response)
    for chunk in chunks:
        assert_valid(chunk, "CreateChatCompletionStreamResponse")
    calls: dict[int, dict] = {}
    for chunk in chunks:
        for delta in chunk["choices"][0]["delta"].get("tool_calls", []):
            call = calls.setdefault(delta["index"], {"name": "", "arguments": ""})
            call["name"] += delta.get("function", {}).get("name", "")
            call["arguments"] += delta.get("function", {}).get("arguments", "")
    assert calls == {0: WEATHER_CALL, 1: second}
    # The arguments really arrive in pieces, as OpenAI sends them.
    assert sum(1 for c in chunks if "tool_calls" in c["choices"][0]["delta"]) > 4
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_whole_answer_with_tool_calls(fake_upstream):
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: [WEATHER_CALL]))
    answer = post(fake_upstream, "/chat/completions", CHAT).json()
    assert_valid(answer, "CreateChatCompletionResponse")
    message = answer["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"][0]["function"] == WEATHER_CALL
    assert answer["choices"][0]["finish_reason"] == "tool_calls"


def test_a_named_tool_choice_makes_the_fake_call_that_tool(fake_upstream):
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    body = {
        **CHAT,
        "tools": [tool],
        "tool_choice": {"type": "function", "function": {"name": "lookup"}},
    }
    answer = post(fake_upstream, "/chat/completions", body).json()
    assert answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "lookup"


def test_a_required_tool_call_carries_arguments_that_satisfy_the_tools_schema(fake_upstream):
    parameters = {"type": "object", "properties": {"city": {"type": "string"}}}
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": parameters}}
    body = {**CHAT, "messages": [{"role": "user", "content": "Weather in Paris?"}]}
    body.update(tools=[tool], tool_choice="required")
    call = post(fake_upstream, "/chat/completions", body).json()["choices"][0]["message"]
    assert call["tool_calls"][0]["function"] == WEATHER_CALL | {"arguments": '{"city": "Paris"}'}
    assert call["tool_calls"][0]["id"].startswith("call_fake_")
    # With tool_choice "auto" the fake answers its scripted text.
    auto = post(fake_upstream, "/chat/completions", {**body, "tool_choice": "auto"}).json()
    assert auto["choices"][0]["message"]["content"] == " word0 word1 word2"


def completed(chunk: dict) -> dict:
    """A streamed legacy chunk as the schema sees it.

    The published schema describes the whole object; OpenAI's streamed chunks carry
    ``finish_reason: null`` until the last one, which the schema does not allow.
    """
    choices = [{**c, "finish_reason": c["finish_reason"] or "stop"} for c in chunk["choices"]]
    return {**chunk, "choices": choices}


def test_legacy_completion_stream_is_valid_with_echo_and_logprobs(fake_upstream):
    body = {"model": "fake-instruct", "prompt": "Once", "max_tokens": 2, "stream": True}
    body.update({"echo": True, "logprobs": 2, "stream_options": {"include_usage": True}})
    chunks = sse_payloads(post(fake_upstream, "/completions", body))
    for chunk in chunks:
        assert_valid(completed(chunk), "CreateCompletionResponse")
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == "Once word0 word1"
    token_chunk = next(c for c in chunks if c["choices"] and c["choices"][0]["text"] == " word0")
    logprobs = token_chunk["choices"][0]["logprobs"]
    assert logprobs["tokens"] == [" word0"] and logprobs["text_offset"] == [4]
    assert len(logprobs["top_logprobs"][0]) == 2
    assert chunks[-1]["usage"] == {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert fake_upstream.completion_requests[0].body == body
    assert fake_upstream.chat_requests == []


def test_legacy_completion_whole_answer_has_one_choice_per_prompt_and_n(fake_upstream):
    body = {"model": "fake-instruct", "prompt": ["a", "b"], "n": 2, "max_tokens": 1}
    answer = post(fake_upstream, "/completions", body).json()
    assert_valid(answer, "CreateCompletionResponse")
    assert [c["index"] for c in answer["choices"]] == [0, 1, 2, 3]
    assert all(c["logprobs"] is None for c in answer["choices"])


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_are_stable_unit_vectors_where_shared_words_score_higher(fake_upstream):
    texts = ["the cat sat on the mat", "a cat sat on a mat", "stock prices fell sharply"]
    body = {"model": "fake-embedding", "input": texts, "dimensions": 384}
    answer = post(fake_upstream, "/embeddings", body).json()
    assert_valid(answer, "CreateEmbeddingResponse")
    vectors = [item["embedding"] for item in answer["data"]]
    assert [len(v) for v in vectors] == [384, 384, 384]
    assert all(math.isclose(cosine(v, v), 1, abs_tol=1e-4) for v in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3
    again = post(fake_upstream, "/embeddings", body).json()
    assert [item["embedding"] for item in again["data"]] == vectors
    assert fake_upstream.embedding_requests[0].body == body


def test_embeddings_in_base64_decode_to_the_same_floats(fake_upstream):
    body = {"model": "fake-embedding", "input": "hello world"}
    floats = post(fake_upstream, "/embeddings", body).json()["data"][0]["embedding"]
    encoded = post(fake_upstream, "/embeddings", {**body, "encoding_format": "base64"}).json()
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert len(decoded) == 256  # the offline model's size when dimensions is not set
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(decoded, floats, strict=True))


def test_moderation_flags_the_categories_of_listed_words(fake_upstream):
    body = {"model": "omni-moderation-latest", "input": ["I will kill you", "Have a nice day"]}
    answer = post(fake_upstream, "/moderations", body).json()
    assert_valid(answer, "CreateModerationResponse")
    threat, friendly = answer["results"]
    assert threat["flagged"] and threat["categories"]["violence"]
    assert threat["category_scores"]["violence"] == 0.9
    assert not friendly["flagged"] and not any(friendly["categories"].values())
    assert fake_upstream.moderation_requests[0].body == body


def test_vectors_and_verdicts_are_the_offline_models(fake_upstream):
    body = {"model": "m", "input": ["I will kill you", "cats purr"], "dimensions": 32}
    answer = post(fake_upstream, "/embeddings", body).json()
    assert [item["embedding"] for item in answer["data"]] == embedding_vectors(body)
    assert post(fake_upstream, "/moderations", body).json()["results"] == moderation_results(body)


def test_embedding_dimensions_beyond_any_real_model_get_a_400(fake_upstream):
    body = {"model": "m", "input": "cat", "dimensions": 10**8}
    response = post(fake_upstream, "/embeddings", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "dimensions" and "at most 3072 dimensions" in error["message"]


def test_images_are_the_offline_models_pngs_of_the_asked_size(fake_upstream):
    body = {"model": "gpt-image-1", "prompt": "a red fox", "size": "1024x1536", "n": 2}
    answer = post(fake_upstream, "/images/generations", body).json()
    assert_valid(answer, "ImagesResponse")
    first, second = (base64.b64decode(item["b64_json"]) for item in answer["data"])
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and first != second
    assert struct.unpack(">II", first[16:24]) == (1024, 1536)  # IHDR: width, height
    assert answer["size"] == "1024x1536" and answer["usage"]["total_tokens"] > 0
    assert fake_upstream.requests_to("/images/generations")[0].body == body


def test_images_asked_as_links_are_links_to_the_fake_that_it_does_not_serve(fake_upstream):
    body = {"model": "dall-e-2", "prompt": "fox", "size": "256x256", "response_format": "url"}
    answer = post(fake_upstream, "/images/generations", body).json()
    assert_valid(answer, "ImagesResponse")
    assert answer["data"][0]["url"] == fake_upstream.base_url + "/generated/0.png"


@pytest.mark.parametrize(
    "path", ["/completions", "/embeddings", "/moderations", "/images/generations"]
)
def test_a_queued_failure_applies_to_every_endpoint(fake_upstream, path):
    fake_upstream.answer_next(Scenario(status=429, retry_after="3", error_message="Slow down"))
    response = post(fake_upstream, path, {"model": "m", "input": "x", "prompt": "x"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["error"]["message"] == "Slow down"
    assert post(fake_upstream, path, {"model": "m", "input": "x", "prompt": "x"}).status_code == 200


def test_answers_carry_rate_limit_headers(fake_upstream):
    response = post(fake_upstream, "/embeddings", {"model": "m", "input": "x"})
    assert response.headers["x-ratelimit-remaining-requests"] == "99"
    streamed = post(fake_upstream, "/chat/completions", {**CHAT, "stream": True})
    assert streamed.headers["x-ratelimit-limit-requests"] == "100"
