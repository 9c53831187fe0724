"""Shared fixtures: the fake upstream, test providers, and websocket helpers."""

import asyncio
import html
import re

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from playground.consumers import RunConsumer
from tests.fake_upstream import FakeUpstream, Scenario

# A key that must only ever travel to the upstream; scanned for in what users see.
TEST_API_KEY = "sk-test-SECRET-do-not-leak-4242"

# Scans every page, frame, snippet and log record of the session for the keys.
pytest_plugins = ["tests.leak_scan"]


@pytest.fixture(scope="session")
def upstream_server():
    server = FakeUpstream().start_in_thread()
    yield server
    server.stop()


@pytest.fixture
def fake_upstream(upstream_server: FakeUpstream) -> FakeUpstream:
    """The running fake upstream, with no recorded requests and the default scenario."""
    upstream_server.requests.clear()
    upstream_server._queued.clear()
    upstream_server.default = Scenario()
    upstream_server.accepted_keys = None
    return upstream_server


@pytest.fixture(autouse=True)
def test_providers(settings, upstream_server: FakeUpstream) -> dict:
    """The offline model at full speed, and 'openai' pointing at the fake upstream."""
    settings.PLAYGROUND_PROVIDERS = {
        "offline": {
            "kind": "offline",
            "label": "Offline model (built in)",
            "default_model": "offline-1",
            "tokens_per_second": 0,
        },
        "openai": {
            "kind": "openai",
            "label": "Fake upstream",
            "base_url": upstream_server.base_url,
            "api_key": TEST_API_KEY,
            "default_model": "fake-model",
            "connect_timeout": 2.0,
            "read_timeout": 1.0,
            # Small backoff so that retries keep the tests fast.
            "retry_base_delay": 0.02,
            "retry_max_delay": 2.0,
        },
    }
    return settings.PLAYGROUND_PROVIDERS


@pytest.fixture(autouse=True)
def fresh_resilience_state():
    """Each test starts with closed circuits and no runs counted against the limits."""
    from playground.limits import run_limiter
    from playground.providers.resilience import reset_breakers

    reset_breakers()
    run_limiter.reset()
    yield
    reset_breakers()
    run_limiter.reset()


def chat_request(content: str = "Hello", provider: str = "openai", **params) -> dict:
    """A run message carrying a request JSON, as a script or the raw editor sends it."""
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}]}
    body.update(params)
    body.setdefault("stream", True)
    return {"action": "run", "request": {"mode": "chat", "provider": provider, "body": body}}


class RunClient:
    """A signed-in page's websocket, with helpers to read what the page would show."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.frames: list[str] = []

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, timeout: float = 5) -> str:
        frame = await self.communicator.receive_from(timeout)
        self.frames.append(frame)
        return frame

    async def receive_until_state(self, timeout: float = 5) -> str:
        """Read frames until a status other than 'running' arrives; return that state."""
        while True:
            frame = await self.receive(timeout)
            state = status_state(frame)
            if state and state != "running":
                return state

    def reply(self, index: int = 0) -> str:
        """The text the page shows for candidate ``index``, unescaped as a browser would."""
        pattern = re.compile(
            rf'<span id="reply-{index}" hx-swap-oob="beforeend">(.*?)</span>', re.S
        )
        return "".join(html.unescape(m) for f in self.frames for m in pattern.findall(f))

    def status_text(self) -> str:
        for frame in reversed(self.frames):
            match = re.search(r'<div id="run-status".*?</div>', frame, re.S)
            if match:
                text = re.sub(r"<[^>]+>", "", match.group(0))
                return " ".join(html.unescape(text).split())
        return ""


def status_state(frame: str) -> str | None:
    match = re.search(r'id="run-status"[^>]*data-state="(\w+)"', frame)
    return match.group(1) if match else None


@pytest.fixture
async def run_client():
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="tester")
    connected, _ = await communicator.connect()
    assert connected
    client = RunClient(communicator)
    yield client
    await communicator.disconnect()
    await asyncio.sleep(0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Sync Playwright keeps an event loop running in the main thread; async tests that
    # run after it fail. Browser tests therefore run last (see STACK-NOTES.md).
    items.sort(key=lambda item: "browser" in item.nodeid.split("::")[0])
