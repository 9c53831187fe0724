"""The server renders the request editor (the form, or the JSON view) from a request object."""

import html
import json
import re

import pytest
from django.template.loader import render_to_string, select_template

from playground.modes import REGISTRY
from playground.request_form import request_editor_context
from playground.spec import RequestInvalid
from tests.test_forms import ROUND_TRIP_REQUESTS

pytestmark = pytest.mark.django_db


def rendered(data: dict | None, view: str = "form") -> str:
    return render_to_string(
        "playground/_request_editor.html", request_editor_context(data, user=None, view=view)
    )


def value_of(page: str, name: str) -> str:
    """The text an input or textarea named ``name`` holds when the browser reads the page."""
    match = re.search(rf'<textarea[^>]* name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if match:
        return html.unescape(match.group(1))
    match = re.search(rf'<input[^>]* name="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    found = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(found.group(1)) if found else ""


def selected(page: str, name: str) -> str:
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


def test_a_chat_request_fills_rows_tools_parameters_and_companions():
    page = rendered(ROUND_TRIP_REQUESTS[0])
    assert selected(page, "mode") == "chat"
    assert selected(page, "provider") == "openai"
    assert value_of(page, "model") == "gpt-4o"
    assert value_of(page, "system") == "Be brief."
    assert selected(page, "messages-0-role") == "developer"
    assert selected(page, "messages-1-role") == "user"
    assert value_of(page, "messages-1-content_format") == "json"  # content parts, as JSON
    assert json.loads(value_of(page, "messages-1-content"))[0]["text"] == "Weather in Paris?"
    assert selected(page, "messages-2-role") == "assistant"
    calls = json.loads(value_of(page, "messages-2-tool_calls"))
    assert calls[0]["function"]["name"] == "get_weather"
    assert '→ get_weather({"city": "Paris"})  call_1' in html.unescape(page)
    assert selected(page, "messages-3-role") == "tool"
    assert value_of(page, "messages-3-tool_call_id") == "call_1"
    assert value_of(page, "tools-0-name") == "get_weather"
    assert json.loads(value_of(page, "tools-0-parameters"))["required"] == ["city"]
    assert '<details id="tools-panel" class="tools-panel" open>' in page
    assert value_of(page, "seed") == "9223372036854775807"
    assert value_of(page, "temperature") == "0.7"
    assert value_of(page, "stop") == '["\\n", "END"]'
    assert selected(page, "logprobs") == "true"
    assert selected(page, "parallel_tool_calls") == "false"
    assert selected(page, "response_format") == "json_schema"
    assert value_of(page, "response_format_name") == "reply"
    assert selected(page, "response_format_strict") == "true"
    assert value_of(page, "tool_choice_function") == "get_weather"
    assert json.loads(value_of(page, "extensions")) == {
        "top_k": 40,
        "chat_template_kwargs": {"enable_thinking": False},
    }


@pytest.mark.parametrize("data", ROUND_TRIP_REQUESTS[1:6], ids=lambda d: d["mode"])
def test_only_the_requests_mode_shows_and_holds_its_values(data):
    page = rendered(data)
    mode = data["mode"]
    fieldsets = re.findall(
        r'<fieldset class="mode-fields" data-modes="([^"]*)"( disabled hidden)?>', page
    )
    assert fieldsets, "no mode fieldsets"
    for modes, off in fieldsets:
        assert (mode in modes.split()) == (not off), modes
    # Each fieldset of prompt fields is the mode registry's partial.
    for record in REGISTRY.values():
        assert select_template([f"playground/prompt/_{record.prompt_fields}.html"])


def test_inputs_one_per_line_and_an_edits_instruction():
    page = rendered(ROUND_TRIP_REQUESTS[3])  # embedding
    inputs = page.split('<label for="inputs">', 1)[1]
    assert value_of(inputs, "input") == "one\ntwo"
    assert value_of(page, "dimensions") == "8"
    page = rendered(ROUND_TRIP_REQUESTS[1])  # edit
    assert value_of(page, "instruction") == "Fix the spelling."
    assert re.search(r'id="edit-input" name="input"[^>]*>teh cat</textarea>', page)


def test_a_fresh_page_has_one_empty_user_row_and_the_real_providers_model():
    # The tests configure the offline model and "openai": the real one is preselected.
    page = rendered(None)
    assert selected(page, "provider") == "openai"
    assert value_of(page, "model") == "fake-model"
    assert page.count("data-message>") == 1
    assert selected(page, "messages-0-role") == "user"
    assert value_of(page, "messages-0-content") == ""


def test_a_conversation_the_rows_cannot_hold_is_shown_in_extensions_with_an_empty_row():
    page = rendered(ROUND_TRIP_REQUESTS[6])  # a message with a "name"
    assert json.loads(value_of(page, "extensions"))["messages"][0]["name"] == "ann"
    assert page.count("data-message>") == 1 and value_of(page, "messages-0-content") == ""


def test_a_provider_this_server_lacks_leaves_the_picker_empty_and_focused():
    page = rendered({"provider": "retired-gateway", "body": {"model": "m"}})
    assert '<option value="" selected>Pick a provider</option>' in page
    assert 'hx-sync="this:replace" autofocus>' in page
    assert value_of(page, "model") == "m"


def test_the_json_view_holds_the_request_and_disables_the_form():
    page = rendered(ROUND_TRIP_REQUESTS[0], view="json")
    text = value_of(page, "request")
    assert json.loads(text) == ROUND_TRIP_REQUESTS[0]
    assert '"seed": 9223372036854775807' in text
    assert '<fieldset id="request-form" class="request-form" disabled hidden>' in page
    assert '<div id="request-form-panel" role="tabpanel" aria-labelledby="form-tab" hidden>' in page
    # Only the form's tab asks the server (it applies the editor); the shown one sends nothing.
    assert 'id="form-tab"' in page and 'hx-post="/request/form/"' in page
    assert 'hx-post="/request/json/"' not in page


def test_keys_no_input_shows_are_named_for_the_opened_preset_notice():
    data = {**ROUND_TRIP_REQUESTS[3], "variables": {"city": "Oslo"}}
    context = request_editor_context(data, user=None)
    assert context["unshown_keys"] == ["truncate", "variables"]
    assert value_of(rendered(data), "variables") == '{"city": "Oslo"}'


def test_a_request_the_form_cannot_hold_is_refused():
    with pytest.raises(RequestInvalid) as caught:
        request_editor_context({"mode": "video", "body": {}}, user=None)
    assert list(caught.value.errors) == ["mode"]


def test_a_fresh_page_starts_on_a_real_provider_when_one_is_configured():
    from playground.providers.descriptor import ProviderDescriptor
    from playground.request_form import default_request

    offline = ProviderDescriptor("offline", "Offline model", "offline-1", "offline")
    real = ProviderDescriptor("openai", "OpenAI", "gpt-4o-mini", "openai")
    assert default_request([offline, real])["provider"] == "openai"
    assert default_request([offline, real])["body"]["model"] == "gpt-4o-mini"
    assert default_request([offline])["provider"] == "offline"


def test_the_default_provider_setting_picks_the_first_page_s_provider(settings):
    from playground.providers.descriptor import ProviderDescriptor
    from playground.request_form import default_request

    settings.PLAYGROUND_DEFAULT_PROVIDER = "offline"
    offline = ProviderDescriptor("offline", "Offline model", "offline-1", "offline")
    real = ProviderDescriptor("openai", "OpenAI", "gpt-4o-mini", "openai")
    assert default_request([offline, real])["provider"] == "offline"
    settings.PLAYGROUND_DEFAULT_PROVIDER = "gone"  # no such provider: the usual choice
    assert default_request([offline, real])["provider"] == "openai"
