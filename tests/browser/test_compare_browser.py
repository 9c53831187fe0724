"""Compare in a real browser: the playground's request opens in two columns, both stream
at once, each shows its reply, tokens and timings, the diff and the better answer work,
and the comparison is saved as presets and reopened."""

from playwright.sync_api import Page, expect

from tests.fake_upstream import FakeUpstream, Scenario


def answer(body: dict) -> list[str]:
    return ["Oslo is", " the capital"] if body["model"] == "model-a" else ["Oslo is", " a city"]


def test_two_models_side_by_side(
    signed_in_page: Page, live_server_url: str, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    fake_upstream.default = Scenario(tokens=answer, tokens_per_second=20)
    page.get_by_label("Provider").select_option("openai")
    page.get_by_role("textbox", name="Message").first.fill("What is {{city}}?")
    expect(page.locator('textarea[name="variable.city"]')).to_be_visible()
    page.locator('textarea[name="variable.city"]').fill("Oslo")
    page.get_by_role("button", name="Compare…").click()

    expect(page).to_have_url(live_server_url + "/compare/")
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.locator("#compare-variables")).to_have_value("city = Oslo")
    page.locator("#model-0").fill("model-a")
    page.locator("#model-1").fill("model-b")
    page.locator("#label-1").fill("B")
    page.get_by_role("button", name="Run every column").click()

    expect(page.locator("#compare-status")).to_have_attribute("data-state", "done", timeout=20_000)
    expect(page.locator("#c0-reply-0")).to_have_text("Oslo is the capital")
    expect(page.locator("#c1-reply-0")).to_have_text("Oslo is a city")
    for column in (0, 1):
        expect(page.locator(f"#c{column}-run-status")).to_contain_text("first token")
        expect(page.locator(f"#c{column}-run-record")).to_contain_text("Saved in history")
    page.locator("#c1-code summary").click()
    expect(page.locator("#c1-code")).to_contain_text('"model-b"')
    sent = {r.body["model"]: r.body for r in fake_upstream.requests_to("/chat/completions")}
    assert sent["model-a"]["messages"][-1]["content"] == "What is Oslo?"

    page.get_by_role("button", name="Show the diff").click()
    expect(page.locator("#compare-diff .edit-diff del")).to_have_text(["the", "capital"])
    expect(page.locator("#compare-diff .edit-diff ins")).to_have_text(["a", "city"])
    page.get_by_label("The better answer is").select_option("1")
    page.get_by_role("button", name="Mark it").click()
    expect(page.locator("#compare-preferred")).to_contain_text("Marked column 2 (B)")

    page.get_by_label("Save the comparison as presets named").fill("Capitals")
    page.get_by_role("button", name="Save as presets").click()
    page.locator("#compare-reopen").click()
    expect(page.locator("#model-0")).to_have_value("model-a")
    expect(page.locator("#model-1")).to_have_value("model-b")
