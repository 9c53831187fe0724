"""Watching a run live through the sockets (in-memory channel layer): a teammate's page
gets the runner's frames, joins mid-run with the state so far, leaves without touching the
run, is refused outside the team, and stops the run only as the team's owner."""

import asyncio
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from playground.runs.models import Budget, Run
from tests.conftest import TEST_API_KEY, RunClient
from tests.fake_upstream import FakeUpstream, Scenario
from tests.live.watching import (
    open_socket,
    receive_until,
    run_id_of,
    share_url,
    shown_reply,
    socket_path,
)
from tests.presets.factories import make_preset, make_team, make_user
from tests.runs.factories import make_run

pytestmark = pytest.mark.django_db(transaction=True)

TOKENS = [f" word{n}" for n in range(30)]


def openai_request(content: str = "Count") -> dict:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}]}
    return {"mode": "chat", "provider": "openai", "body": {**body, "stream": True}}


def setup_team():
    """alice (editor) runs the team's preset; bob (viewer) and dave (owner) are in the team,
    carol is not."""
    alice, bob, carol, dave = (make_user(name) for name in ("alice", "bob", "carol", "dave"))
    team = make_team("Core", alice="editor", bob="viewer", dave="owner")
    preset = make_preset(
        alice, "Shared", request=openai_request(), team_id=team.pk, visibility="team"
    )
    return alice, bob, carol, dave, preset


@pytest.fixture
async def team(fake_upstream: FakeUpstream):
    # A reply that takes about a second: long enough to join and to stop mid-run.
    fake_upstream.default = Scenario(tokens=lambda body: TOKENS, tokens_per_second=30)
    return await sync_to_async(setup_team)()


async def start_team_run(alice, preset) -> tuple[RunClient, str]:
    connected, runner, _ = await open_socket(alice, "/ws/run/")
    assert connected
    await runner.send({"action": "run", "preset": str(preset.pk), "version": 1})
    await receive_until(runner, 'id="reply-0"')  # the first words are on the page
    return runner, share_url(runner.frames)


async def watch(user, url: str) -> RunClient:
    connected, watcher, code = await open_socket(user, socket_path(url))
    assert connected, code
    return watcher


def without_share_link(frame: str) -> str:
    start = frame.find('<p id="live-share"')
    return frame if start < 0 else frame[:start] + frame[frame.index("</p>", start) + 4 :]


async def test_a_teammate_joining_mid_run_sees_the_same_frames_then_the_final_state(team):
    alice, bob, _, _, preset = team
    runner, url = await start_team_run(alice, preset)
    watcher = await watch(bob, url)

    first = await watcher.receive()
    # The state so far, in one frame: the run's start, its status and the words so far.
    assert 'id="candidates"' in first and 'data-state="running"' in first
    assert shown_reply([first]).startswith(" word0")
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await receive_until(watcher, "run-record-saved")

    # Exactly what the runner's page got, frame for frame, but the link to share.
    assert "".join(watcher.frames) == "".join(without_share_link(f) for f in runner.frames)
    assert shown_reply(watcher.frames) == "".join(TOKENS) == shown_reply(runner.frames)
    assert "live-share" not in "".join(watcher.frames)
    run = await Run.objects.aget()
    assert str(run.pk) == run_id_of(url)  # the row keeps the id the link named
    assert f"/history/{run.pk}/" in watcher.frames[-1]
    for client in (runner, watcher):
        await client.communicator.disconnect()


async def test_a_watcher_that_joins_late_or_misses_batches_catches_up_to_the_same_text(team):
    alice, bob, _, _, preset = team
    with override_settings(
        CHANNEL_LAYERS={"default": {"BACKEND": "tests.live.lossy_layer.LossyLayer"}}
    ):
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        runner, url = await start_team_run(alice, preset)
        watcher = await watch(bob, url)
        assert await runner.receive_until_state() == "done"
        await runner.receive_record()
        await receive_until(watcher, "run-record-saved")
        assert layer.dropped >= 1  # batches were lost on the way …
        # … and the watcher asked again: each snapshot starts over from the run's start.
        assert sum('id="candidates"' in frame for frame in watcher.frames) >= 2
        assert shown_reply(watcher.frames) == "".join(TOKENS)
        for client in (runner, watcher):
            await client.communicator.disconnect()


async def test_a_watcher_leaving_early_does_not_disturb_the_run_or_the_other_watcher(team):
    alice, bob, _, dave, preset = team
    runner, url = await start_team_run(alice, preset)
    leaving = await watch(bob, url)
    staying = await watch(dave, url)
    await leaving.receive()
    await leaving.communicator.disconnect()

    assert await runner.receive_until_state() == "done"
    await receive_until(staying, "run-record-saved")
    assert shown_reply(runner.frames) == shown_reply(staying.frames) == "".join(TOKENS)
    run = await Run.objects.aget()
    assert run.status == "finished" and run.output["candidates"][0]["text"] == "".join(TOKENS)
    for client in (runner, staying):
        await client.communicator.disconnect()


