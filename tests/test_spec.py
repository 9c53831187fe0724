"""The request spec: what is accepted, what is refused and how the refusal reads."""

import pytest

from playground.form_layout import parameter_inputs
from playground.modes import get_mode
from playground.spec import (
    RequestInvalid,
    edit_body,
    edit_parts,
    extension_keys,
    upstream_body,
    validate_request,
)


def request(**body_params) -> dict:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], **body_params}
    return {"mode": "chat", "provider": "offline", "body": body}


def refusal(data) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as caught:
        validate_request(data)
    return caught.value.errors


def test_unset_parameters_are_absent_from_the_upstream_body():
    body = upstream_body(validate_request(request(temperature=0.2)))
    assert body == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.2,
    }


def test_explicit_null_is_kept_because_it_differs_from_absent():
    assert upstream_body(validate_request(request(temperature=None)))["temperature"] is None


def test_unknown_body_keys_pass_through_untouched():
    body = upstream_body(validate_request(request(top_k=40, chat_template_kwargs={"x": 1})))
    assert body["top_k"] == 40
    assert body["chat_template_kwargs"] == {"x": 1}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"temperature": 2.5}, "temperature", "2.5 is out of range (allowed: 0 to 2)"),
        ({"temperature": -0.1}, "temperature", "-0.1 is out of range (allowed: 0 to 2)"),
        ({"temperature": "hot"}, "temperature", "must be a number, got 'hot' (allowed: 0 to 2)"),
        ({"top_p": 1.01}, "top_p", "1.01 is out of range (allowed: 0 to 1)"),
        ({"max_tokens": 0}, "max_tokens", "0 is out of range (allowed: 1 or more)"),
        ({"max_tokens": 1.5}, "max_tokens", "must be a whole number, got 1.5 (allowed: 1 or more)"),
        ({"n": 129}, "n", "129 is out of range (allowed: 1 to 128)"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "at most 4 stop sequences are allowed"),
        ({"model": ""}, "model", "must not be empty"),
        ({"messages": []}, "messages", "add at least one message"),
    ],
)
def test_out_of_range_and_malformed_values_name_the_field_and_what_is_allowed(
    params, field, message
):
    assert refusal(request(**params))[field] == message


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"top_k": float("nan")}, "top_k"),
        ({"chat_template_kwargs": {"x": [1, float("inf")]}}, "chat_template_kwargs.x[1]"),
        ({"logit_bias": {"50256": float("nan")}}, "logit_bias.50256"),
        ({"temperature": float("-inf")}, "temperature"),
    ],
)
def test_nan_and_infinity_are_refused_anywhere_in_the_body(params, field):
    # Python's json reads NaN and Infinity, but they are not JSON: no provider can parse them.
    errors = refusal(request(**params))
    assert errors[field] == "must be a finite number (JSON has no NaN or Infinity)"


def test_a_bad_message_role_names_the_message_and_the_allowed_roles():
    errors = refusal(request(messages=[{"role": "robot", "content": "x"}]))
    assert "messages[0].role" in errors
    assert "'robot' is not allowed" in errors["messages[0].role"]
    assert "'user'" in errors["messages[0].role"]


def test_every_error_is_reported_at_once():
    errors = refusal(request(temperature=9, top_p=-1))
    assert set(errors) == {"temperature", "top_p"}


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_a_request_must_be_an_object(data):
    assert refusal(data) == {"request": "must be a JSON object"}


def test_unknown_top_level_keys_are_refused():
    assert "colour" in refusal({**request(), "colour": "red"})


def test_missing_provider_and_body_are_named():
    assert refusal({"mode": "chat"}) == {"provider": "is required", "body": "is required"}


def test_page_inputs_read_their_ranges_from_the_spec():
    inputs = {i["name"]: i for i in parameter_inputs()}
    assert (inputs["temperature"]["min"], inputs["temperature"]["max"]) == (0, 2)
    assert (inputs["top_p"]["min"], inputs["top_p"]["max"]) == (0, 1)
    assert inputs["max_tokens"]["min"] == 1 and inputs["max_tokens"]["max"] is None


