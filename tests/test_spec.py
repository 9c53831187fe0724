"""The request spec: what is accepted, what is refused and how the refusal reads."""

import pytest

from playground.spec import (
    RequestInvalid,
    parameter_inputs,
    request_from_form,
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


def test_a_bad_message_role_names_the_message_and_the_allowed_roles():
    errors = refusal(request(messages=[{"role": "robot", "content": "x"}]))
    assert "messages.0.role" in errors
    assert "'robot' is not allowed" in errors["messages.0.role"]
    assert "'user'" in errors["messages.0.role"]


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
            "temperature": "0.7",
            "stream": True,
        },
    }
    assert upstream_body(validate_request(data))["temperature"] == 0.7


def test_page_inputs_read_their_ranges_from_the_spec():
    inputs = {i["name"]: i for i in parameter_inputs()}
    assert (inputs["temperature"]["min"], inputs["temperature"]["max"]) == (0, 2)
    assert (inputs["top_p"]["min"], inputs["top_p"]["max"]) == (0, 1)
    assert inputs["max_tokens"]["min"] == 1 and inputs["max_tokens"]["max"] is None
