"""Fault injection through the run websocket, against the real fake upstream.

Each failure kind is injected into one run while another user's stream runs at the
same time; each test checks what the page shows, that partial text is kept, that
retries happen only where they should, and that the stream beside it ends complete.
"""

import asyncio
import html
import re
import time
from dataclasses import dataclass

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from playground.consumers import RunConsumer
from tests.conftest import RunClient, chat_request
from tests.fake_upstream import FakeUpstream, Scenario, tagged_tokens

BESIDE_TOKENS = 60
BESIDE_RATE = 60.0  # tokens per second: the stream beside lasts about a second


def beside_reply(count: int = BESIDE_TOKENS) -> str:
    return "".join(f" beside:{i}" for i in range(count))


def status_messages(client: RunClient) -> list[str]:
    """Every status the page showed, in order, as plain text."""
    found = []
    for frame in client.frames:
        for match in re.findall(r'<div id="run-status".*?</div>', frame, re.S):
            found.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", match)).split()))
    return found


@pytest.fixture
def flaky(settings, test_providers, fake_upstream):
    """Provider 'flaky': the fake upstream with short timeouts, for the run under test.

    The stream beside runs on 'openai', so that a breaker opened by 'flaky' cannot
    touch it; both reach the same fake upstream.
    """
    fake_upstream.default = Scenario(tokens=tagged_tokens, tokens_per_second=BESIDE_RATE)

    def configure(**overrides) -> None:
        settings.PLAYGROUND_PROVIDERS = {
            **test_providers,
            "flaky": {
                **test_providers["openai"],
                "first_token_timeout": 0.4,
                "token_gap_timeout": 0.4,
                **overrides,
            },
        }

    configure()
    return configure


async def connect(username: str) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username=username)
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


@dataclass
class Outcome:
    state: str
    client: RunClient
    seconds: float
    requests: int  # chat requests the run under test made upstream

    @property
    def status(self) -> str:
        return self.client.status_text()

    @property
    def reply(self) -> str:
        return self.client.reply()


async def run_beside_a_healthy_stream(
    upstream: FakeUpstream,
    scenarios: list[Scenario],
    *,
    provider: str = "flaky",
    max_tokens: int = 5,
    beside_tokens: int = BESIDE_TOKENS,
) -> Outcome:
    """Run 'main' on ``provider`` with ``scenarios`` queued, while 'beside' streams for another
    user; assert the stream beside was still running when 'main' ended and ended complete."""
    beside = await connect("beside-user")
    main = await connect("main-user")
    try:
        await beside.send(chat_request("beside", max_tokens=beside_tokens))
        deadline = time.monotonic() + 5
        # Wait for its first token, so that it has surely taken the default scenario and
        # the ones queued below are left for the run under test.
        while not (upstream.chat_requests and upstream.chat_requests[0].tokens_sent):
            assert time.monotonic() < deadline, "the stream beside never started"
            await asyncio.sleep(0.005)
        for scenario in scenarios:
            upstream.answer_next(scenario)
        started = time.monotonic()
        await main.send(chat_request("main", provider=provider, max_tokens=max_tokens))
        state = await main.receive_until_state(timeout=10)
        seconds = time.monotonic() - started
        beside_record = upstream.chat_requests[0]
        assert beside_record.finished_at is None, "the stream beside ended before the run did"
        assert await beside.receive_until_state(timeout=10) == "done"
        assert beside.reply() == beside_reply(beside_tokens)
        main_requests = [
            r for r in upstream.chat_requests if r.body["messages"][-1]["content"] == "main"
        ]
        assert "Traceback" not in "".join(main.frames)
        return Outcome(state, main, seconds, len(main_requests))
    finally:
        await main.communicator.disconnect()
        await beside.communicator.disconnect()


# --- Refusals: told plainly, never retried ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "said", "expected"),
    [
        (401, "Incorrect API key provided", "The provider refused the API key (401)"),
        (403, "Country, region, or territory not supported", "refused access (403)"),
        (404, "The model `nope` does not exist", "the model name may be wrong"),
    ],
)
async def test_a_refusal_is_told_plainly_and_not_retried(
    flaky, fake_upstream, status, said, expected
):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(status=status, error_message=said)]
    )
    assert outcome.state == "error"
    assert expected in outcome.status
    assert f"The provider said: {said}" in outcome.status
    assert outcome.requests == 1
    assert not any("retrying" in s for s in status_messages(outcome.client))


async def test_a_400_naming_a_parameter_highlights_that_parameter(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream,
        [
            Scenario(
                status=400,
                error_message="Unsupported value: 'temperature' does not support 0.2 with this model.",
                error_param="temperature",
            )
        ],
    )
    assert outcome.state == "error"
    assert "The provider rejected the request (400)" in outcome.status
    assert "The provider objected to temperature" in outcome.status
    final = outcome.client.frames[-1]
    assert 'data-param="temperature"' in final
    assert '<code class="param-error">temperature</code>' in final
    assert outcome.requests == 1


