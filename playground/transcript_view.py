"""A transcript's details as people read them: the page's result and the history's run page
show the same (language, duration, timed segments), from ``providers.Transcript``."""

from collections.abc import Callable
from typing import Any

from playground.providers import Transcript


def transcript_shown(transcript: Transcript, scrub: Callable[[str], str] = str) -> dict[str, Any]:
    """A transcript's details as the result shows them: language, duration, and each timed
    segment (or word, when there are no segments) with its times as m:ss.s."""
    timed = transcript.segments or transcript.words
    return {
        "transcript": {
            "model": scrub(transcript.model),
            "format": transcript.response_format,
            "language": scrub(transcript.language),
            "duration": _clock(transcript.duration) if transcript.duration is not None else "",
            "segments": [
                {
                    "start": _clock(piece.start),
                    "end": _clock(piece.end),
                    "text": scrub(piece.text),
                    "speaker": scrub(piece.speaker),
                }
                for piece in timed
            ],
            "of_words": not transcript.segments and bool(transcript.words),
            "word_count": len(transcript.words),
        }
    }


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"
