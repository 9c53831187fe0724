"""Turn what a stream received (websocket frames or SSE bytes) into timed reply pieces.

A piece is ``(seconds since the stream's start, text)``: one per websocket frame
that carried reply text (so tokens batched into one frame share its arrival time),
one per SSE event on the direct path.
"""

import html
import json
import re
from typing import Any

# The playground's reply frame (playground/fragments.py reply_text); the text is escaped.
_REPLY_SPAN = re.compile(r'<span id="reply-(\d+)" hx-swap-oob="beforeend">(.*?)</span>', re.S)
_RUN_STATE = re.compile(r'id="run-status"[^>]*data-state="([a-z]+)"')

Piece = tuple[float, str]


def reply_pieces_from_frames(frames: list[tuple[float, str]]) -> tuple[str, list[Piece]]:
    """The run's end state (``done`` …, or ``incomplete``) and candidate 0's reply pieces."""
    state = "incomplete"
    pieces: list[Piece] = []
    for offset, frame in frames:
        text = "".join(
            html.unescape(body) for index, body in _REPLY_SPAN.findall(frame) if index == "0"
        )
        if text:
            pieces.append((offset, text))
        for found in _RUN_STATE.findall(frame):
            if found != "running":
                state = found
    return state, pieces


def reply_pieces_from_sse(chunks: list[tuple[float, bytes]]) -> tuple[str, list[Piece]]:
    """The stream's end state (``done`` after ``[DONE]``) and choice 0's content pieces.

    An event gets the arrival time of the read that completed it.
    """
    state = "incomplete"
    pieces: list[Piece] = []
    buffer = b""
    for offset, chunk in chunks:
        buffer += chunk
        *events, buffer = buffer.split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                if data == b"[DONE]":
                    state = "done"
                    continue
                text = _content(json.loads(data))
                if text:
                    pieces.append((offset, text))
    return state, pieces


def _content(chunk: Any) -> str:
    for choice in chunk.get("choices") or []:
        if choice.get("index", 0) == 0:
            return (choice.get("delta") or {}).get("content") or ""
    return ""
