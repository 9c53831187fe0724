"""A string that a regular expression matches: the offline model's value for a JSON
schema string with a ``pattern``.

A small parser of its own reads the part of regular-expression syntax that schemas
use: literals and escapes (``\\.``, ``\\n``, ``\\u00e9``), ``.``, the classes ``\\d \\w
\\s`` and their negations, bracket classes such as ``[A-Fa-f0-9]`` or ``[^aeiou ]``,
groups (plain, ``(?:...)``, ``(?P<name>...)``), alternation, the quantifiers ``* + ? {n} {n,}
{n,m}`` (lazy or not) and anchors. It builds the shortest match, then stretches each
repeat until ``minLength`` is reached. Python's ``re`` checks every string proposed,
so a string returned always matches; a pattern outside that subset (back references,
lookarounds, inline flags, ``\\p{...}``) gives None and the caller uses its own text.
"""

import re
import string
from dataclasses import dataclass

# No example longer than this: a{1000000000} must not fill the memory.
MAX_EXAMPLE_LENGTH = 10_000
# Tried in turn for a negated class such as [^aeiou ].
_CANDIDATE_CHARS = "xzqa0Z_-. 9A"
# The character each class escape stands for, outside brackets.
_CLASS_ESCAPES = {"d": "0", "D": "a", "w": "a", "W": "-", "s": " ", "S": "a"}
_CONTROL_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
_ANCHOR_ESCAPES = set("bBAZzG")
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")


class Unsupported(Exception):
    """The pattern uses syntax this generator does not follow."""


@dataclass(frozen=True)
class _Alternatives:
    branches: tuple[tuple["_Node", ...], ...]


@dataclass(frozen=True)
class _Repeat:
    node: "_Node"
    least: int
    most: int | None


# A character (or "" for an anchor), a group of alternatives, or a repeat.
_Node = str | _Alternatives | _Repeat


def example_matching(
    pattern: str, hint: str, min_length: int, max_length: int | None
) -> str | None:
    """A string that ``pattern`` matches (``re.search``) within the length limits, or None.

    ``hint`` itself when it already fits; otherwise the pattern's shortest match,
    then matches with each repeat taken more often, until one is long enough.
    """
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None

    def fits(text: str) -> bool:
        short_enough = max_length is None or len(text) <= max_length
        return len(text) >= min_length and short_enough and compiled.search(text) is not None

    if fits(hint):
        return hint
    try:
        tree = _Parser(pattern).parse()
        for extra in (0, max(min_length, 1), min_length * 2 + 1):
            text = _build(tree, extra)
            if fits(text):
                return text
    except (Unsupported, RecursionError):
        return None
    return None


def _build(node: _Node, extra: int) -> str:
    """The shortest string ``node`` matches, each unbounded repeat taken ``extra`` more times."""
    if isinstance(node, str):
        return node
    if isinstance(node, _Alternatives):
        return "".join(_build(part, extra) for part in node.branches[0])
    times = node.least + extra if node.most is None else min(node.most, node.least + extra)
    part = _build(node.node, extra)
    if len(part) * times > MAX_EXAMPLE_LENGTH:
        raise Unsupported("the example would be too long")
    return part * times


