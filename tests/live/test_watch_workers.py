"""Watching across processes, as deployed: the runner's socket on one daphne process, the
watchers' on another, one PostgreSQL database and one Redis (channel layer, sessions).

Real daphne processes, the machine's PostgreSQL (a throw-away database) and Redis (a
database of its own), the fake upstream on 127.0.0.1; skipped like tests/test_redis_workers.py
and tests/test_compose.py when either does not answer (CI sets them up, and then fails).
"""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.fake_upstream import FakeUpstream, Scenario
from tests.live.watching import run_id_of, share_url, shown_reply, socket_path
from tests.live_server import manage, running_daphnes, server_env
from tests.test_compose import needs_postgres, throwaway_database
from tests.test_limits_redis import REDIS_URL, needs_redis
from tests.test_redis_workers import url_with_db

pytestmark = [needs_redis, needs_postgres]

# The watch tests' own Redis database (test_redis_workers uses 15, test_compose 14).
REDIS_DB = 13
TOKENS = [f" w{n}" for n in range(40)]

SETUP = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
from playground.presets.services import preset_create
from playground.teams.models import Membership, Team
User = get_user_model()
alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
team = Team.objects.create(name="Core")
Membership.objects.create(team=team, user=alice, role="editor")
Membership.objects.create(team=team, user=bob, role="viewer")
body = {"model": "fake-model", "messages": [{"role": "user", "content": "Count"}], "stream": True}
preset = preset_create(owner=alice, name="Shared", team_id=team.pk, visibility="team",
                       request={"mode": "chat", "provider": "openai", "body": body})
keys = []
for user in (alice, bob):
    client = Client()
    client.force_login(user)
    keys.append(client.cookies["sessionid"].value)
print("SETUP", preset.pk, *keys)
"""


@pytest.fixture
def deployment(tmp_path: Path, upstream_server: FakeUpstream) -> Iterator[dict]:
    """Two daphne processes on one PostgreSQL database and one Redis."""
    with throwaway_database() as database_url:
        env = server_env(
            tmp_path,
            DATABASE_URL=database_url,
            REDIS_URL=url_with_db(REDIS_URL, REDIS_DB),
            OPENAI_BASE_URL=upstream_server.base_url,
            OPENAI_API_KEY="sk-test-live-watch-not-a-real-key",
            PLAYGROUND_MAX_CONCURRENT_RUNS="1000",
            PLAYGROUND_MAX_RUNS_PER_MINUTE="1000",
        )
        line = next(
            line
            for line in manage(env, "shell", "-c", SETUP).splitlines()
            if line.startswith("SETUP")
        )
        _, preset, alice, bob = line.split()
        logs = [tmp_path / f"daphne-{n}.log" for n in range(2)]
        with running_daphnes(env, logs) as ports:
            yield {"ports": ports, "preset": preset, "alice": alice, "bob": bob, "db": database_url}


class Socket:
    """One page's websocket to one process; every frame it gets, in order."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: list[str] = []
        self.arrived = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.socket:
                assert isinstance(frame, str)
                self.frames.append(frame)
                self.arrived.set()
        except ConnectionClosed:
            pass

    async def wait_for(self, needle: str, timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not any(needle in frame for frame in self.frames):
                self.arrived.clear()
                await self.arrived.wait()

    async def close(self) -> None:
        await self.socket.close()
        self.reader.cancel()


async def open_socket(port: int, path: str, session_key: str) -> Socket:
    socket = await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session_key}"},
        proxy=None,
        open_timeout=30,
    )
    return Socket(socket)


async def test_a_teammate_on_another_process_joins_mid_run_and_sees_the_same_final_text(
    deployment, fake_upstream
):
    # About two seconds of reply: time to join on the other process mid-run.
    fake_upstream.default = Scenario(tokens=lambda body: TOKENS, tokens_per_second=20)
    process_a, process_b = deployment["ports"]
    runner = await open_socket(process_a, "/ws/run/", deployment["alice"])
    sockets = [runner]
    try:
        await runner.socket.send(
            json.dumps({"action": "run", "preset": deployment["preset"], "version": 1})
        )
        await runner.wait_for('id="reply-0"')
        url = share_url(runner.frames)

        # One watcher leaves after its first frame; it must not disturb anything.
        leaving = await open_socket(process_b, socket_path(url), deployment["bob"])
        await leaving.wait_for('id="run-status"')
        await leaving.close()

        watcher = await open_socket(process_b, socket_path(url), deployment["bob"])
        sockets.append(watcher)
        await watcher.wait_for('id="run-status"')
        assert 'data-state="running"' in watcher.frames[0]  # joined mid-run: the state so far
        assert 0 < len(shown_reply(watcher.frames[:1])) < len("".join(TOKENS))

        await runner.wait_for("run-record-saved")
        await watcher.wait_for("run-record-saved")
        assert 'data-state="done"' in "".join(watcher.frames)
        assert shown_reply(watcher.frames) == shown_reply(runner.frames) == "".join(TOKENS)
    finally:
        for socket in sockets:
            await socket.close()

    # The row the runner wrote keeps the id the link named.
    with psycopg.connect(deployment["db"]) as database:
        rows = database.execute("SELECT id::text, status, output FROM runs_run").fetchall()
    assert [(str(row[0]), row[1]) for row in rows] == [(run_id_of(url), "finished")]
    assert rows[0][2]["candidates"][0]["text"] == "".join(TOKENS)
