"""The run websocket: streaming, Stop, disconnect, failures and bad input, as the page sees them."""

import asyncio
import html
import re
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from playground.consumers import RunConsumer
from tests.conftest import chat_request, status_state
from tests.fake_upstream import Scenario
from tests.xss_payloads import XSS_PAYLOADS, assert_inert


async def test_reply_arrives_complete_and_in_order(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda body: [f" t{i}" for i in range(200)]))
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply() == "".join(f" t{i}" for i in range(200))
    assert "finish_reason: stop" in run_client.status_text()


async def test_body_sent_upstream_is_exactly_the_request_body(run_client, fake_upstream):
    message = chat_request(temperature=0.3, max_tokens=5)
    await run_client.send(message)
    await run_client.receive_until_state()
    assert fake_upstream.chat_requests[0].body == message["request"]["body"]


async def wait_for(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_stop_cancels_the_upstream_request_and_keeps_the_partial_reply(
    run_client, fake_upstream
):
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: [" x"] * 500))
    await run_client.send(chat_request())
    await wait_for(lambda: bool(fake_upstream.chat_requests))
    record = fake_upstream.chat_requests[0]
    await wait_for(lambda: record.tokens_sent >= 5)
    await run_client.send({"action": "stop"})
    stopped_at = time.monotonic()
    assert await run_client.receive_until_state() == "stopped"
    await wait_for(lambda: record.client_closed_at is not None)
    assert record.client_closed_at - stopped_at < 0.2
    # Stop keeps everything: the partial reply, the timings, and the raw inspector.
    assert re.match(
        r"Stopped after \d+\.\d\d s \(first token \d+\.\d\d s\)\. The partial reply is kept\.",
        run_client.status_text(),
    )
    assert 'id="raw-response"' in run_client.frames[-1]
    await run_client.send({"action": "raw"})
    assert "chat.completion.chunk" in html.unescape(await run_client.receive())
    assert run_client.reply().startswith(" x x x")
    assert record.tokens_sent < 500


async def test_closing_the_page_cancels_the_upstream_request(fake_upstream):
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="leaver")
    assert (await communicator.connect())[0]
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: [" x"] * 500))
    await communicator.send_json_to(chat_request())
    await wait_for(
        lambda: fake_upstream.chat_requests and fake_upstream.chat_requests[0].tokens_sent >= 3
    )
    record = fake_upstream.chat_requests[0]
    await communicator.disconnect()
    closed_at = time.monotonic()
    await wait_for(lambda: record.client_closed_at is not None)
    assert record.client_closed_at - closed_at < 0.2
    assert record.tokens_sent < 500


FAILURES = [
    (Scenario(status=401, error_message="Incorrect API key provided"), "refused the API key (401)"),
    (Scenario(status=403, error_message="Country not supported"), "refused access (403)"),
    (
        Scenario(status=404, error_message="The model `nope` does not exist"),
        "model name may be wrong",
    ),
    (Scenario(status=429, retry_after="7"), "Rate limited or out of quota (429). Wait 7 s"),
    (Scenario(status=500), "The provider failed (500)"),
    (Scenario(failure="hang"), "No reply from the provider within 1 s"),
    (Scenario(failure="cut", fail_after=3), "connection to the provider was cut"),
    (Scenario(failure="no_done", tokens=lambda b: [" a"]), "connection to the provider was cut"),
    (Scenario(failure="malformed"), "not valid JSON"),
    (
        Scenario(failure="error_event", error_message="overloaded"),
        "error in the middle of the reply: overloaded",
    ),
]


@pytest.mark.parametrize(
    ("scenario", "expected"),
    FAILURES,
    ids=lambda v: getattr(v, "failure", None) or getattr(v, "status", v),
)
async def test_upstream_failure_is_told_plainly_and_the_next_run_works(
    run_client, fake_upstream, scenario, expected
):
    fake_upstream.answer_next(scenario)
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "error"
    status = run_client.status_text()
    assert expected in status
    assert "Traceback" not in "".join(run_client.frames)

    run_client.frames.clear()
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply() == "".join(f" word{i}" for i in range(20))


async def test_a_cut_stream_keeps_the_text_received_before_the_cut(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(failure="cut", fail_after=3))
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "error"
    assert run_client.reply() == " word0 word1 word2"
    assert "The partial reply is kept" in run_client.status_text()


async def test_connection_refused_is_told_plainly(run_client, test_providers, settings):
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {**test_providers["openai"], "base_url": "http://127.0.0.1:9/v1"},
    }
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "error"
    assert "Could not reach http://127.0.0.1:9/v1" in run_client.status_text()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_with_private_addresses_refused_a_run_is_stopped_at_connect_time(
    run_client, fake_upstream, test_providers, settings, host
):
    # A provider from the environment is checked nowhere else: only at connect time.
    base_url = f"http://{host}:{fake_upstream.port}/v1"
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {**test_providers["openai"], "base_url": base_url},
    }
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "error"
    status = run_client.status_text()
    assert "This deployment does not allow provider URLs on private or loopback addresses" in (
        status
    )
    assert host in status and "127.0.0.1" in status
    assert "Tried" not in status  # a rule of the deployment: trying again would not help
    assert "Traceback" not in "".join(run_client.frames)
    assert fake_upstream.connections == 0 and fake_upstream.requests == []

    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = False
    run_client.frames.clear()
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply() == "".join(f" word{i}" for i in range(20))


