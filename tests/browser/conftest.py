"""A real daphne process, a signed-in user and Debian's Chromium for the browser tests.

The server is a fresh process (not a fork of pytest) with its own data directory,
so it never touches the pytest test database; it is configured through the
environment, like a deployment. See STACK-NOTES.md for why.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    WebSocket,
    WebSocketRoute,
    expect,
)

from tests.conftest import BROWSER_API_KEY
from tests.fake_upstream import FakeUpstream
from tests.leak_scan import collected
from tests.live_server import manage, running_daphne, server_env

USERNAME = "browser-tester"
PASSWORD = "correct-horse-battery-staple-7"
FAKE_KEY = BROWSER_API_KEY
CHROMIUM_MISSING = (
    "Debian's chromium is not installed, so the browser tests cannot run: "
    "install it with `make browser-deps` (as root)."
)


@pytest.fixture(scope="session")
def live_server_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="session")
def live_server_env(live_server_data_dir: Path, upstream_server: FakeUpstream) -> dict[str, str]:
    """The live server's environment: its own database, the fake upstream as "openai"."""
    return server_env(
        live_server_data_dir,
        PLAYGROUND_OFFLINE_TOKENS_PER_SECOND="20",
        # The browser tests start from the offline model (they pick "openai" when they use it).
        PLAYGROUND_DEFAULT_PROVIDER="offline",
        # Every test's fresh page starts there, whatever an earlier test ran (one shared user).
        PLAYGROUND_REMEMBER_LAST_RUN="false",
        # All browser tests share one user, and together they start more than the default
        # 30 runs a minute; the limit has its own tests (tests/test_limits*.py).
        PLAYGROUND_MAX_RUNS_PER_MINUTE="1000",
        # The offline model's fine-tuning jobs end in seconds; here, in three.
        PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS="3",
        PLAYGROUND_FINE_TUNING_POLL_SECONDS="0.5",
        OPENAI_BASE_URL=upstream_server.base_url,
        OPENAI_API_KEY=FAKE_KEY,
    )


@pytest.fixture(scope="session")
def live_manage(live_server_env: dict[str, str]) -> Callable[..., str]:
    """Run a manage.py command against the live server's database; returns its stdout."""

    def run(*args: str) -> str:
        return manage(live_server_env, *args)

    return run


@pytest.fixture(scope="session")
def live_server_url(
    live_server_data_dir: Path, live_server_env: dict[str, str], live_manage: Callable[..., str]
) -> Iterator[str]:
    data_dir, env, manage = live_server_data_dir, live_server_env, live_manage
    manage("migrate", "--noinput")
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})",
    )
    log = data_dir / "daphne.log"
    try:
        with running_daphne(env, log) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        # The key-leak scan reads the server's log too (it runs when the session ends).
        collected.add("log", log.read_text(errors="replace"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end of the run, why the browser tests were skipped."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(CHROMIUM_MISSING in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(CHROMIUM_MISSING, yellow=True, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    executable = shutil.which("chromium")
    if executable is None:
        # CI installs chromium (.ci/run): there a missing browser fails the tests instead.
        if os.environ.get("CI"):
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser(browser: Browser) -> Iterator[Browser]:
    # Sync Playwright runs an event loop in this thread; Django's test machinery in this
    # process would then refuse its sync calls. Only the browser tests need this.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield browser
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def record_for_leak_scan(context: BrowserContext) -> Callable[[], None]:
    """Hand what the context's pages receive to the key-leak scan: every websocket frame as
    it arrives; call the returned function at the end for each page's document."""

    def record_frames(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: collected.add(
                "frame", payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        )

    context.on("page", lambda page: page.on("websocket", record_frames))

    def record_documents() -> None:
        for page in context.pages:
            if not page.is_closed():
                collected.add("html", page.content())

    return record_documents


@pytest.fixture
def context(context: BrowserContext) -> Iterator[BrowserContext]:
    """pytest-playwright's context, with what its pages receive scanned for keys."""
    record_documents = record_for_leak_scan(context)
    yield context
    record_documents()


@pytest.fixture
def signed_in_page(page: Page, live_server_url: str) -> Page:
    """A page signed in through the login form, on the playground with its socket open."""
    page.set_default_timeout(10_000)
    page.goto(live_server_url + "/")
    # Not signed in: the playground sends us to the login form.
    expect(page).to_have_url(live_server_url + "/login/?next=/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server_url + "/")
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def cuttable_sockets(page: Page) -> list[WebSocketRoute]:
    """Reload ``page`` with its run sockets passed through routes the test can close (a lost
    connection, as a dropped Wi-Fi or a restarted proxy gives); the newest is last."""
    sockets: list[WebSocketRoute] = []

    def pass_through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/ws/run/$"), pass_through)
    page.reload()
    expect(page.locator("#connection")).to_have_text("Connected")
    return sockets