async def test_opening_a_run_that_has_ended_shows_its_final_state_from_the_history(team):
    alice, bob, _, _, preset = team
    runner, url = await start_team_run(alice, preset)
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await runner.communicator.disconnect()

    watcher = await watch(bob, url)
    final = await watcher.receive()
    assert 'data-state="done"' in final and "run-record-saved" in final
    assert shown_reply([final]) == "".join(TOKENS)
    await watcher.communicator.disconnect()


async def test_someone_outside_the_team_may_not_watch_nor_with_a_forged_link(team):
    alice, bob, carol, _, preset = team
    runner, url = await start_team_run(alice, preset)
    connected, _, code = await open_socket(carol, socket_path(url))
    assert not connected and code == 4404
    forged = socket_path(url)[:-3] + "abc"
    connected, _, code = await open_socket(bob, forged)
    assert not connected and code == 4404
    # Nor once it has ended (the history's rule).
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    connected, _, code = await open_socket(carol, socket_path(url))
    assert not connected and code == 4404
    await runner.communicator.disconnect()


async def test_a_run_from_the_page_is_watched_by_its_owner_only(team, fake_upstream):
    alice, bob, _, _, _ = team
    connected, runner, _ = await open_socket(alice, "/ws/run/")
    await runner.send({"action": "run", "request": openai_request()})
    await receive_until(runner, 'id="reply-0"')
    url = share_url(runner.frames)
    assert "Only you" in runner.frames[0]
    connected, _, code = await open_socket(bob, socket_path(url))
    assert not connected and code == 4404
    owner = await watch(alice, url)  # on another device, say
    await receive_until(owner, "run-record-saved")
    assert shown_reply(owner.frames) == "".join(TOKENS)
    for client in (runner, owner):
        await client.communicator.disconnect()


async def test_a_teammate_cannot_stop_the_run_and_the_teams_owner_can(team):
    alice, bob, _, dave, preset = team
    runner, url = await start_team_run(alice, preset)
    viewer = await watch(bob, url)
    await viewer.receive()
    await viewer.send({"action": "stop"})
    refused = await receive_until(viewer, 'id="live-note"')
    assert "Only the person who started this run, or an owner of its team" in refused

    owner = await watch(dave, url)
    await owner.receive()
    await owner.send({"action": "stop"})
    assert await runner.receive_until_state() == "stopped"
    assert await owner.receive_until_state() == "stopped"
    assert await viewer.receive_until_state() == "stopped"
    await receive_until(viewer, "run-record-saved")
    run = await Run.objects.aget()
    assert run.status == "stopped"
    assert len(shown_reply(runner.frames)) < len("".join(TOKENS))
    for client in (runner, viewer, owner):
        await client.communicator.disconnect()


async def test_the_key_never_reaches_a_watcher(team, fake_upstream):
    """The upstream echoes the key into the reply: the watcher's frames carry it scrubbed,
    as the runner's do (tests/leak_scan.py scans every frame of the session for it)."""
    alice, bob, _, _, preset = team
    fake_upstream.default = Scenario(
        tokens=lambda body: [" key:", f" {TEST_API_KEY[:9]}", TEST_API_KEY[9:], " end", *TOKENS],
        tokens_per_second=30,
    )
    runner, url = await start_team_run(alice, preset)
    watcher = await watch(bob, url)
    await receive_until(watcher, "run-record-saved")
    seen = "".join(watcher.frames)
    assert TEST_API_KEY not in seen and " key:" in shown_reply(watcher.frames)
    await runner.communicator.disconnect()
    await watcher.communicator.disconnect()


async def test_the_runner_does_not_wait_for_a_watcher_that_reads_nothing(team):
    """A watcher's socket that is never read: the run ends as fast as unwatched."""
    alice, bob, _, _, preset = team
    runner, url = await start_team_run(alice, preset)
    silent = await watch(bob, url)  # never read
    async with asyncio.timeout(5):
        assert await runner.receive_until_state() == "done"
    await runner.communicator.disconnect()
    await silent.communicator.disconnect()


async def test_the_runners_budget_warning_stays_on_the_runners_page(team):
    alice, bob, _, _, preset = team

    @sync_to_async
    def nearly_spent_budget() -> None:
        Budget.objects.create(user=alice, monthly_usd=Decimal("5.00"))
        make_run(user=alice, cost="4.10")

    await nearly_spent_budget()
    runner, url = await start_team_run(alice, preset)
    assert "budget-warning" in runner.frames[0]
    watcher = await watch(bob, url)
    await receive_until(watcher, "run-record-saved")
    assert "budget" not in "".join(watcher.frames)
    assert shown_reply(watcher.frames) == "".join(TOKENS)
    for client in (runner, watcher):
        await client.communicator.disconnect()
