"""The offline model's speech: a short tune of tones derived from the text, as audio.

Deterministic and fast, with no audio library beyond the encoder: each word of the
input (up to ``MAX_TONES``) becomes a tone whose pitch comes from the word's CRC, longer
or shorter with ``speed``, at OpenAI's 24 kHz, 16-bit mono. Each tone's frequency divides
the sample rate, so one period of its sine is computed and repeated (a second of audio
costs microseconds, not a loop over every sample), and every tone starts and ends at a
zero crossing (no clicks). Written as ``wav`` (the stdlib's ``wave``), ``mp3`` (lameenc)
or ``pcm`` (the raw samples, as OpenAI sends them); the other formats (opus, aac, flac)
need encoders the playground does not ship, so the offline model refuses them, naming
the ones it makes. ``stream_format: sse`` is answered with OpenAI's events (base64 deltas,
then ``speech.audio.done`` with usage). The test suite's fake upstream serves the same audio.
"""

import asyncio
import base64
import io
import json
import math
import wave
import zlib
from array import array
from collections.abc import AsyncIterator
from typing import Any

import lameenc
from django.utils.translation import gettext as _

from playground.providers.base import AudioDone, AudioPiece, Event, RawChunk, UpstreamError, Usage

SAMPLE_RATE = 24_000
# At most this many tones (words): a 4096-character text stays a few seconds of audio.
MAX_TONES = 48
TONE_SECONDS = 0.14
GAP_SECONDS = 0.03
AMPLITUDE = 9_000
# The formats the offline model writes.
OFFLINE_FORMATS = ("mp3", "wav", "pcm")
# The media type an answer of each format is served as (OpenAI's Content-Type).
MEDIA_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "audio/pcm"}
# The size of each piece passed on, as a provider's stream would deliver them.
PIECE_BYTES = 16 * 1024
MP3_KBPS = 48


def _periods(samples_per_period: int) -> "array[int]":
    """One period of a sine of SAMPLE_RATE / samples_per_period Hz, as 16-bit samples."""
    step = 2 * math.pi / samples_per_period
    return array("h", (round(AMPLITUDE * math.sin(step * i)) for i in range(samples_per_period)))


def speech_samples(text: str, speed: float = 1.0) -> "array[int]":
    """The tune of ``text`` as 16-bit mono samples at SAMPLE_RATE."""
    words = text.split() or [text]
    tone = max(1, round(TONE_SECONDS / speed * SAMPLE_RATE))
    gap = array("h", bytes(2 * round(GAP_SECONDS / speed * SAMPLE_RATE)))
    samples = array("h")
    for word in words[:MAX_TONES]:
        # 30 to 109 samples per period: 220 to 800 Hz, a whole number of periods per tone.
        period = 30 + zlib.crc32(word.encode("utf-8", "surrogatepass")) % 80
        one = _periods(period)
        samples.extend(one * max(1, tone // period))
        samples.extend(gap)
    return samples


def speech_audio(body: dict[str, Any]) -> bytes:
    """The audio file the offline model answers ``body`` with (UpstreamError for a format it
    does not make)."""
    response_format = str(body.get("response_format") or "mp3")
    if response_format not in OFFLINE_FORMATS:
        raise UpstreamError(
            "bad_request",
            _(
                "The offline model makes %(formats)s audio; response_format %(format)s needs "
                "a real provider. Choose one of these, or another provider."
            )
            % {"formats": ", ".join(OFFLINE_FORMATS), "format": response_format},
            status=400,
            param="response_format",
        )
    speed = body.get("speed")
    samples = speech_samples(str(body.get("input") or ""), float(speed) if speed else 1.0)
    if response_format == "pcm":
        return samples.tobytes()  # little-endian on every machine the playground runs on
    if response_format == "wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as file:
            file.setnchannels(1)
            file.setsampwidth(2)
            file.setframerate(SAMPLE_RATE)
            file.writeframes(samples.tobytes())
        return buffer.getvalue()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_KBPS)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)  # fast; the tones do not need better
    return bytes(encoder.encode(samples.tobytes()) + encoder.flush())


def audio_pieces(data: bytes, size: int = PIECE_BYTES) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)] or [b""]


def speech_usage(body: dict[str, Any], data: bytes) -> dict[str, int]:
    """Usage as gpt-4o-mini-tts reports it in ``speech.audio.done``: text tokens in, audio
    tokens out (a rough count: about four characters a token, 50 audio tokens a second)."""
    text_tokens = max(1, len(str(body.get("input") or "")) // 4)
    audio_tokens = max(1, len(data) // (SAMPLE_RATE * 2) * 50)
    return {
        "input_tokens": text_tokens,
        "output_tokens": audio_tokens,
        "total_tokens": text_tokens + audio_tokens,
    }


def sse_events(body: dict[str, Any], data: bytes) -> list[dict[str, Any]]:
    """OpenAI's ``stream_format: sse`` events for ``data``: a delta per piece, then done."""
    events: list[dict[str, Any]] = [
        {"type": "speech.audio.delta", "audio": base64.b64encode(piece).decode()}
        for piece in audio_pieces(data)
    ]
    events.append({"type": "speech.audio.done", "usage": speech_usage(body, data)})
    return events


async def speech_stream(body: dict[str, Any]) -> AsyncIterator[Event]:
    """The offline answer to a speech body: the audio in pieces, then its end."""
    # Off the event loop: a long text is a few seconds of mp3 to encode (about 20 ms).
    data = await asyncio.to_thread(speech_audio, body)
    model = str(body.get("model") or "")
    response_format = str(body.get("response_format") or "mp3")
    if body.get("stream_format") == "sse":
        for event in sse_events(body, data):
            yield RawChunk(json.dumps(event))
            if event["type"] == "speech.audio.delta":
                yield AudioPiece(base64.b64decode(event["audio"]))
                await asyncio.sleep(0)  # stay cancellable
            else:
                usage = event["usage"]
                yield Usage(usage["input_tokens"], usage["output_tokens"], usage["total_tokens"])
    else:
        for piece in audio_pieces(data):
            yield AudioPiece(piece)
            await asyncio.sleep(0)
        # As a provider's answer shows in the inspector: its type and size, not its bytes.
        shown = {"content_type": MEDIA_TYPES[response_format], "audio_bytes": len(data)}
        yield RawChunk(json.dumps(shown))
    yield AudioDone(model, response_format)
