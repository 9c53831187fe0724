"""The responses mode (OpenAI's Responses API): bodies checked as the spec says, the
offline model's typed events and remembered responses, real providers' /responses
against the fake upstream, and what the page's socket shows of a run."""

import html
import json
import re

import pytest

from playground.providers import (
    Finished,
    RawChunk,
    ReasoningDelta,
    ResponseId,
    StreamEventType,
    TextDelta,
    ToolCall,
    UpstreamError,
)
from playground.providers.offline import OfflineProvider
from playground.providers.openai_compat import OpenAICompatibleProvider
from playground.spec import RequestInvalid, upstream_body, validate_request
from tests.conftest import TEST_API_KEY
from tests.fake_upstream import Scenario
from tests.openapi import _registry, assert_valid, assert_valid_request, schema_errors

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
REPLY_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}},
    "required": ["answer", "confidence"],
    "additionalProperties": False,
}


def request(**body) -> dict:
    return {"mode": "responses", "provider": "offline", "body": {"model": "m", **body}}


def refusal(**body) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as refused:
        validate_request(request(**body))
    return refused.value.errors


# --- validation against the spec -----------------------------------------------------------

VALID_BODIES = {
    "text": {"input": "Hello"},
    "every-parameter": {
        "input": "Weather in Paris?",
        "instructions": "Be brief.",
        "temperature": 0.5,
        "top_p": 0.9,
        "max_output_tokens": 200,
        "tools": [WEATHER, {"type": "web_search_preview"}],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "text": {
            "format": {
                "type": "json_schema",
                "name": "reply",
                "schema": REPLY_SCHEMA,
                "strict": True,
            }
        },
        "reasoning": {"effort": "low", "summary": "auto"},
        "previous_response_id": "resp_123",
        "store": True,
        "stream": True,
        "metadata": {"experiment": "v2"},
        "truncation": "auto",
        "user": "someone",
    },
    "items": {
        "input": [
            {"role": "developer", "content": "Answer in French."},
            {"role": "user", "content": "What is the weather?"},
            {"type": "message", "role": "assistant", "content": "A cat."},
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": "{}",
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "18 °C"},
        ],
        "tools": [WEATHER],
        "tool_choice": {"type": "function", "name": "get_weather"},
    },
    "json-object": {
        "input": "List three colours as JSON.",
        "text": {"format": {"type": "json_object"}},
    },
    "built-in-tools": {
        "input": "Search",
        "tools": [
            {"type": "file_search", "vector_store_ids": ["vs_1"]},
            {"type": "web_search_preview"},
        ],
        "tool_choice": {"type": "file_search"},
    },
}


@pytest.mark.parametrize("name", sorted(VALID_BODIES))
def test_valid_bodies_pass_and_are_valid_openai_requests(name):
    sent = upstream_body(validate_request(request(**VALID_BODIES[name])))
    assert sent == {"model": "m", **VALID_BODIES[name]}
    assert_valid_request("responses", sent)


