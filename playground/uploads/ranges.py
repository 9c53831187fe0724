"""Range requests on stored files: a player seeks by asking for part of a file (RFC 9110
section 14), and an answer of the part (206) lets it."""

import re

UNSATISFIABLE = "unsatisfiable"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The one byte range a Range header asks for, as (first, last) inclusive;
    UNSATISFIABLE when it starts past the end; None for no header, several ranges or one
    that cannot be read (the whole file is then sent, as RFC 9110 allows)."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match.group(1) or match.group(2)):
        return None
    start, end = match.group(1), match.group(2)
    if not start:  # the last N bytes
        count = int(end)
        return (max(0, size - count), size - 1) if count and size else UNSATISFIABLE
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size:
        return UNSATISFIABLE
    return (first, last) if first <= last else None
