"""Budgets in a real browser: a nearly spent budget warns in the run status while the run
runs; a spent one refuses the next run with its message, sends nothing upstream, and the
refused run is in the history."""

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import record_for_leak_scan
from tests.browser.test_playground_page import wait_for_final_status
from tests.fake_upstream import FakeUpstream, Scenario

PASSWORD = "budget-horse-battery-staple-3"

# A user of their own (the session's user must stay without a budget for the other tests)
# who has spent {used} this month, and an admin who sets their budget on /budgets/: through
# the live server, whose list of budget owners then knows it at once (budgets.py).
SETUP = """
import datetime
from decimal import Decimal
from django.contrib.auth import get_user_model
from playground.runs.models import Run
users = get_user_model().objects
user = users.create_user({name!r}, password={password!r})
users.create_user({admin!r}, password={password!r}, is_staff=True)
Run.objects.create(created_at=datetime.datetime.now(datetime.UTC), user=user, provider="openai",
    model="fake-model", mode="chat", status="finished", cost_usd=Decimal({used!r}))
"""


@pytest.fixture
def budget_page(
    browser: Browser, live_server_url: str, live_manage: Callable[..., str]
) -> Iterator[Callable[[str], Page]]:
    """A new user with ``used`` of a $5.00 budget spent, signed in on the playground."""
    contexts = []

    def signed_in(name: str, path: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append((context, record_for_leak_scan(context)))
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server_url + path)
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(live_server_url + path)
        return page

    def open_page(used: str) -> Page:
        name, admin = f"budget-{uuid.uuid4().hex[:8]}", f"admin-{uuid.uuid4().hex[:8]}"
        code = SETUP.format(name=name, admin=admin, password=PASSWORD, used=used)
        live_manage("shell", "-c", code)
        admin_page = signed_in(admin, "/budgets/")
        form = admin_page.locator("form", has=admin_page.get_by_label("Username"))
        form.get_by_label("Username").fill(name)
        form.get_by_label("Monthly budget (USD)").fill("5")
        form.get_by_role("button", name="Set budget").click()
        expect(admin_page.locator("body")).to_contain_text(
            f"The monthly budget of {name} is $5.00."
        )
        page = signed_in(name, "/")
        expect(page.locator("#connection")).to_have_text("Connected")
        page.get_by_label("Provider").select_option("openai")
        page.get_by_role("textbox", name="Message").first.fill("Hello budget")
        return page

    yield open_page
    for context, record_documents in contexts:
        record_documents()
        context.close()


def test_at_80_percent_the_run_status_warns_while_it_runs(
    budget_page: Callable[[str], Page], fake_upstream: FakeUpstream
) -> None:
    page = budget_page("4.10")
    fake_upstream.answer_next(Scenario(tokens_per_second=5))
    page.get_by_role("button", name="Run", exact=True).click()
    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-state", "running")
    expect(status.locator(".budget-warning")).to_have_text(
        "82 % of your monthly budget used ($4.10 of $5.00)"
    )
    state = wait_for_final_status(page, lambda: page.get_by_role("button", name="Stop").click())
    assert state == "stopped"


def test_a_spent_budget_refuses_the_run_and_sends_nothing(
    budget_page: Callable[[str], Page], fake_upstream: FakeUpstream
) -> None:
    page = budget_page("5.12")
    sent = len(fake_upstream.chat_requests)
    state = wait_for_final_status(
        page, lambda: page.get_by_role("button", name="Run", exact=True).click()
    )
    assert state == "error"
    expect(page.locator("#run-status")).to_contain_text(
        re.compile(
            r"Your monthly budget of \$5\.00 is spent: \$5\.12 used this month "
            r"\(resets \d{4}-\d\d-01 00:00 UTC\)\. Ask an admin to raise it\."
        )
    )
    record = page.locator("#run-record")
    expect(record).to_contain_text("Saved in history")
    record.get_by_role("link", name="history").click()
    expect(page.locator("#run-status-recorded")).to_contain_text("Refused: Your monthly budget")
    assert len(fake_upstream.chat_requests) == sent
