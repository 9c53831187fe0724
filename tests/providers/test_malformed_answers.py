"""An upstream answer of the wrong shape ends as "the provider sent a malformed answer".

Each case is a real HTTP answer from the fake upstream: one stream chunk whose fields have
the wrong types (a string ``index``, a ``delta`` that is not an object, ``content`` that is
not text, ``choices`` that is not a list…), a whole answer of the wrong shape, or a
``GET /models`` answer nested deeper than Python's parser goes. None of them may end as the
playground's "internal error" (or as a 500 on the page that lists models).
"""

import json

import pytest
from django.core.cache import cache

from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError
from tests.fake_upstream import Scenario

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}
MALFORMED = "The provider sent a malformed answer"


def choice(**fields) -> str:
    return json.dumps({"id": "x", "object": "chat.completion.chunk", "choices": [fields]})


# Shapes an OpenAI-compatible server could send by mistake, each naming what is wrong.
MALFORMED_CHUNKS = {
    "string index": choice(index="zero", delta={"content": "a"}),
    "huge index": choice(index=10**30, delta={"content": "a"}),
    "delta not an object": choice(index=0, delta="a"),
    "delta a list": choice(index=0, delta=["a"]),
    "content not text": choice(index=0, delta={"content": {"text": "a"}}),
    "content a number": choice(index=0, delta={"content": 5}),
    "choices not a list": json.dumps({"choices": {"index": 0}}),
    "choices a number": json.dumps({"choices": 7}),
    "tool_calls not a list": choice(index=0, delta={"tool_calls": 3}),
    "tool call not an object": choice(index=0, delta={"tool_calls": ["f"]}),
    "tool call function not an object": choice(index=0, delta={"tool_calls": [{"function": 1}]}),
    "tool call arguments not text": choice(
        index=0, delta={"tool_calls": [{"index": 0, "function": {"arguments": []}}]}
    ),
    "logprobs content not objects": choice(
        index=0, delta={"content": "a"}, logprobs={"content": ["a"]}
    ),
    "logprob not a number": choice(
        index=0, delta={"content": "a"}, logprobs={"content": [{"token": "a", "logprob": "x"}]}
    ),
    "usage not numbers": json.dumps({"choices": [], "usage": {"prompt_tokens": "many"}}),
    "legacy text not text": json.dumps({"choices": [{"index": 0, "text": ["a"]}]}),
    "nested too deeply": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("data", MALFORMED_CHUNKS.values(), ids=MALFORMED_CHUNKS.keys())
async def test_a_malformed_stream_chunk_is_a_malformed_answer(fake_upstream, data):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data=data, fail_after=1))
    with pytest.raises(UpstreamError) as caught:
        async for _ in get_provider("openai").stream(BODY, "chat"):
            pass
    assert caught.value.kind == "bad_response"
    assert caught.value.message.startswith(MALFORMED), caught.value.message


async def test_a_malformed_chunk_ends_the_run_with_plain_words_not_an_internal_error(
    run_client, fake_upstream
):
    fake_upstream.answer_next(
        Scenario(failure="raw", raw_data=choice(index="zero", delta="a"), fail_after=1)
    )
    await run_client.send(
        {"action": "run", "request": {"mode": "chat", "provider": "openai", "body": BODY}}
    )
    assert await run_client.receive_until_state() == "error"
    status = run_client.status_text()
    assert MALFORMED in status and "internal error" not in status
    assert "word0" in run_client.reply()  # what came before the bad chunk is kept


WHOLE_ANSWERS = {
    "choices not a list": {"choices": "none"},
    "message not an object": {"choices": [{"index": 0, "message": "hi"}]},
    "content not text": {"choices": [{"index": 0, "message": {"content": 1}}]},
    "tool_calls not a list": {"choices": [{"index": 0, "message": {"tool_calls": 1}}]},
}


@pytest.mark.parametrize("payload", WHOLE_ANSWERS.values(), ids=WHOLE_ANSWERS.keys())
async def test_a_malformed_whole_answer_is_a_malformed_answer(fake_upstream, payload):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data=json.dumps(payload)))
    with pytest.raises(UpstreamError) as caught:
        async for _ in get_provider("openai").stream({**BODY, "stream": False}, "chat"):
            pass
    assert caught.value.message.startswith(MALFORMED), caught.value.message


DEEP = "[" * 100_000 + "]" * 100_000


async def test_a_deeply_nested_model_list_is_a_malformed_answer(fake_upstream):
    fake_upstream.models_answer = '{"data": ' + DEEP + "}"
    provider = get_provider("openai")
    with pytest.raises(UpstreamError) as caught:
        await provider.fetch_models()
    assert caught.value.message.startswith(MALFORMED), caught.value.message
    assert await provider.list_models() == ["fake-model"]  # the page suggests the default


@pytest.mark.django_db
def test_the_model_list_page_answers_a_deeply_nested_listing(admin_client, fake_upstream):
    cache.clear()
    fake_upstream.models_answer = '{"data": [{"id": ' + DEEP + "}]}"
    try:
        answer = admin_client.get("/models/", {"provider": "openai", "refresh": "1"})
    finally:
        cache.clear()
    assert answer.status_code == 200
    assert '<option value="fake-model">' in answer.content.decode()


ANSWERS_AT_ONCE = {
    "moderation categories a list": (
        "moderation",
        {"results": [{"flagged": True, "categories": [1], "category_scores": {"hate": 0.1}}]},
    ),
    "moderation score a list": (
        "moderation",
        {"results": [{"categories": {"hate": True}, "category_scores": {"hate": [1]}}]},
    ),
    "moderation flag not true or false": (
        "moderation",
        {"results": [{"categories": {"hate": "yes"}, "category_scores": {}}]},
    ),
    "moderation result not an object": ("moderation", {"results": ["flagged"]}),
    "embedding not numbers": ("embedding", {"data": [{"embedding": [1, "a"]}]}),
    "embedding not base64": ("embedding", {"data": [{"embedding": "!!"}]}),
    "embedding data not a list": ("embedding", {"data": "x"}),
    "images data not a list": ("image", {"created": 1, "data": {"b64_json": "x"}}),
    "image not an object": ("image", {"created": 1, "data": ["iVBOR"]}),
    "image base64 not text": ("image", {"created": 1, "data": [{"b64_json": 7}]}),
    "image url not text": ("image", {"created": 1, "data": [{"url": ["http://x"]}]}),
    "image usage not a count": (
        "image",
        {"created": 1, "data": [], "usage": {"input_tokens": "many"}},
    ),
    "embedding index not a number": (
        "embedding",
        {"data": [{"index": "a", "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}]},
    ),
}


@pytest.mark.parametrize(("mode", "payload"), ANSWERS_AT_ONCE.values(), ids=ANSWERS_AT_ONCE.keys())
async def test_a_malformed_moderation_or_embedding_ends_the_run_in_plain_words(
    run_client, fake_upstream, mode, payload
):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data=json.dumps(payload)))
    body = {"model": "fake-model", "input": "hi"} if mode != "image" else {"prompt": "hi"}
    await run_client.send(
        {"action": "run", "request": {"mode": mode, "provider": "openai", "body": body}}
    )
    # Before, some of these failed after the run and the page waited for ever.
    assert await run_client.receive_until_state() == "error"
    assert run_client.status_text().startswith(MALFORMED), run_client.status_text()
