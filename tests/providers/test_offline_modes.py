"""The offline model covers every mode: tool calls, JSON replies, logprobs, legacy
completions, embeddings and moderation, all deterministic and all valid."""

import asyncio
import base64
import json
import math
import struct

import jsonschema
import pytest

from playground.providers import (
    Embeddings,
    Finished,
    Logprobs,
    Moderations,
    RawChunk,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from playground.providers.offline import OfflineProvider
from playground.providers.schema_example import example_for
from tests.openapi import assert_valid

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "minLength": 2},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
CLOCK = {
    "type": "function",
    "function": {
        "name": "current_time",
        "description": "The time in a timezone",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
    },
}


async def events(body: dict, mode: str = "chat") -> list:
    return [e async for e in OfflineProvider(tokens_per_second=0).stream(body, mode)]


def chat(content: str, **params) -> dict:
    return {"model": "offline-1", "messages": [{"role": "user", "content": content}], **params}


def text_of(evs: list, index: int = 0) -> str:
    return "".join(e.text for e in evs if isinstance(e, TextDelta) and e.index == index)


async def test_it_calls_the_matching_tool_with_arguments_that_satisfy_its_schema():
    evs = await events(chat("What is the weather in Paris?", tools=[CLOCK, WEATHER]))
    calls = [e for e in evs if isinstance(e, ToolCall)]
    assert [c.name for c in calls] == ["get_weather"]
    arguments = json.loads(calls[0].arguments)
    jsonschema.validate(arguments, WEATHER["function"]["parameters"])
    assert arguments["city"] == "Paris"
    # Streamed as deltas first, like an upstream, and finished with tool_calls.
    deltas = [e for e in evs if isinstance(e, ToolCallDelta)]
    assert "".join(d.arguments for d in deltas) == calls[0].arguments
    assert Finished(0, "tool_calls") in evs and text_of(evs) == ""


async def test_tool_choice_names_the_tool_none_forbids_calls_and_parallel_calls_all():
    named = {"type": "function", "function": {"name": "current_time"}}
    evs = await events(chat("weather?", tools=[WEATHER, CLOCK], tool_choice=named))
    assert [e.name for e in evs if isinstance(e, ToolCall)] == ["current_time"]
    evs = await events(chat("weather?", tools=[WEATHER], tool_choice="none"))
    assert not [e for e in evs if isinstance(e, ToolCall)] and text_of(evs)
    evs = await events(chat("weather?", tools=[WEATHER, CLOCK], parallel_tool_calls=True))
    assert [e.name for e in evs if isinstance(e, ToolCall)] == ["get_weather", "current_time"]


async def test_after_tool_results_it_answers_in_text_using_them():
    first = await events(chat("Weather in Paris?", tools=[WEATHER]))
    call = next(e for e in first if isinstance(e, ToolCall))
    body = chat("Weather in Paris?", tools=[WEATHER])
    body["messages"] += [
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"},
    ]
    evs = await events(body)
    assert "get_weather returned 18 C and sunny" in text_of(evs)
    assert Finished(0, "stop") in evs


@pytest.mark.parametrize(
    "schema",
    [
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer", "minimum": 18},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                "address": {"$ref": "#/$defs/address"},
                "kind": {"anyOf": [{"type": "null"}, {"const": "person"}]},
                "score": {"type": "number", "exclusiveMaximum": 0},
            },
            "required": ["name", "age", "tags", "address"],
            "additionalProperties": False,
            "$defs": {
                "address": {
                    "type": "object",
                    "properties": {
                        "city": {"type": "string"},
                        "zip": {"type": "string", "maxLength": 5},
                    },
                    "required": ["city", "zip"],
                }
            },
        },
        {"type": "array", "items": {"type": "boolean"}, "minItems": 3, "maxItems": 3},
        {"type": "string", "format": "date"},
        # Patterns, as structured outputs use them: ids, codes, phone numbers.
        {
            "type": "object",
            "properties": {
                "order": {"type": "string", "pattern": "^ORD-[0-9]{6}$"},
                "phone": {"type": "string", "pattern": r"^\+?\d{2,3}[ -]\d{4}-\d{4}$"},
                "code": {"type": "string", "pattern": "^(?:[A-Z]{2}|x+)_[a-f0-9]{4,}$"},
                "colour": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
                "word": {"type": "string", "pattern": "[^aeiou ]{3}"},
                "padded": {"type": "string", "pattern": "^a+$", "minLength": 4},
            },
            "required": ["order", "phone", "code", "colour", "word", "padded"],
        },
    ],
)
async def test_json_schema_replies_satisfy_the_schema(schema):
    response_format = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
    evs = await events(chat("Describe Alice", response_format=response_format))
    jsonschema.validate(json.loads(text_of(evs)), schema)
    assert example_for(schema) == json.loads(text_of(evs)) or isinstance(
        schema.get("properties"), dict
    )


