"""The responses mode in a real browser: a run on the offline model streams its reply and
lists the stream's events; Continue fills previous_response_id, and the next run continues
the conversation."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import violations
from tests.browser.test_playground_page import run_and_wait


def test_responses_run_then_continue_with_the_offline_model(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("responses")
    expect(page.locator("#messages")).to_be_hidden()
    page.get_by_label("Instructions", exact=True).fill("Be brief.")
    page.get_by_role("textbox", name="Input", exact=True).fill("My name is Ada.")
    run_and_wait(page)
    expect(page.locator("#reply-0")).to_contain_text("You said: \u201cMy name is Ada.\u201d")
    events = page.locator("#response-events li")
    expect(events.first).to_have_attribute("data-event-type", "response.created")
    expect(events.last).to_have_attribute("data-event-type", "response.completed")
    expect(page.locator("#response-events")).to_contain_text("response.output_text.delta")
    response_id = page.locator("#response-id").text_content()
    assert response_id and re.fullmatch(r"resp_\w+", response_id), response_id
    # The chat page's "Add to conversation" does not apply here: Continue does.
    expect(page.locator(".add-reply")).to_be_hidden()

    page.get_by_role("button", name="Continue", exact=True).click()
    previous = page.get_by_label("Continue from response")
    expect(previous).to_have_value(response_id)
    expect(page.get_by_role("textbox", name="Input", exact=True)).to_be_focused()
    expect(page.get_by_role("textbox", name="Input", exact=True)).to_have_value("")
    page.get_by_role("textbox", name="Input", exact=True).fill("What is my name?")
    run_and_wait(page)
    reply = page.locator("#reply-0")
    expect(reply).to_contain_text(
        "(Offline model, turn 2) You first said: \u201cMy name is Ada.\u201d"
    )
    expect(reply).to_contain_text("You said: \u201cWhat is my name?\u201d")
    expect(page.locator("#response-id")).not_to_have_text(response_id)
    assert violations(page) == []


def test_an_unknown_previous_response_id_is_named_on_the_page(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("responses")
    page.get_by_role("textbox", name="Input", exact=True).fill("Hello")
    page.get_by_label("Continue from response").fill("resp_unknown")
    run_and_wait(page, state="error")
    expect(page.locator("#run-status")).to_contain_text(
        "previous_response_id resp_unknown is not known to this provider"
    )


def test_a_json_schema_format_and_a_reasoning_summary_from_the_form(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("responses")
    page.get_by_role("textbox", name="Input", exact=True).fill("Name a colour")
    page.locator("#more-parameters summary").click()
    page.locator("#responses-param-text").select_option("json_schema")
    page.locator("#responses-param-response_format_name").fill("colour")
    page.locator("#responses-param-response_format_schema").fill(
        '{"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}'
    )
    page.locator("#responses-param-reasoning_summary").select_option("auto")
    run_and_wait(page)
    reply = json.loads(page.locator("#reply-0").text_content() or "")
    assert isinstance(reply["colour"], str)
    expect(page.locator(".reasoning-summary")).to_contain_text("Name a colour")
