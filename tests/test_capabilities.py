"""Capability hints: known refusals are named before anything is sent upstream."""

import pytest

from playground.capabilities import capability_problems, capability_warnings, is_reasoning_model
from tests.conftest import chat_request


@pytest.mark.parametrize(
    "model",
    [
        "o1",
        "o1-mini",
        "o3-mini",
        "o4-mini-2025-04-16",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5.1",
        "openai/o3",
    ],
)
def test_reasoning_models_are_recognised(model):
    assert is_reasoning_model(model)


@pytest.mark.parametrize(
    "model", ["gpt-4o-mini", "gpt-4.1", "gpt-5-chat-latest", "o100", "llama3:8b", "claude-o1x"]
)
def test_other_models_are_not(model):
    assert not is_reasoning_model(model)


def test_a_reasoning_model_with_temperature_and_top_p_is_refused_naming_each():
    problems = capability_problems(
        "chat", {"model": "o3-mini", "messages": [], "temperature": 0.2, "top_p": 0.9}
    )
    assert problems == {
        "temperature": "o3-mini is a reasoning model and refuses temperature (only the default, "
        "1, is accepted). Clear it and run again.",
        "top_p": "o3-mini is a reasoning model and refuses top_p (only the default, 1, is "
        "accepted). Clear it and run again.",
    }


def test_the_default_value_passes_and_max_tokens_is_pointed_elsewhere():
    problems = capability_problems(
        "chat", {"model": "gpt-5", "messages": [], "temperature": 1, "max_tokens": 100}
    )
    assert list(problems) == ["max_tokens"]
    assert "takes max_completion_tokens instead" in problems["max_tokens"]
    # The form has a max_completion_tokens input: no need to go to the raw request.
    assert "Clear max_tokens and set max_completion_tokens." in problems["max_tokens"]


@pytest.mark.parametrize("model", ["text-embedding-3-small", "nomic-embed-text"])
def test_an_embeddings_model_cannot_chat(model):
    problems = capability_problems("chat", {"model": model, "messages": []})
    assert problems == {
        "model": f"{model} is an embeddings model: it turns text into vectors and cannot chat. "
        "Pick a chat model."
    }


def test_an_ordinary_model_with_every_parameter_passes():
    body = {
        "model": "gpt-4o-mini",
        "messages": [],
        "temperature": 0.2,
        "top_p": 0.5,
        "max_tokens": 9,
    }
    assert capability_problems("chat", body) == {}


async def test_the_page_is_told_and_nothing_is_sent(run_client, fake_upstream):
    await run_client.send(chat_request(model="o1-mini", temperature=0.7))
    assert await run_client.receive_until_state() == "invalid"
    status = run_client.status_text()
    assert "The request was not sent. Fix these and run again:" in status
    assert "temperature: o1-mini is a reasoning model and refuses temperature" in status
    assert fake_upstream.chat_requests == []


def test_an_edit_is_a_chat_request_and_is_checked_the_same_way():
    problems = capability_problems("edit", {"model": "o3-mini", "messages": [], "temperature": 0})

    assert set(problems) == {"temperature"}


def test_reasoning_effort_on_other_models_is_a_warning_not_a_refusal():
    body = {"model": "gpt-4o", "messages": [], "reasoning_effort": "low"}

    assert capability_problems("chat", body) == {}
    assert "may refuse it" in capability_warnings("chat", body)["reasoning_effort"]
    assert capability_warnings("chat", {**body, "model": "o4-mini"}) == {}
