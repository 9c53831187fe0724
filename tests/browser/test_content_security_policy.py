"""The Content-Security-Policy in Chromium: the pages work under it without one violation,
and a script injected into the page (the way an XSS would) does not run."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

# Every violation each page reports, collected before any of the page's own code runs,
# kept in the page and handed to the test (across navigations).
# They are also mirrored into attributes of <html>, so that a test waits for them with
# expect(): page.wait_for_function would evaluate its string with eval, which the policy
# refuses once it has to poll.
LISTEN = """
window.__cspViolations = [];
let reported = 0;
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = `${event.violatedDirective} ${event.blockedURI}`;
  window.__cspViolations.push(violation);
  const root = document.documentElement;
  root.dataset.cspViolations = window.__cspViolations.join("\\n");
  root.dataset.cspViolationCount = String(window.__cspViolations.length);
  window.__reportCspViolation(`${location.pathname}: ${violation}`).then(() => {
    reported += 1;
    root.dataset.cspReported = String(reported);
  });
}, true);
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.reported: list[str] = []
        page.on("console", self.on_console)
        page.expose_function("__reportCspViolation", self.on_report)
        page.add_init_script(LISTEN)

    def on_report(self, violation: str) -> None:
        self.reported.append(violation)

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def in_page(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")


@pytest.fixture
def violations(page: Page) -> Iterator[Violations]:
    # Requested before signed_in_page: the sign-in page is watched too.
    yield Violations(page)


def test_the_pages_work_under_the_policy_with_no_violation(
    violations: Violations, signed_in_page: Page, live_server_url: str
) -> None:
    page = signed_in_page
    header = page.goto(live_server_url + "/").headers["content-security-policy"]
    socket = live_server_url.replace("http://", "ws://")
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        f"connect-src 'self' {socket}",
    ):
        assert directive in header, header
    assert "unsafe" not in header
    expect(page.locator("#connection")).to_have_text("Connected")
    assert page.evaluate("[htmx.config.allowEval, htmx.config.allowScriptTags]") == [False, False]

    # A run on the offline model streams its reply over the socket.
    page.get_by_role("textbox", name="Message").first.fill("Tell me about tides")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#run-status")).to_have_attribute("data-state", "done", timeout=20_000)
    expect(page.locator("#reply-0")).to_contain_text("Tell me about tides")

    # The export panel (highlighted code, tabs) and the JSON view of the request.
    expect(page.locator("#export-code")).to_contain_text("from openai import OpenAI")
    page.get_by_role("tab", name="curl").click()
    expect(page.locator("#export-code")).to_contain_text("--data-binary @- <<'JSON'")

    # Save a preset, share it by link, open its page and the presets list.
    panel = page.locator("#save-controls")
    panel.get_by_label("Name").fill("Tides under CSP")
    panel.get_by_role("button", name="Save preset").click()
    expect(page.locator("#save-controls .saved")).to_contain_text("version 1")
    page.locator("#save-controls .open-preset a").click()
    expect(page.locator(".history tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Presets", exact=True).click()
    expect(page.locator("#preset-results")).to_contain_text("Tides under CSP")
    page.get_by_label("Search").fill("tides")
    expect(page.locator("#preset-results tr", has_text="Tides under CSP")).to_have_count(1)

    assert violations.reported == []
    assert violations.console == []


def test_an_injected_inline_script_handler_and_eval_are_blocked(
    violations: Violations, signed_in_page: Page
) -> None:
    page = signed_in_page
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true;";
          document.body.append(script);
          document.body.insertAdjacentHTML(
            "beforeend", '<img src="/nothing.png" id="probe" onerror="window.__handler = true">');
        }"""
    )
    expect(page.locator("#probe")).to_be_attached()
    expect(page.locator("html")).to_have_attribute(
        "data-csp-violation-count", re.compile(r"^([2-9]|\d{2,})$")
    )
    assert page.evaluate("[window.__injected, window.__handler]") == [None, None]
    # htmx's own evaluation (hx-on, trigger filters) is off, and so would eval be in any
    # script of the page: with htmx's switch turned back on, the policy still refuses it.
    # (page.evaluate itself is the debugger's, which CSP does not govern.)
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend",
            '<button id="hx-on" hx-on:click="window.__hxOn = true">a</button>' +
            '<button id="hx-filter" hx-get="/nothing/" hx-trigger="click[window.__filter = true]">b</button>');
          htmx.process(document.body);
        }"""
    )
    page.locator("#hx-on").click()
    page.locator("#hx-filter").click()
    page.evaluate("() => { htmx.config.allowEval = true; }")
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend",
            '<button id="hx-on-eval" hx-on:click="window.__hxOnEval = true">c</button>');
          htmx.process(document.getElementById("hx-on-eval"));
        }"""
    )
    page.locator("#hx-on-eval").click()
    expect(page.locator("html")).to_have_attribute(
        "data-csp-violations", re.compile(r"(^|\n)[^\n]* eval($|\n)")
    )
    assert page.evaluate("[window.__hxOn, window.__filter, window.__hxOnEval]") == [
        None,
        None,
        None,
    ]
    found = violations.in_page()
    assert any(v.startswith("script-src-elem") for v in found), found
    assert any(v.startswith("script-src-attr") for v in found), found
    assert any("Content Security Policy" in text for text in violations.console)
    # The channel the other tests read (violations on every page they visit) sees them too.
    expect(page.locator("html")).to_have_attribute("data-csp-reported", re.compile(r"^[1-9]"))
    assert any("script-src-elem" in v for v in violations.reported), violations.reported


def test_the_admin_works_under_the_policy_with_no_violation(
    violations: Violations, page: Page, live_server_url: str, live_manage
) -> None:
    live_manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.filter(username='csp-admin').exists() or "
        "get_user_model().objects.create_superuser('csp-admin', password='csp-admin-pw-1234')",
    )
    page.set_default_timeout(10_000)
    page.goto(live_server_url + "/admin/")
    page.get_by_label("Username").fill("csp-admin")
    page.get_by_label("Password").fill("csp-admin-pw-1234")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(live_server_url + "/admin/auth/user/")
    page.get_by_role("link", name="csp-admin").click()
    expect(page.get_by_role("heading", name="Change user")).to_be_visible()
    page.goto(live_server_url + "/admin/providerconfig/providerconfig/add/")
    expect(page.locator("#content h1")).to_be_visible()

    assert violations.reported == []
    assert violations.console == []
