"""Every body the playground builds validates against OpenAI's published request schemas."""

import pytest

from playground.forms import form_values_from_request, request_from_form
from playground.spec import RequestInvalid, upstream_body, validate_request
from tests.openapi import assert_valid_request, schema_errors
from tests.test_spec import TOOL_ROUND_TRIP, WEATHER_TOOL

REPLY_SCHEMA = '{"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"], "additionalProperties": false}'

# Form values as the page sends them, one set per mode, with every input filled in.
FORMS = {
    "chat": {
        "mode": "chat",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "system": "Be brief.",
        "messages-0-role": "user",
        "messages-0-content": "Weather in Paris?",
        "messages-1-role": "assistant",
        "messages-1-content": "",
        "messages-1-tool_calls": '[{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]',
        "messages-2-role": "tool",
        "messages-2-tool_call_id": "call_1",
        "messages-2-content": "18 °C",
        "tools-0-name": "get_weather",
        "tools-0-description": "Current weather for a city.",
        "tools-0-parameters": '{"type": "object", "properties": {"city": {"type": "string"}}}',
        "temperature": "0.7",
        "top_p": "0.9",
        "max_tokens": "100",
        "max_completion_tokens": "120",
        "n": "2",
        "stop": "END\nSTOP",
        "presence_penalty": "0.5",
        "frequency_penalty": "-0.5",
        "seed": "42",
        "logprobs": "true",
        "top_logprobs": "5",
        "logit_bias": '{"50256": -100}',
        "response_format": "json_schema",
        "response_format_name": "reply",
        "response_format_schema": REPLY_SCHEMA,
        "response_format_strict": "true",
        "tool_choice": "auto",
        "parallel_tool_calls": "false",
        "reasoning_effort": "low",
        "user": "someone",
        "stream": "true",
        "stream_options": '{"include_usage": true}',
    },
    "edit": {
        "mode": "edit",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "instruction": "Fix the spelling.",
        "input": "teh cat sat",
        "temperature": "0",
    },
    "completion": {
        "mode": "completion",
        "provider": "openai",
        "model": "gpt-3.5-turbo-instruct",
        "prompt": "Once upon a time",
        "suffix": "The end.",
        "temperature": "1",
        "max_tokens": "16",
        "n": "2",
        "best_of": "3",
        "logprobs": "3",
        "echo": "true",
        "stop": '["\\n"]',
        "seed": "7",
        "logit_bias": '{"13": 5}',
        "user": "someone",
        "stream": "false",
    },
    "embedding": {
        "mode": "embedding",
        "provider": "openai",
        "model": "text-embedding-3-small",
        "input": "the cat sat\na dog ran\n",
        "dimensions": "256",
        "encoding_format": "float",
        "user": "someone",
    },
    "moderation": {
        "mode": "moderation",
        "provider": "openai",
        "model": "omni-moderation-latest",
        "input": "first text\nsecond text",
    },
    "image": {
        "mode": "image",
        "provider": "openai",
        "model": "gpt-image-1",
        "prompt": "A lighthouse at dusk, watercolour",
        "size": "1536x1024",
        "quality": "high",
        "n": "2",
        "background": "transparent",
        "output_format": "webp",
        "output_compression": "80",
        "moderation": "low",
        "user": "someone",
    },
}


@pytest.mark.parametrize("mode", list(FORMS))
def test_the_body_built_from_the_form_is_a_valid_openai_request(mode):
    request = validate_request(request_from_form(FORMS[mode]))
    body = upstream_body(request)
    assert_valid_request(mode, body)


def test_the_chat_form_sets_every_parameter_it_shows():
    body = upstream_body(validate_request(request_from_form(FORMS["chat"])))
    assert body["stop"] == ["END", "STOP"]
    assert body["logit_bias"] == {"50256": -100}
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["messages"][2]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert "content" not in body["messages"][2]
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_1", "content": "18 °C"}
    assert body["parallel_tool_calls"] is False and body["stream"] is True


@pytest.mark.parametrize("count", [1, 3])
def test_embedding_and_moderation_inputs_are_one_text_or_a_list(count):
    lines = "\n".join(f"text {i}" for i in range(count))
    for mode in ("embedding", "moderation"):
        body = request_from_form({"mode": mode, "provider": "p", "model": "m", "input": lines})[
            "body"
        ]
        assert body["input"] == ("text 0" if count == 1 else [f"text {i}" for i in range(count)])