# --- Retried before the first token -------------------------------------------------------


async def test_429_with_retry_after_waits_that_long_then_succeeds(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(status=429, retry_after="1")], beside_tokens=90
    )
    assert outcome.state == "done"
    assert "Rate limited (429), retrying in 1 s, attempt 2 of 3…" in status_messages(outcome.client)
    assert outcome.seconds >= 1.0
    assert outcome.requests == 2
    assert outcome.reply == " main:0 main:1 main:2 main:3 main:4"


async def test_429_with_a_retry_after_longer_than_worth_waiting_is_told_not_retried(
    flaky, fake_upstream
):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(status=429, retry_after="7")]
    )
    assert outcome.state == "error"
    assert "Rate limited or out of quota (429). Wait 7 s and run again" in outcome.status
    assert outcome.requests == 1
    assert outcome.seconds < 1


async def test_429_without_retry_after_backs_off_and_gives_up_after_three_attempts(
    flaky, fake_upstream
):
    outcome = await run_beside_a_healthy_stream(fake_upstream, [Scenario(status=429)] * 3)
    assert outcome.state == "error"
    assert "Rate limited or out of quota (429)" in outcome.status
    assert "(Tried 3 times.)" in outcome.status
    retries = [s for s in status_messages(outcome.client) if "retrying" in s]
    assert len(retries) == 2
    assert retries[0].startswith("Rate limited (429), retrying in ")
    assert retries[0].endswith("attempt 2 of 3…")
    assert retries[1].endswith("attempt 3 of 3…")
    assert outcome.requests == 3


async def test_500_is_not_retried(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(fake_upstream, [Scenario(status=500)])
    assert outcome.state == "error"
    assert "The provider failed (500). This is on their side" in outcome.status
    assert outcome.requests == 1


async def test_502_is_retried_and_the_reply_arrives(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(fake_upstream, [Scenario(status=502)])
    assert outcome.state == "done"
    assert any(
        s.startswith("The provider failed (502), retrying in ") and "attempt 2 of 3" in s
        for s in status_messages(outcome.client)
    )
    assert outcome.reply == " main:0 main:1 main:2 main:3 main:4"
    assert outcome.requests == 2


async def test_503_every_time_ends_after_three_attempts(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(fake_upstream, [Scenario(status=503)] * 3)
    assert outcome.state == "error"
    assert "The provider failed (503)" in outcome.status
    assert "(Tried 3 times.)" in outcome.status
    assert outcome.requests == 3


async def test_connection_refused_is_retried_then_told_plainly(flaky, fake_upstream):
    flaky(base_url="http://127.0.0.1:9/v1")
    outcome = await run_beside_a_healthy_stream(fake_upstream, [])
    assert outcome.state == "error"
    assert "Could not reach http://127.0.0.1:9/v1" in outcome.status
    assert "(Tried 3 times.)" in outcome.status
    assert any(
        s.startswith("Could not reach the provider, retrying in ")
        for s in status_messages(outcome.client)
    )
    assert outcome.requests == 0


async def test_a_tls_error_is_told_as_such_and_not_retried(
    flaky, fake_upstream, untrusted_tls_server
):
    # An untrusted certificate is not "refused or not found", and it will not fix itself
    # between attempts.
    flaky(base_url=untrusted_tls_server)
    outcome = await run_beside_a_healthy_stream(fake_upstream, [])
    assert outcome.state == "error"
    assert f"TLS error: the secure connection to {untrusted_tls_server} failed" in outcome.status
    assert "certificate" in outcome.status
    assert "Could not reach" not in outcome.status
    assert not any("retrying" in s for s in status_messages(outcome.client))


async def test_a_redirect_is_told_as_a_wrong_base_url(flaky, fake_upstream, redirecting_server):
    flaky(base_url=redirecting_server)
    outcome = await run_beside_a_healthy_stream(fake_upstream, [])
    assert outcome.state == "error"
    assert (
        f"Wrong URL: {redirecting_server}/chat/completions redirects to "
        "https://provider.example/v1/chat/completions. Use that address in OPENAI_BASE_URL"
    ) in outcome.status
    assert "Check the parameters" not in outcome.status


async def test_a_connection_dropped_before_any_text_is_retried(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(failure="cut", fail_after=0, tokens=tagged_tokens)]
    )
    assert outcome.state == "done"
    assert any(
        s.startswith("The connection dropped before the reply began, retrying in ")
        for s in status_messages(outcome.client)
    )
    assert outcome.reply == " main:0 main:1 main:2 main:3 main:4"
    assert outcome.requests == 2


# --- Timeouts and mid-stream failures: partial text kept, never retried --------------------


async def test_no_first_token_in_time_ends_the_run_without_retrying(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(fake_upstream, [Scenario(failure="hang")])
    assert outcome.state == "error"
    assert "No reply from the provider within 0.4 s (the first-token timeout)" in outcome.status
    assert 0.4 <= outcome.seconds < 2
    assert outcome.requests == 1
    hung = next(
        r for r in fake_upstream.chat_requests if r.body["messages"][-1]["content"] == "main"
    )
    assert hung.client_closed_at is not None  # the upstream request was closed, not left open


async def test_a_cut_mid_stream_keeps_the_partial_reply(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream,
        [Scenario(failure="cut", fail_after=3, tokens_per_second=50, tokens=tagged_tokens)],
    )
    assert outcome.state == "error"
    assert outcome.reply == " main:0 main:1 main:2"
    assert "The connection to the provider was cut" in outcome.status
    assert "The partial reply is kept" in outcome.status
    assert outcome.requests == 1


async def test_a_malformed_event_ends_the_run_and_keeps_the_partial_reply(flaky, fake_upstream):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream,
        [Scenario(failure="malformed", fail_after=2, tokens_per_second=50, tokens=tagged_tokens)],
    )
    assert outcome.state == "error"
    assert outcome.reply == " main:0 main:1"
    assert "not valid JSON" in outcome.status
    assert "The partial reply is kept." in outcome.status
    assert outcome.requests == 1


async def test_an_error_event_inside_the_stream_is_shown_with_the_partial_reply(
    flaky, fake_upstream
):
    outcome = await run_beside_a_healthy_stream(
        fake_upstream,
        [
            Scenario(
                failure="error_event",
                fail_after=3,
                error_message="Model overloaded",
                tokens=tagged_tokens,
            )
        ],
    )
    assert outcome.state == "error"
    assert outcome.reply == " main:0 main:1 main:2"
    assert "error in the middle of the reply: Model overloaded" in outcome.status
    assert "The partial reply is kept." in outcome.status
    assert outcome.requests == 1


async def test_a_slow_drip_that_goes_quiet_ends_with_the_partial_reply(flaky, fake_upstream):
    # One token every 0.6 s against a 0.4 s gap timeout: the first arrives, then silence.
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(tokens_per_second=1 / 0.6, tokens=tagged_tokens)]
    )
    assert outcome.state == "error"
    assert outcome.reply == " main:0"
    assert "The provider went quiet for 0.4 s in the middle of the reply" in outcome.status
    assert "The partial reply is kept." in outcome.status
    assert outcome.requests == 1


