"""The checks run on every answer, with promptfoo's names and meanings.

A check is ``{type, value?, threshold?, weight?, provider?, model?}``; any type negates
with a ``not-`` prefix. ``assertion_parse`` refuses a bad one before anything is sent,
naming the field (``tests[2].assert[0].value``); ``assertion_check`` never raises for an
answer, it fails the check with a reason in plain words. ``verdict`` is promptfoo's
scoring: the weighted mean of the scores (weight 0 reports only), and a cell passes when
every check that counts passes.
"""

import dataclasses
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema import ValidationError as SchemaValidationError
from jsonschema import validators
from jsonschema.exceptions import SchemaError

from playground.variables import fill_known

TEXT_TYPES = (
    "equals",
    "contains",
    "icontains",
    "contains-any",
    "contains-all",
    "icontains-any",
    "icontains-all",
    "starts-with",
    "regex",
    "is-json",
    "contains-json",
    "is-valid-openai-tools-call",
)
ASSERTION_TYPES: tuple[str, ...] = (*TEXT_TYPES, "latency", "cost", "similar", "llm-rubric")
KEYS = frozenset({"type", "value", "threshold", "weight", "provider", "model", "metric"})
SHOWN = 200  # characters of an answer quoted in a reason


class AssertionInvalid(ValueError):
    """``errors``: each bad field, by its place, to what is allowed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Assertion:
    type: str  # as written: "not-contains"
    base: str  # "contains"
    negate: bool
    value: Any = None
    threshold: float | None = None
    weight: float = 1.0
    provider: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class Answer:
    """What a cell produced, as the checks read it."""

    output: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float | None = None
    cost_usd: float | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AssertionResult:
    type: str
    passed: bool
    score: float
    reason: str
    weight: float


class Grader(Protocol):
    async def similarity(self, assertion: Assertion, expected: str, output: str) -> float: ...

    async def rubric(self, assertion: Assertion, output: str) -> tuple[bool, float, str]: ...


# --- Parsing ----------------------------------------------------------------------------


def assertion_parse(data: Any, where: str) -> Assertion:
    if not isinstance(data, dict):
        raise AssertionInvalid({where: "must be an object {type, value?, threshold?, weight?}"})
    errors: dict[str, str] = {}
    unknown = sorted(set(map(str, data)) - KEYS)
    if unknown:
        errors[where] = (
            f"has unknown keys {', '.join(unknown)} (allowed: {', '.join(sorted(KEYS))})"
        )
    kind = data.get("type")
    base = kind.removeprefix("not-") if isinstance(kind, str) else None
    if base not in ASSERTION_TYPES:
        raise AssertionInvalid(
            {
                **errors,
                f"{where}.type": f"{kind!r} is not a known check (allowed: "
                f"{', '.join(ASSERTION_TYPES)}; each may start with not-)",
            }
        )
    assert isinstance(kind, str) and base is not None
    value = data.get("value")
    threshold = _number(data, "threshold", where, errors)
    weight = _number(data, "weight", where, errors)
    if weight is not None and weight < 0:
        errors[f"{where}.weight"] = "must be 0 or more"
    problem = _VALUE_CHECKS[base](value, threshold)
    if problem:
        field_name, what = problem
        errors[f"{where}.{field_name}"] = what
    for name in ("provider", "model"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[f"{where}.{name}"] = "must be text"
    if errors:
        raise AssertionInvalid(errors)
    if base == "similar" and threshold is None:
        threshold = 0.75
    return Assertion(
        type=kind,
        base=base,
        negate=kind.startswith("not-"),
        value=value,
        threshold=threshold,
        weight=1.0 if weight is None else weight,
        provider=data.get("provider"),
        model=data.get("model"),
    )


def _number(data: dict[str, Any], name: str, where: str, errors: dict[str, str]) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        errors[f"{where}.{name}"] = f"must be a number, got {value!r}"
        return None
    return float(value)


Problem = tuple[str, str] | None


def _text_value(value: Any, threshold: float | None) -> Problem:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "value", "must be text (or a number)"
    return None


def _list_value(value: Any, threshold: float | None) -> Problem:
    if isinstance(value, str) and value.strip():
        return None
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return None
    return "value", "must be a list of texts, or texts separated by commas"


def _regex_value(value: Any, threshold: float | None) -> Problem:
    if not isinstance(value, str):
        return "value", "must be a regular expression (text)"
    try:
        re.compile(value)
    except re.error as error:
        return "value", f"is not a regular expression Python reads: {error}"
    return None


def _schema_value(value: Any, threshold: float | None) -> Problem:
    if value is None:
        return None
    try:
        schema_of(value)
    except ValueError as error:
        return "value", str(error)
    return None


def _any_value(value: Any, threshold: float | None) -> Problem:
    return None


def _threshold_needed(value: Any, threshold: float | None) -> Problem:
    if threshold is None:
        return "threshold", "is required (a number: milliseconds for latency, USD for cost)"
    if threshold < 0:
        return "threshold", "must be 0 or more"
    return None


def _similar_value(value: Any, threshold: float | None) -> Problem:
    if threshold is not None and not 0 <= threshold <= 1:
        return "threshold", "must be from 0 to 1 (a cosine similarity)"
    if isinstance(value, str) and value:
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return None
    return "value", "must be the expected text (or a list of texts)"


def _rubric_value(value: Any, threshold: float | None) -> Problem:
    if isinstance(value, str) and value.strip():
        return None
    return "value", "must be the rubric: what a passing answer does, in words"


_VALUE_CHECKS: dict[str, Callable[[Any, float | None], Problem]] = {
    "equals": lambda value, threshold: None if value is not None else ("value", "is required"),
    "contains": _text_value,
    "icontains": _text_value,
    "starts-with": _text_value,
    "contains-any": _list_value,
    "contains-all": _list_value,
    "icontains-any": _list_value,
    "icontains-all": _list_value,
    "regex": _regex_value,
    "is-json": _schema_value,
    "contains-json": _schema_value,
    "is-valid-openai-tools-call": _any_value,
    "latency": _threshold_needed,
    "cost": _threshold_needed,
    "similar": _similar_value,
    "llm-rubric": _rubric_value,
}


def schema_of(value: Any) -> dict[str, Any]:
    """A JSON Schema given as an object or as JSON text; ValueError says why it is none."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"must be a JSON Schema (an object, or its JSON): {error.msg}"
            ) from None
    if not isinstance(value, dict):
        raise ValueError("must be a JSON Schema (an object)")
    try:
        validators.validator_for(value).check_schema(value)
    except SchemaError as error:
        raise ValueError(f"is not a valid JSON Schema: {error.message}") from None
    return value


