"""Every run is recorded once when it ends: finished, stopped, failed or refused."""

import datetime
import logging
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created

from playground.consumers import RunConsumer
from playground.providers.offline_images import draw_png
from playground.runs.models import Price, Run, RunKeeping
from tests.conftest import TEST_API_KEY, RunClient, chat_request
from tests.fake_upstream import FakeUpstream, Scenario
from tests.runs.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


async def test_a_finished_run_is_one_row_with_all_it_produced(fake_upstream: FakeUpstream):
    alice = await sync_to_async(make_user)("alice")
    await Price.objects.acreate(
        provider="openai",
        model="fake-model",
        input_per_million=Decimal("2"),
        cached_input_per_million=Decimal("1"),
        output_per_million=Decimal("8"),
        priced_on=datetime.date(2026, 12, 1),
    )
    fake_upstream.response_headers = {"x-ratelimit-remaining-requests": "99"}
    fake_upstream.answer_next(
        Scenario(
            tokens=lambda body: [" one", " two", " three"],
            usage_extra={
                "prompt_tokens_details": {"cached_tokens": 4},
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
        )
    )
    client = await connect(alice)
    message = chat_request("Count to three", n=2, stream_options={"include_usage": True})
    await client.send(message)
    assert await client.receive_until_state() == "done"
    saved = await client.receive_record()
    await client.communicator.disconnect()

    run = await Run.objects.select_related("user").aget()
    assert f"/history/{run.pk}/" in saved
    assert run.user == alice and run.status == "finished" and run.source == "page"
    assert (run.provider, run.model, run.mode) == ("openai", "fake-model", "chat")
    # The request object as sent: the same body the upstream received.
    assert run.request["body"] == fake_upstream.chat_requests[-1].body
    assert [c["text"] for c in run.output["candidates"]] == [" one two three"] * 2
    assert [c["finish_reason"] for c in run.output["candidates"]] == ["stop", "stop"]
    assert (run.cached_tokens, run.reasoning_tokens, run.usage_estimated) == (4, 2, False)
    assert run.total_tokens == run.prompt_tokens + run.completion_tokens
    expected = (
        Decimal(run.prompt_tokens - 4) * 2 + Decimal(4) * 1 + Decimal(run.completion_tokens) * 8
    ) / 1_000_000
    assert run.cost_usd == expected
    assert run.first_token_ms is not None and run.total_ms >= run.first_token_ms
    assert run.rate_limit["x-ratelimit-remaining-requests"].startswith("99")
    assert run.raw and "chat.completion.chunk" in run.raw[0]
    assert TEST_API_KEY not in str(run.request) + str(run.raw)


async def test_a_model_without_a_price_costs_unknown_not_zero(fake_upstream: FakeUpstream):
    alice = await sync_to_async(make_user)("alice")
    client = await connect(alice)
    await client.send(chat_request("Hello", model="no-such-priced-model"))
    assert await client.receive_until_state() == "done"
    saved = await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    assert run.cost_usd is None
    assert "cost unknown" in saved


async def test_stop_records_a_stopped_run_with_the_partial_reply_and_a_local_count(
    fake_upstream: FakeUpstream,
):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: [" word"] * 500))
    client = await connect(alice)
    await client.send(chat_request("Talk for a long time"))
    while " word" not in client.reply():
        await client.receive()
    await client.send({"action": "stop"})
    assert await client.receive_until_state() == "stopped"
    saved = await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    assert run.status == "stopped"
    assert run.output["candidates"][0]["text"].startswith(" word")
    # The upstream reported no usage before the Stop: counted here, and marked so.
    assert run.usage_estimated and run.completion_tokens >= 1 and run.prompt_tokens > 0
    assert "(estimated)" in saved


