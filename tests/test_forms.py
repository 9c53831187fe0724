"""The form codec: the page's flat form, or its JSON editor's text, and the request object."""

import json

import pytest
from django.http import QueryDict

from playground.forms import (
    ROW_ROLES,
    form_values_from_request,
    request_from_form,
    values_from_post,
)
from playground.spec import RequestInvalid, edit_body, upstream_body, validate_request
from tests.test_spec import TOOL_ROUND_TRIP, WEATHER_TOOL


def test_form_values_become_a_request_with_empty_inputs_left_out():
    data = request_from_form(
        {
            "provider": "offline",
            "model": "m",
            "system": "  ",
            "messages-1-role": "assistant",
            "messages-1-content": "second",
            "messages-0-role": "user",
            "messages-0-content": "first",
            "temperature": "0.7",
            "top_p": "",
            "max_tokens": " ",
        }
    )
    assert data == {
        "mode": "chat",
        "provider": "offline",
        "body": {
            "model": "m",
            "messages": [
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "second"},
            ],
            "temperature": 0.7,
            "stream": True,
        },
    }
    assert upstream_body(validate_request(data))["temperature"] == 0.7


# --- the raw JSON editor and the form round-trip --------------------------------------

ROUND_TRIP_REQUESTS = [
    {
        "mode": "chat",
        "provider": "openai",
        "body": {
            "model": "gpt-4o",
            "messages": [{"role": "system", "content": "Be brief."}, *TOOL_ROUND_TRIP],
            "tools": [WEATHER_TOOL],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "parallel_tool_calls": False,
            "temperature": 0.7,
            "n": 2,
            "stop": ["\n", "END"],
            "seed": 2**63 - 1,
            "logit_bias": {"50256": -100},
            "logprobs": True,
            "top_logprobs": 3,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "reply", "schema": {"type": "object"}, "strict": True},
            },
            "stream": True,
            "stream_options": {"include_usage": True},
            "top_k": 40,
            "chat_template_kwargs": {"enable_thinking": False},
        },
    },
    {
        "mode": "edit",
        "provider": "offline",
        "body": {**edit_body("Fix the spelling.", "teh cat", model="m"), "stream": False},
    },
    {
        "mode": "completion",
        "provider": "openai",
        "body": {
            "model": "m",
            "prompt": ["a", "b"],
            "suffix": " end",
            "echo": True,
            "stream": True,
        },
    },
    {
        "mode": "embedding",
        "provider": "openai",
        "body": {"model": "m", "input": ["one", "two"], "dimensions": 8, "truncate": "END"},
    },
    {
        "mode": "embedding",
        "provider": "openai",
        "body": {"model": "m", "input": [" padded", "x\ny"]},
    },
    {"mode": "moderation", "provider": "openai", "body": {"input": "one text"}},
    {
        "mode": "chat",
        "provider": "openai",
        "body": {
            "model": "m",
            "messages": [{"role": "user", "name": "ann", "content": "hi"}],
            "tools": [{**WEATHER_TOOL, "function": {**WEATHER_TOOL["function"], "strict": True}}],
            "stream": True,
        },
    },
]


@pytest.mark.parametrize("data", ROUND_TRIP_REQUESTS, ids=lambda d: d["mode"])
def test_request_json_round_trips_through_the_form(data):
    values = form_values_from_request(data)
    assert all(isinstance(v, str) for v in values.values())
    # The page shows one empty user row when the conversation went to the extensions.
    if "messages" in values.get("extensions", "") and data["mode"] == "chat":
        values.update({"messages-0-role": "user", "messages-0-content": ""})
    back = validate_request(request_from_form(values))
    assert (back.mode, back.provider) == (data["mode"], data["provider"])
    assert upstream_body(back) == upstream_body(validate_request(data))


def test_what_the_form_cannot_show_travels_as_extensions():
    values = form_values_from_request(ROUND_TRIP_REQUESTS[0])
    assert json.loads(values["extensions"]) == {
        "top_k": 40,
        "chat_template_kwargs": {"enable_thinking": False},
    }
    assert values["seed"] == str(2**63 - 1)  # text, so a browser keeps every digit


