"""Every upstream failure kind as a user sees it in the browser, one after the other on the
same page and socket: a plain message, the partial reply kept, retries shown only where
they belong, and the next run working."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import FAKE_KEY
from tests.browser.test_playground_page import message_box, run_and_wait
from tests.fake_upstream import FakeUpstream, Scenario

FULL = "".join(f" word{i}" for i in range(20))

# (scenarios queued, what the status says, text kept, whether a retry was shown, requests)
KINDS = [
    ([Scenario(status=401, error_message="Incorrect API key provided")],
     "The provider refused the API key (401)", "", False, 1),
    ([Scenario(status=403, error_message="Country not supported")],
     "The provider refused access (403)", "", False, 1),
    ([Scenario(status=404, error_message="The model does not exist")],
     "Not found (404)", "", False, 1),
    ([Scenario(status=400, error_message="Unsupported value", error_param="temperature")],
     "The provider objected to temperature", "", False, 1),
    ([Scenario(status=429, retry_after="1")], "Done.", FULL, True, 2),
    ([Scenario(status=429)], "Done.", FULL, True, 2),
    ([Scenario(status=429, retry_after="120")], "Wait 120 s and run again", "", False, 1),
    ([Scenario(status=500, error_message="boom")], "The provider failed (500)", "", False, 1),
    ([Scenario(status=502)], "Done.", FULL, True, 2),
    ([Scenario(status=503)] * 3, "The provider failed (503)", "", True, 3),
    ([Scenario(failure="hang")], "No reply from the provider within 1 s", "", False, 1),
    ([Scenario(failure="cut", fail_after=3)], "The connection to the provider was cut",
     " word0 word1 word2", False, 1),
    ([Scenario(failure="malformed", fail_after=3)], "not valid JSON", " word0 word1 word2",
     False, 1),
    ([Scenario(failure="error_event", fail_after=3, error_message="overloaded")],
     "reported an error in the middle of the reply: overloaded", " word0 word1 word2", False, 1),
    ([Scenario(tokens_per_second=0.6)], "went quiet for 1 s in the middle of the reply",
     " word0", False, 1),
]  # fmt: skip


FAILURES_USER = "failure-tester"
FAILURES_PASSWORD = "failure-tester-password-5"


@pytest.fixture(scope="module")
def flaky_provider(live_server_url: str, live_manage: Callable[..., str], upstream_server) -> str:
    """A stored provider on the fake upstream with 1 s first-token and gap timeouts, and a
    user of its own (this test's runs must not use up another test's runs per minute)."""
    live_manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "from playground.providerconfig.models import ProviderConfig; "
        "from playground.providerconfig.services import provider_config_save; "
        f"get_user_model().objects.create_user({FAILURES_USER!r}, "
        f"password={FAILURES_PASSWORD!r}); "
        "provider_config_save(config=ProviderConfig(name='flaky', "
        f"base_url={upstream_server.base_url!r}, default_model='fake-model', "
        f"first_token_timeout=1, token_gap_timeout=1), api_key={FAKE_KEY!r})",
    )
    return "flaky"


def test_every_failure_kind_in_the_page(
    page: Page, live_server_url: str, fake_upstream: FakeUpstream, flaky_provider: str
) -> None:
    page.set_default_timeout(10_000)
    page.goto(live_server_url + "/")
    page.get_by_label("Username").fill(FAILURES_USER)
    page.get_by_label("Password").fill(FAILURES_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connection")).to_have_text("Connected")
    page.get_by_label("Provider").select_option(flaky_provider)
    message_box(page, 0).get_by_role("textbox").fill("Hello 你好 🎉")
    status = page.locator("#run-status")
    page.evaluate(
        """() => { window.retried = false; new MutationObserver(() => {
            if (document.querySelector("#run-status[data-retrying]")) { window.retried = true; }
        }).observe(document.body, {subtree: true, childList: true}); }"""
    )
    # One after the other on the same socket: each run after a failure proves it usable.
    # (No more than 4 failures that count for the circuit breaker come in a row.)
    for scenarios, says, kept, retried, requests in KINDS:
        before = len(fake_upstream.chat_requests)
        page.evaluate("() => { window.retried = false; }")
        for scenario in scenarios:
            fake_upstream.answer_next(scenario)
        run_and_wait(page, "done" if says == "Done." else "error")
        expect(status).to_contain_text(says)
        assert "Traceback" not in (status.text_content() or "")
        expect(page.locator("#reply-0")).to_have_text(kept)
        assert page.evaluate("() => window.retried") is retried, says
        assert len(fake_upstream.chat_requests) - before == requests, says

    run_and_wait(page)
    expect(page.locator("#reply-0")).to_have_text(FULL)
