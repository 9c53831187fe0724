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


async def test_a_question_is_quoted_without_a_second_full_stop_in_either_language():
    english, _, _ = await collect(body("What is the capital of France?"))
    chinese, _, _ = await collect(body("北京的天气怎么样？"))
    assert english[0].startswith(
        "(Offline model) You said: \u201cWhat is the capital of France?\u201d "
    )
    assert chinese[0].startswith("（离线模型）你说：「北京的天气怎么样？」")
    assert "?\u201d." not in english[0] and "？」。" not in chinese[0]


async def test_every_sentence_of_a_reply_stands_on_its_own():
    # Sentences are drawn in any order: none may lean on one before it ("It streams ...").
    for seed in range(12):
        text, _, _ = await collect(body("Hello", seed=seed))
        assert (
            " It " not in text[0] and "它以" not in (await collect(body("你好", seed=seed)))[0][0]
        )


async def test_a_chinese_prompt_is_continued_in_chinese_without_the_chat_preamble():
    completion = {"model": "offline-1", "prompt": "从前有一座山", "max_tokens": 40}
    text: dict[int, str] = {}
    async for event in OfflineProvider(tokens_per_second=0).stream(completion, "completion"):
        if isinstance(event, TextDelta):
            text[event.index] = text.get(event.index, "") + event.text
    assert text[0] and "离线模型）你说" not in text[0] and "从前有一座山" not in text[0]
    assert not text[0].startswith(" ")


async def test_after_tool_results_a_chinese_conversation_is_answered_in_chinese():
    conversation = body("北京的天气怎么样？")
    conversation["messages"] += [
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "北京"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "晴，18 度"},
    ]
    text, _, _ = await collect(conversation)
    assert text[0] == "（离线模型）工具的结果：get_weather 返回「晴，18 度」。以上就是我所知道的。"
