"""No configured key reaches a page, a websocket frame, an exported snippet or a log line.

Runs succeed and fail in every way against an environment provider and a stored
one, with an upstream that echoes the key back in its error messages; everything
produced is scanned (tests/leak_scan.py also scans the whole suite's output).
"""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import AsyncClient

from playground.consumers import RunConsumer
from playground.export import export
from playground.providerconfig.models import ProviderConfig
from tests.conftest import TEST_API_KEY, RunClient, chat_request
from tests.fake_upstream import Scenario, tagged_tokens
from tests.leak_scan import SECRETS, Collected
from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET, make_provider_config

pytestmark = pytest.mark.django_db(transaction=True)


def failures(key: str) -> list[Scenario]:
    """Every failure kind, with the upstream quoting ``key`` wherever it says something."""
    said = f"Incorrect API key provided: {key}. You can find your key at …"
    return [
        Scenario(status=401, error_message=said),
        Scenario(status=403, error_message=said),
        Scenario(status=404, error_message=said),
        Scenario(status=400, error_message=said, error_param="temperature"),
        Scenario(status=429, error_message=said, retry_after="30"),
        Scenario(status=500, error_message=said),
        Scenario(status=502, error_message=said),
        Scenario(status=503, error_message=said),
        Scenario(failure="hang"),
        Scenario(failure="cut", tokens=tagged_tokens),
        Scenario(failure="malformed", tokens=tagged_tokens),
        Scenario(failure="error_event", error_message=said, tokens=tagged_tokens),
        Scenario(tokens_per_second=1, tokens=tagged_tokens),  # a slow drip
        Scenario(tokens=tagged_tokens),  # success
    ]


@pytest.fixture
def short_waits(settings, test_providers):
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {
            **test_providers["openai"],
            "retry_attempts": 1,
            "first_token_timeout": 0.3,
            "token_gap_timeout": 0.3,
        },
        "dead": {**test_providers["openai"], "base_url": "http://127.0.0.1:9/v1"},
    }


async def test_no_key_in_frames_pages_snippets_or_logs(short_waits, fake_upstream, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "django", "playground"):
        caplog.set_level(logging.DEBUG, logger=name)
    stored = await database_sync_to_async(make_provider_config)(
        fake_upstream.base_url,
        name="gateway",
        extra_headers={"X-Gateway-Token": DB_HEADER_SECRET},
        first_token_timeout=0.3,
        token_gap_timeout=0.3,
    )
    seen = Collected()

    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="scanner")
    assert (await communicator.connect())[0]
    client = RunClient(communicator)
    try:
        for provider, key in (("openai", TEST_API_KEY), ("gateway", DB_API_KEY)):
            for scenario in failures(key):
                fake_upstream.answer_next(scenario)
                await client.send(chat_request("leak", provider=provider, max_tokens=4))
                await client.receive_until_state(timeout=5)
        # A provider that refuses connections, and one that does not exist.
        for provider in ("dead", "nope"):
            await client.send(chat_request(provider=provider))
            await client.receive_until_state()
    finally:
        await communicator.disconnect()
    for frame in client.frames:
        seen.add("frame", frame)

    # The keys did travel, to the upstream and only there.
    sent = {r.headers.get("authorization") for r in fake_upstream.requests}
    assert f"Bearer {TEST_API_KEY}" in sent and f"Bearer {DB_API_KEY}" in sent
    assert any(r.headers.get("x-gateway-token") == DB_HEADER_SECRET for r in fake_upstream.requests)
    assert len(client.frames) > 50

    admin = await database_sync_to_async(User.objects.create_superuser)("scan-admin", password="x")
    browser = AsyncClient()
    await browser.aforce_login(admin)
    for url in (
        "/",
        "/models/?provider=openai",
        "/models/?provider=gateway",
        "/providers/",
        f"/providers/{stored.pk}/",
        "/admin/providerconfig/providerconfig/",
        f"/admin/providerconfig/providerconfig/{stored.pk}/change/",
        "/no-such-page/",
    ):
        response = await browser.get(url)
        assert response.status_code in (200, 404), url
        seen.add("html", response.content.decode())
    for url in (f"/providers/{stored.pk}/test/", "/providers/gateway/refresh-models/"):
        seen.add("html", (await browser.post(url)).content.decode())

    for provider in ("openai", "gateway"):
        request = {"mode": "chat", "provider": provider, "body": chat_request()["request"]["body"]}
        for lang in ("python", "node", "curl", "json"):
            seen.add("snippet", await database_sync_to_async(export)(lang, request))

    for record in caplog.records:
        seen.add("log", record.getMessage())
    assert seen.count("log") > 0

    assert seen.leaks() == []
    assert await database_sync_to_async(ProviderConfig.objects.count)() == 1


def test_the_scan_finds_a_planted_key():
    planted = Collected()
    planted.add("frame", "<span>all good</span>")
    assert planted.leaks() == []
    for secret in SECRETS:
        planted.add("log", f"upstream said: bad key {secret}")
    assert [kind for kind, _, _ in planted.leaks()] == ["log"] * len(SECRETS)


def test_a_stored_providers_snippet_points_at_its_url_and_reads_the_key_from_the_env(
    fake_upstream,
):
    make_provider_config("https://gateway.example/v1", name="gateway")
    snippet = export(
        "curl", {"mode": "chat", "provider": "gateway", "body": chat_request()["request"]["body"]}
    )
    assert "https://gateway.example/v1/chat/completions" in snippet
    assert "$GATEWAY_API_KEY" in snippet
    assert DB_API_KEY not in snippet
