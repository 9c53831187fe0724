"""Keeping a user's preset names distinct when presets arrive in bulk (import).

Two presets of one owner with one name cannot be told apart in the list, and a lookup by
name (``run_preset NAME``, an evaluation's ``preset: NAME``) would have to refuse it. An
import therefore never adds a name its owner already uses: the newcomer is named after the
day it came, "Summariser (imported 2026-12-03)", then "…, 2)" for a second one that day.
Saving and renaming on the page keep the name the user typed: that is a deliberate choice.
"""

import datetime
from collections.abc import Iterator

MAX_NAME_LENGTH = 200  # Preset.name's max_length


def distinct_name(
    name: str, *, taken: set[str], day: datetime.date, limit: int = MAX_NAME_LENGTH
) -> str:
    """``name`` if no name in ``taken`` is equal to it, else the first free "(imported …)"
    variant; the name is shortened (with an ellipsis) so that the result fits ``limit``."""
    if name not in taken:
        return name
    for suffix in _suffixes(day):
        room = limit - len(suffix)
        candidate = (name if len(name) <= room else name[: room - 1].rstrip() + "…") + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: the suffixes never end")


def _suffixes(day: datetime.date) -> Iterator[str]:
    yield f" (imported {day.isoformat()})"
    number = 2
    while True:
        yield f" (imported {day.isoformat()}, {number})"
        number += 1
