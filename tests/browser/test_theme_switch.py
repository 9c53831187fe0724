"""The header's theme switch in Chromium: the colours change at once, with no reload, and
the choice is still there after one."""

from playwright.sync_api import Page, expect


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def test_the_theme_switch_changes_the_colours_at_once_and_is_remembered(
    signed_in_page: Page, live_server_url: str
) -> None:
    page = signed_in_page
    page.emulate_media(color_scheme="light")
    light = background(page)
    switch = page.locator("form.theme-switch button")
    expect(switch).to_have_text("Theme: System")
    page.evaluate("window.__sameDocument = true")

    switch.click()  # System → Light: the colours stay light
    expect(switch).to_have_text("Theme: Light")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    switch.click()  # Light → Dark
    expect(switch).to_have_text("Theme: Dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) != light
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    expect(page.locator("#connection")).to_have_text("Connected")  # the socket stayed open

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(switch).to_have_text("Theme: Dark")
    dark = background(page)
    assert dark != light

    switch.click()  # Dark → System: the device's (light here)
    expect(switch).to_have_text("Theme: System")
    expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    page.emulate_media(color_scheme="dark")
    assert background(page) == dark  # "system" follows the device's dark scheme
    page.reload()
    expect(switch).to_have_text("Theme: System")
