"""Upstream failures as a user sees them in the browser: the blamed parameter is
highlighted, and a retry shows its status while Stop stays available."""

from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import message_box, run_and_wait, switch_view
from tests.fake_upstream import FakeUpstream, Scenario


def test_a_400_naming_a_parameter_highlights_its_input(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#param-temperature").fill("0.2")
    fake_upstream.answer_next(
        Scenario(
            status=400,
            error_message="Unsupported value: 'temperature' does not support 0.2 with this model.",
            error_param="temperature",
        )
    )
    run_and_wait(page, "error")
    status = page.locator("#run-status")
    expect(status).to_contain_text("The provider objected to temperature")
    expect(page.locator("#param-temperature")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#param-top_p")).not_to_have_attribute("aria-invalid", "true")

    # The next run that works clears the mark.
    page.locator("#param-temperature").fill("")
    run_and_wait(page)
    expect(page.locator("#param-temperature")).not_to_have_attribute("aria-invalid", "true")


def test_a_rate_limit_is_retried_with_the_wait_shown(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    fake_upstream.answer_next(Scenario(status=429, retry_after="2"))
    page.get_by_role("button", name="Run", exact=True).click()
    status = page.locator("#run-status")
    expect(status).to_contain_text("Rate limited (429), retrying in 2 s, attempt 2 of 3")
    expect(page.get_by_role("button", name="Stop")).to_be_enabled()
    expect(status).to_have_attribute("data-state", "done", timeout=10_000)
    expect(page.locator("#reply-0")).to_have_text("".join(f" word{i}" for i in range(20)))
    assert len(fake_upstream.chat_requests) == 2


def test_a_400_blaming_an_extension_key_highlights_the_extensions(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    # vLLM's top_k has no input of its own: it is typed under Extensions, so that is where
    # the user must look.
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#extensions").fill('{"top_k": -5}')
    fake_upstream.answer_next(
        Scenario(status=400, error_message="top_k must be at least 1.", error_param="top_k")
    )
    run_and_wait(page, "error")
    expect(page.locator("#run-status")).to_contain_text("The provider objected to top_k")
    expect(page.locator("#extensions")).to_have_attribute("aria-invalid", "true")


def test_in_the_json_view_a_blamed_parameter_marks_the_editor(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    # The JSON view holds every key, so that is where the user must look.
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#param-temperature").fill("0.2")
    switch_view(page, "JSON")
    fake_upstream.answer_next(
        Scenario(status=400, error_message="Unsupported value", error_param="temperature")
    )
    run_and_wait(page, "error")
    expect(page.locator("#run-status")).to_contain_text("The provider objected to temperature")
    expect(page.get_by_label("Request JSON")).to_have_attribute("aria-invalid", "true")
    run_and_wait(page)
    expect(page.get_by_label("Request JSON")).not_to_have_attribute("aria-invalid", "true")