async def test_invalid_values_are_refused_naming_the_field_and_nothing_is_sent(
    run_client, fake_upstream
):
    await run_client.send(chat_request(temperature=5, top_p="lots", max_tokens=0))
    assert await run_client.receive_until_state() == "invalid"
    status = run_client.status_text()
    assert "temperature: 5 is out of range (allowed: 0 to 2)" in status
    assert "top_p: must be a number, got 'lots' (allowed: 0 to 1)" in status
    assert "max_tokens: 0 is out of range (allowed: 1 or more)" in status
    assert fake_upstream.chat_requests == []


async def test_form_values_become_the_request_body(run_client, fake_upstream):
    await run_client.send(
        {
            "action": "run",
            "provider": "openai",
            "model": "fake-model",
            "system": "Be brief.",
            "messages-0-role": "user",
            "messages-0-content": "Hi",
            "messages-1-role": "assistant",
            "messages-1-content": "Hello!",
            "messages-2-role": "user",
            "messages-2-content": "Again",
            "temperature": "0.5",
            "top_p": "",
            "max_tokens": "3",
            "HEADERS": {"HX-Request": "true"},
        }
    )
    assert await run_client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[0].body == {
        "model": "fake-model",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Again"},
        ],
        "temperature": 0.5,
        "max_tokens": 3,
        "stream": True,
    }


async def test_the_json_views_text_is_sent_as_it_is(run_client, fake_upstream):
    # The page's JSON view sends its editor's text; the server parses it, digits and all.
    text = (
        '{"mode": "chat", "provider": "openai", "body": {"model": "fake-model", '
        '"messages": [{"role": "user", "content": "Hi"}], "seed": 9223372036854775807, '
        '"top_k": 40, "stream": true}}'
    )
    await run_client.send({"action": "run", "request": text, "HEADERS": {"HX-Request": "true"}})
    assert await run_client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[0].body == {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "Hi"}],
        "seed": 2**63 - 1,
        "top_k": 40,
        "stream": True,
    }


async def test_json_view_text_that_does_not_parse_is_refused_naming_line_and_column(
    run_client, fake_upstream
):
    await run_client.send({"action": "run", "request": '{"mode": "chat",\n  "body": {]}'})
    assert await run_client.receive_until_state() == "invalid"
    assert "request: is not valid JSON (Expecting property name enclosed in double quotes: " in (
        run_client.status_text()
    )
    assert "line 2 column 12 (char 28))" in run_client.status_text()
    assert fake_upstream.chat_requests == []


async def test_model_output_is_escaped_before_it_reaches_the_page(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda b: ["<script>", "alert(1)", "</script>"]))
    await run_client.send(chat_request())
    await run_client.receive_until_state()
    frames = "".join(run_client.frames)
    assert "<script>" not in frames
    assert "&lt;script&gt;" in frames
    assert run_client.reply() == "<script>alert(1)</script>"


def rendered(frame: str, index: int = 0) -> str:
    """The rendered Markdown a frame puts in place of candidate ``index``'s view."""
    match = re.search(
        rf'<div id="rendered-{index}" hx-swap-oob="innerHTML">(.*?)</div>'
        rf'<span id="tail-{index}" hx-swap-oob="innerHTML"></span>',
        frame,
        re.S,
    )
    assert match, "no rendered reply in the frame"
    return match.group(1)


MARKDOWN_REPLY = ["| tide | m |\n|---|---|\n", "| high | 2 |\n\n", "```python\nx = 1\n```\n"]


async def test_a_finished_runs_frame_carries_its_reply_rendered_as_markdown(
    run_client, fake_upstream
):
    fake_upstream.answer_next(Scenario(tokens=lambda b: MARKDOWN_REPLY))
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    html = rendered(run_client.frames[-1])
    assert "<td>high</td>" in html
    assert '<pre class="highlight"><code><span class="n">x</span>' in html
    assert run_client.reply() == "".join(MARKDOWN_REPLY)  # the raw view, as it was


async def test_blocks_are_rendered_while_the_reply_streams(run_client, fake_upstream):
    tokens = ["# Tides\n", "\n", "They rise", " twice a day."] + [" More."] * 30
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: tokens))
    await run_client.send(chat_request())
    while "They rise" not in run_client.reply():
        await run_client.receive()
    assert status_state(run_client.frames[-1]) in (None, "running")
    streamed = "".join(run_client.frames)
    assert '<div id="rendered-0" hx-swap-oob="beforeend"><h1>Tides</h1>\n</div>' in streamed
    assert await run_client.receive_until_state() == "done"


