"""The run websocket: streaming, Stop, disconnect, failures and bad input, as the page sees them."""

import asyncio
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from playground.consumers import RunConsumer
from tests.conftest import chat_request
from tests.fake_upstream import Scenario


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
