"""Watching a run live in two browsers: a team's owner runs the team's preset and shares
the live link; a teammate (a viewer of the team) opens it in another browser context and
sees the reply stream in, then "Done."."""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import USERNAME, record_for_leak_scan
from tests.fake_upstream import FakeUpstream, Scenario

VIEWER_PASSWORD = "watcher-horse-battery-staple-3"
TOKENS = [f" word{n}" for n in range(20)]

SETUP = """
from django.contrib.auth import get_user_model
from playground.presets.services import preset_create
from playground.teams.models import Membership, Team
users = get_user_model().objects
owner = users.get(username={owner!r})
viewer = users.create_user({viewer!r}, password={password!r})
team = Team.objects.create(name={team!r})
Membership.objects.create(team=team, user=owner, role="owner")
Membership.objects.create(team=team, user=viewer, role="viewer")
body = {{"model": "fake-model", "messages": [{{"role": "user", "content": "Count"}}], "stream": True}}
preset = preset_create(owner=owner, name="Watch me", team_id=team.pk, visibility="team",
                       request={{"mode": "chat", "provider": "openai", "body": body}})
print(preset.pk)
"""


@pytest.fixture
def team_preset(live_server_url: str, live_manage: Callable[..., str]) -> tuple[str, str]:
    """(the team preset's id, the viewer's user name) in the live server's database."""
    suffix = uuid.uuid4().hex[:8]
    viewer = f"watcher-{suffix}"
    code = SETUP.format(
        owner=USERNAME, viewer=viewer, password=VIEWER_PASSWORD, team=f"Watch team {suffix}"
    )
    return live_manage("shell", "-c", code).strip().splitlines()[-1], viewer


def test_a_teammate_opens_the_live_link_and_sees_the_reply_stream_in_then_done(
    signed_in_page: Page,
    browser: Browser,
    live_server_url: str,
    team_preset: tuple[str, str],
    fake_upstream: FakeUpstream,
) -> None:
    preset_id, viewer = team_preset
    runner = signed_in_page
    runner_errors: list[str] = []
    runner.on("pageerror", lambda error: runner_errors.append(str(error)))
    # About four seconds of reply: the teammate opens the link while it streams.
    fake_upstream.default = Scenario(tokens=lambda body: TOKENS, tokens_per_second=5)
    runner.goto(f"{live_server_url}/presets/{preset_id}/")
    expect(runner.locator("#connection")).to_have_text("Connected")
    runner.get_by_role("button", name="Run latest (v1)").click()
    share = runner.get_by_role("link", name="Share live")
    expect(share).to_be_visible()
    expect(runner.locator("#live-share")).to_contain_text("Members of the preset's team")
    link = share.get_attribute("href")
    assert link and link.startswith("/history/")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    record_documents = record_for_leak_scan(context)
    watcher = context.new_page()
    watcher.set_default_timeout(10_000)
    watcher_errors: list[str] = []
    watcher.on("pageerror", lambda error: watcher_errors.append(str(error)))
    try:
        watcher.goto(live_server_url + link)
        watcher.get_by_label("Username").fill(viewer)
        watcher.get_by_label("Password").fill(VIEWER_PASSWORD)
        watcher.get_by_role("button", name="Sign in").click()
        expect(watcher.get_by_role("heading", name="Watching a run live")).to_be_visible()
        expect(watcher.locator("#watch-who")).to_contain_text(f"Run by {USERNAME}")
        # The reply streams in while the run runs …
        status = watcher.locator("#run-status")
        expect(status).to_have_attribute("data-state", "running")
        expect(watcher.locator("#tail-0")).to_contain_text("word1")
        # … a viewer of the team watches, and is not offered Stop …
        expect(watcher.get_by_role("button", name="Stop")).to_have_count(0)
        # … and the final state follows: the whole reply, Done, its place in the history.
        expect(status).to_have_attribute("data-state", "done", timeout=20_000)
        expect(status).to_contain_text("Done.")
        expect(watcher.locator("#reply-0")).to_have_text("".join(TOKENS))
        expect(watcher.locator(".markdown #rendered-0")).to_contain_text("word19")
        expect(watcher.locator("#run-record")).to_contain_text("Saved in history")
        # The runner's page ended the same way.
        expect(runner.locator("#run-status")).to_have_attribute("data-state", "done")
        expect(runner.locator("#reply-0")).to_have_text(re.compile(r"^ word0 .* word19$"))
        assert runner_errors == [] and watcher_errors == []
    finally:
        record_documents()
        context.close()
