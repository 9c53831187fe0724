"""The offline model's transcriptions and translations: a transcript derived from the file.

Deterministic and instant: the audio's duration (read from a WAV header, estimated from
the size for compressed formats) cuts it into segments of up to ``SEGMENT_SECONDS``; the
first says what was heard (the file's name and length), the others are words picked from
``WORDS`` by the file's bytes, so that two files give two transcripts. Answered in every
response format OpenAI has (json, text, srt, verbose_json with segments and words, vtt,
diarized_json), and streamed as ``transcript.text.delta`` events when ``stream`` is true
for json or text. The test suite's fake upstream answers with the same text.
"""

import io
import json
import math
import wave
import zlib
from typing import Any

from playground.uploads.references import FileContent

SEGMENT_SECONDS = 5.0
MAX_SEGMENTS = 24
# Compressed audio's duration, when no header says it: about 128 kbit/s.
_BYTES_PER_SECOND = 16_000
WORDS = (
    "river stone lantern meadow harbour violet copper signal window thunder orchard "
    "compass feather garden silver morning planet bridge winter candle island echo"
).split()
# Streamed: a delta per word, as the gpt-4o transcribe models send them.
STREAMED_FORMATS = ("json", "text")


def audio_seconds(content: FileContent) -> float:
    """How long the audio lasts: a WAV's header says; other formats from their size."""
    if content.media_type == "audio/wav":
        try:
            with wave.open(io.BytesIO(content.data)) as file:
                return float(file.getnframes()) / float(file.getframerate())
        except (wave.Error, EOFError, ZeroDivisionError):
            pass
    return len(content.data) / _BYTES_PER_SECOND


def _segment_texts(content: FileContent, seconds: float, *, translate: bool) -> list[str]:
    count = min(MAX_SEGMENTS, max(1, math.ceil(seconds / SEGMENT_SECONDS)))
    if translate:
        first = f"The offline model translated {seconds:.1f} seconds of {content.filename} into English."
    else:
        first = f"The offline model heard {seconds:.1f} seconds of {content.filename}."
    texts = [first]
    for number in range(1, count):
        seed = zlib.crc32(content.sha256.encode() + bytes([number]))
        picked = [WORDS[(seed >> shift) % len(WORDS)] for shift in (0, 5, 10, 15)]
        texts.append(" ".join(picked).capitalize() + ".")
    return texts


def _timed(texts: list[str], seconds: float) -> list[tuple[float, float, str]]:
    step = seconds / len(texts) if texts else 0.0
    return [
        (round(i * step, 2), round(min(seconds, (i + 1) * step), 2), text)
        for i, text in enumerate(texts)
    ]


def _words(segments: list[tuple[float, float, str]]) -> list[dict[str, Any]]:
    words = []
    for start, end, text in segments:
        pieces = text.split()
        step = (end - start) / len(pieces)
        for i, piece in enumerate(pieces):
            words.append(
                {
                    "word": piece.strip(".,"),
                    "start": round(start + i * step, 2),
                    "end": round(start + (i + 1) * step, 2),
                }
            )
    return words


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    whole, millis = divmod(millis, 1000)
    return f"{hours:02}:{minutes:02}:{whole:02}{separator}{millis:03}"


def _token_usage(text: str, seconds: float) -> dict[str, Any]:
    audio_tokens = max(1, round(seconds * 10))
    output_tokens = max(1, len(text) // 4)
    return {
        "type": "tokens",
        "input_tokens": audio_tokens,
        "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens},
        "output_tokens": output_tokens,
        "total_tokens": audio_tokens + output_tokens,
    }


def transcription_answer(
    body: dict[str, Any], content: FileContent, *, translate: bool = False
) -> tuple[str, str]:
    """The answer to a transcription (or translation) body of ``content``: its text and
    media type, as OpenAI sends it for the body's ``response_format``."""
    seconds = audio_seconds(content)
    segments = _timed(_segment_texts(content, seconds, translate=translate), seconds)
    text = " ".join(piece for _, _, piece in segments)
    response_format = str(body.get("response_format") or "json")
    duration_usage = {"type": "duration", "seconds": math.ceil(seconds)}
    if response_format == "text":
        return text + "\n", "text/plain; charset=utf-8"
    if response_format == "srt":
        cues = [
            f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{piece}\n"
            for n, (start, end, piece) in enumerate(segments, 1)
        ]
        return "\n".join(cues) + "\n", "text/plain; charset=utf-8"
    if response_format == "vtt":
        cues = [
            f"{_clock(start, '.')} --> {_clock(end, '.')}\n{piece}\n"
            for start, end, piece in segments
        ]
        return "WEBVTT\n\n" + "\n".join(cues) + "\n", "text/vtt; charset=utf-8"
    payload: dict[str, Any]
    if response_format == "verbose_json":
        granularities = body.get("timestamp_granularities") or ["segment"]
        payload = {
            "task": "translate" if translate else "transcribe",
            "language": "english" if translate else str(body.get("language") or "english"),
            "duration": round(seconds, 2),
            "text": text,
        }
        if "word" in granularities:
            payload["words"] = _words(segments)
        if "segment" in granularities:
            payload["segments"] = [
                {
                    "id": number,
                    "seek": round(start * 100),
                    "start": start,
                    "end": end,
                    "text": " " + piece,
                    "tokens": [],
                    "temperature": float(body.get("temperature") or 0.0),
                    "avg_logprob": -0.2,
                    "compression_ratio": 1.2,
                    "no_speech_prob": 0.01,
                }
                for number, (start, end, piece) in enumerate(segments)
            ]
        payload["usage"] = duration_usage
    elif response_format == "diarized_json":
        payload = {
            "task": "transcribe",
            "duration": round(seconds, 2),
            "text": text,
            "segments": [
                {
                    "type": "transcript.text.segment",
                    "id": f"seg_{number + 1:03}",
                    "start": start,
                    "end": end,
                    "text": piece,
                    "speaker": "AB"[number % 2],
                }
                for number, (start, end, piece) in enumerate(segments)
            ],
            "usage": duration_usage,
        }
    else:
        # The gpt-4o transcribe models count tokens; whisper-1 counts seconds.
        token_model = str(body.get("model") or "").startswith("gpt-")
        usage = _token_usage(text, seconds) if token_model else duration_usage
        payload = {"text": text, "usage": usage}
    return json.dumps(payload), "application/json"


def transcription_events(
    body: dict[str, Any], content: FileContent, *, translate: bool = False
) -> list[dict[str, Any]] | None:
    """The streamed answer (``transcript.text.delta`` events, then ``transcript.text.done``)
    when the body asks for one in a format that streams; None otherwise."""
    if not body.get("stream") or str(body.get("response_format") or "json") not in (
        STREAMED_FORMATS
    ):
        return None
    seconds = audio_seconds(content)
    texts = _segment_texts(content, seconds, translate=translate)
    text = " ".join(texts)
    words = text.split(" ")
    events: list[dict[str, Any]] = [
        {"type": "transcript.text.delta", "delta": word if i == 0 else " " + word}
        for i, word in enumerate(words)
    ]
    events.append(
        {"type": "transcript.text.done", "text": text, "usage": _token_usage(text, seconds)}
    )
    return events
