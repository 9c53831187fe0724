"""A fine-tuning training file, checked line by line before it is uploaded.

OpenAI's chat format: one JSON object per line, ``{"messages": [...]}`` with roles
system, user, assistant and tool, at least one assistant message to learn from (an
assistant message may carry ``weight`` 0 or 1), optional ``tools``; at least 10 examples.
Each problem names its line, so that a file of thousands of lines can be fixed without
guessing; at most ``MAX_PROBLEMS`` are listed.
"""

import json
from typing import Any

from django.utils.translation import gettext as _

MIN_EXAMPLES = 10
MAX_PROBLEMS = 20
# OpenAI's context for fine-tuning examples is model-dependent; this many characters is
# far beyond any of them (about 65 000 tokens): an example this long is a mistake.
MAX_EXAMPLE_CHARS = 262_144
ROLES = ("system", "user", "assistant", "tool")


class TrainingFileInvalid(ValueError):
    """The file is not a training file; ``problems`` name each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def training_file_check(data: bytes) -> int:
    """The number of examples in ``data``; TrainingFileInvalid lists what is wrong, by line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TrainingFileInvalid([_("The file is not UTF-8 text.")]) from None
    problems: list[str] = []
    examples = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        examples += 1
        problem = _line_problem(line)
        if problem:
            problems.append(
                _("line %(number)s: %(problem)s") % {"number": number, "problem": problem}
            )
            if len(problems) == MAX_PROBLEMS:
                problems.append(
                    _("(only the first %(count)s problems are listed)") % {"count": MAX_PROBLEMS}
                )
                break
    if not problems and examples < MIN_EXAMPLES:
        problems.append(
            _("The file has %(count)s examples; fine-tuning needs at least %(minimum)s.")
            % {"count": examples, "minimum": MIN_EXAMPLES}
        )
    if problems:
        raise TrainingFileInvalid(problems)
    return examples


def _line_problem(line: str) -> str:
    if len(line) > MAX_EXAMPLE_CHARS:
        return _("the example is longer than %(count)s characters") % {"count": MAX_EXAMPLE_CHARS}
    try:
        example = json.loads(line)
    except (ValueError, RecursionError):
        return _("is not JSON (one JSON object per line)")
    if not isinstance(example, dict):
        return _('must be a JSON object such as {"messages": [...]}')
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return _("messages must be a non-empty list of chat messages")
    for position, message in enumerate(messages):
        problem = _message_problem(message)
        if problem:
            return f"messages[{position}]: {problem}"
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        return _("has no assistant message to learn from")
    if "tools" in example and not isinstance(example["tools"], list):
        return _("tools must be a list of tools")
    return ""


def _message_problem(message: Any) -> str:
    if not isinstance(message, dict):
        return _("must be an object with a role and content")
    role = message.get("role")
    if role not in ROLES:
        return _("role must be one of %(roles)s") % {"roles": ", ".join(ROLES)}
    content = message.get("content")
    calls = message.get("tool_calls")
    if content is None and not (role == "assistant" and calls):
        return _("content is missing")
    if content is not None and not _is_content(content):
        return _("content must be text, or a list of text parts")
    if "weight" in message:
        if role != "assistant":
            return _("weight is only for assistant messages")
        if message["weight"] not in (0, 1) or isinstance(message["weight"], bool):
            return _("weight must be 0 or 1")
    return ""


def _is_content(content: Any) -> bool:
    if isinstance(content, str):
        return True
    return isinstance(content, list) and all(
        isinstance(part, dict) and isinstance(part.get("type"), str) for part in content
    )
