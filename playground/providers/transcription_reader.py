"""A transcription's or translation's answer, read into events: the text as the reply,
``Transcript`` with the language, duration and timed segments and words, and usage.

One reader for the offline model and the real providers, so that both look the same on
the page: a whole answer (JSON for json, verbose_json and diarized_json; the text as it
is for text, srt and vtt) or a stream of ``transcript.text.*`` events.
"""

import json
from typing import Any

from playground.providers.base import Event, Finished, TextDelta, TimedText, Transcript, Usage
from playground.providers.http_errors import MalformedAnswer

JSON_FORMATS = ("json", "verbose_json", "diarized_json")


def answer_events(text: str, body: dict[str, Any], model: str) -> list[Event]:
    """The events of a whole answer ``text`` to ``body`` (MalformedAnswer names what is
    not as OpenAI sends it)."""
    response_format = str(body.get("response_format") or "json")
    if response_format not in JSON_FORMATS:
        # text, srt and vtt come as they are; a server may still wrap them in JSON.
        payload = _json_or_none(text)
        if not (isinstance(payload, dict) and isinstance(payload.get("text"), str)):
            return [TextDelta(0, text), Transcript(model, response_format), Finished(0, "stop")]
    else:
        payload = _json_or_none(text)
    if not isinstance(payload, dict):
        raise MalformedAnswer("the transcription is not a JSON object")
    transcript = payload.get("text")
    if not isinstance(transcript, str):
        raise MalformedAnswer("the transcription's text is not a string")
    events: list[Event] = [
        TextDelta(0, transcript),
        Transcript(
            model,
            response_format,
            language=str(payload.get("language") or ""),
            duration=_seconds(payload.get("duration"), "duration"),
            segments=_timed(payload.get("segments"), "segments", "text"),
            words=_timed(payload.get("words"), "words", "word"),
        ),
    ]
    usage = _usage(payload.get("usage"))
    if usage is not None:
        events.append(usage)
    events.append(Finished(0, "stop"))
    return events


class StreamReader:
    """The events of a streamed transcription, one ``transcript.text.*`` event at a time."""

    def __init__(self, body: dict[str, Any], model: str) -> None:
        self._format = str(body.get("response_format") or "json")
        self._model = model
        self._segments: list[TimedText] = []
        self.done = False

    def events(self, event: dict[str, Any]) -> list[Event]:
        kind = event.get("type")
        if kind == "transcript.text.delta":
            delta = event.get("delta")
            if not isinstance(delta, str):
                raise MalformedAnswer("a transcript.text.delta's delta is not a string")
            return [TextDelta(0, delta)] if delta else []
        if kind == "transcript.text.segment":
            self._segments.extend(_timed([event], "a transcript.text.segment", "text"))
            return []
        if kind == "transcript.text.done":
            self.done = True
            found: list[Event] = [
                Transcript(self._model, self._format, segments=tuple(self._segments))
            ]
            usage = _usage(event.get("usage"))
            if usage is not None:
                found.append(usage)
            found.append(Finished(0, "stop"))
            return found
        return []


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _seconds(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedAnswer(f"the transcription's {where} is not a number")
    return float(value)


def _timed(value: Any, where: str, text_key: str) -> tuple[TimedText, ...]:
    """Segments or words: each an object with start, end (seconds) and its text."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedAnswer(f"the transcription's {where} is not a list")
    timed = []
    for position, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get(text_key), str):
            raise MalformedAnswer(f"the transcription's {where}[{position}] has no {text_key}")
        timed.append(
            TimedText(
                _seconds(item.get("start"), f"{where}[{position}].start") or 0.0,
                _seconds(item.get("end"), f"{where}[{position}].end") or 0.0,
                item[text_key].strip(),
                str(item.get("speaker") or ""),
            )
        )
    return tuple(timed)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _usage(usage: Any) -> Usage | None:
    """Token usage (the gpt-4o transcribe models); a duration usage (whisper-1) counts
    seconds, not tokens: none."""
    if not isinstance(usage, dict) or usage.get("type") == "duration":
        return None
    prompt, completion = usage.get("input_tokens"), usage.get("output_tokens")
    if not (_count(prompt) and _count(completion)):
        return None
    assert isinstance(prompt, int) and isinstance(completion, int)
    total = usage.get("total_tokens")
    return Usage(prompt, completion, total if isinstance(total, int) else prompt + completion)