# --- every chat parameter, with the API's real ranges ---------------------------------

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TOOL_ROUND_TRIP = [
    {"role": "developer", "content": "Use tools."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "18 °C, sunny"},
]


def test_every_chat_parameter_at_its_limits_is_accepted_and_sent_as_set():
    params = {
        "temperature": 2,
        "top_p": 0,
        "max_tokens": 1,
        "max_completion_tokens": 5,
        "n": 128,
        "stop": ["a", "b", "c", "d"],
        "presence_penalty": -2,
        "frequency_penalty": 2,
        "seed": 2**63 - 1,
        "logit_bias": {"50256": -100, "15": 100},
        "logprobs": True,
        "top_logprobs": 20,
        "response_format": {"type": "json_object"},
        "tools": [WEATHER_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
        "user": "user-1",
        "reasoning_effort": "low",
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    data = request(**params)
    data["body"]["messages"] = TOOL_ROUND_TRIP
    assert upstream_body(validate_request(data)) == data["body"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"presence_penalty": 2.1}, "presence_penalty", "2.1 is out of range (allowed: -2 to 2)"),
        ({"frequency_penalty": -3}, "frequency_penalty", "-3 is out of range (allowed: -2 to 2)"),
        ({"max_completion_tokens": 0}, "max_completion_tokens", "0 is out of range"),
        (
            {"logprobs": True, "top_logprobs": 21},
            "top_logprobs",
            "21 is out of range (allowed: 0 to 20)",
        ),
        ({"top_logprobs": 2}, "top_logprobs", "needs logprobs set to true"),
        ({"logit_bias": {"hello": 1}}, "logit_bias", "key 'hello' is not a token id"),
        (
            {"logit_bias": {"42": 101}},
            "logit_bias",
            "the bias for token 42 is 101, allowed: -100 to 100",
        ),
        ({"logit_bias": {"42": 1.5}}, "logit_bias", "the bias for token 42 must be a whole number"),
        ({"logit_bias": "x"}, "logit_bias", "must be a JSON object, got 'x'"),
        ({"seed": 2**64}, "seed", "is out of range"),
        ({"stop": []}, "stop", "must not be empty"),
        ({"reasoning_effort": "huge"}, "reasoning_effort", "'huge' is not allowed (use 'none'"),
        (
            {"stream_options": {"include_usage": True}},
            "stream_options",
            "only allowed when stream is true",
        ),
        ({"tool_choice": "auto"}, "tool_choice", "is only allowed when tools are defined"),
        (
            {"parallel_tool_calls": True},
            "parallel_tool_calls",
            "only allowed when tools are defined",
        ),
        ({"tool_choice": "sometimes", "tools": [WEATHER_TOOL]}, "tool_choice", "'sometimes'"),
        (
            {
                "tools": [WEATHER_TOOL],
                "tool_choice": {"type": "function", "function": {"name": "nope"}},
            },
            "tool_choice",
            "names 'nope', which is not a defined tool (get_weather)",
        ),
        ({"response_format": {"type": "xml"}}, "response_format.type", "'xml' is not allowed"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a b"}}},
            "response_format.json_schema.name",
            "'a b' is not allowed (use 1 to 64 letters, digits, _ or -)",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": {"type": "objekt"}},
                }
            },
            "response_format.json_schema.schema",
            "is not a valid JSON Schema at type",
        ),
    ],
)
def test_chat_parameters_refuse_what_the_api_refuses(params, field, message):
    assert message in refusal(request(**params))[field]


def test_a_tool_with_an_invalid_schema_or_name_is_refused_before_sending():
    bad = {"type": "function", "function": {"name": "get weather", "parameters": {"type": 3}}}
    errors = refusal(request(tools=[WEATHER_TOOL, bad]))
    assert "letters, digits" in errors["tools[1].function.name"]
    assert "not a valid JSON Schema" in errors["tools[1].function.parameters"]
    assert (
        "defined twice"
        in refusal(request(tools=[WEATHER_TOOL, WEATHER_TOOL]))["tools[1].function.name"]
    )