@pytest.mark.parametrize(
    ("body", "field", "said"),
    [
        ({"input": ""}, "input", "must not be empty"),
        ({"input": [{"role": "robot", "content": "x"}]}, "input[0].role", "'robot' is not allowed"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_picture"}]}]},
            "input[0].content[0].type",
            "input_text",
        ),
        ({"input": "x", "temperature": 3}, "temperature", "out of range"),
        ({"input": "x", "max_output_tokens": 8}, "max_output_tokens", "16 or more"),
        (
            {"input": "x", "tools": [{"type": "function", "name": "f"}]},
            "tools[0].parameters",
            "required",
        ),
        (
            {"input": "x", "tools": [{"type": "web_searcher"}]},
            "tools[0].type",
            "web_search_preview",
        ),
        (
            {
                "input": "x",
                "tools": [WEATHER],
                "tool_choice": {"type": "function", "name": "other"},
            },
            "tool_choice",
            "not a defined function tool",
        ),
        ({"input": "x", "tool_choice": "required"}, "tool_choice", "needs tools"),
        ({"input": "x", "tool_choice": "sometimes"}, "tool_choice", "'sometimes' is not allowed"),
        (
            {"input": "x", "text": {"format": {"type": "json_schema", "schema": {}}}},
            "text.format.name",
            "required",
        ),
        (
            {
                "input": "x",
                "text": {"format": {"type": "json_schema", "name": "r", "schema": {"type": 3}}},
            },
            "text.format.schema",
            "not a valid JSON Schema",
        ),
        (
            {"input": "x", "reasoning": {"effort": "huge"}},
            "reasoning.effort",
            "'huge' is not allowed",
        ),
        (
            {"input": "x", "reasoning": {"summary": "long"}},
            "reasoning.summary",
            "'long' is not allowed",
        ),
        ({"input": "x", "truncation": "maybe"}, "truncation", "'maybe' is not allowed"),
        ({"input": "x", "previous_response_id": ""}, "previous_response_id", "must not be empty"),
        (
            {"input": [{"type": "function_call_output", "call_id": "call_9", "output": "x"}]},
            "input[0].call_id",
            "answers no function call",
        ),
        ({"input": "x", "metadata": {"k": 1}}, "metadata.k", "must be text"),
    ],
)
def test_invalid_bodies_are_refused_naming_the_field(body, field, said):
    errors = refusal(**body)
    assert field in errors, errors
    assert said in errors[field]


# A message whose content is a list of parts: OpenAI's document lets it match two of
# InputItem's oneOf (EasyInputMessage and Item's InputMessage), so a strict JSON Schema check
# of the whole body says "none"; the item is checked against EasyInputMessage alone.
PARTS_MESSAGE = {
    "role": "user",
    "content": [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
        {"type": "input_file", "file_id": "file-123"},
    ],
}


def test_a_message_of_content_parts_passes_and_is_an_openai_input_message():
    sent = upstream_body(validate_request(request(input=[PARTS_MESSAGE])))
    assert sent["input"] == [PARTS_MESSAGE]
    assert_valid(PARTS_MESSAGE, "EasyInputMessage")


def test_the_spec_refuses_what_the_playground_refuses():
    # Proof the spec check is not vacuous: these break CreateResponse too.
    for body in (
        {"model": "m", "input": "x", "temperature": 3},
        {"model": "m", "input": "x", "tools": [{"type": "function", "name": "f"}]},
        {"model": "m", "input": "x", "reasoning": {"effort": "huge"}},
    ):
        assert schema_errors(body, "CreateResponse"), body


def test_an_output_may_answer_a_call_of_the_previous_response():
    body = {
        "input": [{"type": "function_call_output", "call_id": "call_1", "output": "x"}],
        "previous_response_id": "resp_1",
    }
    assert_valid_request("responses", upstream_body(validate_request(request(**body))))


# --- the offline model ----------------------------------------------------------------------


def event_schemas() -> dict[str, str]:
    """Each stream event type's own schema in OpenAI's document (ResponseStreamEvent's
    members): a precise check, where the union says only "none of them"."""
    schemas = _registry().contents("urn:openai-openapi")["components"]["schemas"]
    members = [ref["$ref"].rsplit("/", 1)[1] for ref in schemas["ResponseStreamEvent"]["anyOf"]]
    return {schemas[name]["properties"]["type"]["enum"][0]: name for name in members}


def assert_valid_events(answer: list) -> None:
    schemas = event_schemas()
    for raw in (e for e in answer if isinstance(e, RawChunk)):
        payload = json.loads(raw.data)
        assert_valid(payload, schemas[payload["type"]])


async def events(body: dict, provider=None) -> list:
    provider = provider or OfflineProvider(tokens_per_second=0)
    return [event async for event in provider.stream(body, "responses")]


def text_of(answer: list) -> str:
    return "".join(e.text for e in answer if isinstance(e, TextDelta))


def response_id(answer: list) -> str:
    return next(e.id for e in answer if isinstance(e, ResponseId))


