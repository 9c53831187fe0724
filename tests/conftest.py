"""Shared fixtures: the fake upstream, test providers, and websocket helpers."""

import asyncio
import contextlib
import html
import os
import re
import socket
import ssl
import threading
from collections.abc import Iterator

import pytest
import trustme
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.db import connections

from playground.consumers import RunConsumer
from tests.fake_upstream import FakeUpstream, Scenario

# A key that must only ever travel to the upstream; scanned for in what users see.
TEST_API_KEY = "sk-test-SECRET-do-not-leak-4242"
# The live server's key in the browser tests (tests/browser): scanned for the same way.
BROWSER_API_KEY = "sk-fake-browser-test-key"

# Scans every page, frame, snippet and log record of the session for the keys.
pytest_plugins = ["tests.leak_scan"]


@pytest.fixture(scope="session", autouse=True)
def no_proxy_from_the_shell():
    """Provider connections honour HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY in any
    case, as httpx does; the fake upstreams listen on 127.0.0.1, so a developer's proxy
    settings must not carry the tests' requests away (tests/providers/test_proxy.py sets
    its own)."""
    proxy_variables = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.lower() in proxy_variables:
                patch.delenv(name)
        yield


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
    upstream_server.models_answer = None
    upstream_server.connections = 0
    upstream_server.response_headers = {}
    upstream_server.fine_tuning = None  # its files and jobs, fresh for each test
    return upstream_server


class FakeDns:
    """Host names made up for a test, answered as a DNS server would; every other name goes
    to the real resolver. A name given several addresses answers them in turn, then keeps
    the last: a rebinding server answers a public address first, then an internal one."""

    def __init__(self, real_getaddrinfo) -> None:
        self._real = real_getaddrinfo
        self._answers: dict[str, tuple[str, ...]] = {}
        self.lookups: dict[str, int] = {}

    def answer(self, host: str, *addresses: str) -> None:
        self._answers[host] = addresses
        self.lookups[host] = 0

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self._answers:
            return self._real(host, port, family, type, proto, flags)
        answers = self._answers[name]
        address = answers[min(self.lookups[name], len(answers) - 1)]
        self.lookups[name] += 1
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))
        ]


@pytest.fixture
def fake_dns(monkeypatch) -> FakeDns:
    """Name resolution with made-up names: everything that resolves (the check on save, the
    event loop's getaddrinfo) goes through socket.getaddrinfo, so all of it sees them."""
    dns = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


@pytest.fixture(autouse=True)
def no_connection_left_in_the_sync_thread():
    """A socket's database work runs in asgiref's one sync thread, whose connection outlives
    the test that opened it; the next consumer there checks it on each message ("close old
    connections"), which a test without the database is refused. Closed after every test,
    while the test's database access is still allowed."""
    yield
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # sync_to_async from a fresh loop runs in that same thread (not the test's).
        asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture(autouse=True)
def no_background_retention_sweep(settings):
    """The daily retention sweep starts a thread of its own after a run is recorded: in the
    tests it would touch the database behind the test's back. tests/runs/test_retention.py
    sets the days it tests."""
    settings.PLAYGROUND_RUN_RETENTION_DAYS = 0


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
def fresh_resilience_state(settings):
    """Each test starts with closed circuits and no runs counted against the limits."""
    from playground.limits import run_limiter
    from playground.providers.shared_breaker import reset_breakers

    # The limits in this process's memory, even when the shell has REDIS_URL set; the
    # tests of the shared limits (tests/test_limits_redis.py) set it themselves.
    settings.REDIS_URL = ""
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

    async def send_raw(self, text: str) -> None:
        """A message as the page's bytes, for text no JSON encoder would write."""
        await self.communicator.send_to(text_data=text)

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

    async def receive_record(self, timeout: float = 5) -> str:
        """Read frames until the one saying whether the ended run was saved in the history."""
        while True:
            frame = await self.receive(timeout)
            if 'id="run-record"' in frame and "run-record-" in frame:
                return frame

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


async def socket_opens(cookie: bytes) -> bool:
    """Whether the whole ASGI application (origin check, sign-in) opens the run socket for a
    page of the site sending ``cookie``. The consumer is ended inside the call, refused or
    not: left running, it would touch the database after the test."""
    from playground.asgi import application

    communicator = WebsocketCommunicator(
        application,
        "/ws/run/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


def status_state(frame: str) -> str | None:
    match = re.search(r'id="run-status"[^>]*data-state="(\w+)"', frame)
    return match.group(1) if match else None


class UnrecordedRunConsumer(RunConsumer):
    """The run socket without the history: its user is no database row, and the stream's
    frames are read alone (tests/runs/ test the recording)."""

    records_runs = False


@pytest.fixture
async def run_client():
    communicator = WebsocketCommunicator(UnrecordedRunConsumer.as_asgi(), "/ws/run/")
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


@contextlib.contextmanager
def serving_in_thread(handle, ssl_context: ssl.SSLContext | None = None) -> Iterator[int]:
    """A small asyncio server on 127.0.0.1 in its own thread (the tests' event loops come
    and go); yields its port, stops it on exit."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []

    def serve():
        async def start():
            server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ssl_context)
            port.append(server.sockets[0].getsockname()[1])
            ready.set()

        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield port[0]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture
def untrusted_tls_server():
    """An HTTPS server whose certificate no system store trusts (self-signed CA)."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)

    async def handle(reader, writer):
        writer.close()

    with serving_in_thread(handle, context) as port:
        yield f"https://127.0.0.1:{port}/v1"


@pytest.fixture
def redirecting_server():
    """An HTTP server that answers every request with a 301 to the https address, as a
    provider does when its base URL is given with http://."""

    async def handle(reader, writer):
        request_line = (await reader.readline()).decode("latin-1").split()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        target = request_line[1] if len(request_line) > 1 else "/"
        writer.write(
            b"HTTP/1.1 301 Moved Permanently\r\n"
            + f"Location: https://provider.example{target}\r\n".encode()
            + b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    with serving_in_thread(handle) as port:
        yield f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, end the connections async tests leave behind before the test
    database is dropped: database_sync_to_async opens them in executor threads that
    nobody closes, and PostgreSQL refuses to drop a database in use (CI then leaked one
    test database per run, with only a warning)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
