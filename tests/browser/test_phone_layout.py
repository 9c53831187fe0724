"""The playground on a phone (390x844): the conversation and Run on the first screen, the
model and parameters in a drawer, the header's links and Sign out within reach."""

from playwright.sync_api import Browser, expect

from tests.browser.conftest import PASSWORD, USERNAME

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_conversation_and_run_come_first_and_parameters_open_in_a_drawer(
    browser: Browser, live_server_url: str
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server_url + "/login/")
        page.locator("input[name=username]").fill(USERNAME)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page.locator("#connection")).to_have_text("Connected")

        message = page.get_by_role("textbox", name="Message").first
        run = page.get_by_role("button", name="Run", exact=True)
        for control in (message, run):
            box = control.bounding_box()
            assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # The parameters wait in the drawer; opened, a change there is sent with the run.
        temperature = page.locator("#param-temperature")
        expect(temperature).to_be_hidden()
        toggle = page.get_by_role("button", name="Model and parameters")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(temperature).to_be_visible()
        temperature.fill("0.3")
        toggle.click()
        expect(temperature).to_be_hidden()
        message.fill("Hello from a phone")
        run.click()
        expect(page.locator("#run-status")).to_have_attribute("data-state", "done")
        expect(page.locator("#raw-response .raw-body")).to_contain_text('"temperature": 0.3')

        # The header: every link and Sign out are on the page, none beyond its width.
        sign_out = page.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        box = sign_out.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    finally:
        context.close()


def test_on_a_desktop_the_parameters_are_shown_beside_the_conversation(
    browser: Browser, live_server_url: str
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server_url + "/login/")
        page.locator("input[name=username]").fill(USERNAME)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page.locator("#param-temperature")).to_be_visible()
        expect(page.get_by_role("button", name="Model and parameters")).to_be_hidden()
        settings = page.locator("#settings-panel").bounding_box()
        conversation = page.locator(".conversation").bounding_box()
        assert settings and conversation and settings["x"] + settings["width"] <= conversation["x"]
    finally:
        context.close()
