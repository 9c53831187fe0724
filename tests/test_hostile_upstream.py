"""An upstream that echoes the key and the secret extra headers, in every place and form
(tests/hostile_upstream.py), against a real daphne process, a real websocket, the real
``manage.py run_request``: no secret, in any form, in a frame, a page, the terminal, the
server's log or its database (tests/leak_scan.py also scans all of it when the session
ends). And the shared HTTP client keeps no cookie an upstream sets.
"""

import html
import io
import json
import logging
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from django.core.cache import cache
from django.utils.module_loading import import_string
from websockets.sync.client import connect

from playground.providerconfig.lookup import aget_provider
from playground.providers import discovery
from playground.providers.discovery import provider_models
from tests.conftest import TEST_API_KEY, status_state
from tests.hostile_upstream import HostileUpstream
from tests.leak_scan import Collected, collected, leak_forms
from tests.live_server import ROOT, manage, running_daphne, server_env
from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET

PASSWORD = "hostile-upstream-pw-42"
SECRETS = (TEST_API_KEY, DB_API_KEY, DB_HEADER_SECRET)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileUpstream]:
    server = HostileUpstream().start_in_thread()
    yield server
    server.stop()


def chat(provider: str, model: str = "m", **body: object) -> dict:
    request_body = {"model": model, "messages": [{"role": "user", "content": "hi"}], **body}
    return {
        "action": "run",
        "request": {"mode": "chat", "provider": provider, "body": request_body},
    }


def runs(provider: str) -> list[dict]:
    """A run of each kind, each answered with the secrets echoed everywhere."""
    return [
        chat(provider, stream=True, logprobs=True, top_logprobs=1),
        chat(provider, stream=False, logprobs=True),
        chat(provider, "error", stream=True),
        chat(provider, "crash", stream=True),
        {
            "action": "run",
            "request": {
                "mode": "embedding",
                "provider": provider,
                "body": {"model": "e", "input": "hi"},
            },
        },
        {
            "action": "run",
            "request": {"mode": "moderation", "provider": provider, "body": {"input": "hi"}},
        },
    ]


@dataclass
class Seen:
    """What left the live server, by kind (as in tests/leak_scan.py)."""

    texts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        self.texts.setdefault(kind, []).append(text)
        collected.add(kind, text)

    def leaks(self, kind: str) -> list[tuple[str, str, str]]:
        scan = Collected()
        for text in self.texts.get(kind, []):
            scan.add(kind, text)
        return scan.leaks()


@pytest.fixture(scope="module")
def seen(hostile: HostileUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seen]:
    """Run everything once against a live daphne and the hostile upstream; keep what left."""
    data_dir = tmp_path_factory.mktemp("hostile-data")
    env = server_env(
        data_dir,
        OPENAI_BASE_URL=hostile.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PLAYGROUND_RETRY_ATTEMPTS="1",
    )
    manage(env, "migrate", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        "from tests.providerconfig.factories import make_provider_config\n"
        f"User.objects.create_superuser('hostile-admin', password={PASSWORD!r})\n"
        f"make_provider_config({hostile.base_url!r}, name='gateway',"
        f" extra_headers={{'X-Gateway-Token': {DB_HEADER_SECRET!r}}})\n",
    )
    found = Seen()

    # The terminal: manage.py run_request, readable and raw (--json), all at once.
    commands = [
        (message["request"], extra)
        for provider in ("openai", "gateway")
        for number, message in enumerate(runs(provider))
        for extra in ([[], ["--json"]] if number < 2 else [[]])
    ]
    terminals = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_request", "-", *extra],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _, extra in commands
    ]
    for terminal, (request, _) in zip(terminals, commands, strict=True):
        output, _ = terminal.communicate(json.dumps(request), timeout=120)
        found.add("terminal", output)

    log_path = data_dir / "daphne.log"
    with running_daphne(env, log_path) as port:
        live = f"http://127.0.0.1:{port}"
        browser = sign_in(live)
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        with connect(
            f"ws://127.0.0.1:{port}/ws/run/",
            origin=live,
            additional_headers={"Cookie": cookie},
        ) as socket:
            for provider in ("openai", "gateway"):
                for message in runs(provider):
                    socket.send(json.dumps(message))
                    frames = frames_until_done(socket)
                    for frame in frames:
                        found.add("frame", frame)
                    # The reply as the page shows it, its frames joined: a secret split
                    # across two frames is whole again here.
                    found.add("frame", reply_shown(frames))
                    found.add("frame", tokens_shown(frames))
                    # The inspector's whole raw answer, as the page asks for it.
                    socket.send(json.dumps({"action": "raw"}))
                    found.add("frame", str(socket.recv(timeout=10)))
        # Model lists (GET /models) as the page and the providers' pages show them.
        token = browser.cookies["csrftoken"]
        for url in ("/models/?provider=openai", "/models/?provider=gateway", "/providers/"):
            found.add("html", browser.get(url).text)
        for url in ("/providers/1/test/", "/providers/gateway/refresh-models/"):
            answer = browser.post(url, headers={"X-CSRFToken": token, "Referer": live})
            found.add("html", answer.text)
        found.add("html", browser.get("/models/?provider=gateway").text)
    found.add("log", log_path.read_text(errors="replace"))
    with sqlite3.connect(data_dir / "db.sqlite3") as database:
        found.add("stored", "\n".join(database.iterdump()))
    yield found


