"""The preset page in a real browser: run a saved version from its history, as a team
viewer, without opening it in the editor."""

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import USERNAME, cuttable_sockets, record_for_leak_scan
from tests.browser.test_playground_page import wait_for_final_status
from tests.fake_upstream import FakeUpstream, Scenario

VIEWER_PASSWORD = "viewer-horse-battery-staple-9"


def version_request(question: str, temperature: float) -> dict:
    body = {
        "model": "fake-model",
        "messages": [{"role": "user", "content": question}],
        "temperature": temperature,
        "stream": True,
    }
    return {"mode": "chat", "provider": "openai", "body": body}


V1 = version_request("First question", 0.2)
V2 = version_request("Second question", 0.9)

# Run in the live server's database: a team where the page's user owns a two-version
# preset shared with the team, and a viewer of that team.
SETUP = """
from django.contrib.auth import get_user_model
from playground.presets.services import preset_create, preset_save
from playground.teams.models import Membership, Team
users = get_user_model().objects
owner = users.get(username={owner!r})
viewer = users.create_user({viewer!r}, password={password!r})
team = Team.objects.create(name={team!r})
Membership.objects.create(team=team, user=owner, role="owner")
Membership.objects.create(team=team, user=viewer, role="viewer")
preset = preset_create(owner=owner, name="Run me", request={v1!r}, team_id=team.pk, visibility="team")
preset_save(preset_id=preset.pk, author=owner, request={v2!r}, base_version=1, message="Sharper")
print(preset.pk)
"""


@pytest.fixture
def shared_preset(live_server_url: str, live_manage: Callable[..., str]) -> tuple[str, str]:
    """(the preset's id, the viewer's user name) in the live server's database."""
    suffix = uuid.uuid4().hex[:8]
    viewer = f"viewer-{suffix}"
    code = SETUP.format(
        owner=USERNAME,
        viewer=viewer,
        password=VIEWER_PASSWORD,
        team=f"History team {suffix}",
        v1=V1,
        v2=V2,
    )
    # The shell may print a banner first; the id is the last line.
    return live_manage("shell", "-c", code).strip().splitlines()[-1], viewer


@pytest.fixture
def viewer_page(
    browser: Browser, live_server_url: str, shared_preset: tuple[str, str]
) -> Iterator[tuple[Page, list[str]]]:
    """The viewer, signed in, on the preset's page; and the page's script errors."""
    preset_id, viewer = shared_preset
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    record_documents = record_for_leak_scan(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server_url}/presets/{preset_id}/")
    page.get_by_label("Username").fill(viewer)
    page.get_by_label("Password").fill(VIEWER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server_url}/presets/{preset_id}/")
    expect(page.locator("#connection")).to_have_text("Connected")
    yield page, errors
    record_documents()
    context.close()


def test_a_viewer_runs_each_saved_version_from_the_history(
    viewer_page: tuple[Page, list[str]], fake_upstream: FakeUpstream
) -> None:
    page, errors = viewer_page
    url = page.url
    # A viewer cannot save versions, but reading is enough to run one.
    expect(page.get_by_role("button", name="Restore as new version")).to_have_count(0)
    panel = page.locator("#run-panel")
    expect(panel).to_be_hidden()

    row = page.locator(".history tr[data-version='1']")
    state = wait_for_final_status(
        page, lambda: row.get_by_role("button", name="Run version 1").click()
    )
    assert state == "done"
    expect(panel).to_be_visible()
    expect(page.locator("#run-title")).to_have_text("Reply of version 1")
    expect(page.locator("#reply-0")).to_have_text(re.compile(r"^ word0 word1 .* word19$"))
    expect(page.locator("#run-status")).to_contain_text("finish_reason: stop")
    assert fake_upstream.chat_requests[-1].body == V1["body"]

    # A long answer: its raw chunks come from the server when the inspector is opened.
    fake_upstream.answer_next(Scenario(tokens=lambda body: [f" w{i}" for i in range(60)]))
    state = wait_for_final_status(
        page, lambda: page.get_by_role("button", name="Run latest (v2)").click()
    )
    assert state == "done"
    expect(page.locator("#run-title")).to_have_text("Reply of version 2")
    assert fake_upstream.chat_requests[-1].body == V2["body"]
    inspector = page.locator("#raw-response")
    expect(inspector.locator(".raw-load")).to_contain_text("Show the 63 chunks")
    inspector.locator("summary").click()
    expect(inspector.locator("pre.raw-chunks")).to_contain_text('"content": " w59"')
    # The page did not go to the editor, and its scripts ran without an error.
    assert page.url == url
    assert errors == []


def test_a_history_run_can_be_stopped_and_one_runs_at_a_time(
    viewer_page: tuple[Page, list[str]], fake_upstream: FakeUpstream
) -> None:
    page, errors = viewer_page
    fake_upstream.answer_next(Scenario(tokens_per_second=5))
    page.locator(".history tr[data-version='2']").get_by_role(
        "button", name="Run version 2"
    ).click()
    expect(page.locator("#run-status")).to_have_attribute("data-state", "running")
    expect(page.locator("#reply-0")).to_contain_text("word0")
    # While it runs, the Run buttons wait and Stop is offered.
    expect(page.get_by_role("button", name="Run latest (v2)")).to_be_disabled()
    state = wait_for_final_status(page, lambda: page.get_by_role("button", name="Stop").click())
    assert state == "stopped"
    expect(page.locator("#run-status")).to_contain_text("partial reply is kept")
    expect(page.get_by_role("button", name="Run latest (v2)")).to_be_enabled()
    assert len(fake_upstream.chat_requests) == 1
    assert errors == []


def test_a_history_run_cut_by_a_lost_connection_keeps_its_partial_reply(
    viewer_page: tuple[Page, list[str]], fake_upstream: FakeUpstream
) -> None:
    page, errors = viewer_page
    sockets = cuttable_sockets(page)
    fake_upstream.answer_next(Scenario(tokens_per_second=5))
    page.get_by_role("button", name="Run latest (v2)").click()
    expect(page.locator("#reply-0")).to_contain_text("word0")
    sockets[-1].close(code=1012, reason="service restart")

    status = page.locator("#run-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text("The connection to the server was lost")
    expect(page.locator("#reply-0")).to_contain_text("word0")
    expect(page.get_by_role("button", name="Run latest (v2)")).to_be_enabled()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()
    expect(page.locator("#connection")).to_have_text("Connected")
    assert errors == []
