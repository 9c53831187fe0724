"""Validation errors in plain words: one message per field, naming what is allowed.

pydantic reports where a value failed as a location tuple full of its own tags
(union members, discriminator values); this module turns each into the field's path
as a reader spells it (``messages[0].role``, see ``jsonpath``) and a sentence that
says what is allowed (``'robot' is not allowed (use 'system', 'user', …)``).
"""

from typing import Any

from pydantic import BaseModel, ValidationError

from playground.jsonpath import PathPart, path_text
from playground.spec_parts import ROLES

MAX_REPORTED_ERRORS = 12


class RequestInvalid(Exception):
    """A request that must not reach the upstream; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))


class FormInvalid(RequestInvalid):
    """Form text that cannot even become a request (JSON that does not parse)."""


def field_bounds(field: Any) -> dict[str, Any]:
    """A pydantic field's numeric and length constraints (``ge``, ``le``, ``max_length``…)."""
    bounds: dict[str, Any] = {}
    for constraint in field.metadata:
        for name in ("ge", "le", "gt", "lt", "min_length", "max_length"):
            if getattr(constraint, name, None) is not None:
                bounds[name] = getattr(constraint, name)
    return bounds


def _allowed(model: type[BaseModel], field_name: str) -> str | None:
    field = model.model_fields.get(field_name)
    if field is None:
        return None
    bounds = field_bounds(field)
    if "ge" in bounds and "le" in bounds:
        return f"allowed: {bounds['ge']} to {bounds['le']}"
    if "ge" in bounds:
        return f"allowed: {bounds['ge']} or more"
    return None


# Discriminated unions put the chosen member's tag in an error's location, right after
# the container (or its list index). The tag is not part of the field's path.
_PART_TYPES = {"text", "image_url", "input_audio", "file", "refusal"}
_UNION_TAGS = {
    "messages": set(ROLES),
    "content": _PART_TYPES,
    "input": _PART_TYPES,
    "response_format": {"text", "json_object", "json_schema"},
}
_TYPE_NAMES = {"str", "int", "float", "bool", "dict", "list", "none"}
_TYPE_ERRORS = {"string_type", "int_type", "int_parsing", "float_parsing", "float_type"}
_TYPE_ERRORS |= {"list_type", "dict_type", "model_type", "bool_type", "bool_parsing"}


def _is_union_member(part: Any) -> bool:
    """True for the location part naming a plain union's member (``str``, ``list[int]``)."""
    text = str(part)
    return "[" in text or text.lower() in _TYPE_NAMES or text.startswith("function-")


def _field_path(loc: tuple[Any, ...]) -> list[PathPart]:
    path: list[PathPart] = []
    container: str | None = None
    previous: Any = None
    for part in loc:
        text = str(part)
        is_tag = container is not None and text in _UNION_TAGS.get(container, set())
        if is_tag and (previous == container or isinstance(previous, int)):
            previous = part
            continue
        if not _is_union_member(part):
            path.append(part if isinstance(part, int) else text)
            if isinstance(part, str):
                container = text
        previous = part
    return path


def _most_specific(errors: list[Any]) -> list[Any]:
    """For a plain union (``str | list[...]``) keep the errors of one member only.

    Pydantic reports every member's errors. Keep the member the value came closest to:
    one whose errors are more than "wrong type" (too long, out of range), else the one
    whose errors reach deepest into the value (the list whose item 3 is wrong).
    """
    groups: dict[tuple[Any, ...], dict[str, list[Any]]] = {}
    order: list[Any] = []
    for error in errors:
        loc = error["loc"]
        cut = next((i for i, part in enumerate(loc) if _is_union_member(part)), None)
        if cut is None:
            order.append(error)
            continue
        key = tuple(loc[:cut])
        if key not in groups:
            groups[key] = {}
            order.append(key)
        groups[key].setdefault(str(loc[cut]), []).append(error)
    kept: list[Any] = []
    for item in order:
        if not isinstance(item, tuple):
            kept.append(item)
            continue
        members = list(groups[item].values())

        def rank(member: list[Any]) -> tuple[int, int]:
            depth = max(len(_field_path(e["loc"])) for e in member)
            return (int(not all(e["type"] in _TYPE_ERRORS for e in member)), depth)

        best = max(members, key=rank)  # max keeps the first of equals: the declared order
        if all(e["type"] in _TYPE_ERRORS and len(e["loc"]) == len(item) + 1 for e in best):
            # The value is none of the union's shapes at all: name every shape allowed.
            shapes = " or ".join(dict.fromkeys(_shape(tag) for tag in groups[item]))
            kept.append({**best[0], "type": "union_shape", "loc": item, "msg": shapes})
        else:
            kept.extend(best)
    return kept


