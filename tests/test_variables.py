"""{{variables}}: filled from the request's values at the last step before sending, named
when missing, kept as a template by presets and runs, listed on the page with an input each."""

import json

import pytest
from asgiref.sync import sync_to_async

from playground.export import export
from playground.forms import request_from_form
from playground.request_form import variables_panel
from playground.spec import RequestInvalid, template_body, upstream_body, validate_request
from playground.variables import MissingVariables, body_names, fill_body, fill_text, names_in_text
from tests.conftest import chat_request
from tests.runs.factories import make_user
from tests.runs.test_recording import connect


def test_names_are_found_in_order_of_first_use_spaces_allowed():
    assert names_in_text("Hi {{name}}, {{ city }} and {{name}} again, {{user.id}}") == [
        "name",
        "city",
        "user.id",
    ]


def test_a_backslash_writes_the_braces_themselves():
    assert names_in_text(r"Use \{{name}} in Jinja") == []
    assert fill_text(r"Use \{{name}} for {{name}}", {"name": "Ada"}) == "Use {{name}} for Ada"


def test_text_that_is_not_a_name_stays_as_it_is():
    text = "JSON {{ 'a': 1 }} and {{}} and { {x} }"
    assert names_in_text(text) == []
    assert fill_text(text, {}) == text


def test_a_value_is_inserted_once_never_read_as_a_template_itself():
    assert fill_text("{{a}}", {"a": "{{b}}"}) == "{{b}}"


def test_every_text_of_a_chat_body_is_filled_and_nothing_else():
    body = {
        "model": "{{model}}",
        "messages": [
            {"role": "system", "content": "You speak {{lang}}."},
            {"role": "user", "content": [{"type": "text", "text": "Weather in {{city}}?"}]},
            {"role": "assistant", "tool_calls": [{"function": {"arguments": "{{city}}"}}]},
        ],
        "metadata": {"note": "{{city}}"},
    }
    filled = fill_body(body, ("messages",), {"lang": "Norwegian", "city": "Oslo"})
    assert filled["messages"][0]["content"] == "You speak Norwegian."
    assert filled["messages"][1]["content"][0]["text"] == "Weather in Oslo?"
    # Not texts of the prompt: a tool call, the model, metadata.
    assert filled["messages"][2] == body["messages"][2]
    assert filled["model"] == "{{model}}" and filled["metadata"] == {"note": "{{city}}"}
    assert body["messages"][0]["content"] == "You speak {{lang}}."  # the template is untouched


def test_every_missing_name_is_named_at_once():
    with pytest.raises(MissingVariables) as missing:
        fill_body({"prompt": "{{a}} {{b}} {{c}}"}, ("prompt",), {"b": "x"})
    assert missing.value.names == ["a", "c"]


@pytest.mark.parametrize(
    ("mode", "body", "expected"),
    [
        ("completion", {"prompt": "Story about {{x}}", "suffix": "The end, {{x}}."}, ["x"]),
        ("embedding", {"input": ["{{x}} one", "two {{y}}"]}, ["x", "y"]),
        ("moderation", {"input": "{{x}}"}, ["x"]),
        (
            "edit",
            {
                "messages": [
                    {"role": "system", "content": "{{x}}"},
                    {"role": "user", "content": "{{y}}"},
                ]
            },
            ["x", "y"],
        ),
    ],
)
def test_each_modes_texts_are_templates(mode, body, expected):
    request = validate_request(
        {"mode": mode, "provider": "openai", "body": {"model": "m", **body}, "variables": {}}
    )
    with pytest.raises(RequestInvalid) as invalid:
        upstream_body(request)
    assert sorted(invalid.value.errors) == [f"variables.{name}" for name in expected]
    filled = validate_request(
        {
            "mode": mode,
            "provider": "openai",
            "body": {"model": "m", **body},
            "variables": dict.fromkeys(expected, "V"),
        }
    )
    assert "{{" not in json.dumps(upstream_body(filled))
    assert template_body(filled) == {"model": "m", **body}