async def test_a_stopped_runs_partial_reply_is_rendered_too(run_client, fake_upstream):
    tokens = ["Some **bold**", " words"] + [" more"] * 500
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: tokens))
    await run_client.send(chat_request())
    while "words" not in run_client.reply():
        await run_client.receive()
    await run_client.send({"action": "stop"})
    assert await run_client.receive_until_state() == "stopped"
    assert rendered(run_client.frames[-1]).startswith("<p>Some <strong>bold</strong> words")


async def test_xss_payloads_in_a_reply_stay_inert_in_the_rendered_view(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda b: ["\n\n".join(XSS_PAYLOADS)]))
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    assert_inert(rendered(run_client.frames[-1]))


async def test_the_api_key_reaches_the_upstream_and_never_the_page(run_client, fake_upstream):
    from tests.conftest import TEST_API_KEY

    fake_upstream.answer_next(
        Scenario(status=401, error_message=f"Incorrect API key {TEST_API_KEY}")
    )
    await run_client.send(chat_request())
    await run_client.receive_until_state()
    assert fake_upstream.chat_requests[0].headers["authorization"] == f"Bearer {TEST_API_KEY}"
    assert TEST_API_KEY not in "".join(run_client.frames)


async def test_offline_model_streams_with_no_upstream(run_client, fake_upstream):
    await run_client.send(chat_request("Bonjour", provider="offline", model="anything", n=2))
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply(0).startswith("(Offline model) You said: \u201cBonjour\u201d.")
    assert run_client.reply(1) and run_client.reply(1) != run_client.reply(0)
    assert "prompt +" in run_client.status_text()
    assert fake_upstream.requests == []


@pytest.mark.django_db(transaction=True)
async def test_unknown_provider_is_refused_with_the_configured_names(run_client):
    await run_client.send(chat_request(provider="nope"))
    assert await run_client.receive_until_state() == "error"
    assert (
        "There is no provider named 'nope' that you may use (configured: offline, openai)"
        in run_client.status_text()
    )


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '{"action": "dance"}'])
async def test_malformed_messages_are_answered_and_the_socket_stays_usable(run_client, raw):
    await run_client.communicator.send_to(text_data=raw)
    assert await run_client.receive_until_state() == "error"
    await run_client.send(chat_request(provider="offline"))
    assert await run_client.receive_until_state() == "done"


async def test_a_new_run_replaces_a_running_one(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: [" slow"] * 500))
    await run_client.send(chat_request())
    await wait_for(lambda: bool(fake_upstream.chat_requests))
    await run_client.send(chat_request())
    states = [await run_client.receive_until_state(), await run_client.receive_until_state()]
    assert states == ["stopped", "done"]
    assert fake_upstream.chat_requests[0].client_closed_at is not None


async def test_a_fast_upstream_is_coalesced_into_few_frames(run_client, fake_upstream):
    # 2000 tokens at 2000/s take ~1 s: the 15 ms minimum frame interval allows ~70 frames.
    fake_upstream.answer_next(
        Scenario(tokens_per_second=2000, tokens=lambda b: [f" t{i}" for i in range(2000)])
    )
    await run_client.send(chat_request())
    assert await run_client.receive_until_state(timeout=10) == "done"
    assert run_client.reply() == "".join(f" t{i}" for i in range(2000))
    text_frames = [f for f in run_client.frames if 'id="reply-0"' in f]
    assert len(text_frames) < 150


async def test_a_message_nested_too_deeply_to_read_is_answered_and_the_socket_stays_usable(
    run_client,
):
    await run_client.send_raw('{"action": "run", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in await run_client.receive()
    await run_client.send({"action": "raw"})
    assert "No finished run to show" in await run_client.receive()


async def test_a_stop_right_after_run_stops_the_run_every_time(run_client, fake_upstream):
    # A Stop that lands while the client waits for a pooled connection could be swallowed
    # there, and the run streamed on to its end (about 1 in 8 tries did, before the fix).
    fake_upstream.default = Scenario(tokens_per_second=20, tokens=lambda body: [" tick"] * 200)
    for _ in range(24):
        await run_client.send(chat_request())
        await run_client.communicator.receive_from(timeout=5)  # the "running" frame
        await run_client.send({"action": "stop"})
        assert await run_client.receive_until_state() == "stopped"


async def test_an_empty_reply_says_so_and_what_to_try(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda body: []))
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    status = run_client.status_text()
    assert "Done, but the model sent no text" in status
    assert "max_tokens" in status and "stop" in status


async def test_a_reply_with_text_is_plainly_done(run_client, fake_upstream):
    await run_client.send(chat_request())
    assert await run_client.receive_until_state() == "done"
    assert run_client.status_text().startswith("Done. ")