def _shape(member: str) -> str:
    """A union member's pydantic tag (``list[int]``) in plain words."""
    if member.startswith("list[list["):
        return "a list of token id lists"
    if member.startswith("list[int"):
        return "a list of token ids"
    if member.startswith("list[str"):
        return "a list of texts"
    if member.startswith("list["):
        return "a list of content parts"
    return {
        "str": "text",
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
    }.get(member, "an object")


def describe_errors(
    exc: ValidationError, model: type[BaseModel], prefix: tuple[str, ...]
) -> dict[str, str]:
    """One plain message per field, naming what is allowed.

    Body fields are named without the ``body.`` prefix (``temperature``,
    ``messages[0].role``): that is how the page labels its inputs.
    """
    errors: dict[str, str] = {}
    for error in _most_specific(exc.errors()):
        path: list[PathPart] = _field_path(error["loc"])
        if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            path.append(str(error.get("ctx", {}).get("discriminator", "type")).strip("'"))
        if prefix and path == []:
            path = list(prefix)
        field = path_text(path) or "request"
        if field not in errors:
            errors[field] = _message_for(model, path, error)
    if len(errors) > MAX_REPORTED_ERRORS:
        # A list of thousands of bad items would bury the page: name the first ones.
        shown = dict(list(errors.items())[:MAX_REPORTED_ERRORS])
        shown["request"] = f"and {len(errors) - MAX_REPORTED_ERRORS} more problems like these"
        return shown
    return errors


def _message_for(model: type[BaseModel], path: list[PathPart], error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    name = str(path[-1]) if path else "request"
    top = model if len(path) == 1 else None
    allowed = _allowed(top, name) if top is not None else None
    if kind in {"missing", "union_tag_not_found"}:
        return "is required"
    if kind == "union_tag_invalid":
        tags = error.get("ctx", {}).get("expected_tags", "")
        return f"{error.get('ctx', {}).get('tag')!r} is not allowed (use {tags})"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{_short(given)} is out of range ({allowed or error['msg'].lower()})"
    if kind == "int_parsing_size":  # digits beyond any integer (Python reads 4300 at most)
        return f"{_short(given)} is out of range ({allowed or 'too many digits'})"
    if kind in {"float_parsing", "float_type"}:
        return f"must be a number, got {_short(given)} ({allowed or 'any number'})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number, got {_short(given)} ({allowed or 'any whole number'})"
    if kind in {"bool_parsing", "bool_type"}:
        return f"must be true or false, got {_short(given)}"
    if kind == "literal_error":
        return f"{_short(given)} is not allowed ({error['msg'].replace('Input should be', 'use')})"
    if kind == "too_short" and name == "messages":
        return "add at least one message"
    if kind == "too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"has too many items ({error['msg'].lower()})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{_short(given)} is not allowed (use 1 to 64 letters, digits, _ or -)"
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        wanted = {
            "string_type": "text",
            "dict_type": "a JSON object",
            "list_type": "a list",
        }.get(kind, "a JSON object")
        return f"must be {wanted}, got {_short(given)}"
    if kind == "union_shape":
        return f"must be {error['msg']}, got {_short(given)}"
    if kind == "extra_forbidden":
        return "is not a known request key (allowed: mode, provider, body, variables)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
