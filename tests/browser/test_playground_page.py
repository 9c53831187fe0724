"""The playground page in a real browser (Debian's Chromium) against a real daphne process.

Each test does what a user does (sign in, type, press Run, Stop, Esc, Ctrl+Enter)
and checks what the user sees; the fake upstream shows what reached the provider.
"""

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import cuttable_sockets
from tests.fake_upstream import FakeUpstream

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def reply(page: Page) -> str:
    return page.locator("#reply-0").text_content() or ""


def wait_for_reply_longer_than(page: Page, length: int, timeout: float = 10_000) -> str:
    page.wait_for_function(
        "n => (document.querySelector('#reply-0')?.textContent || '').length > n",
        arg=length,
        timeout=timeout,
    )
    return reply(page)


def message_box(page: Page, index: int):
    return page.locator("#messages [data-message]").nth(index)


def view_tab(page: Page, name: str) -> Locator:
    """The Form or JSON tab of the request (not the export panel's JSON tab)."""
    tablist = page.get_by_role("tablist", name="Edit the request as")
    return tablist.get_by_role("tab", name=name, exact=True)


def switch_view(page: Page, name: str) -> None:
    """Show the request as "Form" or "JSON", and wait until the server's answer is shown."""
    view_tab(page, name).click()
    expect(view_tab(page, name)).to_have_attribute("aria-selected", "true")


def wait_for_final_status(page: Page, click: Callable[[], None]) -> str:
    """Click, then wait for the run's final status (each status frame replaces the element)."""
    previous = page.locator("#run-status").element_handle()
    click()
    page.wait_for_function(
        """previous => {
            const status = document.getElementById("run-status");
            return status !== previous && status.dataset.state !== "running";
        }""",
        arg=previous,
        timeout=20_000,
    )
    return page.locator("#run-status").get_attribute("data-state") or ""


def run_and_wait(page: Page, state: str = "done", button: str = "Run") -> None:
    """Press Run (or ``button``) and wait for this run's final status."""
    wait_for_final_status(page, page.get_by_role("button", name=button, exact=True).click)
    expect(page.locator("#run-status")).to_have_attribute("data-state", state)


def test_sign_in_run_and_watch_the_reply_stream(signed_in_page: Page) -> None:
    page = signed_in_page
    status = page.locator("#run-status")
    expect(page.locator("#offline-badge")).to_be_visible()
    expect(page.locator("#offline-badge")).to_contain_text("Offline model")
    expect(status).to_contain_text("Ready")

    page.get_by_role("textbox", name="Message").first.fill("Tell me about tides")
    page.get_by_role("button", name="Run", exact=True).click()

    expect(status).to_contain_text("Running offline-1")
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Stop")).to_be_enabled()
    first = wait_for_reply_longer_than(page, 0)
    second = wait_for_reply_longer_than(page, len(first))
    assert second.startswith(first) and len(second) > len(first)

    expect(status).to_contain_text("Done", timeout=20_000)
    expect(status).to_have_attribute("data-state", "done")
    expect(status).to_contain_text("finish_reason: stop")
    text = reply(page)
    assert text.startswith("(Offline model) You said:")
    assert "\u201cTell me about tides\u201d" in text
    assert len(text) > len(second)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    expect(page.get_by_role("button", name="Add to conversation")).to_be_visible()


def test_stop_keeps_the_partial_reply_and_keyboard_shortcuts_work(signed_in_page: Page) -> None:
    page = signed_in_page
    status = page.locator("#run-status")
    prompt = page.get_by_role("textbox", name="Message").first
    prompt.fill("Please write a long answer")

    # Stop with the button.
    page.get_by_role("button", name="Run", exact=True).click()
    wait_for_reply_longer_than(page, 30)
    page.get_by_role("button", name="Stop").click()
    expect(status).to_have_attribute("data-state", "stopped")
    expect(status).to_contain_text("Stopped")
    kept = reply(page)
    assert kept.startswith("(Offline model) You said:")
    page.wait_for_timeout(700)  # 14 tokens' worth at 20 tokens/s
    assert reply(page) == kept, "the reply kept growing after Stop"
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()

    # Ctrl+Enter starts a run (and clears the previous reply); Esc stops it.
    prompt.click()
    page.keyboard.press("Control+Enter")
    expect(status).to_have_attribute("data-state", "running")
    wait_for_reply_longer_than(page, 30)
    page.keyboard.press("Escape")
    expect(status).to_have_attribute("data-state", "stopped")
    kept = reply(page)
    assert kept.startswith("(Offline model) You said:")
    page.wait_for_timeout(700)
    assert reply(page) == kept, "the reply kept growing after Esc"