def sign_in(live: str) -> httpx.Client:
    browser = httpx.Client(base_url=live, timeout=10)
    page = browser.get("/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    answer = browser.post(
        "/login/",
        data={
            "username": "hostile-admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
    )
    assert answer.status_code in (200, 302) and "sessionid" in browser.cookies
    return browser


def reply_shown(frames: list[str]) -> str:
    pattern = re.compile(r'<span id="reply-0" hx-swap-oob="beforeend">(.*?)</span>', re.S)
    return "".join(html.unescape(m) for frame in frames for m in pattern.findall(frame))


def tokens_shown(frames: list[str]) -> str:
    """The probability view's tokens as they read on the page, one after the other."""
    pattern = re.compile(r'<span class="token [^"]*" [^>]*aria-label="(.*?): [0-9.]+%"', re.S)
    return "".join(html.unescape(m) for frame in frames for m in pattern.findall(frame))


def frames_until_done(socket) -> list[str]:
    frames = []
    while True:
        frame = str(socket.recv(timeout=10))
        frames.append(frame)
        state = status_state(frame)
        if state and state != "running":
            return frames


def test_the_upstream_did_echo_and_was_heard(hostile: HostileUpstream, seen: Seen) -> None:
    """The test is worth something: the secrets went out, and what came back was shown."""
    sent = {r.headers.get("authorization") for r in hostile.requests}
    assert f"Bearer {TEST_API_KEY}" in sent and f"Bearer {DB_API_KEY}" in sent
    assert any(r.headers.get("x-gateway-token") == DB_HEADER_SECRET for r in hostile.requests)
    frames = "\n".join(seen.texts["frame"])
    assert "***" in frames
    assert 'id="reply-0"' in frames and "echo" in frames  # reply text and the tool call
    # The upstream paused inside each secret: its halves reached the socket apart.
    reply_frames = [f for f in seen.texts["frame"] if 'id="reply-0"' in f]
    assert len(reply_frames) > 2 * len(leak_forms(TEST_API_KEY))
    assert 'class="probability-view"' in frames
    assert "honest-model" in "\n".join(seen.texts["html"])
    assert "***" in "\n".join(seen.texts["terminal"])


@pytest.mark.parametrize("kind", ["frame", "html", "terminal", "log", "stored"])
def test_no_secret_in_any_form_leaves_the_server(seen: Seen, kind: str) -> None:
    assert seen.texts.get(kind), f"nothing of kind {kind} was seen"
    assert seen.leaks(kind) == []


@pytest.mark.django_db
async def test_a_model_list_that_echoes_a_secret_is_kept_without_it(
    hostile: HostileUpstream, settings
) -> None:
    settings.PLAYGROUND_PROVIDERS = {
        "hostile": {"kind": "openai", "base_url": hostile.base_url, "api_key": TEST_API_KEY}
    }
    await cache.aclear()
    provider = await aget_provider("hostile")
    models = await provider_models(provider)
    assert models == ["honest-model"]
    stored = Collected()
    stored.add("stored", json.dumps(await cache.aget(discovery._cache_key(provider))))
    assert stored.leaks() == []


def test_the_log_filter_scrubs_every_record(settings) -> None:
    """Every handler of settings.LOGGING scrubs what it writes of a provider's secrets."""
    from playground.providers.build import build_provider

    build_provider(
        "gateway-log",
        {
            "kind": "openai",
            "base_url": "http://127.0.0.1:9/v1",
            "api_key": DB_API_KEY,
            "extra_headers": {"X-Gateway-Token": DB_HEADER_SECRET},
        },
    )
    filters = {
        name: import_string(spec["()"])() for name, spec in settings.LOGGING["filters"].items()
    }
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(filters[name])
    logger = logging.getLogger("tests.hostile")
    logger.addHandler(handler)
    # Only to this handler: the session's leak scan listens on the root logger, unfiltered.
    logger.propagate = False
    try:
        for secret in (DB_API_KEY, DB_HEADER_SECRET):
            for form in leak_forms(secret).values():
                logger.warning("upstream said %s", form)
            try:
                float(secret)
            except ValueError:
                logger.exception("parsing failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = Collected()
    written.add("log", out.getvalue())
    assert "upstream said ***" in out.getvalue()
    assert written.leaks() == []


async def test_cookies_an_upstream_sets_are_never_sent_again(fake_upstream, settings) -> None:
    """The HTTP client is shared (per address) by every user and provider: a cookie the
    upstream sets for one request must not go with the next, another provider's."""
    fake_upstream.response_headers = {"Set-Cookie": "upstream-session=abc123; Path=/"}
    entry = {"kind": "openai", "base_url": fake_upstream.base_url, "default_model": "fake-model"}
    settings.PLAYGROUND_PROVIDERS = {
        "first": {**entry, "api_key": "sk-first-user-key-1111"},
        "second": {**entry, "api_key": "sk-second-user-key-2222"},
    }
    first, second = await aget_provider("first"), await aget_provider("second")
    await first.fetch_models()
    async for _ in first.stream({"model": "fake-model", "messages": [], "stream": True}):
        pass
    await second.fetch_models()
    async for _ in second.stream({"model": "fake-model", "messages": [], "stream": True}):
        pass
    assert len(fake_upstream.requests) == 4
    assert [r.headers.get("cookie") for r in fake_upstream.requests] == [None] * 4