async def test_json_object_replies_are_a_json_object():
    evs = await events(chat("hi", response_format={"type": "json_object"}))
    assert isinstance(json.loads(text_of(evs)), dict)


async def test_logprobs_cover_every_token_with_the_requested_alternatives():
    evs = await events(chat("Tell me a story", logprobs=True, top_logprobs=3, max_tokens=8))
    logprobs = [token for e in evs if isinstance(e, Logprobs) for token in e.tokens]
    assert "".join(t.token for t in logprobs) == text_of(evs)
    for token in logprobs:
        assert token.logprob <= 0 and len(token.top) == 3
        assert token.top[0] == (token.token, token.logprob)
        assert all(lp <= token.logprob for _, lp in token.top)
    again = await events(chat("Tell me a story", logprobs=True, top_logprobs=3, max_tokens=8))
    assert [e for e in again if isinstance(e, Logprobs)] == [
        e for e in evs if isinstance(e, Logprobs)
    ]
    assert not [e for e in await events(chat("Tell me a story")) if isinstance(e, Logprobs)]


async def test_raw_chunks_are_openai_stream_chunks():
    evs = await events(
        chat(
            "hi",
            n=2,
            logprobs=True,
            top_logprobs=2,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    raw = [e.data for e in evs if isinstance(e, RawChunk)]
    assert raw[-1] == "[DONE]"
    for data in raw[:-1]:
        assert_valid(json.loads(data), "CreateChatCompletionStreamResponse")


async def test_the_raw_chunks_of_a_tool_call_carry_its_arguments_as_the_events_do():
    evs = await events(chat("What is the weather in Paris?", tools=[WEATHER], stream=True))
    raw = [json.loads(e.data) for e in evs if isinstance(e, RawChunk) and e.data != "[DONE]"]
    deltas = [d for c in raw for d in c["choices"][0]["delta"].get("tool_calls", [])]
    call = next(e for e in evs if isinstance(e, ToolCall))
    assert deltas[0]["id"] == call.id and deltas[0]["function"]["name"] == "get_weather"
    assert [d["function"]["arguments"] for d in deltas] == [
        e.arguments for e in evs if isinstance(e, ToolCallDelta)
    ]
    assert raw[-1]["choices"][0]["finish_reason"] == "tool_calls"


async def test_legacy_completions_continue_each_prompt_with_echo_and_logprobs():
    body = {"model": "offline-1", "prompt": ["Once upon a time", "Hello"], "n": 2, "echo": True}
    evs = await events({**body, "logprobs": 2, "max_tokens": 5}, "completion")
    texts = [text_of(evs, i) for i in range(4)]
    assert texts[0].startswith("Once upon a time ") and texts[3].startswith("Hello ")
    assert texts[0] != texts[1]
    assert all(len(t.top) == 2 for e in evs if isinstance(e, Logprobs) for t in e.tokens)
    assert [e.reason for e in evs if isinstance(e, Finished)] == ["length"] * 4


async def test_an_echoed_prompt_is_not_counted_as_completion_tokens():
    body = {"model": "offline-1", "prompt": "Once upon a time", "echo": True, "max_tokens": 3}
    evs = await events(body, "completion")
    assert text_of(evs).startswith("Once upon a time ")
    assert next(e for e in evs if isinstance(e, Usage)) == Usage(4, 3, 7)


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_embeddings_are_stable_and_similar_texts_score_higher():
    texts = ["The cat sat on the mat.", "A cat was sitting on a mat.", "Quarterly revenue fell 4%."]
    evs = await events({"model": "offline-embed", "input": texts}, "embedding")
    (result,) = [e for e in evs if isinstance(e, Embeddings)]
    vectors = result.vectors
    assert [len(v) for v in vectors] == [256, 256, 256]
    assert all(math.isclose(cosine(v, v), 1, abs_tol=1e-4) for v in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[1], vectors[2]) + 0.2
    again = await events({"model": "offline-embed", "input": texts}, "embedding")
    assert next(e for e in again if isinstance(e, Embeddings)) == result
    assert_valid(
        json.loads(next(e for e in evs if isinstance(e, RawChunk)).data), "CreateEmbeddingResponse"
    )


async def test_the_raw_embeddings_are_base64_when_asked_and_the_vectors_stay_numbers():
    body = {"model": "offline-embed", "input": ["cat"], "dimensions": 4}
    floats = await events(body, "embedding")
    encoded = await events({**body, "encoding_format": "base64"}, "embedding")
    raw = json.loads(next(e for e in encoded if isinstance(e, RawChunk)).data)
    vector = next(e for e in floats if isinstance(e, Embeddings)).vectors[0]
    decoded = struct.unpack("<4f", base64.b64decode(raw["data"][0]["embedding"]))
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(decoded, vector, strict=True))
    assert next(e for e in encoded if isinstance(e, Embeddings)).vectors[0] == vector


async def test_moderation_flags_harmful_words_and_scores_every_category():
    evs = await events({"input": ["I will kill you", "What a lovely day"]}, "moderation")
    (result,) = [e for e in evs if isinstance(e, Moderations)]
    threat, friendly = result.results
    assert threat["flagged"] and threat["categories"]["violence"]
    assert threat["category_scores"]["violence"] > 0.8
    assert not friendly["flagged"] and max(friendly["category_scores"].values()) < 0.05
    assert_valid(
        json.loads(next(e for e in evs if isinstance(e, RawChunk)).data), "CreateModerationResponse"
    )


async def test_embedding_dimensions_beyond_any_real_model_are_refused_like_a_provider_would():
    # A huge value must not make the server build a vector of a hundred million numbers.
    with pytest.raises(UpstreamError) as refused:
        await asyncio.wait_for(
            events({"model": "offline-embed", "input": "cat", "dimensions": 10**8}, "embedding"),
            timeout=5,
        )
    assert refused.value.kind == "bad_request" and refused.value.param == "dimensions"
    assert "dimensions" in refused.value.message and "3072" in refused.value.message
    evs = await events({"model": "offline-embed", "input": "cat", "dimensions": 3072}, "embedding")
    assert [len(v) for v in next(e for e in evs if isinstance(e, Embeddings)).vectors] == [3072]


@pytest.mark.parametrize(
    ("mode", "body", "schema"),
    [
        (
            "chat",
            {"model": "offline-1", "messages": [{"role": "user", "content": "Hi"}], "n": 2},
            "CreateChatCompletionResponse",
        ),
        ("completion", {"model": "offline-1", "prompt": "Once"}, "CreateCompletionResponse"),
    ],
)
async def test_an_answer_not_streamed_is_shown_raw_as_one_whole_response(mode, body, schema):
    evs = await events({**body, "stream": False}, mode)
    raw = [e for e in evs if isinstance(e, RawChunk)]

    assert len(raw) == 1
    whole = json.loads(raw[0].data)
    assert_valid(whole, schema)
    texts = {}
    for e in evs:
        if isinstance(e, TextDelta):
            texts[e.index] = texts.get(e.index, "") + e.text
    shown = [c.get("message", {}).get("content") or c.get("text") for c in whole["choices"]]
    assert shown == [texts[i] for i in sorted(texts)]


async def test_a_json_schema_reply_is_plausible_for_the_person_the_prompt_names():
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "born": {"type": "integer"}},
        "required": ["name", "born"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    evs = await events(chat("Tell me about Ada Lovelace", response_format=response_format))
    assert json.loads(text_of(evs)) == {"name": "Ada Lovelace", "born": 1815}
