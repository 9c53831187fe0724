"""The history in a real browser: a run is saved, survives a reload, is found by a search,
reopens in the playground exactly, and a stopped run keeps its timings and usage."""

import uuid

from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import wait_for_final_status
from tests.fake_upstream import FakeUpstream, Scenario


def test_a_run_is_kept_found_and_reopened(
    signed_in_page: Page, live_server_url: str, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    word = f"marker{uuid.uuid4().hex[:10]}"
    page.get_by_label("Provider").select_option("openai")
    page.get_by_role("textbox", name="Message").first.fill(f"{word} tell me about 天气")
    page.locator("#param-temperature").fill("0.3")
    fake_upstream.answer_next(Scenario(tokens=lambda body: ["It", " is", " sunny"]))
    state = wait_for_final_status(page, lambda: page.get_by_role("button", name="Run").click())
    assert state == "done"
    record = page.locator("#run-record")
    expect(record).to_contain_text("Saved in history")
    # The estimate under Run counted the prompt before it was sent.
    expect(page.locator("#estimate")).to_contain_text("prompt tokens")

    page.reload()
    page.get_by_role("link", name="History").first.click()
    page.get_by_label("Search prompts and replies").fill(word)
    rows = page.locator("#history-results .run-row")
    expect(rows).to_have_count(1)
    # A Chinese word is found inside the sentence too.
    page.get_by_label("Search prompts and replies").fill(f"{word} 天气")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.locator(".run-reply")).to_have_text("It is sunny")
    expect(page.locator("#run-request")).to_contain_text('"temperature": 0.3')

    page.get_by_role("link", name="Open in playground").click()
    expect(page.locator("#opened-run")).to_be_visible()
    expect(page.get_by_role("textbox", name="Message").first).to_have_value(
        f"{word} tell me about 天气"
    )
    expect(page.locator("#param-temperature")).to_have_value("0.3")
    expect(page.get_by_label("Provider")).to_have_value("openai")


def test_stop_keeps_the_timings_the_inspector_and_a_counted_usage(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    page.get_by_role("textbox", name="Message").first.fill("Talk for a long time")
    fake_upstream.answer_next(Scenario(tokens_per_second=30, tokens=lambda body: [" word"] * 600))
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#reply-0")).to_contain_text("word")
    page.get_by_role("button", name="Stop").click()
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-state", "stopped")
    expect(status).to_contain_text("Stopped after")
    expect(status).to_contain_text("The partial reply is kept.")
    expect(page.locator("#raw-response")).to_be_visible()
    # The provider reported no usage before the Stop: counted here, and marked so.
    expect(page.locator("#run-record")).to_contain_text("(estimated)")
    page.locator("#run-record").get_by_role("link", name="history").click()
    expect(page.locator("#run-status-recorded")).to_have_text("Stopped")
    expect(page.locator("#run-usage")).to_contain_text("estimated here")
