"""Every page, in both languages, both colour schemes and at a phone's and a desktop's
width, checked in Chromium by axe-core (WCAG 2.1 A and AA, and axe's best practices):
no violation of serious or critical impact — contrast, names and labels, roles, keyboard
access among them — and no page wider than the window (nothing scrolls sideways).

axe-core is vendored in tests/browser/vendor (it is plain JavaScript, evaluated in the
page through the debugger, which the page's Content-Security-Policy does not govern).
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, USERNAME
from tests.browser.site_pages import site_pages

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}"""
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
LANGUAGES = {"en": "en-US", "zh-hans": "zh-CN"}


@pytest.fixture(scope="session")
def every_page(live_server_url: str, live_manage: Callable[..., str], live_server_data_dir: Path):
    return site_pages(live_manage, live_server_data_dir)


def violations(page: Page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(RUN_AXE)
    # No page scrolls sideways, at either width: wide content scrolls inside its own box.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        found.append(f"the page scrolls sideways by {overflow} px")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_every_page_passes_the_accessibility_checker(
    browser: Browser,
    live_server_url: str,
    every_page: dict[str, str],
    size: str,
    scheme: str,
    language: str,
) -> None:
    context = browser.new_context(
        viewport=SIZES[size], color_scheme=scheme, locale=LANGUAGES[language]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[str]] = {}
    try:
        page.goto(live_server_url + "/login/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        found["sign-in"] = violations(page)
        page.locator("input[name=username]").fill(USERNAME)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page).to_have_url(live_server_url + "/")
        for name, path in every_page.items():
            page.goto(live_server_url + path)
            expect(page).to_have_url(re.compile(re.escape(live_server_url + path) + r"(\?.*)?$"))
            found[name] = violations(page)
    finally:
        context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}