def test_bad_json_in_a_form_input_names_the_input():
    with pytest.raises(RequestInvalid) as caught:
        request_from_form({"mode": "chat", "model": "m", "logit_bias": "{1: 2"})
    assert caught.value.errors["logit_bias"].startswith("is not valid JSON")
    with pytest.raises(RequestInvalid) as caught:
        request_from_form({"mode": "chat", "model": "m", "extensions": "[1]"})
    assert "JSON object of extra body keys" in caught.value.errors["extensions"]


def test_variables_travel_as_a_form_value_and_come_back():
    data = {
        "mode": "embedding",
        "provider": "openai",
        "body": {"model": "m", "input": ["a", "b"]},
        "variables": {"city": "Oslo"},
    }
    values = form_values_from_request(data)
    assert json.loads(values["variables"]) == {"city": "Oslo"}
    assert request_from_form(values)["variables"] == {"city": "Oslo"}
    assert "variables" not in form_values_from_request({**data, "variables": {}})
    assert "variables" not in request_from_form({**values, "variables": ""})


def test_variables_that_are_not_an_object_are_refused_by_name():
    with pytest.raises(RequestInvalid) as caught:
        request_from_form({"mode": "chat", "model": "m", "variables": "[1]"})
    assert "variables" in caught.value.errors


def test_a_posted_form_reads_like_the_websocket_message():
    post = QueryDict(mutable=True)
    post.update({"csrfmiddlewaretoken": "t", "model": "m", "stop": "a"})
    post.appendlist("stop", "b")

    assert values_from_post(post) == {"model": "m", "stop": ["a", "b"]}


def test_a_json_input_nested_too_deeply_to_read_is_refused_naming_it():
    values = {
        "mode": "chat",
        "provider": "p",
        "model": "m",
        "messages-0-role": "user",
        "messages-0-content": "hi",
        "extensions": "[" * 100_000 + "]" * 100_000,
    }
    with pytest.raises(RequestInvalid) as refused:
        validate_request(request_from_form(values))
    assert refused.value.errors["extensions"] == "is nested too deeply to read"


# --- the JSON editor's text: the other way the page sends a request ---------------------


def test_the_editors_text_is_the_request_and_the_flat_names_are_ignored():
    text = '{"mode": "embedding", "provider": "openai", "body": {"model": "m", "input": "x"}}'
    values = {"request": text, "mode": "chat", "model": "ignored", "messages-0-role": "user"}
    assert request_from_form(values) == json.loads(text)
    # A script on the websocket may send the object itself.
    assert request_from_form({"request": {"mode": "chat"}}) == {"mode": "chat"}


def test_editor_text_that_is_not_a_json_object_is_refused_naming_line_and_column():
    with pytest.raises(RequestInvalid) as caught:
        request_from_form({"request": '{\n  "mode": "chat",\n  "body": {"model": "m",}\n}'})
    assert caught.value.errors == {
        "request": "is not valid JSON (Expecting property name enclosed in double quotes: "
        "line 3 column 25 (char 44))"
    }
    with pytest.raises(RequestInvalid) as caught:
        request_from_form({"request": '["chat"]'})
    assert caught.value.errors == {"request": "must be a JSON object"}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"mode": "video"},
            {
                "mode": "must be one of chat, completion, edit, embedding, moderation, image, speech, "
                "responses, transcription, translation, fine_tuning"
            },
        ),
        ({"body": "hi"}, {"body": "must be a JSON object"}),
        (
            {"variables": ["a"]},
            {"variables": 'must be a JSON object of names and values, like {"city": "Oslo"}'},
        ),
        ({"provider": 7}, {"provider": "must be a provider's name"}),
        (
            {"body": {}, "top_k": 40},
            {"top_k": "is not a known request key (allowed: mode, provider, body, variables)"},
        ),
        ([1], {"request": "must be a JSON object"}),
    ],
)
def test_what_the_form_cannot_hold_is_refused_rather_than_dropped(data, errors):
    with pytest.raises(RequestInvalid) as caught:
        form_values_from_request(data)
    assert caught.value.errors == errors


def test_message_rows_offer_the_roles_a_row_can_send():
    # A function message needs a name, which a row has no input for.
    assert ROW_ROLES == ("system", "developer", "user", "assistant", "tool")
    data = {
        "mode": "chat",
        "provider": "p",
        "body": {"model": "m", "messages": [{"role": "function", "name": "f", "content": "1"}]},
    }
    values = form_values_from_request(data)
    assert "messages-0-role" not in values
    assert json.loads(values["extensions"])["messages"] == data["body"]["messages"]