async def test_a_failed_run_is_recorded_with_the_plain_message(fake_upstream: FakeUpstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.answer_next(Scenario(status=400, error_message="Bad temperature"))
    client = await connect(alice)
    await client.send(chat_request("Hello"))
    assert await client.receive_until_state() == "error"
    await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    assert run.status == "failed"
    assert "Bad temperature" in run.error
    # Nothing was produced: no usage is made up for it.
    assert run.total_tokens is None and run.cost_usd is None


async def test_a_prompt_refused_by_moderation_is_recorded_as_refused(
    fake_upstream: FakeUpstream,
):
    alice = await sync_to_async(make_user)("alice")
    client = await connect(alice)
    message = {**chat_request("I want to kill them all", provider="offline"), "moderate": "on"}
    message["request"]["body"]["model"] = "offline-1"
    await client.send(message)
    await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    assert run.status == "refused"
    assert "Moderation flagged the prompt" in run.error


async def test_an_echoed_key_never_reaches_the_stored_run(fake_upstream: FakeUpstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.answer_next(Scenario(tokens=lambda body: [" key:", f" {TEST_API_KEY}", " end"]))
    client = await connect(alice)
    await client.send(chat_request("Echo the key"))
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    stored = str(run.output) + str(run.raw) + run.search_text + str(run.rate_limit)
    assert TEST_API_KEY not in stored and "***" in run.output["candidates"][0]["text"]


async def test_a_user_who_keeps_no_text_gets_metadata_usage_and_cost_only(
    fake_upstream: FakeUpstream,
):
    alice = await sync_to_async(make_user)("alice")
    await RunKeeping.objects.acreate(user=alice, keep_text=False)
    client = await connect(alice)
    await client.send(chat_request("A secret plan", stream_options={"include_usage": True}))
    assert await client.receive_until_state() == "done"
    await client.receive_record()
    await client.communicator.disconnect()
    run = await Run.objects.aget()
    assert run.request is None and run.output is None and run.raw is None
    assert run.search_text == "" and run.text_deleted_at is not None
    assert run.total_tokens and run.model == "fake-model"


async def test_one_write_per_run_and_no_query_while_tokens_stream(fake_upstream: FakeUpstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.answer_next(Scenario(tokens_per_second=200, tokens=lambda b: [" t"] * 40))
    statements: list[str] = []

    def log(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def watch(sender, connection, **kwargs):
        connection.execute_wrappers.append(log)

    # Every connection opened from now on (the socket's run on sync_to_async's thread).
    await sync_to_async(connections.close_all)()
    connection_created.connect(watch)
    try:
        client = await connect(alice)
        await client.send(chat_request("Hello"))
        while " t" not in client.reply():
            await client.receive()
        during_stream = len(statements)
        assert await client.receive_until_state() == "done"
        assert len(statements) == during_stream  # nothing between the first token and the end
        await client.receive_record()
        await client.communicator.disconnect()
    finally:
        connection_created.disconnect(watch)
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and "runs_run" in writes[0]


async def test_a_database_that_refuses_the_record_keeps_the_reply_and_says_so(
    fake_upstream: FakeUpstream, monkeypatch, caplog
):
    alice = await sync_to_async(make_user)("alice")

    def database_down(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("playground.runs.services.Run.save", lambda self, **kw: database_down())
    client = await connect(alice)
    with caplog.at_level(logging.ERROR):
        await client.send(chat_request("Hello"))
        assert await client.receive_until_state() == "done"
        saved = await client.receive_record()
    await client.communicator.disconnect()
    assert "was not saved in the history" in saved
    assert client.reply()  # the whole reply is on the page
    assert any("could not be recorded" in r.getMessage() for r in caplog.records)
    assert "database is locked" in caplog.text
    assert await Run.objects.acount() == 0


def image_request(**body) -> dict:
    body = {"prompt": "A fox in snow", "size": "64x64", **body}
    return {"action": "run", "request": {"mode": "image", "provider": "offline", "body": body}}


async def test_an_image_run_keeps_its_images_up_to_the_limit_and_says_so_beyond(
    fake_upstream: FakeUpstream, monkeypatch, client
):
    from playground.runs import services

    alice = await sync_to_async(make_user)("alice")
    one_image = len(draw_png(64, 64, "0:A fox in snow"))  # the first image's file
    monkeypatch.setattr(services, "IMAGES_KEEP_BYTES", one_image + 10)
    runner = await connect(alice)
    await runner.send(image_request(n=2))
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await runner.communicator.disconnect()

    run = await Run.objects.aget()
    assert (run.mode, run.status, run.model) == ("image", "finished", "")
    first, second = run.output["images"]
    assert first["b64_json"] and first["media_type"] == "image/png"
    assert first["file_name"] == "a-fox-in-snow-1.png" and first["size_bytes"] == one_image
    assert "b64_json" not in second and second["not_kept"] is True
    assert "A fox in snow" in second["revised_prompt"]
    assert run.total_tokens > 0 and not run.usage_estimated

    await sync_to_async(client.force_login)(alice)
    page = (await sync_to_async(client.get)(f"/history/{run.pk}/")).content.decode()
    assert 'download="a-fox-in-snow-1.png"' in page and "data:image/png;base64," in page
    assert "so this file was not kept" in page
