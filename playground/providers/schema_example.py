"""Build a JSON value that satisfies a JSON Schema: the offline model's tool arguments
and structured replies.

It covers what tool and response schemas use in practice: objects with properties,
required keys, additionalProperties and min/maxProperties; arrays with min/max items
and uniqueItems; enums and consts; strings with length limits, common formats and
patterns; numbers within bounds and multipleOf; anyOf/oneOf/allOf and local ``$ref``
(``#/$defs/...``). Values are plausible as well as valid: a field's name and the
prompt suggest them (``example_values``: ``born`` a year, ``email`` an address,
``name`` the person asked about), and each suggestion is checked against its schema
with jsonschema before it is used; otherwise the value is built from the schema alone.
A string under a ``pattern`` is built from the regular expression itself
(``regex_example``: the shortest match, stretched to ``minLength`` where the pattern
allows); a pattern it cannot follow (back references, lookarounds) gets the prompt's
text, as a string without a pattern does.
"""

import datetime
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from playground.providers.example_values import Prompt, named_value, read_prompt
from playground.providers.regex_example import example_matching

# A value of each common string format; ``n`` > 0 gives another (uniqueItems arrays).
_FORMATS: dict[str, Callable[[int], str]] = {
    "date": lambda n: (datetime.date(2026, 1, 15) + datetime.timedelta(days=n)).isoformat(),
    "date-time": lambda n: f"{_FORMATS['date'](n)}T09:30:00Z",
    "time": lambda n: f"09:{30 + n % 30:02d}:00Z",
    "duration": lambda n: f"P{3 + n}D",
    "email": lambda n: f"someone{n or ''}@example.com",
    "idn-email": lambda n: f"someone{n or ''}@example.com",
    "hostname": lambda n: f"www{n or ''}.example.com",
    "idn-hostname": lambda n: f"www{n or ''}.example.com",
    "uri": lambda n: f"https://example.com/{n or ''}",
    "url": lambda n: f"https://example.com/{n or ''}",
    "iri": lambda n: f"https://example.com/{n or ''}",
    "uri-reference": lambda n: f"https://example.com/{n or ''}",
    "iri-reference": lambda n: f"https://example.com/{n or ''}",
    "uri-template": lambda n: f"https://example.com/{{id}}/{n or ''}",
    "uuid": lambda n: str(
        uuid.UUID(bytes=hashlib.sha256(str(n).encode()).digest()[:16], version=4)
    ),
    "ipv4": lambda n: f"192.0.2.{10 + n % 240}",
    "ipv6": lambda n: f"2001:db8::{10 + n:x}",
    "json-pointer": lambda n: f"/items/{n}",
    "relative-json-pointer": lambda n: f"{n}/name",
    "regex": lambda n: f"^[a-z]{{{1 + n}}}$",
}
_MAX_DEPTH = 12


def example_for(schema: Any, hint: str = "", root: Any = None, depth: int = 0) -> Any:
    """A value valid under ``schema``; ``hint`` (the prompt) makes it look relevant."""
    builder = _Builder(schema if root is None else root, read_prompt(hint))
    return builder.value(schema, depth)


