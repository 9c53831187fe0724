"""The searchable text of a run: its prompts and its replies, as one text."""

from typing import Any

from playground.spec import input_texts


def searchable_text(request: dict[str, Any] | None, output: dict[str, Any] | None) -> str:
    """Every prompt text of the request and every reply text of the output, one per line."""
    texts: list[str] = []
    body = (request or {}).get("body") or {}
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            texts.extend(_content_texts(message.get("content")))
    for key in ("prompt", "input", "instruction", "instructions"):
        if key in body:
            texts.extend(input_texts(body[key]))
    for candidate in (output or {}).get("candidates") or []:
        texts.append(str(candidate.get("text") or ""))
        texts.extend(str(call.get("arguments") or "") for call in candidate.get("tool_calls") or [])
    return "\n".join(text for text in texts if text)


def _content_texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [str(part.get("text", "")) for part in content if isinstance(part, dict)]
    return []
