"""Text the database cannot store: found before a save, so the user is told which field.

PostgreSQL refuses a NUL character (U+0000) in text columns and in JSON values, and no
database stores a lone surrogate (U+D800 to U+DFFF, which JSON's ``\\ud800`` escapes can
produce) as UTF-8. Left to the database, either is a 500 error after validation passed.
"""

import re
from typing import Any

from playground.jsonpath import path_text, walk

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


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
    for path, item in walk(value, (prefix,) if prefix else ()):
        if isinstance(item, str):
            reason = unstorable_reason(item)
            if reason:
                return path_text(path) or "(value)", reason
        elif isinstance(item, dict):
            for key in item:
                reason = unstorable_reason(str(key))
                if reason:
                    # A bad key is named escaped: its raw form cannot be shown or stored.
                    name = str(key).encode("unicode_escape").decode("ascii")
                    return path_text((*path, name)), reason
    return None


def without_unstorable(text: str) -> str:
    """The text with those characters removed (for a search: nothing stored contains them)."""
    return _UNSTORABLE.sub("", text)
