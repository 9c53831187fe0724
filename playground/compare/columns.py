"""The compare form: a shared conversation and variables, and 2 to 4 columns, each a full
configuration (provider, model, every parameter as JSON, optionally its own system
prompt). ``column_requests`` turns the form into one request object per column, and
refuses, naming the column and the field, anything Run would refuse.

Form fields: ``system`` (the shared system prompt), ``conversation`` (the messages as a
JSON array), ``variables`` (``name = value`` lines); per column N from 0: ``label-N``,
``provider-N``, ``model-N``, ``system-N`` (its own system prompt, if any) and
``parameters-N`` (a JSON object of body keys: temperature, max_tokens, tools…).
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from playground.spec import RequestInvalid, upstream_body, validate_request
from playground.variables import NAME_PATTERN

MIN_COLUMNS, MAX_COLUMNS = 2, 4
# Keys a column's parameters may not set: the form owns them.
OWNED_KEYS = ("model", "messages")


@dataclass(frozen=True)
class Column:
    index: int
    label: str
    request: dict[str, Any]


def column_count(values: dict[str, Any]) -> int:
    """How many columns the form holds (those with a provider input), at most MAX_COLUMNS."""
    return sum(1 for n in range(MAX_COLUMNS) if f"provider-{n}" in values)


def column_requests(values: dict[str, Any], *, filled: bool = True) -> list[Column]:
    """A request per column; RequestInvalid names ``column N · field`` for each problem.
    ``filled=False`` lets ``{{variables}}`` go without values (an evaluation's rows give
    them)."""
    errors: dict[str, str] = {}
    conversation = _conversation(values, errors)
    variables = variables_from_text(_text(values.get("variables")), errors)
    count = column_count(values)
    if count < MIN_COLUMNS:
        errors["columns"] = _("compare needs %(min)s to %(max)s columns") % {
            "min": MIN_COLUMNS,
            "max": MAX_COLUMNS,
        }
    columns = []
    for n in range(count):
        # Translators: names a column of the compare page in its errors ("column 2 · model").
        where = _("column %(number)s") % {"number": n + 1}
        parameters = _parameters(values, n, where, errors)
        system = _text(values.get(f"system-{n}")).strip() or _text(values.get("system")).strip()
        messages = ([{"role": "system", "content": system}] if system else []) + conversation
        body: dict[str, Any] = {
            "model": _text(values.get(f"model-{n}")).strip(),
            "messages": messages,
        }
        body.update(parameters)
        body.setdefault("stream", True)
        if body["stream"] is True:
            body.setdefault("stream_options", {"include_usage": True})
        request = {
            "mode": "chat",
            "provider": _text(values.get(f"provider-{n}")),
            "body": body,
            "variables": variables,
        }
        try:
            checked = validate_request(request)
            if filled:
                upstream_body(checked)
        except RequestInvalid as invalid:
            errors.update({f"{where} · {field}": what for field, what in invalid.errors.items()})
            continue
        label = _text(values.get(f"label-{n}")).strip() or f"{request['provider']}:{body['model']}"
        columns.append(Column(n, label[:100], request))
    if not conversation and "conversation" not in errors:
        errors["conversation"] = _("needs at least one message to send")
    if errors:
        raise RequestInvalid(errors)
    return columns


def _conversation(values: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    text = _text(values.get("conversation")).strip()
    if not text:
        return []
    try:
        messages = json.loads(text)
    except json.JSONDecodeError as error:
        errors["conversation"] = _not_json(error)
        return []
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        errors["conversation"] = _("must be a JSON array of messages, like %(example)s") % {
            "example": '[{"role": "user", "content": "Hi"}]'
        }
        return []
    return messages


def _parameters(
    values: dict[str, Any], n: int, where: str, errors: dict[str, str]
) -> dict[str, Any]:
    text = _text(values.get(f"parameters-{n}")).strip()
    if not text:
        return {}
    try:
        parameters = json.loads(text)
    except json.JSONDecodeError as error:
        errors[f"{where} · parameters"] = _not_json(error)
        return {}
    if not isinstance(parameters, dict):
        errors[f"{where} · parameters"] = _("must be a JSON object, like %(example)s") % {
            "example": '{"temperature": 0.2}'
        }
        return {}
    owned = [key for key in OWNED_KEYS if key in parameters]
    if owned:
        errors[f"{where} · parameters"] = _(
            "may not set %(keys)s: the column's model and the shared conversation do"
        ) % {"keys": ", ".join(owned)}
        return {}
    return parameters


def _not_json(error: json.JSONDecodeError) -> str:
    # Translators: the parser's own reason (in English) ends the parentheses.
    return _("is not JSON (line %(line)s, column %(column)s: %(reason)s)") % {
        "line": error.lineno,
        "column": error.colno,
        "reason": error.msg,
    }


_VARIABLE_LINE = re.compile(r"\s*([^=]+?)\s*=\s?(.*)\Z")


def variables_from_text(text: str, errors: dict[str, str]) -> dict[str, str]:
    """``name = value`` lines (a value runs to the end of its line)."""
    variables = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _VARIABLE_LINE.match(line)
        if not match or not NAME_PATTERN.match(match[1]):
            errors["variables"] = _(
                "line %(number)s must read name = value (a variable name, then =)"
            ) % {"number": number}
            continue
        variables[match[1]] = match[2]
    return variables


def variables_text(variables: dict[str, Any]) -> str:
    return "\n".join(f"{name} = {value}" for name, value in variables.items())


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


def form_from_requests(
    requests: list[dict[str, Any]], labels: list[str] | None = None
) -> dict[str, Any]:
    """The compare form holding ``requests`` as its columns (a saved comparison reopened,
    or the playground's request twice): the first one's conversation and variables shared."""
    first = requests[0]
    messages = list((first.get("body") or {}).get("messages") or [])
    system = ""
    if (
        messages
        and messages[0].get("role") == "system"
        and isinstance(messages[0].get("content"), str)
    ):
        system = messages.pop(0)["content"]
    form: dict[str, Any] = {
        "system": system,
        "conversation": json.dumps(messages, ensure_ascii=False, indent=2),
        "variables": variables_text(first.get("variables") or {}),
    }
    for n, request in enumerate(requests[:MAX_COLUMNS]):
        body = dict(request.get("body") or {})
        own = list(body.pop("messages", []) or [])
        own_system = own[0]["content"] if own and own[0].get("role") == "system" else ""
        form[f"label-{n}"] = (labels or [])[n] if labels and n < len(labels) else ""
        form[f"provider-{n}"] = request.get("provider", "")
        form[f"model-{n}"] = body.pop("model", "")
        form[f"system-{n}"] = own_system if own_system != system else ""
        if body.get("stream") is True:  # what the form adds by itself
            body.pop("stream")
        if body.get("stream_options") == {"include_usage": True}:
            body.pop("stream_options")
        form[f"parameters-{n}"] = json.dumps(body, ensure_ascii=False) if body else ""
    return form
