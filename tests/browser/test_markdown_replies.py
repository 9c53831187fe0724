"""A reply written in Markdown, as the user sees it: a table, highlighted code with Copy, and
the switch to the raw text, remembered on the history's run page."""

from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import run_and_wait
from tests.fake_upstream import FakeUpstream, Scenario

REPLY = [
    "Tides:\n\n",
    "| tide | height |\n",
    "|------|-------:|\n",
    "| high | 2 m |\n",
    "| low | 0.5 m |\n\n",
    "```python\n",
    "def tide(hour):\n",
    '    return "high"\n',
    "```\n",
]


def test_a_markdown_reply_shows_a_table_and_code_to_copy_and_switches_to_raw(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_label("Provider").select_option("openai")
    page.get_by_role("textbox", name="Message").first.fill("Tides as a table, and code")
    fake_upstream.answer_next(Scenario(tokens=lambda body: REPLY))
    run_and_wait(page)

    rendered = page.locator(".candidate .reply-rendered")
    table = rendered.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("cell", name="0.5 m")).to_be_visible()
    code = rendered.locator(".code-block")
    expect(code.locator(".code-language")).to_have_text("python")
    expect(code.locator("pre.highlight .k").first).to_have_text("def")  # highlighted
    code.get_by_role("button", name="Copy", exact=True).click()
    expect(code.get_by_role("button", name="Copied", exact=True)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == (
        'def tide(hour):\n    return "high"\n'
    )

    raw = page.get_by_role("button", name="Raw", exact=True)
    expect(raw).to_have_attribute("aria-pressed", "false")
    raw.click()
    expect(raw).to_have_attribute("aria-pressed", "true")
    expect(rendered).to_be_hidden()
    expect(page.locator("#reply-0")).to_be_visible()
    expect(page.locator("#reply-0")).to_contain_text("| tide | height |")

    # The choice is remembered: the run's page in the history opens on the raw text.
    page.locator("#run-record").get_by_role("link", name="history").click()
    expect(page.locator(".run-reply")).to_be_visible()
    expect(page.locator(".run-reply")).to_contain_text("```python")
    page.get_by_role("button", name="Raw", exact=True).click()
    expect(page.locator(".run-candidate").get_by_role("table")).to_be_visible()
    expect(page.locator(".run-reply")).to_be_hidden()
