"""Both palettes in Chromium, measured as the user sees them.

The header's switch chooses the theme (on a device set the other way, so the choice is what
shows), a reload keeps it, and then the colours Chromium computed for body text, links,
buttons, inputs, status messages, diffs, probability bands and highlighted code meet WCAG
AA: 4.5:1 for text, 3:1 for large text and for the border that shows where a field is.
"""

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.contrast import contrast_problems
from tests.browser.test_playground_page import message_box, run_and_wait, wait_for_final_status
from tests.fake_upstream import FakeUpstream, Scenario

USERNAME = "palette-tester"
PASSWORD = "palette-password-for-tests-4"
MAKE_USER_AND_PRESET = f"""
import json
from django.contrib.auth import get_user_model
from playground.presets.services import preset_create, preset_save
user = get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})
def request(text, temperature):
    return {{"mode": "chat", "provider": "offline", "body": {{"model": "offline-1",
             "temperature": temperature, "messages": [{{"role": "user", "content": text}}]}}}}
preset = preset_create(owner=user, name="Palette", request=request("Summarise this", 0.2))
preset_save(preset_id=preset.pk, author=user, request=request("Summarise that", 0.7),
            base_version=None)
print(json.dumps({{"preset": str(preset.pk)}}))
"""
LABELS = {"light": "Light", "dark": "Dark"}

BODY_TEXT = [".panel label", ".panel-title", "#estimate", ".reply-view-switch", ".brand"]
LINKS = [".site-nav a", ".topbar .link-button", ".signout a.who", ".live-share a"]
BUTTONS = [
    "button.primary",
    "#add-message",
    ".request-views .tab[aria-selected=true]",
    ".request-views .tab[aria-selected=false]",
    ".export .tab[aria-selected=true]",
    ".export .tab[aria-selected=false]",
]
INPUTS = ["#provider", "#model", "textarea", "#param-temperature"]
STATUSES = ["#run-status", "#connection", ".badge.offline"]
PAGE_PARTS = ["h1", "main a", "main button", "main input", ".muted"]


@pytest.fixture(scope="session")
def palette_user(live_server_url: str, live_manage: Callable[..., str]) -> dict[str, str]:
    return json.loads(live_manage("shell", "-c", MAKE_USER_AND_PRESET).strip().splitlines()[-1])


def choose_theme(page: Page, theme: str) -> None:
    """Press the header's switch until it shows ``theme``: the page changes at once."""
    switch = page.locator("form.theme-switch button")
    for _step in range(3):
        if switch.text_content() == f"Theme: {LABELS[theme]}":
            break
        label = switch.text_content()
        switch.click()
        expect(switch).not_to_have_text(label or "")
    expect(switch).to_have_text(f"Theme: {LABELS[theme]}")
    expect(page.locator("html")).to_have_attribute("data-theme", theme)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_chosen_palette_meets_wcag_aa_everywhere_it_was_sampled(
    browser: Browser,
    live_server_url: str,
    palette_user: dict[str, str],
    fake_upstream: FakeUpstream,
    theme: str,
) -> None:
    device = "dark" if theme == "light" else "light"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=device)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[str]] = {}
    try:
        # A refused sign-in: the error message, in the device's scheme before any choice.
        page.goto(live_server_url + "/login/")
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".error")).to_be_visible()
        found["sign-in refused"] = contrast_problems(page, [".error", "label", "input", "button"])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(live_server_url + "/")
        expect(page.locator("#connection")).to_have_text("Connected")

        choose_theme(page, theme)
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        expect(page.locator("form.theme-switch button")).to_have_text(f"Theme: {LABELS[theme]}")
        expect(page.locator("#connection")).to_have_text("Connected")

        # A finished run with its token probabilities.
        message_box(page, 0).get_by_role("textbox").fill("Hello")
        page.locator("#more-parameters summary").click()
        page.locator("#param-logprobs").select_option("true")
        page.locator("#param-top_logprobs").fill("3")
        page.locator("#param-max_tokens").fill("12")
        run_and_wait(page)
        expect(page.locator("#logprobs-0 .token").first).to_be_visible()
        found["playground, done"] = contrast_problems(
            page,
            [*BODY_TEXT, *LINKS, *BUTTONS, *INPUTS, *STATUSES, ".reply", "#logprobs-0 .token"],
        )
        # Every band a token can be drawn in, whichever ones this reply happened to use.
        page.evaluate(
            """() => {
                const view = document.querySelector("#logprobs-0");
                for (const band of ["high", "good", "mid", "low", "poor"]) {
                    const token = document.createElement("span");
                    token.className = "token p-" + band;
                    token.textContent = "band " + band;
                    view.append(token);
                }
            }"""
        )
        found["probability bands"] = contrast_problems(
            page, [f"#logprobs-0 .p-{band}" for band in ["high", "good", "mid", "low", "poor"]]
        )
        found["highlighted code"] = contrast_problems(page, ["#export-code span"], limit=400)

        # A run refused before sending: top_logprobs without logprobs.
        page.locator("#param-logprobs").select_option("")
        run_and_wait(page, "invalid")
        found["playground, invalid"] = contrast_problems(page, ["#run-status", ".field-errors li"])

        # A run the provider refused, naming a parameter (its input is marked).
        page.get_by_label("Provider").select_option("openai")
        page.locator("#param-top_logprobs").fill("")
        page.locator("#param-temperature").fill("0.2")
        fake_upstream.answer_next(
            Scenario(status=400, error_message="Unsupported value.", error_param="temperature")
        )
        run_and_wait(page, "error")
        found["playground, error"] = contrast_problems(
            page, ["#run-status", "#run-status .status-param", "#param-temperature"]
        )

        # A run stopped by the user.
        page.get_by_label("Provider").select_option("offline")
        page.locator("#param-temperature").fill("")
        page.locator("#param-max_tokens").fill("")
        message_box(page, 0).get_by_role("textbox").fill("Please write a long answer")
        wait_for_final_status(
            page,
            lambda: (
                page.get_by_role("button", name="Run", exact=True).click(),
                expect(page.get_by_role("button", name="Stop")).to_be_enabled(),
                page.get_by_role("button", name="Stop").click(),
            ),
        )
        expect(page.locator("#run-status")).to_have_attribute("data-state", "stopped")
        found["playground, stopped"] = contrast_problems(page, ["#run-status"])

        # An edit's word diff.
        page.get_by_label("Mode", exact=True).select_option("edit")
        page.get_by_label("Instruction", exact=True).fill("Fix the spelling.")
        page.locator("#edit-input").fill("teh cat sat on teh mat")
        run_and_wait(page)
        found["edit diff"] = contrast_problems(
            page, [".edit-diff del", ".edit-diff ins", ".edit-diff span"]
        )

        # A preset's two versions, line by line.
        page.goto(f"{live_server_url}/presets/{palette_user['preset']}/")
        expect(page.locator(".diff-lines .diff-added").first).to_be_visible()
        found["preset diff"] = contrast_problems(
            page,
            [".diff-added", ".diff-removed", ".diff-lines span", *PAGE_PARTS],
        )
    finally:
        context.close()
    short = [f"{name}: {problem}" for name, problems in found.items() for problem in problems]
    assert not short, "\n".join(short)