def test_multi_turn_conversation_and_parameters_reach_the_upstream(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    expect(page.locator("#offline-badge")).to_be_hidden()
    expect(page.locator("#model")).to_have_value("gpt-4o-mini")
    page.get_by_label("System prompt").fill("You are terse.")
    message_box(page, 0).get_by_role("textbox").fill("First question")
    page.locator("#param-temperature").fill("0.7")
    page.locator("#param-max_tokens").fill("5")
    run_and_wait(page)

    expect(page.locator("#reply-0")).to_have_text(" word0 word1 word2 word3 word4")
    first = fake_upstream.chat_requests[-1].body
    assert first["temperature"] == 0.7 and isinstance(first["temperature"], float)
    assert first["max_tokens"] == 5 and isinstance(first["max_tokens"], int)
    # stream_options: a new request asks for the usage (the history's tokens and cost).
    assert set(first) == {
        "model",
        "messages",
        "temperature",
        "max_tokens",
        "stream",
        "stream_options",
    }
    assert first["stream_options"] == {"include_usage": True}
    assert first["model"] == "gpt-4o-mini"
    assert first["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "First question"},
    ]
    assert fake_upstream.chat_requests[-1].headers["authorization"] == (
        "Bearer sk-fake-browser-test-key"
    )

    # Add the reply to the conversation: an assistant message, then an empty user one.
    page.get_by_role("button", name="Add to conversation").click()
    expect(page.locator("#messages [data-message]")).to_have_count(3)
    expect(message_box(page, 1).get_by_role("combobox")).to_have_value("assistant")
    expect(message_box(page, 1).get_by_role("textbox")).to_have_value(
        " word0 word1 word2 word3 word4"
    )
    expect(message_box(page, 2).get_by_role("combobox")).to_have_value("user")
    expect(message_box(page, 2).get_by_role("textbox")).to_be_focused()
    page.keyboard.type("Second question")

    # Edit the first message; add a stray one and delete it again.
    message_box(page, 0).get_by_role("textbox").fill("First question, edited")
    page.get_by_role("button", name="+ Add message").click()
    expect(page.locator("#messages [data-message]")).to_have_count(4)
    message_box(page, 3).get_by_role("textbox").fill("This one goes away")
    message_box(page, 3).get_by_role("button", name="Delete message").click()
    expect(page.locator("#messages [data-message]")).to_have_count(3)

    page.locator("#param-top_p").fill("0.9")
    run_and_wait(page)

    body = fake_upstream.chat_requests[-1].body
    assert len(fake_upstream.chat_requests) == 2
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "First question, edited"},
        {"role": "assistant", "content": " word0 word1 word2 word3 word4"},
        {"role": "user", "content": "Second question"},
    ]
    assert body["temperature"] == 0.7
    assert body["top_p"] == 0.9 and isinstance(body["top_p"], float)
    assert body["max_tokens"] == 5
    assert set(body) == {
        "model",
        "messages",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stream_options",
    }


def test_an_invalid_parameter_is_explained_and_not_sent(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    status = page.locator("#run-status")
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#param-temperature").fill("5")
    page.get_by_role("button", name="Run", exact=True).click()

    expect(status).to_have_attribute("data-state", "invalid")
    expect(status).to_contain_text("The request was not sent")
    # The message names the field, the value given and the allowed range.
    expect(status.locator(".field-errors li")).to_have_text(
        re.compile(r"^temperature: '?5(\.0)?'? is out of range \(allowed: 0 to 2\)$")
    )
    page.wait_for_timeout(300)
    assert fake_upstream.chat_requests == []

    # Fixing the value lets the same request through.
    page.locator("#param-temperature").fill("1.5")
    run_and_wait(page)
    assert fake_upstream.chat_requests[-1].body["temperature"] == 1.5


def test_reply_text_is_shown_as_text_not_html(signed_in_page: Page) -> None:
    page = signed_in_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    prompt = "<img src=x onerror=alert(1)> <b>bold</b>"
    message_box(page, 0).get_by_role("textbox").fill(prompt)
    run_and_wait(page)

    expect(page.locator("#reply-0")).to_contain_text(prompt)
    expect(page.locator("#reply-0 img")).to_have_count(0)
    expect(page.locator("#reply-0 b")).to_have_count(0)
    assert dialogs == []


def test_two_turn_conversation_screenshot(signed_in_page: Page, tmp_path: Path) -> None:
    """A finished two-turn run, as the README shows it (UPDATE_SCREENSHOT=1 rewrites docs/)."""
    page = signed_in_page
    page.get_by_label("System prompt").fill(
        "You are a friendly guide at a science museum. Answer in two or three sentences."
    )
    page.locator("#param-temperature").fill("0.7")
    page.locator("#param-max_tokens").fill("256")
    message_box(page, 0).get_by_role("textbox").fill("Why does the Moon cause tides?")
    run_and_wait(page)
    page.get_by_role("button", name="Add to conversation").click()
    page.keyboard.type("And why are there two high tides a day?")
    run_and_wait(page)

    expect(page.locator("#messages [data-message]")).to_have_count(3)
    assert reply(page).startswith(
        "(Offline model) You said: \u201cAnd why are there two high tides a day?\u201d"
    )
    page.mouse.move(0, 0)
    path = tmp_path / "screenshot.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, SCREENSHOT)


def test_a_lost_connection_ends_the_run_and_keeps_the_partial_reply(signed_in_page: Page) -> None:
    page = signed_in_page
    sockets = cuttable_sockets(page)
    message_box(page, 0).get_by_role("textbox").fill("Please write a long answer")
    page.get_by_role("button", name="Run", exact=True).click()
    kept = wait_for_reply_longer_than(page, 30)
    sockets[-1].close(code=1012, reason="service restart")

    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("The connection to the server was lost")
    assert reply(page).startswith(kept)
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    # The socket comes back by itself, and the next run works.
    expect(page.locator("#connection")).to_have_text("Connected")
    run_and_wait(page)
