"""The export panel in a real browser: it follows the form live, switches tabs and copies."""

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import FAKE_KEY
from tests.browser.test_playground_page import switch_view


def test_the_panel_follows_the_form_and_copies_the_snippet(signed_in_page: Page) -> None:
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    code = page.locator("#export-code")
    expect(code).to_contain_text("from openai import OpenAI")
    expect(code.locator("span").first).to_be_attached()  # highlighted, not plain text

    page.get_by_label("System prompt").fill("Answer in 中文, cite $SOURCES")
    page.get_by_role("textbox", name="Message").first.fill('Say "</script>"')
    expect(code).to_contain_text("Answer in 中文, cite $SOURCES")
    expect(code).to_contain_text("'content': 'Say \"</script>\"'")

    page.get_by_role("button", name="+ Add message").click()
    expect(code).to_contain_text("'role': 'assistant'")

    page.get_by_role("tab", name="Node.js").click()
    expect(page.get_by_role("tab", name="Node.js")).to_have_attribute("aria-selected", "true")
    expect(code).to_contain_text('import OpenAI from "openai"')
    # The live update keeps the chosen tab, asking the same URL scripts use: /export/<lang>.
    with page.expect_request(re.compile(r"/export/node$")) as asked:
        page.get_by_role("textbox", name="Message").first.fill("after switching")
    assert asked.value.method == "POST"
    expect(code).to_contain_text('"content": "after switching"')
    expect(code).to_contain_text('import OpenAI from "openai"')

    page.get_by_role("tab", name="curl").click()
    expect(code).to_contain_text("--data-binary @- <<'JSON'")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# The offline model exists only inside the playground")
    assert "after switching" in copied
    assert FAKE_KEY not in copied

    page.locator("#param-temperature").fill("9")  # chat's (other modes have their own)
    expect(page.locator(".export-errors")).to_contain_text("temperature")
    expect(page.locator("#export-code")).to_have_count(0)


def test_the_panel_follows_the_json_view_and_the_form_it_applies(signed_in_page: Page) -> None:
    """In the JSON view the panel exports the editor's text, as Run sends it; applied, the
    form the server renders from it exports the same."""
    page = signed_in_page
    code = page.locator("#export-code")
    page.get_by_role("tablist", name="Export as").get_by_role("tab", name="JSON").click()
    expect(code).to_contain_text('"model": "offline-1"')
    body = {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "user", "content": "Weather in 北京?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "北京"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "晴 $5 `x`"},
        ],
        "temperature": 0.3,
        "seed": 2**63 - 1,
        "top_k": 40,
        "stream": True,
    }
    switch_view(page, "JSON")
    editor = page.get_by_label("Request JSON")
    editor.fill(json.dumps({"mode": "chat", "provider": "openai", "body": body}))
    expect(code).to_contain_text('"seed": 9223372036854775807')
    assert json.loads(code.inner_text()) == body

    # Typing in the editor is followed; JSON that does not parse is named, not exported.
    body["temperature"] = 1.2
    editor.fill(json.dumps({"mode": "chat", "provider": "openai", "body": body}))
    expect(code).to_contain_text('"temperature": 1.2')
    assert json.loads(code.inner_text()) == body
    editor.press("End")
    editor.press_sequentially(",")
    expect(page.locator(".export-errors")).to_contain_text("request: is not valid JSON")
    editor.press("Backspace")
    expect(code).to_contain_text('"temperature": 1.2')

    page.get_by_role("button", name="Apply JSON to the form").click()
    expect(page.locator("#request-view-status")).to_have_text(
        "Applied to the form. Extensions: top_k"
    )
    page.get_by_role("textbox", name="Message").first.fill("Weather in 上海?")
    expect(code).to_contain_text("上海")
    assert json.loads(code.inner_text())["messages"][0]["content"] == "Weather in 上海?"
    assert json.loads(code.inner_text())["seed"] == 2**63 - 1
