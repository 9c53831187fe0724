"""Text the database cannot store: found before a save, so the user is told which field.

PostgreSQL refuses a NUL character (U+0000) in text columns and in JSON values, and no
database stores a lone surrogate (U+D800 to U+DFFF, which JSON's ``\\ud800`` escapes can
produce) as UTF-8. Left to the database, either is a 500 error after validation passed.
"""

import re
from collections.abc import Callable
from typing import Any

from playground.jsonpath import path_text, walk

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable_reason(text: str) -> str | None:
    """Why this text cannot be stored ("contains … (NUL, \\u0000)"), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    what = "NUL" if char == "\x00" else "a lone surrogate"
    return f"contains a character that cannot be stored ({what}, \\u{ord(char):04x})"


def first_unstorable(value: Any, prefix: str = "") -> tuple[str, str] | None:
    """The key path ("body.messages[0].content") and reason of the first unstorable text.

    Looks at every string in a JSON value, dictionary keys included.
    """
    return _first_match(value, prefix, unstorable_reason)


def lone_surrogate_reason(text: str) -> str | None:
    """Why this text cannot be sent anywhere (a lone surrogate is no character, and has no
    UTF-8 form for a frame, a response or an upstream body), or None when it can."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"contains a lone surrogate (\\u{ord(found.group()):04x}): half of a UTF-16 pair, not a "
        "character; send the whole character (both halves, or the emoji itself)"
    )


def first_lone_surrogate(value: Any, prefix: str = "") -> tuple[str, str] | None:
    """Where a JSON value holds a lone surrogate, and why that is refused; None if nowhere."""
    return _first_match(value, prefix, lone_surrogate_reason)


def _first_match(
    value: Any, prefix: str, reason_of: Callable[[str], str | None]
) -> tuple[str, str] | None:
    for path, item in walk(value, (prefix,) if prefix else ()):
        if isinstance(item, str):
            reason = reason_of(item)
            if reason:
                return path_text(path) or "(value)", reason
        elif isinstance(item, dict):
            for key in item:
                reason = reason_of(str(key))
                if reason:
                    # A bad key is named escaped: its raw form cannot be shown or stored.
                    name = str(key).encode("unicode_escape").decode("ascii")
                    return path_text((*path, name)), reason
    return None


def without_unstorable(text: str) -> str:
    """The text with those characters removed (for a search: nothing stored contains them)."""
    return _UNSTORABLE.sub("", text)
