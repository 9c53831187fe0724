"""A readable line diff between two stored requests: parameters first, then each message."""

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "hunk" (a "@@ … @@" position marker)
    text: str


def request_lines(request: dict[str, Any]) -> list[str]:
    """The request as lines a person compares: one per parameter, then the messages' text."""
    body = request.get("body", {})
    lines = [f"provider: {request.get('provider', '')}", f"mode: {request.get('mode', '')}"]
    for key in sorted(k for k in body if k != "messages"):
        lines.append(f"{key}: {json.dumps(body[key], ensure_ascii=False, sort_keys=True)}")
    for index, message in enumerate(body.get("messages", []), start=1):
        lines.append(f"── message {index} ({message.get('role', '?')}) ──")
        lines.extend(str(message.get("content", "")).splitlines() or [""])
    return lines


def version_diff(old: dict[str, Any], new: dict[str, Any], context: int = 3) -> list[DiffLine]:
    """Unified diff of two requests; an empty list means they are the same."""
    diff = difflib.unified_diff(request_lines(old), request_lines(new), n=context, lineterm="")
    result = []
    for line in diff:
        if line.startswith(("---", "+++")):
            continue  # file headers: the page names the two versions itself
        if line.startswith("@@"):
            result.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            result.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            result.append(DiffLine("removed", line[1:]))
        else:
            result.append(DiffLine("same", line[1:]))
    return result