@pytest.mark.parametrize(
    ("message", "field", "text"),
    [
        (
            {"role": "tool", "content": "x", "tool_call_id": "call_9"},
            "messages[1].tool_call_id",
            "answers no tool call",
        ),
        ({"role": "tool", "content": "x"}, "messages[1].tool_call_id", "is required"),
        ({"role": "assistant"}, "messages[1]", "needs content or tool_calls"),
        (
            {"role": "user", "content": [{"type": "video"}]},
            "messages[1].content[0].type",
            "'video' is not allowed",
        ),
        (
            {"role": "user", "content": [{"type": "text", "text": 5}]},
            "messages[1].content[0].text",
            "must be text",
        ),
        ({"role": "user", "content": []}, "messages[1].content", "must not be empty"),
        ({"content": "x"}, "messages[1].role", "is required"),
        (
            {
                "role": "assistant",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}],
            },
            "messages[1].tool_calls[0].function.arguments",
            "is required",
        ),
    ],
)
def test_bad_messages_name_the_message_and_the_field(message, field, text):
    data = request()
    data["body"]["messages"].append(message)
    assert text in refusal(data)[field]


def test_every_role_and_content_part_is_accepted():
    messages = [
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
        {
            "role": "user",
            "name": "ann",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}},
                {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
            ],
        },
        {"role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]},
        *TOOL_ROUND_TRIP,
    ]
    data = request(messages=messages, tools=[WEATHER_TOOL])
    assert upstream_body(validate_request(data))["messages"] == messages


# --- the other modes ------------------------------------------------------------------


def mode_request(mode: str, **body) -> dict:
    return {"mode": mode, "provider": "offline", "body": body}


@pytest.mark.parametrize(
    ("mode", "body"),
    [
        (
            "completion",
            {
                "model": "m",
                "prompt": "Once",
                "suffix": "end",
                "echo": True,
                "best_of": 3,
                "n": 2,
                "logprobs": 5,
            },
        ),
        ("completion", {"model": "m", "prompt": [[1, 2], [3]], "max_tokens": 0}),
        (
            "embedding",
            {"model": "m", "input": ["a", "b"], "dimensions": 256, "encoding_format": "base64"},
        ),
        ("embedding", {"model": "m", "input": [1, 2, 3]}),
        ("moderation", {"input": "text"}),
        (
            "moderation",
            {"model": "omni-moderation-latest", "input": [{"type": "text", "text": "x"}]},
        ),
        (
            "edit",
            {
                "model": "m",
                "messages": [
                    {"role": "system", "content": "Fix"},
                    {"role": "user", "content": "teh"},
                ],
            },
        ),
    ],
)
def test_each_mode_accepts_its_body_as_is(mode, body):
    validated = validate_request(mode_request(mode, **body))
    assert validated.mode == mode
    assert upstream_body(validated) == body


@pytest.mark.parametrize(
    ("mode", "body", "field", "message"),
    [
        ("completion", {"model": "m"}, "prompt", "is required"),
        (
            "completion",
            {"model": "m", "prompt": "x", "logprobs": 6},
            "logprobs",
            "6 is out of range (allowed: 0 to 5)",
        ),
        (
            "completion",
            {"model": "m", "prompt": "x", "best_of": 1, "n": 2},
            "best_of",
            "must be at least n (2)",
        ),
        (
            "completion",
            {"model": "m", "prompt": "x", "best_of": 2, "stream": True},
            "best_of",
            "cannot be used with streaming",
        ),
        ("completion", {"model": "m", "prompt": ["a", 5]}, "prompt[1]", "must be text, got 5"),
        ("embedding", {"model": "m", "input": ""}, "input", "must not be empty"),
        ("embedding", {"model": "m", "input": ["a", ""]}, "input", "item 1 is empty"),
        (
            "embedding",
            {"model": "m", "input": "a", "dimensions": 0},
            "dimensions",
            "0 is out of range (allowed: 1 or more)",
        ),
        (
            "embedding",
            {"model": "m", "input": "a", "encoding_format": "hex"},
            "encoding_format",
            "'hex' is not allowed",
        ),
        ("embedding", {"model": "m", "input": ["x"] * 2049}, "input", "too many items"),
        ("moderation", {"input": []}, "input", "must not be empty"),
        ("moderation", {}, "input", "is required"),
        ("edit", {"model": "m", "messages": []}, "messages", "add at least one message"),
    ],
)
def test_each_mode_refuses_bad_values_naming_the_field(mode, body, field, message):
    assert message in refusal(mode_request(mode, **body))[field]


