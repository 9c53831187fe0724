"""The key-leak scan (tests/leak_scan.py) covers the browser tests' runs too: the pages
Chromium shows, the websocket frames it receives and the live server's log."""

from playwright.sync_api import Page

from tests.browser.conftest import FAKE_KEY
from tests.browser.test_playground_page import message_box, run_and_wait
from tests.fake_upstream import FakeUpstream, Scenario
from tests.leak_scan import SECRETS, collected


def test_the_browser_runs_are_scanned_for_the_live_servers_key(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    # An upstream that quotes the key back: the page must show it scrubbed.
    fake_upstream.answer_next(
        Scenario(status=401, error_message=f"Incorrect API key provided: {FAKE_KEY}.")
    )
    run_and_wait(page, "error")
    run_and_wait(page)

    assert FAKE_KEY in SECRETS
    frames = [
        text
        for kind, test, text in collected.items
        if kind == "frame" and test == collected.current_test
    ]
    assert any("Incorrect API key provided" in text for text in frames)
    assert any("word19" in text for text in frames)
    assert FAKE_KEY not in page.content()