def test_a_missing_value_is_named_with_how_to_give_it():
    request = validate_request(chat_request("Hi {{name}}")["request"])
    with pytest.raises(RequestInvalid) as invalid:
        upstream_body(request)
    assert "variables.name: has no value: give it one under Variables" in str(invalid.value)


def test_the_export_sends_the_filled_body_and_names_the_variables():
    data = {**chat_request("Weather in {{city}}?")["request"], "variables": {"city": "Oslo"}}
    for lang in ("python", "node", "curl"):
        code = export(lang, data)
        assert "Weather in Oslo?" in code and "{{city}}" not in code
        assert "variables filled in: city" in code


def test_an_export_with_a_missing_value_is_refused_naming_it():
    with pytest.raises(RequestInvalid) as invalid:
        export("python", chat_request("Hi {{name}}")["request"])
    assert "variables.name" in invalid.value.errors


def test_the_form_reads_each_variable_input_and_the_values_kept_aside():
    request = request_from_form(
        {
            "provider": "openai",
            "model": "m",
            "messages-0-role": "user",
            "messages-0-content": "Hi {{name}}",
            "variable.name": "Ada",
            "variables": '{"old": "kept"}',
        }
    )
    assert request["variables"] == {"old": "kept", "name": "Ada"}


def test_the_panel_lists_the_names_used_and_keeps_the_others_aside():
    data = {
        "mode": "chat",
        "provider": "openai",
        "body": {"model": "m", "messages": [{"role": "user", "content": "{{b}} then {{a}}"}]},
        "variables": {"a": "1", "gone": "2"},
    }
    panel = variables_panel(data)
    assert panel["fields"] == [{"name": "b", "value": ""}, {"name": "a", "value": "1"}]
    assert json.loads(panel["kept"]) == {"gone": "2"}


@pytest.mark.django_db
def test_the_page_shows_an_input_per_variable_and_refreshes_it(client, django_user_model):
    user = django_user_model.objects.create_user("vera", password="pw-vera-12345")
    client.force_login(user)
    panel = client.post(
        "/variables/",
        {
            "provider": "openai",
            "model": "m",
            "messages-0-role": "user",
            "messages-0-content": "Translate {{text}} into {{lang}} <b>",
            "variable.lang": "French",
        },
    ).content.decode()
    assert 'name="variable.text"' in panel and 'name="variable.lang"' in panel
    assert ">French</textarea>" in panel
    assert panel.index("variable.text") < panel.index("variable.lang")


@pytest.mark.django_db
def test_the_panel_is_not_served_to_someone_signed_out(client):
    assert client.post("/variables/", {"messages-0-content": "{{x}}"}).status_code == 204


@pytest.mark.django_db(transaction=True)
async def test_a_run_sends_the_filled_prompt_and_records_the_template(fake_upstream):
    from playground.runs.models import Run

    alice = await sync_to_async(make_user)("alice")
    client = await connect(alice)
    message = chat_request("Weather in {{city}}?")
    message["request"]["variables"] = {"city": "Oslo"}
    await client.send(message)
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await client.communicator.disconnect()
    assert fake_upstream.chat_requests[0].body["messages"][0]["content"] == "Weather in Oslo?"
    run = await Run.objects.aget()
    assert run.request["body"]["messages"][0]["content"] == "Weather in {{city}}?"
    assert run.request["variables"] == {"city": "Oslo"}
    assert "Oslo" in run.search_text


@pytest.mark.django_db(transaction=True)
async def test_a_run_with_a_missing_value_is_refused_and_nothing_is_sent(run_client, fake_upstream):
    await run_client.send(chat_request("Hi {{name}} from {{city}}"))
    assert await run_client.receive_until_state() == "invalid"
    status = run_client.status_text()
    assert "variables.name: has no value" in status and "variables.city: has no value" in status
    assert fake_upstream.chat_requests == []


def test_body_names_reads_only_the_modes_texts():
    assert body_names({"model": "{{m}}", "prompt": "{{p}}"}, ("prompt",)) == ["p"]