async def test_offline_text_streams_as_typed_events_valid_for_the_spec():
    answer = await events({"model": "offline-1", "input": "Tell me about tides", "stream": True})
    types = [e.type for e in answer if isinstance(e, StreamEventType)]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    for kind in (
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
    ):
        assert kind in types
    assert "Tell me about tides" in text_of(answer)
    assert Finished(0, "completed") in answer
    assert_valid_events(answer)


async def test_offline_answer_not_streamed_is_one_response_object():
    answer = await events({"model": "offline-1", "input": "Hello"})
    raws = [json.loads(e.data) for e in answer if isinstance(e, RawChunk)]
    assert len(raws) == 1 and raws[0]["object"] == "response"
    assert_valid(raws[0], "Response")
    assert raws[0]["id"] == response_id(answer)
    assert not any(isinstance(e, StreamEventType) for e in answer)
    assert "Hello" in text_of(answer)


async def test_offline_function_call_when_tool_choice_requires_it():
    body = {"model": "offline-1", "input": "Weather in Paris?", "tools": [WEATHER], "stream": True}
    assert not [e for e in await events({**body, "tool_choice": "auto"}) if isinstance(e, ToolCall)]
    for choice in ("required", {"type": "function", "name": "get_weather"}):
        answer = await events({**body, "tool_choice": choice})
        calls = [e for e in answer if isinstance(e, ToolCall)]
        assert [c.name for c in calls] == ["get_weather"]
        assert json.loads(calls[0].arguments) == {"city": "Paris"}
        types = [e.type for e in answer if isinstance(e, StreamEventType)]
        assert "response.function_call_arguments.delta" in types
        assert "response.function_call_arguments.done" in types
        assert text_of(answer) == ""
        assert_valid_events(answer)


async def test_offline_function_call_output_is_answered_in_text():
    first = await events(
        {
            "model": "offline-1",
            "input": "Weather in Paris?",
            "tools": [WEATHER],
            "tool_choice": "required",
        }
    )
    call = next(e for e in first if isinstance(e, ToolCall))
    output = {"type": "function_call_output", "call_id": call.id, "output": "18 °C and sunny"}
    answer = await events(
        {"model": "offline-1", "input": [output], "previous_response_id": response_id(first)}
    )
    assert "get_weather returned 18 °C and sunny" in text_of(answer)


async def test_offline_json_schema_answer_is_a_valid_example_of_the_schema():
    from jsonschema import validate

    text_format = {"type": "json_schema", "name": "reply", "schema": REPLY_SCHEMA, "strict": True}
    answer = await events(
        {
            "model": "offline-1",
            "input": "Is it raining?",
            "text": {"format": text_format},
            "stream": True,
        }
    )
    validate(json.loads(text_of(answer)), REPLY_SCHEMA)


async def test_offline_reasoning_summary_streams_when_asked():
    answer = await events(
        {"model": "offline-1", "input": "Why?", "reasoning": {"summary": "auto"}, "stream": True}
    )
    summary = "".join(e.text for e in answer if isinstance(e, ReasoningDelta))
    assert "Why?" in summary
    assert_valid_events(answer)
    assert "response.reasoning_summary_text.delta" in [
        e.type for e in answer if isinstance(e, StreamEventType)
    ]


async def test_offline_previous_response_id_continues_the_conversation():
    first = await events({"model": "offline-1", "input": "My name is Ada.", "stream": True})
    second = await events(
        {
            "model": "offline-1",
            "input": "What is my name?",
            "previous_response_id": response_id(first),
        }
    )
    text = text_of(second)
    assert "turn 2" in text and "My name is Ada." in text and "What is my name?" in text
    assert response_id(second) != response_id(first)


async def test_offline_unknown_previous_response_id_is_refused_naming_it():
    with pytest.raises(UpstreamError) as refused:
        await events({"model": "offline-1", "input": "x", "previous_response_id": "resp_nowhere"})
    assert refused.value.param == "previous_response_id"
    assert refused.value.message.startswith(
        "previous_response_id resp_nowhere is not known to this provider"
    )