# --- Checking ---------------------------------------------------------------------------


def assertion_for_row(assertion: Assertion, variables: dict[str, str]) -> Assertion:
    """The check with the row's ``{{variables}}`` filled in its value, as promptfoo renders
    a check's value with the test's vars (``icontains: "{{capital}}"``)."""
    value = assertion.value
    if isinstance(value, str):
        value = fill_known(value, variables)
    elif isinstance(value, list):
        value = [fill_known(v, variables) if isinstance(v, str) else v for v in value]
    else:
        return assertion
    return dataclasses.replace(assertion, value=value)


async def assertion_check(
    assertion: Assertion, answer: Answer, grader: Grader | None = None
) -> AssertionResult:
    try:
        passed, score, reason = await _check(assertion, answer, grader)
    except Exception as error:  # a grader down, an answer no check foresaw: fail, say why
        passed, score, reason = False, 0.0, f"could not be checked: {error}"
        return AssertionResult(assertion.type, False, 0.0, reason, assertion.weight)
    if assertion.negate:
        passed, score = not passed, 1.0 - score
        reason = f"the opposite was expected: {reason}"
    return AssertionResult(assertion.type, passed, score, reason, assertion.weight)


async def _check(
    assertion: Assertion, answer: Answer, grader: Grader | None
) -> tuple[bool, float, str]:
    base, value, output = assertion.base, assertion.value, answer.output
    if base == "similar":
        if grader is None:
            raise RuntimeError("no embeddings provider to ask")
        expected = value if isinstance(value, list) else [value]
        best = max([await grader.similarity(assertion, str(e), output) for e in expected])
        threshold = assertion.threshold if assertion.threshold is not None else 0.75
        ok = best >= threshold
        return ok, best, f"similarity {best:.3f} {'≥' if ok else '<'} {threshold}"
    if base == "llm-rubric":
        if grader is None:
            raise RuntimeError("no grading model to ask")
        return await grader.rubric(assertion, output)
    if base == "latency":
        return _at_most(answer.latency_ms, assertion.threshold, "ms", "latency unknown")
    if base == "cost":
        return _at_most(
            answer.cost_usd, assertion.threshold, "USD", "cost unknown (no price for this model)"
        )
    ok, reason = _TEXT_CHECKS[base](value, answer)
    return ok, 1.0 if ok else 0.0, reason


def _at_most(
    measured: float | None, limit: float | None, unit: str, unknown: str
) -> tuple[bool, float, str]:
    if measured is None or limit is None:
        return False, 0.0, unknown
    ok = measured <= limit
    return ok, 1.0 if ok else 0.0, f"{measured:g} {unit} {'≤' if ok else '>'} {limit:g} {unit}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [_as_text(v) for v in value]


def _equals(value: Any, answer: Answer) -> tuple[bool, str]:
    if isinstance(value, (dict, list)):
        try:
            ok = json.loads(answer.output) == value
        except json.JSONDecodeError:
            return (
                False,
                f"expected the JSON {json.dumps(value)[:SHOWN]}, got {_shown(answer.output)} (not JSON)",
            )
        return ok, f"{'is' if ok else 'is not'} the JSON {json.dumps(value)[:SHOWN]}"
    expected = _as_text(value)
    ok = answer.output == expected
    return ok, f"expected {_shown(expected)}, got {_shown(answer.output)}"


def _contains(fold: bool) -> Callable[[Any, Answer], tuple[bool, str]]:
    def check(value: Any, answer: Answer) -> tuple[bool, str]:
        needle, hay = _as_text(value), answer.output
        ok = (needle.casefold() in hay.casefold()) if fold else (needle in hay)
        return ok, f"{_shown(needle)} {'found' if ok else 'not found'} in {_shown(hay)}"

    return check