def test_request_json_with_every_chat_parameter_and_role_is_valid():
    body = {
        "model": "gpt-4o",
        "messages": TOOL_ROUND_TRIP,
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
        "temperature": 2,
        "top_p": 1,
        "n": 128,
        "logprobs": True,
        "top_logprobs": 20,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert_valid_request(
        "chat", upstream_body(validate_request({"mode": "chat", "provider": "p", "body": body}))
    )


def test_the_newer_chat_parameters_are_known_and_valid_openai_requests():
    body = {
        "model": "gpt-4o-audio-preview",
        "messages": [{"role": "user", "content": "Read this aloud"}],
        "service_tier": "priority",
        "store": True,
        "metadata": {"k" * 64: "v" * 512},
        "verbosity": "high",
        "safety_identifier": "s" * 64,
        "prompt_cache_key": "cache-1",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "mp3"},
        "prediction": {"type": "content", "content": [{"type": "text", "text": "x"}]},
        "web_search_options": {
            "search_context_size": "low",
            "user_location": {"type": "approximate", "approximate": {"city": "上海"}},
        },
        "prompt_cache_options": {"ttl": "30m", "mode": "explicit"},
        "prompt_cache_retention": "24h",
        "moderation": {"model": "omni-moderation-latest"},
    }
    request = validate_request({"mode": "chat", "provider": "p", "body": body})
    assert upstream_body(request) == body
    assert_valid_request("chat", upstream_body(request))
    # Known, so the JSON editor does not call them extensions.
    assert "extensions" not in form_values_from_request(
        {"mode": "chat", "provider": "p", "body": body}
    )


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("service_tier", "turbo", "service_tier"),
        ("metadata", {f"k{i}": "v" for i in range(17)}, "at most 16"),
        ("metadata", {"k" * 65: "v"}, "64 characters"),
        ("metadata", {"k": "v" * 513}, "512 characters"),
        ("metadata", {"k": 1}, "metadata"),
        ("safety_identifier", "s" * 65, "safety_identifier"),
        ("modalities", ["video"], "modalities"),
        ("audio", {"voice": "alloy", "format": "midi"}, "audio"),
        ("prediction", {"type": "file", "content": "x"}, "prediction"),
        ("verbosity", "loud", "verbosity"),
        ("web_search_options", {"search_context_size": "huge"}, "search_context_size"),
        ("web_search_options", {"user_location": {"type": "exact"}}, "user_location"),
        ("prompt_cache_options", {"ttl": "1h"}, "ttl"),
        ("prompt_cache_options", {"mode": "always"}, "mode"),
        ("prompt_cache_retention", "forever", "prompt_cache_retention"),
        ("moderation", {"policy": {}}, "moderation.model"),
    ],
)
def test_the_newer_chat_parameters_refuse_what_the_api_refuses(name, value, said):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], name: value}
    with pytest.raises(RequestInvalid) as refused:
        validate_request({"mode": "chat", "provider": "p", "body": body})
    assert said in str(refused.value)


def test_audio_output_needs_the_audio_modality_and_the_other_way_round():
    base = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    for extra, field in [
        ({"modalities": ["text", "audio"]}, "audio"),
        ({"audio": {"voice": "alloy", "format": "wav"}}, "modalities"),
    ]:
        with pytest.raises(RequestInvalid) as refused:
            validate_request({"mode": "chat", "provider": "p", "body": {**base, **extra}})
        assert field in refused.value.errors


def test_the_openapi_check_itself_catches_an_invalid_body():
    # Proof that the helper can fail: a body the API would refuse is reported.
    errors = schema_errors(
        {"model": "m", "messages": [], "temperature": 5}, "CreateChatCompletionRequest"
    )
    assert any("temperature" in e for e in errors) and any("messages" in e for e in errors)


def test_the_image_form_sets_every_parameter_it_shows():
    body = upstream_body(validate_request(request_from_form(FORMS["image"])))
    assert body == {
        "model": "gpt-image-1",
        "prompt": "A lighthouse at dusk, watercolour",
        "size": "1536x1024",
        "quality": "high",
        "n": 2,
        "background": "transparent",
        "output_format": "webp",
        "output_compression": 80,
        "moderation": "low",
        "user": "someone",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "p"},
        {"prompt": "p", "model": "dall-e-2", "size": "512x512", "n": 10, "response_format": "url"},
        {
            "prompt": "p",
            "model": "dall-e-3",
            "size": "1792x1024",
            "quality": "hd",
            "style": "natural",
            "response_format": "b64_json",
            "user": "u",
        },
        {"prompt": "p", "model": "gpt-image-2", "size": "1536x864", "output_format": "jpeg"},
        {"prompt": "p", "model": "my-gateway-model", "size": "768x768"},
    ],
)
def test_image_bodies_for_each_model_family_are_valid_openai_requests(body):
    request = validate_request({"mode": "image", "provider": "p", "body": body})
    assert upstream_body(request) == body
    assert_valid_request("image", body)


def test_the_openapi_check_catches_an_invalid_image_body():
    errors = schema_errors({"prompt": "p", "n": 11, "style": "cubist"}, "CreateImageRequest")
    assert any(e.startswith("n:") for e in errors) and any(e.startswith("style:") for e in errors)
