"""Property test: random and malformed websocket messages never crash the consumer,
never reach the upstream unless valid, and always get an answer.

Hypothesis builds messages of every kind: text that is not JSON, JSON that is not an
object, unknown actions, form values with random text, and request JSON whose body
mixes valid and invalid values for every parameter of every mode. Each class of bad
input that once ended in a 1011 close is generated on purpose: integers beyond 64 bits
(and beyond Python's 4300 digits, as form text), a ``link`` or ``preset`` that is not
text, a ``moderate`` switch that is a list, lone surrogates in any text, values nested
thousands deep; and the upstream's side: stream chunks of every wrong shape. Example
counts are bounded so the test runs in well under 30 s.
"""

import asyncio
import html
import json

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from playground.consumers import RunConsumer
from playground.limits import run_limiter
from playground.modes import MODE_NAMES, get_mode
from playground.spec import RequestInvalid, validate_request
from tests.conftest import TEST_API_KEY, status_state
from tests.fake_upstream import FakeUpstream, Scenario
from tests.openapi import schema_errors

# Text with lone surrogates (category Cs, which st.text leaves out by default): JSON can
# spell them ("\\ud800"), no UTF-8 frame or body can carry them.
TEXT = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=12)
# Integers of 64 bits and well beyond (SQLite's limit is 2**63 - 1).
BIG_INT = st.integers(min_value=-(2**70), max_value=2**70) | st.integers(2**63 - 2, 2**64)
# A value nested far deeper than any request needs (the reader stops near 1000 levels).
DEEP_TEXT = st.integers(50, 3000).map(lambda depth: "[" * depth + "]" * depth)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    BIG_INT,
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
ANY_JSON = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def near(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly plausible values, sometimes anything at all."""
    return st.one_of(valid, valid, ANY_JSON)


MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "developer", "user", "assistant", "tool", "robot"])},
    optional={
        "content": near(st.text(max_size=20) | st.just([{"type": "text", "text": "hi"}])),
        "tool_call_id": st.text(max_size=6),
        "tool_calls": near(
            st.just(
                [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
            )
        ),
    },
)
TOOL = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["function", "custom"]),
        "function": st.fixed_dictionaries(
            {"name": st.sampled_from(["f", "get_weather", "bad name", ""])},
            optional={
                "parameters": near(st.sampled_from([{"type": "object"}, {"type": "objekt"}]))
            },
        ),
    }
)
NUMBER = st.one_of(
    st.integers(-300, 300), st.floats(-300, 300, allow_nan=False), st.text(max_size=4)
)
PARAMETERS = {
    "temperature": near(st.floats(-1, 3, allow_nan=False)),
    "top_p": near(st.floats(-0.5, 1.5, allow_nan=False)),
    "max_tokens": near(st.integers(-2, 5)),
    "max_completion_tokens": near(st.integers(-2, 5)),
    "n": near(st.integers(0, 3)),
    "stop": near(st.text(max_size=3) | st.lists(st.text(max_size=3), max_size=6)),
    "presence_penalty": NUMBER,
    "frequency_penalty": NUMBER,
    "seed": near(st.integers(-(2**65), 2**65)),
    "logit_bias": near(st.dictionaries(st.sampled_from(["1", "50256", "x"]), NUMBER, max_size=2)),
    "logprobs": near(st.booleans() | st.integers(-1, 6)),
    "top_logprobs": near(st.integers(-1, 22)),
    "response_format": near(
        st.sampled_from(
            [
                {"type": "text"},
                {"type": "json_object"},
                {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}},
                {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": 1}}},
                {"type": "xml"},
            ]
        )
    ),
    "tools": near(st.lists(TOOL, max_size=2)),
    "tool_choice": near(
        st.sampled_from(
            ["auto", "none", "required", {"type": "function", "function": {"name": "f"}}]
        )
    ),
    "parallel_tool_calls": near(st.booleans()),
    "reasoning_effort": near(st.sampled_from(["low", "high", "huge"])),
    "stream": near(st.booleans()),
    "stream_options": near(st.just({"include_usage": True})),
    "prompt": near(st.text(max_size=10) | st.lists(st.text(max_size=5), max_size=3)),
    "suffix": near(st.text(max_size=5)),
    "echo": near(st.booleans()),
    "best_of": near(st.integers(-1, 3)),
    "input": near(st.text(max_size=10) | st.lists(st.text(max_size=5), max_size=3)),
    "dimensions": near(st.integers(-1, 8)),
    "encoding_format": near(st.sampled_from(["float", "base64", "hex"])),
    "top_k": ANY_JSON,
}
BODY = st.fixed_dictionaries(
    {},
    optional={
        "model": near(st.sampled_from(["fake-model", "o3-mini", ""])),
        "messages": near(st.lists(MESSAGE, max_size=3)),
        **PARAMETERS,
    },
)
SAMPLING = {
    "temperature": st.floats(0, 2, allow_nan=False),
    "top_p": st.floats(0, 1, allow_nan=False),
    "max_tokens": st.integers(1, 4),
    "n": st.integers(1, 3),
    "stop": st.text(min_size=1, max_size=3) | st.lists(st.text(max_size=3), min_size=1, max_size=4),
    "presence_penalty": st.floats(-2, 2, allow_nan=False),
    "frequency_penalty": st.floats(-2, 2, allow_nan=False),
    "seed": st.integers(-(2**63), 2**63 - 1),
    "user": st.text(max_size=5),
    "stream": st.booleans(),
}
CHAT_ONLY = {
    "logprobs": st.booleans(),
    "logit_bias": st.dictionaries(
        st.sampled_from(["1", "50256"]), st.integers(-100, 100), max_size=2
    ),
    "response_format": st.sampled_from([{"type": "text"}, {"type": "json_object"}]),
    "reasoning_effort": st.sampled_from(["low", "high"]),
}
TEXT_INPUT = st.text(min_size=1, max_size=10) | st.lists(
    st.text(min_size=1, max_size=5), min_size=1, max_size=3
)
# Plausible requests of every mode, so that many runs really reach the upstream.
PLAUSIBLE_REQUEST = st.one_of(
    st.fixed_dictionaries(
        {"model": st.just("fake-model"), "messages": st.just([{"role": "user", "content": "hi"}])},
        optional={**SAMPLING, **CHAT_ONLY},
    ).map(lambda body: {"mode": "chat", "body": body}),
    st.fixed_dictionaries(
        {"model": st.just("fake-instruct"), "prompt": TEXT_INPUT},
        optional={
            **SAMPLING,
            "echo": st.booleans(),
            "logprobs": st.integers(0, 5),
            "suffix": st.text(max_size=4),
        },
    ).map(lambda body: {"mode": "completion", "body": body}),
    st.fixed_dictionaries(
        {"model": st.just("fake-embedding"), "input": TEXT_INPUT},
        optional={
            "dimensions": st.integers(1, 8),
            "encoding_format": st.sampled_from(["float", "base64"]),
        },
    ).map(lambda body: {"mode": "embedding", "body": body}),
    st.fixed_dictionaries({"input": TEXT_INPUT}).map(
        lambda body: {"mode": "moderation", "body": body}
    ),
).flatmap(lambda r: st.sampled_from(["offline", "openai"]).map(lambda p: {**r, "provider": p}))
REQUEST = st.fixed_dictionaries(
    {
        "mode": near(st.sampled_from(MODE_NAMES)),
        "provider": near(st.sampled_from(["offline", "openai", "nope"])),
    },
    optional={"body": near(BODY), "variables": ANY_JSON, "extra": ANY_JSON},
)
# Form text: numbers beyond 64 bits and beyond 4300 digits among the plausible values.
FORM_TEXT = (
    TEXT
    | st.sampled_from(["", "1", "true", "[1", '{"a": 1}', "json_schema", "9" * 5000])
    | BIG_INT.map(str)
)
FORM = st.fixed_dictionaries(
    {"action": st.just("run")},
    optional={
        key: FORM_TEXT
        for key in [
            "mode",
            "provider",
            "model",
            "system",
            "messages-0-role",
            "messages-0-content",
            "messages-0-tool_calls",
            "tools-0-name",
            "tools-0-parameters",
            "temperature",
            "n",
            "stop",
            "logit_bias",
            "response_format",
            "response_format_schema",
            "tool_choice",
            "input",
            "prompt",
            "messages-99999999999999999999999-content",
            "messages-²-role",
        ]
    },
)
# The run message's own keys beside the request: a preset's id, version and share link,
# and the moderation switch, each sometimes of a wrong kind.
RUN_KEYS = {
    "preset": near(st.uuids().map(str)),
    "version": near(BIG_INT | st.sampled_from(["1", "²", "99999999999999999999999"])),
    "link": near(TEXT) | st.lists(TEXT, max_size=2),
    "moderate": near(st.sampled_from(["on", "off", True, False])) | st.lists(TEXT, max_size=2),
}
# A run looks its provider up among the stored ones too (any name may be one): the
# database is part of what the consumer reads, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

# What a socket may receive: (text sent, whether an answer is owed).
WIRE_MESSAGE = st.one_of(
    st.text(max_size=30).map(lambda text: (text, True)),
    ANY_JSON.map(lambda value: (json.dumps(value), True)),
    st.fixed_dictionaries({"action": st.text(max_size=6)}).map(
        lambda m: (json.dumps(m), m["action"] != "stop")
    ),
    FORM.map(lambda m: (json.dumps(m), True)),
    st.fixed_dictionaries({"action": st.just("run")}, optional=RUN_KEYS).map(
        lambda m: (json.dumps(m), True)
    ),
    st.tuples(FORM, st.fixed_dictionaries({}, optional=RUN_KEYS)).map(
        lambda pair: (json.dumps({**pair[0], **pair[1]}), True)
    ),
    DEEP_TEXT.map(lambda deep: ('{"action": "run", "request": ' + deep + "}", True)),
    REQUEST.map(lambda r: (json.dumps({"action": "run", "request": r}), True)),
    PLAUSIBLE_REQUEST.map(lambda r: (json.dumps({"action": "run", "request": r}), True)),
    PLAUSIBLE_REQUEST.map(lambda r: (json.dumps({"action": "run", "request": r}), True)),
)
FINAL_STATES = {"done", "error", "invalid", "stopped"}
MODE_OF_PATH = {
    "/chat/completions": "chat",
    "/completions": "completion",
    "/embeddings": "embedding",
    "/moderations": "moderation",
}
OPENAPI_SCHEMA = {
    "chat": "CreateChatCompletionRequest",
    "completion": "CreateCompletionRequest",
    "embedding": "CreateEmbeddingRequest",
    "moderation": "CreateModerationRequest",
}


async def exchange(messages: list[tuple[str, bool]]) -> list[str]:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = User(username="hypothesis")
    connected, _ = await communicator.connect()
    assert connected
    frames: list[str] = []
    try:
        for text, answer_owed in messages:
            # send_input, not send_to: an empty frame is a message a client can send too.
            await communicator.send_input({"type": "websocket.receive", "text": text})
            if not answer_owed:
                continue
            # An answer: frames until a final status (a run) or one refusal frame.
            while True:
                frame = await communicator.receive_from(timeout=10)
                frames.append(frame)
                state = status_state(frame)
                if state in FINAL_STATES:
                    break
    finally:
        await communicator.disconnect()
    return frames


def path_mode(path: str) -> str:
    path = path.split("?")[0]
    return next(mode for suffix, mode in MODE_OF_PATH.items() if path.endswith(suffix))


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messages=st.lists(WIRE_MESSAGE, min_size=1, max_size=6))
# Found by hypothesis: a form naming a provider that is neither configured nor stored.
@example(messages=[('{"action": "run", "provider": "1", "model": "1", "system": "1"}', True)])
def test_random_messages_never_crash_never_leak_and_always_get_an_answer(
    upstream_server: FakeUpstream, messages
):
    # A short fixed reply: a random max_tokens must not make the fake stream for ever.
    upstream_server.default = Scenario(tokens=lambda body: [" a", " b"])
    upstream_server.requests.clear()
    frames = asyncio.run(exchange(messages))
    shown = "".join(frames)
    states = [status_state(f) for f in frames]
    event("a run finished" if "done" in states else "no run finished")
    event("reached the upstream" if upstream_server.requests else "did not reach the upstream")
    assert TEST_API_KEY not in shown
    assert "Traceback" not in shown and "internal error" not in shown
    for record in upstream_server.requests:
        if record.method != "POST":
            continue
        mode = path_mode(record.path)
        try:
            validate_request({"mode": mode, "provider": "openai", "body": record.body})
        except RequestInvalid as invalid:
            raise AssertionError(
                f"an invalid body reached the upstream: {invalid.errors}"
            ) from None
        # Extensions (keys the spec does not declare for the mode) are the user's choice;
        # everything the spec knows must be valid for OpenAI.
        declared = get_mode(mode).body_model.model_fields
        known = {k: v for k, v in record.body.items() if k in declared}
        errors = schema_errors(known, OPENAPI_SCHEMA[mode])
        assert not errors, (record.body, errors)


# What an upstream may stream by mistake: chunks whose fields have any type, choices that
# are not a list, indexes beyond 64 bits, content that is not text, and nesting too deep.
ANY_FIELD = near(ANY_JSON) | BIG_INT
CHUNK_CALL = st.fixed_dictionaries(
    {},
    optional={
        "index": ANY_FIELD,
        "id": ANY_FIELD,
        "function": near(st.fixed_dictionaries({}, optional={"name": TEXT, "arguments": TEXT})),
    },
)
CHUNK_CHOICE = st.fixed_dictionaries(
    {},
    optional={
        "index": near(st.integers(0, 2)) | BIG_INT | st.text(max_size=3),
        "delta": near(
            st.fixed_dictionaries(
                {}, optional={"content": near(TEXT), "tool_calls": near(st.lists(CHUNK_CALL))}
            )
        ),
        "text": near(TEXT),
        "logprobs": ANY_JSON,
        "finish_reason": near(st.sampled_from(["stop", "length", None])),
    },
)
CHUNK = st.fixed_dictionaries(
    {},
    optional={
        "choices": near(st.lists(CHUNK_CHOICE, max_size=2)),
        "usage": near(st.fixed_dictionaries({}, optional={"prompt_tokens": ANY_FIELD})),
    },
)
CHUNK_DATA = st.one_of(CHUNK.map(json.dumps), ANY_JSON.map(json.dumps), DEEP_TEXT)
# Whole answers of the two modes that answer at once, their fields of any type too.
CATEGORY = st.sampled_from(["hate", "violence"])
MODERATION_ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "results": near(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "flagged": near(st.booleans()),
                        "categories": near(st.dictionaries(CATEGORY, near(st.booleans()))),
                        "category_scores": near(st.dictionaries(CATEGORY, near(st.floats(0, 1)))),
                    },
                ),
                max_size=2,
            )
        ),
        "model": ANY_FIELD,
    },
)
EMBEDDING_ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "data": near(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "index": near(st.integers(0, 2)),
                        "embedding": near(st.lists(st.floats(-1, 1), max_size=4)) | TEXT,
                    },
                ),
                max_size=2,
            )
        ),
        "usage": near(st.fixed_dictionaries({}, optional={"prompt_tokens": ANY_FIELD})),
    },
)
ANSWER_DATA = st.one_of(
    st.tuples(st.just("chat"), CHUNK_DATA),
    st.tuples(st.just("moderation"), MODERATION_ANSWER.map(json.dumps) | DEEP_TEXT),
    st.tuples(st.just("embedding"), EMBEDDING_ANSWER.map(json.dumps) | DEEP_TEXT),
)
# How a run may end when the upstream misbehaves: in plain words, never "internal error".
PLAIN_ENDINGS = (
    "The provider sent a malformed answer",
    "The connection to the provider was cut",
    "The provider sent something that is not valid JSON",
    "The provider's answer does not have OpenAI's shape",
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=ANSWER_DATA, position=st.integers(0, 2))
def test_any_upstream_answer_ends_the_run_in_plain_words(
    upstream_server: FakeUpstream, answer, position
):
    mode, data = answer
    upstream_server.requests.clear()
    run_limiter.reset()  # one run per example, more than the per-minute limit in all
    upstream_server.default = Scenario(
        tokens=lambda body: [" a", " b", " c"], failure="raw", raw_data=data, fail_after=position
    )
    body: dict = {"model": "fake-model", "input": "hi"}
    if mode == "chat":
        body = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}]}
        body["stream"] = True
    event(f"mode {mode}")
    request = {"mode": mode, "provider": "openai", "body": body}
    try:
        frames = asyncio.run(exchange([(json.dumps({"action": "run", "request": request}), True)]))
    finally:
        upstream_server.default = Scenario()
    final = frames[-1]
    state = status_state(final)
    event(f"ended {state}")
    assert "internal error" not in "".join(frames)
    assert state in {"done", "error"}
    if state == "error":
        assert any(ending in html.unescape(final) for ending in PLAIN_ENDINGS), final
