"""What a run keeps besides reply text: tool calls, logprobs, results, and a bounded raw answer."""

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
