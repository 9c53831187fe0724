"""The request's two views in a real browser: the form, or its JSON in an editor.

The server renders both from one request object; the page sends one of them as it is.
"""

import json
import re

from playwright.sync_api import Page, Route, WebSocket, expect

from tests.browser.test_modes_page import WEATHER_PARAMETERS, continue_and_wait, define_weather_tool
from tests.browser.test_playground_page import (
    message_box,
    run_and_wait,
    switch_view,
    view_tab,
)
from tests.fake_upstream import FakeUpstream

BIG_SEED = str(2**63 - 1)


def editor_request(page: Page) -> dict:
    """The request the JSON editor shows (Python keeps every digit of a big integer)."""
    return json.loads(page.get_by_label("Request JSON").input_value())


def test_form_to_json_and_back_loses_nothing(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    page.get_by_label("System prompt").fill("Be brief.")
    message_box(page, 0).get_by_role("textbox").fill("Weather in 北京?")
    define_weather_tool(page)
    page.locator("#param-seed").fill(BIG_SEED)
    page.locator("#extensions").fill('{"top_k": 40}')

    switch_view(page, "JSON")
    editor = page.get_by_label("Request JSON")
    expect(editor).to_be_visible()
    expect(page.locator("#request-form")).to_be_hidden()
    expect(page.locator("#request-view-status")).to_have_text("Extensions: top_k")
    assert f'"seed": {BIG_SEED}' in editor.input_value()  # a JSON number, every digit
    data = editor_request(page)
    assert data["body"]["seed"] == 2**63 - 1 and data["body"]["top_k"] == 40
    assert data["body"]["tools"][0]["function"]["parameters"] == json.loads(WEATHER_PARAMETERS)
    # The variables have no input: set them here.
    data["variables"] = {"city": "北京"}
    editor.fill(json.dumps(data, ensure_ascii=False))

    switch_view(page, "Form")
    expect(page.locator("#request-view-status")).to_have_text(
        "Applied to the form. Extensions: top_k"
    )
    expect(page.locator("#param-seed")).to_have_value(BIG_SEED)
    expect(page.get_by_label("Function name")).to_have_value("get_weather")
    expect(page.locator("#tools-panel")).to_have_attribute("open", "")
    expect(message_box(page, 0).get_by_role("textbox")).to_have_value("Weather in 北京?")
    assert json.loads(page.locator("#extensions").input_value()) == {"top_k": 40}
    assert json.loads(page.locator("#variables").input_value()) == {"city": "北京"}

    switch_view(page, "JSON")
    assert editor_request(page) == data
    switch_view(page, "Form")
    run_and_wait(page)
    body = fake_upstream.chat_requests[-1].body
    assert body["seed"] == 2**63 - 1 and body["top_k"] == 40
    assert body["tools"] == data["body"]["tools"]


def test_applying_json_swaps_the_form_and_run_sends_it(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hi")
    page.locator("#param-temperature").fill("0.4")
    switch_view(page, "JSON")
    data = editor_request(page)
    assert data["body"]["temperature"] == 0.4
    data["body"]["messages"].append({"role": "assistant", "content": "Hello!"})
    data["body"]["max_tokens"] = 3
    page.get_by_label("Request JSON").fill(json.dumps(data))

    page.get_by_role("button", name="Apply JSON to the form").click()
    expect(view_tab(page, "Form")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#request-view-status")).to_have_text("Applied to the form.")
    expect(page.locator("#messages [data-message]")).to_have_count(2)
    expect(message_box(page, 1).get_by_role("combobox")).to_have_value("assistant")
    expect(message_box(page, 1).get_by_role("textbox")).to_have_value("Hello!")
    expect(page.locator("#param-max_tokens")).to_have_value("3")
    expect(page.get_by_label("Request JSON")).to_be_hidden()
    run_and_wait(page)
    body = fake_upstream.chat_requests[-1].body
    assert body["messages"] == data["body"]["messages"] and body["max_tokens"] == 3
    # Editing the form makes the status's news stale.
    page.locator("#param-temperature").fill("1")
    expect(page.locator("#request-view-status")).to_have_text("")


def test_run_from_the_json_view_sends_the_editors_text_as_it_is(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    sent: list[str] = []

    def record(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", record)
    page.reload()  # so that the socket is recorded
    expect(page.locator("#connection")).to_have_text("Connected")
    message_box(page, 0).get_by_role("textbox").fill("What the form says")
    switch_view(page, "JSON")
    body = {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "What the editor says"}],
        "seed": 2**63 - 1,
        "top_k": 40,
        "stream": True,
    }
    text = json.dumps({"mode": "chat", "provider": "openai", "body": body}, indent=1)
    page.get_by_label("Request JSON").fill(text)
    run_and_wait(page)

    assert fake_upstream.chat_requests[-1].body == body
    frame = json.loads(next(frame for frame in sent if '"action":"run"' in frame.replace(" ", "")))
    assert frame["request"] == text  # the text as typed: parsed on the server only
    assert not [name for name in frame if name.startswith("messages-") or name == "model"]
    # The JSON view stays; the form kept what it had.
    expect(page.get_by_label("Request JSON")).to_have_value(text)
    switch_view(page, "Form")
    expect(message_box(page, 0).get_by_role("textbox")).to_have_value("What the editor says")


def test_json_the_form_cannot_hold_is_not_applied_and_run_names_where(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Kept")
    switch_view(page, "JSON")
    editor = page.get_by_label("Request JSON")
    broken = editor.input_value().replace('"Kept"', '"Kept",')
    editor.fill(broken)

    view_tab(page, "Form").click()
    status = page.locator("#request-view-status")
    expect(status).to_have_text(
        re.compile(r"^Not applied: request: is not valid JSON \(Expecting .*: line \d+ column \d+ ")
    )
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(view_tab(page, "JSON")).to_have_attribute("aria-selected", "true")
    expect(editor).to_have_value(broken)

    run_and_wait(page, state="invalid")
    expect(page.locator("#run-status .field-errors li")).to_have_text(
        re.compile(
            r"^request: is not valid JSON \(Expecting .*: line \d+ column \d+ \(char \d+\)\)$"
        )
    )
    assert fake_upstream.chat_requests == []

    editor.fill(broken.replace('"Kept",', '"Kept"').replace('"chat"', '"video"'))
    view_tab(page, "Form").click()
    expect(status).to_have_text(
        "Not applied: mode: must be one of chat, completion, edit, embedding, moderation, image, speech, responses, transcription, translation, fine_tuning."
    )
    switch_view(page, "JSON")  # still the JSON view: the tab does nothing
    expect(message_box(page, 0).get_by_role("textbox")).to_be_hidden()


def test_applying_json_that_run_would_refuse_says_so_at_once(signed_in_page: Page) -> None:
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Hi")
    switch_view(page, "JSON")
    data = editor_request(page)
    data["body"]["temperature"] = 5
    page.get_by_label("Request JSON").fill(json.dumps(data))
    switch_view(page, "Form")
    status = page.locator("#request-view-status")
    expect(status).to_have_text(
        "Applied to the form, but Run would refuse it: "
        "temperature: 5 is out of range (allowed: 0 to 2)."
    )
    expect(status).to_have_class(re.compile(r"\berror\b"))
    # The value is in the form, as typed: nothing is lost; fixing it there clears the note.
    expect(page.locator("#param-temperature")).to_have_value("5")
    page.locator("#param-temperature").fill("1")
    expect(status).to_have_text("")
    expect(status).not_to_have_class(re.compile(r"\berror\b"))


def test_nothing_can_be_typed_while_a_switch_is_on_its_way(signed_in_page: Page) -> None:
    # A slow answer cannot land on top of something typed meanwhile: until it is shown,
    # neither the form nor the editor takes input, and Run waits.
    page = signed_in_page
    message = message_box(page, 0).get_by_role("textbox")
    message.fill("Before the switch")
    held: list[Route] = []
    page.route(re.compile(r"/request/(json|form)/$"), lambda route: held.append(route))

    view_tab(page, "JSON").click()
    expect(message).to_be_disabled()
    expect(page.get_by_label("Request JSON")).to_be_disabled()
    page.keyboard.press("Control+Enter")
    assert len(held) == 1
    held.pop().continue_()
    editor = page.get_by_label("Request JSON")
    expect(editor).to_be_editable()
    expect(editor).to_have_value(re.compile(r'"content": "Before the switch"'))
    expect(page.locator("#run-status")).to_have_attribute("data-state", "idle")

    editor.fill(editor.input_value().replace("Before the switch", "From the editor"))
    view_tab(page, "Form").click()
    expect(editor).to_be_disabled()
    assert len(held) == 1
    held.pop().continue_()
    expect(message).to_have_value("From the editor")
    expect(message).to_be_editable()


def test_a_switch_the_server_does_not_answer_changes_nothing_and_says_so(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Still here")
    page.route("**/request/json/", lambda route: route.fulfill(status=500, body="boom"))
    view_tab(page, "JSON").click()
    expect(page.locator("#request-view-status")).to_have_text(
        "The server did not answer, so nothing changed: try again."
    )
    expect(view_tab(page, "Form")).to_have_attribute("aria-selected", "true")
    expect(message_box(page, 0).get_by_role("textbox")).to_be_editable()
    page.unroute("**/request/json/")
    switch_view(page, "JSON")
    expect(page.get_by_label("Request JSON")).to_have_value(re.compile(r'"Still here"'))
    expect(page.get_by_label("Request JSON")).to_be_focused()


def test_a_replys_follow_ups_apply_the_editor_first(signed_in_page: Page) -> None:
    page = signed_in_page
    define_weather_tool(page)
    message_box(page, 0).get_by_role("textbox").fill("What is the weather in Paris?")
    switch_view(page, "JSON")
    run_and_wait(page)
    call = page.locator("#tool-calls-0 .tool-call")
    call.get_by_role("textbox").fill("18 degrees and sunny")
    call_id = call.get_attribute("data-call-id")

    continue_and_wait(page)
    expect(view_tab(page, "Form")).to_have_attribute("aria-selected", "true")
    rows = page.locator("#messages [data-message]")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).locator(".message-tool-calls")).to_have_text(
        re.compile(rf"^→ get_weather\(\{{.*\}}\)  {re.escape(call_id)}$")
    )
    expect(rows.nth(2).locator(".tool-call-id")).to_have_value(call_id)
    expect(page.locator("#reply-0")).to_contain_text("get_weather returned 18 degrees and sunny")

    switch_view(page, "JSON")
    page.get_by_role("button", name="Add to conversation").click()
    expect(view_tab(page, "Form")).to_have_attribute("aria-selected", "true")
    expect(rows).to_have_count(5)
    expect(rows.nth(3).get_by_role("textbox")).to_have_value(
        re.compile("get_weather returned 18 degrees and sunny")
    )
    expect(rows.nth(4).get_by_role("textbox")).to_be_focused()


def test_switching_modes_keeps_what_was_typed_in_each(signed_in_page: Page) -> None:
    page = signed_in_page
    mode = page.get_by_label("Mode", exact=True)
    message_box(page, 0).get_by_role("textbox").fill("A chat message")
    page.locator("#param-temperature").fill("0.3")
    mode.select_option("completion")
    expect(page.locator("#messages")).to_be_hidden()
    page.locator("#completion-prompt").fill("Once upon a time")
    page.locator("#completion-suffix").fill("The end.")
    expect(page.locator("#param-temperature")).to_have_value("0.3")  # one input for both
    mode.select_option("chat")
    expect(message_box(page, 0).get_by_role("textbox")).to_have_value("A chat message")
    mode.select_option("completion")
    expect(page.locator("#completion-prompt")).to_have_value("Once upon a time")
    expect(page.locator("#completion-suffix")).to_have_value("The end.")
    # The JSON view shows the request of the mode shown.
    switch_view(page, "JSON")
    data = editor_request(page)
    assert data["mode"] == "completion" and data["body"]["prompt"] == "Once upon a time"
    assert data["body"]["temperature"] == 0.3 and "messages" not in data["body"]
