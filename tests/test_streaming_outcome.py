"""What a run keeps besides reply text: tool calls, logprobs, results, and a bounded raw answer."""

import json
import tracemalloc

from playground import fragments
from playground.outcome import RAW_KEEP_CHARS, RunOutcome
from playground.providers import (
    Embeddings,
    Logprobs,
    RawChunk,
    ResponseHeaders,
    TokenLogprob,
    ToolCall,
    Usage,
)


def test_events_are_kept_per_candidate():
    outcome = RunOutcome()
    outcome.record(ToolCall(1, 0, "c1", "f", "{}"))
    outcome.record(Logprobs(0, (TokenLogprob("a", -0.1),)))
    outcome.record(Logprobs(0, (TokenLogprob("b", -0.2),)))
    outcome.record(Usage(1, 2, 3))
    outcome.record(ResponseHeaders(200, (("x-ratelimit-remaining-requests", "9"),)))
    outcome.record(Embeddings(((1.0,),), "m"))
    assert outcome.tool_calls == {1: [ToolCall(1, 0, "c1", "f", "{}")]}
    assert [t.token for t in outcome.logprobs[0]] == ["a", "b"]
    assert outcome.usage == Usage(1, 2, 3) and outcome.headers.status == 200
    assert outcome.embeddings.model == "m"


def test_the_raw_answer_is_kept_up_to_a_bound_and_the_rest_counted():
    outcome = RunOutcome()
    chunk = "x" * 1000
    for _ in range(RAW_KEEP_CHARS // 1000 + 5):
        outcome.record(RawChunk(chunk))
    assert outcome.raw_chars <= RAW_KEEP_CHARS
    assert len(outcome.raw) == RAW_KEEP_CHARS // 1000
    assert outcome.raw_dropped == 5


def _streamed_chunk(i: int) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-8f3a9c2b1d",
            "object": "chat.completion.chunk",
            "created": 1764694800,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": f" wörd{i}\n"}, "finish_reason": None}],
        },
        ensure_ascii=False,
    )


def test_the_raw_answer_reads_back_chunk_by_chunk_in_order():
    outcome = RunOutcome()
    chunks = [_streamed_chunk(i) for i in range(300)] + ["", "a\nb", "\ud800 lone", "[DONE]"]
    for chunk in chunks:
        outcome.record(RawChunk(chunk))
    assert len(outcome.raw) == len(chunks)
    assert list(outcome.raw) == chunks
    assert list(outcome.raw) == chunks  # read twice (the final frame, then the inspector)
    assert fragments._joined_chunks(outcome) == "".join(c + "\n" for c in chunks)


def test_a_streamed_raw_answer_is_kept_compact():
    # 200 sockets each keep their last run for the inspector: a 200-token answer (~40 kB of
    # chunks) must not cost its size in memory per socket.
    # Each chunk is made here and kept only by the outcome, as the provider's parser does.
    total = 0
    tracemalloc.start()
    try:
        outcome = RunOutcome()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(200):
            chunk = _streamed_chunk(i)
            total += len(chunk)
            outcome.record(RawChunk(chunk))
        del chunk
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert total > 35_000
    assert kept < 20_000