async def test_offline_max_output_tokens_makes_the_response_incomplete():
    answer = await events(
        {"model": "offline-1", "input": "Hello", "max_output_tokens": 16, "stream": True}
    )
    assert Finished(0, "incomplete: max_output_tokens") in answer
    assert [e.type for e in answer if isinstance(e, StreamEventType)][-1] == "response.incomplete"


# --- a real provider against the fake upstream ------------------------------------------------


def fake_provider(fake_upstream) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        name="openai", base_url=fake_upstream.base_url, api_key=TEST_API_KEY
    )


@pytest.mark.parametrize("stream", [True, False])
async def test_a_real_provider_reads_responses_streamed_or_not(fake_upstream, stream):
    provider = fake_provider(fake_upstream)
    body = {"model": "fake-model", "input": "Hello from afar", "stream": stream}
    answer = await events(body, provider)
    assert "Hello from afar" in text_of(answer)
    assert response_id(answer).startswith("resp_")
    assert fake_upstream.requests_to("/responses")[0].body == body
    streamed = [e.type for e in answer if isinstance(e, StreamEventType)]
    assert bool(streamed) == stream
    # Continued on the same upstream, which remembers it.
    again = await events(
        {"model": "fake-model", "input": "And?", "previous_response_id": response_id(answer)},
        provider,
    )
    assert "Hello from afar" in text_of(again)


async def test_a_real_provider_streams_function_calls(fake_upstream):
    body = {
        "model": "fake-model",
        "input": "Weather in Oslo?",
        "tools": [WEATHER],
        "tool_choice": "required",
        "stream": True,
    }
    answer = await events(body, fake_provider(fake_upstream))
    calls = [e for e in answer if isinstance(e, ToolCall)]
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("get_weather", {"city": "Oslo"})]


async def test_a_real_providers_404_for_the_previous_response_id_says_so(fake_upstream):
    body = {"model": "fake-model", "input": "x", "previous_response_id": "resp_elsewhere"}
    with pytest.raises(UpstreamError) as refused:
        await events(body, fake_provider(fake_upstream))
    assert refused.value.param == "previous_response_id"
    assert "previous_response_id resp_elsewhere is not known to this provider" in str(refused.value)


async def test_an_error_event_in_the_stream_is_told_in_plain_words(fake_upstream):
    fake_upstream.answer_next(
        Scenario(failure="error_event", fail_after=4, error_message="Overloaded.")
    )
    with pytest.raises(UpstreamError) as failed:
        await events(
            {"model": "fake-model", "input": "x", "stream": True}, fake_provider(fake_upstream)
        )
    assert "Overloaded." in failed.value.message


# --- the page's socket --------------------------------------------------------------------


def run_message(body: dict, provider: str = "offline") -> dict:
    return {"action": "run", "request": {"mode": "responses", "provider": provider, "body": body}}


def shown_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


async def test_the_socket_shows_the_reply_id_events_and_continue(run_client):
    body = {"model": "offline-1", "input": "Hi there", "stream": True}
    await run_client.send(run_message(body))
    assert await run_client.receive_until_state() == "done"
    frames = "".join(run_client.frames)
    assert "Hi there" in shown_text(frames)
    final = run_client.frames[-1]
    result = re.search(r'<div id="mode-result".*?</ol>', final, re.S).group(0)
    listed = re.findall(r'data-event-type="([^"]+)"', result)
    assert listed[:2] == ["response.created", "response.in_progress"]
    assert listed[-1] == "response.completed"
    assert "response.output_text.delta" in listed
    assert re.search(r"response\.output_text\.delta</code> <span class=\"muted\">× \d+", result)
    response = re.search(r'data-response-id="(resp_\w+)"', final).group(1)
    # Continue: the next run names it, and the offline model continues the conversation.
    await run_client.send(
        run_message({"model": "offline-1", "input": "Again", "previous_response_id": response})
    )
    assert await run_client.receive_until_state() == "done"
    assert "You first said: “Hi there”" in shown_text("".join(run_client.frames))


