"""Capability hints: a request a model cannot serve is refused before anything is sent;
parameters a family refuses are named as warnings when the run starts (spec.py)."""

import pytest

from playground.providers.capabilities import capability_problems
from tests.conftest import chat_request


@pytest.mark.parametrize(
    "model", ["text-embedding-3-small", "nomic-embed-text", "openai/text-embedding-ada-002"]
)
def test_an_embeddings_model_cannot_chat(model):
    assert capability_problems("chat", {"model": model, "messages": []}) == {
        "model": f"{model} is an embeddings model: it turns text into vectors and cannot "
        "generate text. Pick a chat model, or switch the mode to embedding."
    }


def test_a_moderation_model_cannot_chat():
    problems = capability_problems("chat", {"model": "omni-moderation-latest", "messages": []})
    assert list(problems) == ["model"]
    assert "is a moderation model" in problems["model"]


def test_embedding_mode_with_an_embeddings_model_is_fine():
    assert capability_problems("embedding", {"model": "text-embedding-3-small", "input": "x"}) == {}


def test_an_ordinary_model_with_every_parameter_passes():
    body = {"model": "gpt-4o-mini", "messages": [], "temperature": 0.2, "top_p": 0.5}
    assert capability_problems("chat", body) == {}


async def test_a_chat_with_an_embeddings_model_is_refused_and_nothing_is_sent(
    run_client, fake_upstream
):
    await run_client.send(chat_request(model="text-embedding-3-small"))
    assert await run_client.receive_until_state() == "invalid"
    status = run_client.status_text()
    assert "The request was not sent. Fix these and run again:" in status
    assert "model: text-embedding-3-small is an embeddings model" in status
    assert fake_upstream.requests == []


async def test_a_reasoning_model_with_temperature_is_warned_before_sending(
    run_client, fake_upstream
):
    await run_client.send(chat_request(model="o3-mini", temperature=0.7))
    first = await run_client.receive()
    assert "temperature" in first and "reasoning models such as o3-mini do not accept it" in first
    await run_client.receive_until_state()
    assert fake_upstream.chat_requests[0].body["temperature"] == 0.7  # sent as written
