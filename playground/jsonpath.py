"""Walking a JSON value, and the one way a place in it is named in every message.

A place is spelled as a reader of the JSON would point at it: keys joined with dots,
list positions in brackets (``body.messages[2].content``, ``tools[0].function.name``).
Validation errors, export refusals and storage checks all name fields this way, so the
same field reads the same wherever it is blamed.
"""

from collections.abc import Iterator, Sequence
from typing import Any

PathPart = str | int


def path_text(parts: Sequence[PathPart]) -> str:
    """``("body", "messages", 2, "content")`` as ``body.messages[2].content``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def walk(value: Any, prefix: Sequence[PathPart] = ()) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    """Every value inside ``value`` (itself first) with its path, depth first, in document
    order, without recursion (a value nested thousands deep cannot exhaust the stack)."""
    pending: list[tuple[tuple[PathPart, ...], Any]] = [(tuple(prefix), value)]
    while pending:
        path, item = pending.pop()
        yield path, item
        if isinstance(item, dict):
            children = [((*path, str(key)), child) for key, child in item.items()]
        elif isinstance(item, list):
            children = [((*path, index), child) for index, child in enumerate(item)]
        else:
            continue
        pending.extend(reversed(children))


def depth(value: Any) -> int:
    """How many lists and objects deep a JSON value goes (a number: 0)."""
    return max(
        (len(path) + 1 for path, item in walk(value) if isinstance(item, dict | list)),
        default=0,
    )