async def test_the_socket_lists_event_types_while_they_arrive(run_client):
    await run_client.send(run_message({"model": "offline-1", "input": "Hi", "stream": True}))
    assert await run_client.receive_until_state() == "done"
    progress = [f for f in run_client.frames[:-1] if 'id="response-events"' in f]
    # One frame per new type, each list longer than the one before, and no Continue yet.
    lengths = [len(re.findall(r"data-event-type=", f)) for f in progress]
    assert lengths == sorted(lengths) and lengths[0] == 1 and len(lengths) >= 6
    assert not any("continue-response" in f for f in progress)


async def test_the_socket_names_an_unknown_previous_response_id(run_client):
    body = {"model": "offline-1", "input": "x", "previous_response_id": "resp_gone"}
    await run_client.send(run_message(body))
    assert await run_client.receive_until_state() == "error"
    status = run_client.status_text()
    assert "previous_response_id resp_gone is not known to this provider" in status


async def test_the_socket_shows_function_calls_with_their_arguments(run_client, fake_upstream):
    body = {
        "model": "fake-model",
        "input": "Weather in Paris?",
        "tools": [WEATHER],
        "tool_choice": "required",
        "stream": True,
    }
    await run_client.send(run_message(body, provider="openai"))
    assert await run_client.receive_until_state() == "done"
    frames = "".join(run_client.frames)
    block = re.search(
        r'<div id="tool-calls-0" hx-swap-oob="innerHTML">.*?</div>\s*</div>', frames, re.S
    )
    assert block and 'data-name="get_weather"' in block.group(0)
    assert '"city": "Paris"' in html.unescape(block.group(0))
    assert "continue-with-results" not in block.group(0)  # chat's round trip is not this
    assert "response.function_call_arguments.delta" in frames


# --- the history ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_responses_run_is_recorded_with_its_id_and_events(fake_upstream, client):
    from asgiref.sync import sync_to_async

    from playground.runs.models import Run
    from tests.runs.factories import make_user
    from tests.runs.test_recording import connect

    alice = await sync_to_async(make_user)("alice")
    runner = await connect(alice)
    body = {
        "model": "offline-1",
        "input": "Hello",
        "stream": True,
        "reasoning": {"summary": "auto"},
    }
    await runner.send(run_message(body))
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await runner.communicator.disconnect()

    run = await Run.objects.aget()
    assert (run.mode, run.status) == ("responses", "finished")
    assert "Hello" in run.output["candidates"][0]["text"]
    response = run.output["response"]
    assert response["id"].startswith("resp_") and "Hello" in response["reasoning"]
    assert next(iter(response["events"])) == "response.created"
    assert response["events"]["response.completed"] == 1
    await sync_to_async(client.force_login)(alice)
    page = (await sync_to_async(client.get)(f"/history/{run.pk}/")).content.decode()
    assert response["id"] in page and "response.output_text.delta" in page


# --- the form ------------------------------------------------------------------------------

FORM = {
    "mode": "responses",
    "provider": "openai",
    "model": "gpt-4.1-mini",
    "instructions": "Be brief.",
    "input": "Weather in Paris?",
    "previous_response_id": "resp_abc",
    "temperature": "0.7",
    "top_p": "0.9",
    "max_output_tokens": "300",
    "tools": json.dumps([WEATHER]),
    "tool_choice": "required",
    "parallel_tool_calls": "false",
    "text": "json_schema",
    "response_format_name": "reply",
    "response_format_schema": json.dumps(REPLY_SCHEMA),
    "response_format_strict": "true",
    "reasoning": "low",
    "reasoning_summary": "auto",
    "store": "true",
    "metadata": '{"experiment": "v2"}',
    "truncation": "auto",
    "user": "someone",
    "stream": "true",
}


