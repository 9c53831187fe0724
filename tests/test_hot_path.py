"""The streaming hot path through a real daphne process: a burst's first token, handshakes.

daphne is a fresh process with its own data directory (see STACK-NOTES.md), reached
over a real websocket with a signed-in session cookie; the upstream is the fake
upstream on 127.0.0.1. Figures (milliseconds, CPU per token) are the benchmark's
business (`make bench`); these tests check order and structure.
"""

import asyncio
import html
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.fake_upstream import FakeUpstream, Scenario
from tests.live_server import manage, running_daphne, server_env

REPLY = re.compile(r'<span id="reply-0" hx-swap-oob="beforeend">(.*?)</span>', re.S)
STATE = re.compile(r'id="run-status"[^>]*data-state="(\w+)"')

# What django.contrib.auth.login() stores, without a request: prints a signed-in session key.
SIGN_IN = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user, _ = get_user_model().objects.get_or_create(username="hot-path")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


@dataclass
class LiveServer:
    ws_url: str
    origin: str
    session_key: str
    log: Path


@pytest.fixture(scope="module")
def live_daphne(tmp_path_factory, upstream_server: FakeUpstream) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("hot-path")
    env = server_env(
        data_dir, OPENAI_BASE_URL=upstream_server.base_url, OPENAI_API_KEY="sk-hot-path-test"
    )
    manage(env, "migrate", "--noinput")
    session_key = manage(env, "shell", "-c", SIGN_IN).strip().splitlines()[-1]
    log = data_dir / "daphne.log"
    with running_daphne(env, log) as port:
        yield LiveServer(
            f"ws://127.0.0.1:{port}/ws/run/", f"http://127.0.0.1:{port}", session_key, log
        )


async def _run(server: LiveServer, body: dict) -> list[tuple[float, str]]:
    """One run over a fresh signed-in socket: every frame with its arrival (s since sending)."""
    async with connect(
        server.ws_url,
        origin=server.origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={server.session_key}"},
        proxy=None,
        max_size=None,
    ) as sock:
        request = {"mode": "chat", "provider": "openai", "body": body}
        started = time.perf_counter()
        await sock.send(json.dumps({"action": "run", "request": request}))
        frames: list[tuple[float, str]] = []
        async with asyncio.timeout(60):
            async for frame in sock:
                assert isinstance(frame, str)
                frames.append((time.perf_counter() - started, frame))
                states = STATE.findall(frame)
                if states and states[-1] != "running":
                    return frames
    raise AssertionError("the socket closed before the run ended")


def _reply(frame: str) -> str:
    return "".join(html.unescape(text) for text in REPLY.findall(frame))


def test_the_first_token_of_a_burst_leaves_at_once(live_daphne, upstream_server):
    """An upstream that sends its whole answer at once: the first token goes out in a frame
    of its own, ahead of the work on the rest of the burst; batching applies after it."""
    tokens = 10_000  # long enough that working through the burst takes a while
    upstream_server.default = Scenario(tokens_per_second=0)  # no gap between tokens
    try:
        body = {
            "model": "fake-model",
            "messages": [{"role": "user", "content": "burst"}],
            "max_tokens": 5,
            "stream": True,
        }
        # A process's first run builds its HTTP client and compiles templates: not measured.
        asyncio.run(_run(live_daphne, body))
        frames = asyncio.run(_run(live_daphne, {**body, "max_tokens": tokens}))
    finally:
        upstream_server.default = Scenario()
    with_text = [(at, _reply(frame), frame) for at, frame in frames if _reply(frame)]
    assert "".join(text for _, text, _ in with_text) == "".join(f" word{i}" for i in range(tokens))
    first_at, first_text, first_frame = with_text[0]
    end_at = frames[-1][0]
    # Its own frame, with nothing but the first token, and not the final status frame.
    assert first_text == " word0", [(at, text[:40]) for at, text, _ in with_text[:3]]
    assert STATE.findall(first_frame) in ([], ["running"])
    # And sent before the rest of the burst was worked through: it reaches the page in the
    # first half of the run, not together with the tokens that followed it.
    summary = [(round(at * 1000, 1), len(text)) for at, text, _ in with_text[:5]]
    assert first_at < end_at / 2, (summary, end_at, len(with_text))
