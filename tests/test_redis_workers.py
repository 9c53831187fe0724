"""Two daphne workers behind one Redis, set up as docs/deploy.md says (REDIS_URL).

Real daphne processes, the real Redis (skipped like tests/test_limits_redis.py when none
answers and PLAYGROUND_TEST_REDIS_URL is not set) and the fake upstream on 127.0.0.1. The
workers use a Redis database of their own (REDIS_DB), so that their channel-layer keys and
run limits never meet those of other tests (which use database 0 with prefixes).
"""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from channels_redis.core import RedisChannelLayer
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from playground.limits import RedisRunLimiter
from tests.conftest import chat_request, status_state
from tests.fake_upstream import FakeUpstream, Scenario
from tests.live_server import manage, running_daphnes, server_env
from tests.test_limits_redis import REDIS_URL, needs_redis

pytestmark = needs_redis

# The workers' own Redis database (15 is the last of a default Redis's 16).
REDIS_DB = 15
# Longer than every Redis timeout a socket meets: channels-redis's blocking read (5 s),
# the channel layer's and the limits' socket timeouts (settings: 15 s and 2 s), and the
# renewal of a run's lease in the limits (every 10 s); checked in the test.
HOLD_SECONDS = 20.0
WORKER_KEY = "sk-test-redis-workers-not-a-real-key"


def url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture
def worker_env(tmp_path: Path, upstream_server: FakeUpstream) -> dict[str, str]:
    """What every worker is started with: one database (SQLite, shared), one Redis."""
    return server_env(
        tmp_path,
        REDIS_URL=url_with_db(REDIS_URL, REDIS_DB),
        OPENAI_BASE_URL=upstream_server.base_url,
        OPENAI_API_KEY=WORKER_KEY,
        # The closing check on the idle sockets is a run of the offline model: at once.
        PLAYGROUND_OFFLINE_TOKENS_PER_SECOND="0",
        # Each run of this test counts against one user; others' runs in this database must
        # not refuse it.
        PLAYGROUND_MAX_CONCURRENT_RUNS="1000",
        PLAYGROUND_MAX_RUNS_PER_MINUTE="1000",
    )


@pytest.fixture
def workers(tmp_path: Path, worker_env: dict[str, str]) -> Iterator[tuple[list[int], str]]:
    """Two daphne processes on their own ports; yields the ports and a signed-in session."""
    # One Django start for both: migrate, then sign a user in.
    session_key = manage(
        worker_env,
        "shell",
        "-c",
        "from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        "from django.contrib.auth import get_user_model; from django.test import Client; "
        "client = Client(); "
        "client.force_login(get_user_model().objects.create_user('worker-tester')); "
        "print(client.cookies['sessionid'].value)",
    ).split()[-1]  # the shell may print a line about its imports first
    logs = [tmp_path / f"daphne-{n}.log" for n in range(2)]
    with running_daphnes(worker_env, logs) as ports:
        yield ports, session_key


class Page:
    """One page's websocket to one worker; reads every frame as it arrives."""

    def __init__(self, name: str, socket: ClientConnection) -> None:
        self.name, self.socket = name, socket
        self.frames: asyncio.Queue[str] = asyncio.Queue()
        self.replies = 0  # frames that carried reply text
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.socket:
                assert isinstance(frame, str)
                self.replies += 'id="reply-0"' in frame
                self.frames.put_nowait(frame)
        except ConnectionClosed:
            pass

    def closed_how(self) -> str:
        return f"{self.name}: closed with {self.socket.close_code} {self.socket.close_reason!r}"

    async def run_until_state(self, message: dict, timeout: float = 20) -> str:
        await self.socket.send(json.dumps(message))
        async with asyncio.timeout(timeout):
            while True:
                state = status_state(await self.frames.get())
                if state and state != "running":
                    return state


async def open_page(name: str, port: int, session_key: str) -> Page:
    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/run/",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session_key}"},
        proxy=None,
        ping_interval=None,  # no keepalive: an idle socket stays silent
        open_timeout=30,
    )
    return Page(name, socket)


async def test_idle_and_streaming_sockets_on_two_workers_stay_open_past_every_redis_timeout(
    workers, fake_upstream, settings
):
    ports, session_key = workers
    # The streams outlast the hold: a token every 0.5 s, 200 of them.
    fake_upstream.default = Scenario(tokens_per_second=2, tokens=lambda body: [" tick"] * 200)
    idle = [
        await open_page(f"idle socket on worker {n}", p, session_key) for n, p in enumerate(ports)
    ]
    streaming = [
        await open_page(f"streaming socket on worker {n}", p, session_key)
        for n, p in enumerate(ports)
    ]
    pages = idle + streaming
    try:
        for page in streaming:
            await page.socket.send(json.dumps(chat_request(provider="openai")))
        started = time.monotonic()
        # Any socket that closes ends its reader; none may within the hold.
        closed, _ = await asyncio.wait(
            [page.reader for page in pages], timeout=HOLD_SECONDS, return_when="FIRST_COMPLETED"
        )
        assert not closed, [
            f"{page.closed_how()} after {time.monotonic() - started:.1f} s"
            for page in pages
            if page.reader in closed
        ]
        # The streams still stream, and the idle pages still run.
        assert all(page.replies >= HOLD_SECONDS for page in streaming), [
            (page.name, page.replies) for page in streaming
        ]
        for page in idle:
            assert await page.run_until_state(chat_request(provider="offline")) == "done"
        # The hold was longer than every timeout (the workers run with the default Redis
        # settings: worker_env sets none of them).
        assert HOLD_SECONDS > max(
            RedisChannelLayer.brpop_timeout,
            settings.PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT,
            settings.PLAYGROUND_LIMITS_REDIS_TIMEOUT,
            RedisRunLimiter(REDIS_URL).renew_every,
        )
    finally:
        for page in pages:
            await page.socket.close()
            page.reader.cancel()