def test_the_form_sets_every_parameter_and_is_a_valid_openai_request():
    from playground.forms import request_from_form

    body = upstream_body(validate_request(request_from_form(FORM)))
    assert body["input"] == "Weather in Paris?" and body["previous_response_id"] == "resp_abc"
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False and body["max_output_tokens"] == 300
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["text"] == {
        "format": {"type": "json_schema", "name": "reply", "schema": REPLY_SCHEMA, "strict": True}
    }
    assert_valid_request("responses", body)


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "input": "Hi", "stream": True},
        {"model": "m", "input": "[not JSON items, a text]", "instructions": "x"},
        {"model": "m", "input": '["a text that reads as a JSON list"]'},
        {"model": "m", "input": [{"role": "user", "content": "Hi"}], "previous_response_id": "r"},
        {"model": "m", "input": "Hi", "tool_choice": {"type": "function", "name": "f"}},
        {"model": "m", "input": "Hi", "text": {"format": {"type": "json_object"}}},
        {
            "model": "m",
            "input": "Hi",
            "text": {"format": {"type": "json_schema", "name": "r", "schema": {}, "strict": False}},
            "reasoning": {"summary": "detailed"},
        },
        {
            "model": "m",
            "input": "Hi",
            "text": {"verbosity": "low"},
            "reasoning": {"effort": "high"},
        },
    ],
)
def test_the_form_holds_a_responses_request_and_gives_it_back(body):
    from playground.forms import form_values_from_request, request_from_form

    original = {"mode": "responses", "provider": "p", "body": body}
    # The form streams unless told otherwise, as for chat.
    expected = {**body, "stream": body.get("stream", True)}
    assert request_from_form(form_values_from_request(original))["body"] == expected


def test_the_form_holds_text_format_and_reasoning_in_their_own_inputs():
    from playground.forms import form_values_from_request

    values = form_values_from_request(
        {
            "mode": "responses",
            "provider": "p",
            "body": {
                "model": "m",
                "input": "Hi",
                "text": {
                    "format": {"type": "json_schema", "name": "r", "schema": {"type": "object"}}
                },
                "reasoning": {"effort": "low", "summary": "auto"},
            },
        }
    )
    assert values["text"] == "json_schema" and values["response_format_name"] == "r"
    assert (values["reasoning"], values["reasoning_summary"]) == ("low", "auto")
    assert "extensions" not in values


def test_a_text_format_schema_that_is_not_json_is_named():
    from playground.forms import request_from_form
    from playground.spec import FormInvalid

    with pytest.raises(FormInvalid) as refused:
        request_from_form({**FORM, "response_format_schema": "{not json"})
    assert "text.format.schema" in refused.value.errors


def test_the_estimate_counts_instructions_and_input_items_and_max_output_tokens():
    from playground.runs.estimate import estimate_with_price
    from playground.tokens import count_body_tokens

    text = {"model": "gpt-4o", "input": "hello there"}
    more = {**text, "instructions": "Be brief and kind."}
    items = {
        "model": "gpt-4o",
        "input": [
            {"role": "user", "content": "hello there"},
            {"type": "function_call_output", "call_id": "c", "output": "eighteen degrees"},
        ],
    }
    assert count_body_tokens(more).prompt_tokens > count_body_tokens(text).prompt_tokens
    assert count_body_tokens(items).prompt_tokens > count_body_tokens(text).prompt_tokens
    estimate = estimate_with_price(count_body_tokens(text), {**text, "max_output_tokens": 64}, None)
    assert estimate.max_completion_tokens == 64


async def test_the_fake_upstreams_answers_are_openai_shaped(fake_upstream):
    import httpx

    async with httpx.AsyncClient(base_url=fake_upstream.base_url) as client:
        whole = await client.post("/responses", json={"model": "m", "input": "Hi"})
        missing = await client.post(
            "/responses", json={"model": "m", "input": "Hi", "previous_response_id": "resp_x"}
        )
    assert whole.status_code == 200
    assert_valid(whole.json(), "Response")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": "Previous response with id 'resp_x' not found.",
        "type": "invalid_request_error",
        "param": "previous_response_id",
        "code": "previous_response_not_found",
    }