class _Parser:
    """Reads a pattern left to right into characters, alternatives and repeats."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def parse(self) -> _Alternatives:
        tree = self._alternatives()
        if self.at != len(self.text):
            raise Unsupported("unbalanced parenthesis")
        return tree

    def _peek(self, offset: int = 0) -> str:
        index = self.at + offset
        return self.text[index] if index < len(self.text) else ""

    def _take(self) -> str:
        if self.at >= len(self.text):
            raise Unsupported("the pattern ends too early")
        char = self.text[self.at]
        self.at += 1
        return char

    def _alternatives(self) -> _Alternatives:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.at += 1
            branches.append(self._sequence())
        return _Alternatives(tuple(branches))

    def _sequence(self) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        while self._peek() not in ("", "|", ")"):
            nodes.append(self._quantified(self._atom()))
        return tuple(nodes)

    def _atom(self) -> _Node:
        char = self._take()
        if char == "(":
            return self._group()
        if char == "[":
            return self._bracket_class()
        if char == ".":
            return "a"
        if char in "^$":
            return ""
        if char == "\\":
            return self._escape()
        if char in "*+?":
            raise Unsupported("nothing to repeat")
        return char

    def _group(self) -> _Alternatives:
        if self._peek() == "?":
            if self.text.startswith("?:", self.at):
                self.at += 2
            elif self.text.startswith("?P<", self.at):
                self.at = self.text.index(">", self.at) + 1
            else:
                raise Unsupported("lookaround, flag or conditional group")
        group = self._alternatives()
        if self._take() != ")":
            raise Unsupported("unbalanced parenthesis")
        return group

    def _quantified(self, node: _Node) -> _Node:
        char = self._peek()
        bounds = {"*": (0, None), "+": (1, None), "?": (0, 1)}.get(char)
        if bounds is not None:
            self.at += 1
        elif char == "{":
            match = _QUANTIFIER.match(self.text, self.at)
            if match is None or not (match.group(1) or match.group(3)):
                return node  # a literal brace, as Python reads it
            least = int(match.group(1) or 0)
            most = int(match.group(3)) if match.group(3) else (None if match.group(2) else least)
            bounds = (least, most)
            self.at = match.end()
        else:
            return node
        if self._peek() in ("?", "+"):
            self.at += 1  # lazy or possessive: the same strings match
        return _Repeat(node, *bounds)

    def _escape(self) -> str:
        char = self._take()
        if char in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[char]
        if char in _ANCHOR_ESCAPES:
            return ""
        return self._escaped_char(char)

    def _escaped_char(self, char: str) -> str:
        """The character an escape such as \\n, \\x41, \\u00e9 or \\. stands for."""
        if char in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[char]
        if char in _HEX_ESCAPES:
            size = _HEX_ESCAPES[char]
            digits = self.text[self.at : self.at + size]
            if len(digits) != size or not all(c in string.hexdigits for c in digits):
                raise Unsupported("incomplete hexadecimal escape")
            self.at += len(digits)
            return chr(int(digits, 16))
        if char.isalnum():
            raise Unsupported(f"\\{char}")  # back references, \p{...}, \k<...>, \N{...}
        return char

    def _bracket_class(self) -> str:
        """A character inside a class such as [A-Fa-f0-9] or [^aeiou]."""
        negated = self._peek() == "^"
        if negated:
            self.at += 1
        # Each item: a range of characters (first, last), or a class escape such as "d".
        items: list[tuple[str, str] | str] = []
        while True:
            char = self._take()
            if char == "]" and items:
                break
            if char == "\\" and self._peek() in _CLASS_ESCAPES:
                items.append(self._take())
                continue
            first = self._class_char(char)
            last = first
            if self._peek() == "-" and self._peek(1) not in ("]", ""):
                self.at += 1
                following = self._take()
                if following == "\\" and self._peek() in _CLASS_ESCAPES:
                    raise Unsupported("a range ending in a class escape")
                last = self._class_char(following)
            items.append((first, last))
        if negated:
            for candidate in _CANDIDATE_CHARS:
                if not any(_in_item(candidate, item) for item in items):
                    return candidate
            raise Unsupported("no candidate character outside the negated class")
        item = items[0]
        return _CLASS_ESCAPES[item] if isinstance(item, str) else item[0]

    def _class_char(self, char: str) -> str:
        if char != "\\":
            return char
        escaped = self._take()
        return "\b" if escaped == "b" else self._escaped_char(escaped)


def _in_item(char: str, item: tuple[str, str] | str) -> bool:
    if isinstance(item, str):
        return re.fullmatch("\\" + item, char) is not None
    return item[0] <= char <= item[1]
