"""The built-in offline model: deterministic, paced, and faithful to the parameters it honours."""

import time

from playground.providers import Finished, TextDelta, Usage
from playground.providers.offline import OfflineProvider


async def collect(body: dict, tokens_per_second: float = 0) -> tuple[dict[int, str], dict, Usage]:
    text: dict[int, str] = {}
    reasons: dict = {}
    usage = None
    async for event in OfflineProvider(tokens_per_second=tokens_per_second).stream(body):
        if isinstance(event, TextDelta):
            text[event.index] = text.get(event.index, "") + event.text
        elif isinstance(event, Finished):
            reasons[event.index] = event.reason
        elif isinstance(event, Usage):
            usage = event
    return text, reasons, usage


def body(content: str = "Tell me a story", **params) -> dict:
    return {"model": "offline-1", "messages": [{"role": "user", "content": content}], **params}


async def test_same_request_gives_the_same_reply():
    assert await collect(body()) == await collect(body())


async def test_seed_changes_the_reply_deterministically():
    one, _, _ = await collect(body(seed=1))
    two, _, _ = await collect(body(seed=2))
    assert one != two
    assert one == (await collect(body(seed=1)))[0]


async def test_max_tokens_cuts_the_reply_with_finish_reason_length():
    text, reasons, usage = await collect(body(max_tokens=5))
    assert usage.completion_tokens == 5
    assert reasons == {0: "length"}
    assert text[0] == "(Offline model) You"


async def test_stop_sequence_ends_the_reply_before_it():
    full, _, _ = await collect(body())
    text, reasons, _ = await collect(body(stop=["said"]))
    assert text[0] == full[0][: full[0].index("said")]
    assert reasons == {0: "stop"}


async def test_n_gives_distinct_candidates_each_finished():
    text, reasons, usage = await collect(body(n=3))
    assert len(set(text.values())) == 3
    assert reasons == {0: "stop", 1: "stop", 2: "stop"}
    assert usage.completion_tokens > 3


async def test_usage_counts_prompt_and_reply():
    _, _, usage = await collect(body("one two three"))
    assert usage.prompt_tokens == 3 + 4
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_chinese_prompt_gets_a_chinese_reply():
    text, _, _ = await collect(body("你好，请介绍一下你自己"))
    assert text[0].startswith("（离线模型）你说：「你好，请介绍一下你自己」")


async def test_pacing_follows_tokens_per_second():
    started = time.monotonic()
    await collect(body(max_tokens=10), tokens_per_second=100)
    assert 0.09 <= time.monotonic() - started < 1.0


async def test_any_model_name_is_accepted():
    text, _, _ = await collect({**body(), "model": "whatever-you-like"})
    assert text[0]
