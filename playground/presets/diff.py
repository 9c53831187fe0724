"""A readable line diff between two stored requests: parameters first, then each message."""

import difflib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Body keys holding free text that reads better line by line than as one JSON string.
TEXT_KEYS = ("prompt", "suffix", "input", "instruction")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "hunk" (a "@@ … @@" position marker)
    text: str


def request_lines(request: dict[str, Any]) -> list[str]:
    """The request as lines a person compares: one per parameter, then each text block.

    Texts (message contents, a completion's prompt, an input) are shown line by line,
    so that a one-word change in a long prompt is a one-line change in the diff.
    """
    body = request.get("body", {})
    lines = [f"provider: {request.get('provider', '')}", f"mode: {request.get('mode', '')}"]
    texts = {k: v for k, v in body.items() if k in TEXT_KEYS and isinstance(v, str)}
    for key in sorted(k for k in body if k != "messages" and k not in texts):
        lines.append(f"{key}: {_json(body[key])}")
    if request.get("variables"):
        lines.append(f"variables: {_json(request['variables'])}")
    for key, text in texts.items():
        lines.append(f"── {key} ──")
        lines.extend(text.splitlines() or [""])
    for index, message in enumerate(body.get("messages", []), start=1):
        # Translators: a heading line in a diff of two requests, e.g. "── message 2 (user) ──".
        heading = _("message %(number)s (%(role)s)") % {
            "number": index,
            "role": message.get("role", "?"),
        }
        lines.append(f"── {heading} ──")
        content = message.get("content", "")
        if isinstance(content, str):
            lines.extend(content.splitlines() or [""])
        else:  # content parts (text, images…) or null next to tool calls
            lines.append(_json(content))
        for key in sorted(k for k in message if k not in {"role", "content"}):
            lines.append(f"{key}: {_json(message[key])}")
    return lines


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


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