def test_an_unknown_mode_is_refused_with_the_allowed_ones():
    errors = refusal(mode_request("video", model="m"))
    assert errors["mode"].startswith("'video' is not allowed (use 'chat', 'completion', 'edit'")


def test_a_mode_that_is_not_text_is_refused_not_a_crash():
    # Found by hypothesis (tests/test_consumers_properties.py): a list is no registry key.
    errors = refusal({**mode_request("chat", model="m"), "mode": []})
    assert errors["mode"].startswith("[] is not allowed (use 'chat', 'completion', 'edit'")


def test_each_mode_has_its_endpoint():
    paths = {
        mode: get_mode(mode).endpoint
        for mode in ("chat", "edit", "completion", "embedding", "moderation")
    }
    assert paths == {
        "chat": "/chat/completions",
        "edit": "/chat/completions",
        "completion": "/completions",
        "embedding": "/embeddings",
        "moderation": "/moderations",
    }


def test_unknown_keys_are_named_as_extensions():
    assert extension_keys("chat", {"model": "m", "top_k": 40, "temperature": 1}) == ["top_k"]
    assert extension_keys("embedding", {"model": "m", "input": "x", "truncate": "END"}) == [
        "truncate"
    ]


def test_edit_bodies_are_chat_bodies_that_read_back():
    body = edit_body("Fix the spelling.", "teh cat", model="m", temperature=0)
    assert body == {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Fix the spelling."},
            {"role": "user", "content": "teh cat"},
        ],
        "temperature": 0,
    }
    assert edit_parts(body) == ("Fix the spelling.", "teh cat")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (request(stop=5), "stop", "must be text or a list of texts, got 5"),
        (
            request(messages=[{"role": "user", "content": 5}]),
            "messages[0].content",
            "must be text or a list of content parts, got 5",
        ),
        (
            {"mode": "embedding", "provider": "p", "body": {"model": "m", "input": 3.5}},
            "input",
            "must be text or a list of texts or a list of token ids or a list of token id lists",
        ),
    ],
)
def test_a_value_of_no_allowed_shape_names_every_shape(data, field, message):
    assert refusal(data)[field].startswith(message)


def test_only_the_common_parameters_are_shown_at_once():
    common = {i["name"] for i in parameter_inputs("chat") if i["common"]}
    assert common == {"temperature", "top_p", "max_tokens", "max_completion_tokens"} | {
        "n",
        "stop",
        "seed",
        # Set on every new request (the usage the history needs), so it is in sight.
        "stream_options",
    }
    embedding = {i["name"]: i["common"] for i in parameter_inputs("embedding")}
    assert embedding == {"dimensions": True, "encoding_format": True, "user": False}


def test_a_value_nested_too_deeply_to_send_is_refused_with_its_key_named():
    # pydantic cannot serialise ~255 levels; no provider parameter needs anywhere near that.
    deep: object = 1
    for _ in range(300):
        deep = [deep]
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "top_k": deep}
    with pytest.raises(RequestInvalid) as refused:
        validate_request({"mode": "chat", "provider": "p", "body": body})
    assert refused.value.errors == {"body.top_k": "nested too deeply (at most 200 levels)"}


@pytest.mark.parametrize("mode", [[], {}, 3, None])
def test_a_mode_that_is_not_text_is_refused_naming_the_modes(mode):
    errors = refusal({"mode": mode, "provider": "offline", "body": {"model": "m"}})
    assert errors["mode"].endswith(
        "is not allowed (use 'chat', 'completion', 'edit', 'embedding', 'moderation', 'image', "
        "'speech', 'responses', 'transcription', 'translation' or 'fine_tuning')"
    )