def _contains_some(fold: bool, every: bool) -> Callable[[Any, Answer], tuple[bool, str]]:
    def check(value: Any, answer: Answer) -> tuple[bool, str]:
        hay = answer.output.casefold() if fold else answer.output
        items = _items(value)
        found = [item for item in items if (item.casefold() if fold else item) in hay]
        missing = [item for item in items if item not in found]
        if every:
            return not missing, f"missing {missing}" if missing else f"all of {items} found"
        return bool(found), f"found {found}" if found else f"none of {items} found"

    return check


def _starts_with(value: Any, answer: Answer) -> tuple[bool, str]:
    prefix = _as_text(value)
    ok = answer.output.startswith(prefix)
    return (
        ok,
        f"{'starts' if ok else 'does not start'} with {_shown(prefix)}: {_shown(answer.output)}",
    )


def _regex(value: Any, answer: Answer) -> tuple[bool, str]:
    ok = re.search(value, answer.output) is not None
    return ok, f"/{value}/ {'matches' if ok else 'does not match'} {_shown(answer.output)}"


def _schema_problem(schema: Any, data: Any) -> str:
    """'' when ``data`` is valid against ``schema`` (or there is none), else the first error."""
    if schema is None:
        return ""
    checked = schema_of(schema)
    validator = validators.validator_for(checked)(checked)
    error: SchemaValidationError | None = next(iter(validator.iter_errors(data)), None)
    if error is None:
        return ""
    path = "/".join(map(str, error.absolute_path)) or "(the top)"
    return f"at {path}: {error.message}"


def _is_json(value: Any, answer: Answer) -> tuple[bool, str]:
    try:
        data = json.loads(answer.output.strip())
    except json.JSONDecodeError as error:
        return False, f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    problem = _schema_problem(value, data)
    return (
        not problem,
        f"JSON, but not valid against the schema {problem}" if problem else "valid JSON",
    )


_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.DOTALL)


def json_values_in(text: str) -> list[Any]:
    """Every JSON object or array that appears in ``text`` (inside ```json fences too)."""
    found: list[Any] = []
    decoder = json.JSONDecoder()
    for chunk in [*(m.group(1) for m in _FENCE.finditer(text)), text]:
        position = 0
        while True:
            starts = [i for i in (chunk.find("{", position), chunk.find("[", position)) if i != -1]
            if not starts:
                break
            start = min(starts)
            try:
                value, end = decoder.raw_decode(chunk, start)
            except json.JSONDecodeError:
                position = start + 1
                continue
            found.append(value)
            position = end
    return found


def _contains_json(value: Any, answer: Answer) -> tuple[bool, str]:
    found = json_values_in(answer.output)
    if not found:
        return False, f"no JSON in {_shown(answer.output)}"
    problems = [_schema_problem(value, data) for data in found]
    if all(problems):
        return False, f"JSON found, but none valid against the schema: {problems[0]}"
    return True, "JSON found" + (" and valid against the schema" if value is not None else "")


def _tools_call(value: Any, answer: Answer) -> tuple[bool, str]:
    if not answer.tool_calls:
        return False, "the answer called no tool"
    declared = {
        str((tool.get("function") or {}).get("name")): (tool.get("function") or {}).get(
            "parameters"
        )
        for tool in answer.tools
        if isinstance(tool, dict)
    }
    for call in answer.tool_calls:
        function = call.get("function") or {}
        name = str(function.get("name"))
        if name not in declared:
            return False, f"called {name!r}, which the request's tools do not declare"
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError as error:
            return False, f"{name}: the arguments are not JSON ({error.msg})"
        problem = _schema_problem(declared[name], arguments) if declared[name] else ""
        if problem:
            return False, f"{name}: the arguments are not valid {problem}"
    names = ", ".join(str((c.get("function") or {}).get("name")) for c in answer.tool_calls)
    return True, f"valid calls: {names}"


_TEXT_CHECKS: dict[str, Callable[[Any, Answer], tuple[bool, str]]] = {
    "equals": _equals,
    "contains": _contains(fold=False),
    "icontains": _contains(fold=True),
    "contains-any": _contains_some(fold=False, every=False),
    "contains-all": _contains_some(fold=False, every=True),
    "icontains-any": _contains_some(fold=True, every=False),
    "icontains-all": _contains_some(fold=True, every=True),
    "starts-with": _starts_with,
    "regex": _regex,
    "is-json": _is_json,
    "contains-json": _contains_json,
    "is-valid-openai-tools-call": _tools_call,
}


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Verdict:
    passed: bool
    score: float


def verdict(results: Sequence[AssertionResult]) -> Verdict:
    """promptfoo's scoring: weight 0 reports only; every check that counts must pass."""
    counted = [r for r in results if r.weight > 0]
    if not counted:
        return Verdict(True, 1.0)
    total = sum(r.weight for r in counted)
    score = sum(r.score * r.weight for r in counted) / total
    return Verdict(all(r.passed for r in counted), score)
