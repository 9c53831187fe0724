"""Sign-in throttling in Chromium against the real daphne (whose middleware runs async):
wrong passwords, then the right one refused with a page that says when to try again."""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, USERNAME

# The live server's default (PLAYGROUND_LOGIN_FAILURE_LIMIT is not set in its environment).
FAILURE_LIMIT = 5


@pytest.fixture
def lifted_afterwards(live_manage: Callable[..., str]) -> Iterator[None]:
    """Every browser test signs in from 127.0.0.1: lift the lockout whatever happens."""
    yield
    live_manage("axes_reset")


def submit(page: Page, password: str) -> None:
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_wrong_passwords_then_the_right_one_is_refused_until_the_lockout_is_lifted(
    page: Page, live_server_url: str, live_manage: Callable[..., str], lifted_afterwards: None
) -> None:
    page.set_default_timeout(10_000)
    page.goto(live_server_url + "/login/")
    for _ in range(FAILURE_LIMIT - 1):
        submit(page, "not-the-password")
        expect(page.get_by_text("didn't match")).to_be_visible()
    submit(page, "not-the-password")
    expect(page.get_by_role("heading", name="Too many sign-in attempts")).to_be_visible()

    page.get_by_role("link", name="Back to sign in").click()
    submit(page, PASSWORD)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"after {FAILURE_LIMIT} wrong passwords")
    expect(alert).to_contain_text("Try again in 15 minutes, at")
    page.goto(live_server_url + "/")
    expect(page).to_have_url(live_server_url + "/login/?next=/")

    # An administrator lifts it (or the cool-off ends): the right password works again.
    live_manage("axes_reset")
    submit(page, PASSWORD)
    expect(page).to_have_url(live_server_url + "/")