class _Builder:
    def __init__(self, root: Any, prompt: Prompt) -> None:
        self.root = root
        self.prompt = prompt

    def value(self, schema: Any, depth: int = 0, name: str = "", variant: int = 0) -> Any:
        """A value for ``schema``; ``name`` is the property it fills, ``variant`` > 0 asks
        for another value than the first (the items of a uniqueItems array)."""
        if depth > _MAX_DEPTH or not isinstance(schema, dict):
            return None if schema is False else {}
        if "$ref" in schema:
            return self.value(_resolve(schema["$ref"], self.root), depth + 1, name, variant)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self._enum(schema["enum"], variant)
        if "default" in schema and not variant:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                # A value rather than null, when a branch allows one.
                branches = [b for b in schema[key] if not _only_null(b)] or schema[key]
                return self.value(branches[0], depth + 1, name, variant)
        if schema.get("allOf"):
            return self.value(self._merged(schema), depth + 1, name, variant)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if kind == "object":
            return self._object(schema, depth, variant)
        if kind == "array":
            return self._array(schema, depth, name, variant)
        if kind in {"integer", "number"}:
            return self._number(schema, kind, name, variant)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        return self._string(schema, name, variant)

    def _enum(self, choices: list[Any], variant: int) -> Any:
        # The choice the prompt names ("in fahrenheit"), else the first.
        said = {w.lower() for w in self.prompt.words}
        named = [c for c in choices if isinstance(c, str) and c.lower() in said]
        ordered = named + [c for c in choices if c not in named]
        return ordered[variant % len(ordered)]

    def _merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _resolve(part["$ref"], self.root) if "$ref" in part else part
            for key, value in part.items():
                if key == "properties" and key in merged:
                    merged[key] = {**merged[key], **value}
                elif key == "required" and key in merged:
                    merged[key] = [*merged[key], *value]
                else:
                    merged[key] = value
        return merged

    def _object(self, schema: dict[str, Any], depth: int, variant: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = [n for n in schema.get("required") or [] if isinstance(n, str)]
        extra = schema.get("additionalProperties")
        extra_schema = extra if isinstance(extra, dict) else {}
        most = schema.get("maxProperties")
        names = [n for n in properties if n in required] + [
            n for n in properties if n not in required
        ]
        if isinstance(most, int):
            names = names[: max(most, len([n for n in names if n in required]))]
        value = {
            name: self.value(sub, depth + 1, name, variant)
            for name, sub in properties.items()
            if name in names
        }
        for name in required:
            if name not in value:
                value[name] = self.value(extra_schema, depth + 1, name, variant)
        least = schema.get("minProperties") or 0
        while len(value) < least and extra is not False:
            key = f"key{len(value)}"
            value[key] = self.value(extra_schema, depth + 1, key, variant)
        return value

    def _array(self, schema: dict[str, Any], depth: int, name: str, variant: int) -> list[Any]:
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        prefix = [self.value(s, depth + 1, name, variant) for s in schema.get("prefixItems") or []]
        count = max(schema.get("minItems") or 0, 1 if not prefix else 0)
        if schema.get("maxItems") is not None:
            count = min(count, schema["maxItems"] - len(prefix))
        values = list(prefix)
        seen = {_key(v) for v in values}
        unique = bool(schema.get("uniqueItems"))
        # Each item asks for another variant, so a list of tags or ids is not one value
        # repeated; a uniqueItems array skips the repeats it still gets.
        for step in range(count + (20 if unique else 0)):
            if len(values) - len(prefix) >= count:
                break
            item = self.value(items, depth + 1, name, variant + step)
            if unique and _key(item) in seen:
                continue
            seen.add(_key(item))
            values.append(item)
        return values

    def _suggested(self, name: str, kind: str, variant: int) -> Any:
        """What the field's name suggests; None when it suggests nothing new for a variant."""
        if not name:
            return None
        suggested = named_value(name, kind, self.prompt, variant)
        if variant and suggested == named_value(name, kind, self.prompt, 0):
            return None  # a uniqueItems array needs another value than the first
        return suggested

    def _number(self, schema: dict[str, Any], kind: str, name: str, variant: int) -> int | float:
        suggested = self._suggested(name, kind, variant)
        for candidate in (suggested, 1 + variant):
            if isinstance(candidate, int | float) and not isinstance(candidate, bool):
                fitted = _fit_number(candidate, schema, kind)
                if fitted is not None:
                    return fitted
        return _bounded_number(schema, kind)

    def _string(self, schema: dict[str, Any], name: str, variant: int) -> str:
        suggested = self._suggested(name, "string", variant)
        form = schema.get("format")
        candidates = [suggested] if isinstance(suggested, str) else []
        if form == "date-time" and candidates and re.fullmatch(r"\d{4}-\d\d-\d\d", candidates[0]):
            candidates[0] += "T09:30:00Z"
        if form in _FORMATS:
            candidates.append(_FORMATS[form](variant))
        subject = self.prompt.subject or "example"
        if not variant:
            candidates.append(subject)
        elif len(f"{subject} {variant + 1}") > (schema.get("maxLength") or math.inf):
            # A short maxLength would cut "example 2" back to "example": the number first.
            candidates.append(f"{variant + 1} {subject}")
        else:
            candidates.append(f"{subject} {variant + 1}")
        shaped = ""
        for text in candidates:
            shaped = self._shaped(schema, text, variant)
            if _fits(shaped, schema):
                return shaped
        return shaped

    def _shaped(self, schema: dict[str, Any], text: str, variant: int = 0) -> str:
        """``text`` fitted to the schema's pattern and length limits where it can be."""
        low = schema.get("minLength") or 0
        high = schema.get("maxLength")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            matched = example_matching(pattern, text, low, high)
            if matched is not None:
                return matched
        if len(text) < low:
            # Longer: the prompt's own words, rather than letters made up.
            filler = self.prompt.text or "example"
            text = filler if len(filler) > len(text) and not text[:1].isdigit() else text
            text = f"{text} {variant + 1}" if variant else text
            while len(text) < low:
                text = f"{text} {filler}"
        if isinstance(high, int) and len(text) > high:
            # Cut to length; another variant keeps its number, first, so it stays another.
            text = (f"{variant + 1} {text}" if variant else text)[:high]
            if len(text.rstrip()) >= low:
                text = text.rstrip()
        return text


def _only_null(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


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


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` is valid under ``schema`` (formats checked too), as jsonschema says."""
    try:
        # Imported here: jsonschema stays out of a worker until a schema is checked
        # (tests/test_worker_imports.py).
        from jsonschema.validators import Draft202012Validator, validator_for

        validator = validator_for(schema, default=Draft202012Validator)
        return bool(validator(schema, format_checker=validator.FORMAT_CHECKER).is_valid(value))
    except Exception:  # a schema jsonschema cannot read (a $ref out of reach): not known to fit
        return False


def _bound(schema: dict[str, Any], key: str) -> float | None:
    value = schema.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _fit_number(value: float, schema: dict[str, Any], kind: str) -> int | float | None:
    """``value`` moved into the schema's bounds and onto its multipleOf, or None."""
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    floor_ = max((b for b in (low, above) if b is not None), default=None)
    ceiling = min((b for b in (high, below) if b is not None), default=None)
    if floor_ is not None and (value < floor_ or (value == floor_ and above == floor_)):
        value = floor_ if above != floor_ else _between(floor_, ceiling, kind)
    if ceiling is not None and (value > ceiling or (value == ceiling and below == ceiling)):
        value = ceiling if below != ceiling else _between(floor_, ceiling, kind, top=True)
    step = _bound(schema, "multipleOf")
    tries = [value]
    if step:
        tries = [math.ceil(value / step) * step, math.floor(value / step) * step]
        tries += [t + step for t in tries] + [t - step for t in tries]
    for number in tries:
        shaped: int | float = float(number) if kind == "number" else number
        if kind == "integer":
            if isinstance(number, float) and not number.is_integer():
                continue
            shaped = int(number)
        if _fits(shaped, schema):
            return shaped
    return None


def _between(low: float | None, high: float | None, kind: str, top: bool = False) -> float:
    """A number strictly inside an exclusive bound (and the other bound, if any)."""
    if low is not None and high is not None:
        middle = (low + high) / 2
        return math.floor(middle) if kind == "integer" and top else middle
    if low is not None:
        return low + 1
    assert high is not None
    return high - 1


def _bounded_number(schema: dict[str, Any], kind: str) -> int | float:
    """The schema's smallest allowed number: the answer when no suggestion fits."""
    low = _bound(schema, "minimum")
    above = _bound(schema, "exclusiveMinimum")
    high = _bound(schema, "maximum")
    below = _bound(schema, "exclusiveMaximum")
    value: float = 1
    if low is not None or above is not None:
        value = low if low is not None else above + 1  # type: ignore[operator]
    if high is not None and value > high:
        value = high
    if below is not None and value >= below:
        value = below - 1
    step = _bound(schema, "multipleOf")
    if step:
        value = (value // step + (1 if value % step else 0)) * step
    return int(value) if kind == "integer" else float(value)
