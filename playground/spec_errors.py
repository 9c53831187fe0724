"""Validation errors in plain words: one message per field, naming what is allowed.

pydantic reports where a value failed as a location tuple full of its own tags
(union members, discriminator values); this module turns each into the field's path
as a reader spells it (``messages[0].role``, see ``jsonpath``) and a sentence that
says what is allowed (``'robot' is not allowed (use 'system', 'user', …)``).
"""

from typing import Any

from django.utils.translation import gettext as _
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
        return _("allowed: %(low)s to %(high)s") % {"low": bounds["ge"], "high": bounds["le"]}
    if "ge" in bounds:
        return _("allowed: %(low)s or more") % {"low": bounds["ge"]}
    return None


# Discriminated unions put the chosen member's tag in an error's location, right after
# the container (or its list index). The tag is not part of the field's path.
_PART_TYPES = {"text", "image_url", "input_audio", "file", "refusal"}
# The Responses API's (playground.responses_parts): input items, their parts, tools, formats.
_RESPONSES_PARTS = {"input_text", "input_image", "input_file", "output_text", "refusal"}
_RESPONSES_ITEMS = {"message", "function_call", "function_call_output", "item_reference"}
_RESPONSES_ITEMS |= {"reasoning", "other"}
_RESPONSES_CHOICES = {"option", "function_choice", "hosted_choice", "allowed_tools_choice"}
_RESPONSES_CHOICES |= {"named_choice"}
_UNION_TAGS = {
    "messages": set(ROLES),
    "content": _PART_TYPES | _RESPONSES_PARTS,
    "input": _PART_TYPES | _RESPONSES_ITEMS,
    "output": _RESPONSES_PARTS,
    "response_format": {"text", "json_object", "json_schema"},
    "tools": {"function_tool", "file_search_tool", "built_in_tool"},
    "tool_choice": _RESPONSES_CHOICES,
    "format": {"text", "json_object", "json_schema"},
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
            shapes = _(" or ").join(dict.fromkeys(_shape(tag) for tag in groups[item]))
            kept.append({**best[0], "type": "union_shape", "loc": item, "msg": shapes})
        else:
            kept.extend(best)
    return kept


def _shape(member: str) -> str:
    """A union member's pydantic tag (``list[int]``) in plain words."""
    if member.startswith("list[list["):
        return _("a list of token id lists")
    if member.startswith("list[int"):
        return _("a list of token ids")
    if member.startswith("list[str"):
        return _("a list of texts")
    if member.startswith("list["):
        return _("a list of content parts")
    return {
        "str": _("text"),
        "int": _("a whole number"),
        "float": _("a number"),
        "bool": _("true or false"),
    }.get(member, _("an object"))


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
        shown["request"] = _("and %(count)s more problems like these") % {
            "count": len(errors) - MAX_REPORTED_ERRORS
        }
        return shown
    return errors


def _bound(error: dict[str, Any]) -> str:
    """The limit a range error names, in the reader's words (pydantic's own are English)."""
    ctx = error.get("ctx", {})
    for key, text in (
        ("ge", _("at least %(limit)s")),
        ("le", _("at most %(limit)s")),
        ("gt", _("more than %(limit)s")),
        ("lt", _("less than %(limit)s")),
    ):
        if key in ctx:
            return text % {"limit": ctx[key]}
    return str(error["msg"])


def _message_for(model: type[BaseModel], path: list[PathPart], error: dict[str, Any]) -> str:
    kind = error["type"]
    given = _short(error.get("input"))
    ctx = error.get("ctx", {})
    name = str(path[-1]) if path else "request"
    top = model if len(path) == 1 else None
    allowed = _allowed(top, name) if top is not None else None
    if kind in {"missing", "union_tag_not_found"}:
        return _("is required")
    if kind == "union_tag_invalid":
        return _("%(value)s is not allowed (use %(allowed)s)") % {
            "value": repr(ctx.get("tag")),
            "allowed": ctx.get("expected_tags", ""),
        }
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return _("%(value)s is out of range (%(allowed)s)") % {
            "value": given,
            "allowed": allowed or _bound(error),
        }
    if kind == "int_parsing_size":  # digits beyond any integer (Python reads 4300 at most)
        return _("%(value)s is out of range (%(allowed)s)") % {
            "value": given,
            "allowed": allowed or _("too many digits"),
        }
    if kind in {"float_parsing", "float_type"}:
        return _("must be a number, got %(value)s (%(allowed)s)") % {
            "value": given,
            "allowed": allowed or _("any number"),
        }
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("must be a whole number, got %(value)s (%(allowed)s)") % {
            "value": given,
            "allowed": allowed or _("any whole number"),
        }
    if kind in {"bool_parsing", "bool_type"}:
        return _("must be true or false, got %(value)s") % {"value": given}
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", _(" or "))
        return _("%(value)s is not allowed (use %(allowed)s)") % {
            "value": given,
            "allowed": expected,
        }
    if kind == "too_short" and name == "messages":
        return _("add at least one message")
    if kind in {"too_short", "string_too_short"}:
        return _("must not be empty")
    if kind == "too_long":
        return _("has too many items (at most %(limit)s)") % {"limit": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("%(value)s is not allowed (use 1 to 64 letters, digits, _ or -)") % {
            "value": given
        }
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        wanted = {
            "string_type": _("text"),
            "dict_type": _("a JSON object"),
            "list_type": _("a list"),
        }.get(kind, _("a JSON object"))
        return _("must be %(wanted)s, got %(value)s") % {"wanted": wanted, "value": given}
    if kind == "union_shape":
        return _("must be %(wanted)s, got %(value)s") % {"wanted": error["msg"], "value": given}
    if kind == "extra_forbidden":
        return _("is not a known request key (allowed: mode, provider, body, variables)")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