async def test_a_steady_drip_that_never_ends_is_stopped_by_the_run_timeout(flaky, fake_upstream):
    flaky(run_timeout=0.5)
    outcome = await run_beside_a_healthy_stream(
        fake_upstream, [Scenario(tokens_per_second=10, tokens=tagged_tokens)], max_tokens=1000
    )
    assert outcome.state == "error"
    assert "The run took longer than the limit of 0.5 s" in outcome.status
    assert outcome.reply.startswith(" main:0 main:1 main:2")
    assert "The partial reply is kept." in outcome.status
    assert 0.5 <= outcome.seconds < 1.5
    assert outcome.requests == 1


# --- Breaker and Stop, as the page sees them ------------------------------------------------


async def test_the_page_is_told_when_a_provider_is_paused_by_the_breaker(flaky, fake_upstream):
    flaky(retry_attempts=1, breaker_threshold=2, breaker_reset_seconds=30)
    client = await connect("breaker-user")
    try:
        for _ in range(2):
            fake_upstream.answer_next(Scenario(status=500))
            await client.send(chat_request("main", provider="flaky"))
            assert await client.receive_until_state() == "error"
        await client.send(chat_request("main", provider="flaky"))
        assert await client.receive_until_state() == "error"
        status = client.status_text()
        assert "The provider 'flaky' failed 2 times in a row" in status
        assert "It will try again at " in status and "UTC (in 30 s)" in status
        assert len(fake_upstream.chat_requests) == 2
        # Another provider on the same upstream still works.
        await client.send(chat_request("other", provider="openai"))
        assert await client.receive_until_state() == "done"
    finally:
        await client.communicator.disconnect()


async def test_stop_during_a_retry_wait_stops_at_once(flaky, fake_upstream):
    client = await connect("impatient-user")
    try:
        fake_upstream.answer_next(Scenario(status=503, retry_after="1.5"))
        await client.send(chat_request("main", provider="flaky"))
        while "retrying" not in client.status_text():
            await client.receive()
        stopped_at = time.monotonic()
        await client.send({"action": "stop"})
        assert await client.receive_until_state() == "stopped"
        assert time.monotonic() - stopped_at < 0.5
        await asyncio.sleep(1.6)
        assert len(fake_upstream.chat_requests) == 1  # the retry never went out
    finally:
        await client.communicator.disconnect()
