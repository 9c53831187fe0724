"""Build a JSON value that satisfies a JSON Schema: the offline model's tool arguments
and structured replies.

It covers what tool and response schemas use in practice: objects with properties
and required keys, arrays with min/max items, enums and consts, strings with
length limits and common formats, numbers within bounds, anyOf/oneOf/allOf and
local ``$ref`` (``#/$defs/...``). A string under a ``pattern`` is built from the
regular expression itself (``regex_example``: the shortest match, stretched to
``minLength`` where the pattern allows); a pattern it cannot follow (back references,
lookarounds) gets the hint text, as a string without a pattern does.
"""

import re
from typing import Any

from playground.providers.regex_example import example_matching

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
        matched = example_matching(pattern, text, low, schema.get("maxLength"))
        if matched is not None:
            return matched
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if schema.get("maxLength") is not None:
        text = text[: schema["maxLength"]]
    return text
