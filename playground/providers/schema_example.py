"""Build a JSON value that satisfies a JSON Schema: the offline model's tool arguments
and structured replies.

It covers what tool and response schemas use in practice: objects with properties
and required keys, arrays with min/max items, enums and consts, strings with
length limits and common formats, numbers within bounds, anyOf/oneOf/allOf and
local ``$ref`` (``#/$defs/...``). A string under a ``pattern`` is built from the
regular expression itself (the shortest match, stretched to ``minLength`` where the
pattern allows); back references and lookarounds it cannot follow fall back to the
hint text.
"""

import re

# Python's own regex parser: the one reading the pattern is the one checking it.
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T12:00:00Z",
    "time": "12:00:00",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
}
_MAX_DEPTH = 12


def example_for(schema: Any, hint: str = "", root: Any = None, depth: int = 0) -> Any:
    """A value valid under ``schema``; strings borrow words from ``hint`` to look relevant."""
    root = schema if root is None else root
    if depth > _MAX_DEPTH or not isinstance(schema, dict):
        return None if schema is False else {}
    if "$ref" in schema:
        return example_for(_resolve(schema["$ref"], root), hint, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return example_for(schema[key][0], hint, root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = _resolve(part["$ref"], root) if "$ref" in part else part
            for name, value in part.items():
                if name in {"properties"} and name in merged:
                    merged[name] = {**merged[name], **value}
                elif name == "required" and name in merged:
                    merged[name] = [*merged[name], *value]
                else:
                    merged[name] = value
        return example_for(merged, hint, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        return _object(schema, hint, root, depth)
    if kind == "array":
        return _array(schema, hint, root, depth)
    if kind in {"integer", "number"}:
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, hint)


def _resolve(ref: str, root: Any) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for part in ref.lstrip("#/").split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def _object(schema: dict[str, Any], hint: str, root: Any, depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    value = {name: example_for(sub, hint, root, depth + 1) for name, sub in properties.items()}
    for name in schema.get("required") or []:
        if name not in value:
            extra = schema.get("additionalProperties")
            value[name] = example_for(extra if isinstance(extra, dict) else {}, hint, root, depth)
    minimum = schema.get("minProperties") or 0
    while len(value) < minimum:
        value[f"key{len(value)}"] = "value"
    return value


def _array(schema: dict[str, Any], hint: str, root: Any, depth: int) -> list[Any]:
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    prefix = [example_for(s, hint, root, depth + 1) for s in schema.get("prefixItems") or []]
    count = max(schema.get("minItems") or 0, 1 if not prefix else 0)
    if schema.get("maxItems") is not None:
        count = min(count, schema["maxItems"])
    values = prefix + [example_for(items, hint, root, depth + 1) for _ in range(count)]
    if schema.get("uniqueItems") and len(values) > 1:
        values = values[:1]
    return values


def _number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = 1
    if low is not None:
        value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if high is not None and value > high:
        value = high - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
    step = schema.get("multipleOf")
    if step:
        value = (value // step + (1 if value % step else 0)) * step
    return int(value) if kind == "integer" else float(value)


def _string(schema: dict[str, Any], hint: str) -> str:
    if schema.get("format") in _FORMATS:
        text = _FORMATS[schema["format"]]
    else:
        words = re.findall(r"[^\W_]+", hint)
        # The last capitalised word of the hint is usually the thing asked about (a city).
        named = [w for w in words if w[:1].isupper()]
        text = (named or words or ["example"])[-1]
    low = schema.get("minLength") or 0
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        matched = _pattern_example(pattern, text, low, schema.get("maxLength"))
        if matched is not None:
            return matched
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if schema.get("maxLength") is not None:
        text = text[: schema["maxLength"]]
    return text


def _pattern_example(pattern: str, hint: str, low: int, high: int | None) -> str | None:
    """A string that the pattern matches within the length limits, or None."""
    try:
        compiled = re.compile(pattern)
        tree = sre_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None

    def fits(text: str) -> bool:
        short_enough = high is None or len(text) <= high
        return len(text) >= low and short_enough and compiled.search(text) is not None

    if fits(hint):
        return hint
    # The shortest match first; then repeats stretched until minLength is reached.
    for extra in (0, max(low, 1), low * 2 + 1):
        try:
            text = _from_tree(tree, extra)
        except (_Unsupported, RecursionError):
            return None
        if fits(text):
            return text
    return None


class _Unsupported(Exception):
    pass


_CATEGORY_CHARS = {
    sre_constants.CATEGORY_DIGIT: "0",
    sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: "a",
    sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_NOT_WORD: "-",
}
_MAX_PATTERN_EXAMPLE = 10_000
# Tried in turn for a negated class such as [^aeiou ].
_CANDIDATE_CHARS = "xzqa0Z_-. 9A"


def _from_tree(tree: Any, extra: int) -> str:
    """The shortest string a parsed pattern matches; each repeat takes ``extra`` more."""
    out = []
    for op, value in tree:
        if op is sre_constants.LITERAL:
            out.append(chr(value))
        elif op is sre_constants.NOT_LITERAL:
            out.append("a" if value != ord("a") else "b")
        elif op is sre_constants.ANY:
            out.append("a")
        elif op is sre_constants.IN:
            out.append(_class_char(value))
        elif op is sre_constants.CATEGORY:
            out.append(_CATEGORY_CHARS.get(value, "a"))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            least, most, sub = value
            times = least + extra if most is sre_constants.MAXREPEAT else min(most, least + extra)
            part = _from_tree(sub, extra)
            if len(part) * times > _MAX_PATTERN_EXAMPLE:
                raise _Unsupported("too long")  # a{1000000000} must not fill the memory
            out.append(part * times)
        elif op is sre_constants.SUBPATTERN:
            out.append(_from_tree(value[-1], extra))
        elif op is sre_constants.BRANCH:
            out.append(_from_tree(value[1][0], extra))
        elif op is sre_constants.AT:
            continue  # anchors match positions, not characters
        else:
            raise _Unsupported(op)  # back references, lookarounds, conditionals
    return "".join(out)


def _class_char(items: Any) -> str:
    """A character inside a character class such as [A-Fa-f0-9] or [^aeiou]."""
    negated = bool(items) and items[0][0] is sre_constants.NEGATE
    if not negated:
        op, value = items[0]
        if op is sre_constants.LITERAL:
            return chr(value)
        if op is sre_constants.RANGE:
            return chr(value[0])
        if op is sre_constants.CATEGORY:
            return _CATEGORY_CHARS.get(value, "a")
        raise _Unsupported(op)
    for char in _CANDIDATE_CHARS:
        if not any(_in_item(char, op, value) for op, value in items[1:]):
            return char
    raise _Unsupported("negated class")


def _in_item(char: str, op: Any, value: Any) -> bool:
    if op is sre_constants.LITERAL:
        return ord(char) == value
    if op is sre_constants.RANGE:
        return value[0] <= ord(char) <= value[1]
    if op is sre_constants.CATEGORY:
        probe = {
            sre_constants.CATEGORY_DIGIT: r"\d",
            sre_constants.CATEGORY_NOT_DIGIT: r"\D",
            sre_constants.CATEGORY_SPACE: r"\s",
            sre_constants.CATEGORY_NOT_SPACE: r"\S",
            sre_constants.CATEGORY_WORD: r"\w",
            sre_constants.CATEGORY_NOT_WORD: r"\W",
        }.get(value)
        return probe is None or re.fullmatch(probe, char) is not None
    return True  # anything unknown: assume the character is excluded, try the next
