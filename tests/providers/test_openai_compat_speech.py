"""The OpenAI-compatible client's speech: audio passed on in pieces, sse events decoded,
failures told in plain words."""

import asyncio
import base64
import json

import pytest

from playground.providerconfig.lookup import get_provider
from playground.providers import AudioDone, AudioPiece, RawChunk, UpstreamError, Usage
from playground.providers.openai_compat import OpenAICompatibleProvider
from tests.conftest import serving_in_thread
from tests.fake_upstream import Scenario

BODY = {"model": "gpt-4o-mini-tts", "input": " ".join(["word"] * 40), "voice": "ash"}


async def events_of(body: dict, provider=None) -> list:
    provider = provider or get_provider("openai")
    return [event async for event in provider.stream(body, "speech")]


async def test_the_audio_is_passed_on_in_the_pieces_it_arrives_in(fake_upstream):
    events = await events_of({**BODY, "response_format": "wav"})
    pieces = [e.data for e in events if isinstance(e, AudioPiece)]

    served = fake_upstream.requests[0].served
    assert len(pieces) > 1 and b"".join(pieces) == served
    assert events[-1] == AudioDone("gpt-4o-mini-tts", "wav")
    raw = [json.loads(e.data) for e in events if isinstance(e, RawChunk)]
    assert raw == [{"content_type": "audio/wav", "audio_bytes": len(served)}]


async def test_sse_events_become_the_pieces_they_carry_and_the_usage(fake_upstream):
    events = await events_of({**BODY, "stream_format": "sse"})

    pieces = [e.data for e in events if isinstance(e, AudioPiece)]
    assert b"".join(pieces) == fake_upstream.requests[0].served
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.prompt_tokens == len(BODY["input"]) // 4 and usage.completion_tokens > 0


async def test_a_refusal_is_told_in_plain_words(fake_upstream):
    fake_upstream.answer_next(Scenario(status=429, retry_after="4"))
    with pytest.raises(UpstreamError) as caught:
        await events_of(BODY)
    assert caught.value.kind == "rate_limited" and "Wait 4 s" in caught.value.message


def sse_server(events: list[str]):
    """A server that answers any request with these sse events (chunked, then closes)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = "".join(f"data: {event}\n\n" for event in events).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    return serving_in_thread(handle)


@pytest.mark.parametrize(
    ("events", "kind", "words"),
    [
        (['{"type": "speech.audio.delta", "audio": "not base64!"}'], "bad_response", "base64"),
        (["not json"], "bad_response", ""),
        (
            [
                json.dumps(
                    {"type": "speech.audio.delta", "audio": base64.b64encode(b"ID3").decode()}
                )
            ],
            "stream_cut",
            "cut",
        ),
        (['{"error": {"message": "voice unavailable"}}'], "server_error", "voice unavailable"),
    ],
)
async def test_broken_sse_answers_end_in_plain_words(events, kind, words):
    with sse_server(events) as port:
        provider = OpenAICompatibleProvider(name="sse", base_url=f"http://127.0.0.1:{port}/v1")
        with pytest.raises(UpstreamError) as caught:
            await events_of({**BODY, "stream_format": "sse"}, provider)
    assert caught.value.kind == kind, caught.value.message
    assert words in caught.value.message
