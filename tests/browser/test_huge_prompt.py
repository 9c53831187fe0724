"""A prompt above the socket's message limit is refused by the page before it is sent.

daphne drops a websocket whose message exceeds its limit (1 MiB by default): the page
used to lose its connection and the run with it. Now the page measures the message it is
about to send and says why it did not; the socket stays open for the next run.
"""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import run_and_wait


def test_a_prompt_above_the_limit_is_refused_and_the_socket_stays_usable(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(len(frame))))
    prompt = page.get_by_role("textbox", name="Message").first
    # 600,000 two-byte characters: 1.2 MB of UTF-8, though only 600,000 JavaScript characters.
    prompt.fill("é" * 600_000)
    page.get_by_role("button", name="Run", exact=True).click()
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-state", "error")
    # 1.2 MB of prompt and the rest of the form (its size moves with the form's defaults).
    expect(status).to_contain_text(re.compile(r"Not sent: the request is 1,20\d,\d{3} bytes"))
    expect(status).to_contain_text("at most 1,048,576 bytes (1 MiB) per run")
    expect(page.locator("#connection")).to_have_text("Connected")
    assert all(size < 1_048_576 for size in sent)

    prompt.fill("Tell me about tides")
    run_and_wait(page)
    expect(page.locator("#reply-0")).not_to_be_empty()
    expect(page.locator("#connection")).to_have_text("Connected")
