"""The checks run on every answer, with promptfoo's names and meanings.

A check is ``{type, value?, threshold?, weight?, provider?, model?}`` as in promptfoo's
``assert`` lists (https://www.promptfoo.dev/docs/configuration/expected-outputs/); any type
negates with a ``not-`` prefix. ``assertion_parse`` refuses a bad check before anything is
sent, naming the field (``tests[2].assert[0].value``). ``assertion_check`` never raises for
an answer: a check that cannot hold fails, with a reason in plain words. ``verdict`` is
promptfoo's scoring: the weighted mean of the scores (weight 0 only reports), and a cell
passes when every check that counts passes.

``regex`` searches with Python's ``re`` syntax, not JavaScript's: most patterns read the
same, but a named group is ``(?P<name>...)`` and ``\\p{L}`` classes are not supported.
"""

import dataclasses
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from playground.variables import fill_known

GRADED_TYPES = ("similar", "llm-rubric")  # they ask a model (the Grader)
LIST_TYPES = ("contains-any", "contains-all", "icontains-any", "icontains-all")
ASSERTION_TYPES: tuple[str, ...] = (
    *("equals", "contains", "icontains", *LIST_TYPES, "starts-with", "regex"),
    *("is-json", "contains-json", "is-valid-openai-tools-call"),
    *("latency", "cost"),  # measured: the threshold is the most allowed
    *GRADED_TYPES,
)
# promptfoo's ``metric`` only names the check in its own report: accepted so promptfoo
# files load, and ignored, as it changes no pass or score.
KEYS = ("type", "value", "threshold", "weight", "provider", "model", "metric")
SIMILAR_THRESHOLD = 0.75  # promptfoo's default for ``similar``
SHOWN = 200  # characters of an answer quoted in a reason: enough to see, not to flood


class AssertionInvalid(ValueError):
    """``errors``: each bad field, by its path, to what is allowed there."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Assertion:
    type: str  # as written: "not-contains"
    base: str  # "contains"
    negate: bool
    value: Any = None
    threshold: float | None = None
    weight: float = 1.0
    provider: str | None = None  # similar / llm-rubric: which provider to ask
    model: str | None = None  # similar / llm-rubric: the embeddings or grading model


@dataclass(frozen=True)
class Answer:
    """What a cell produced, as the checks read it."""

    output: str  # the reply text (first candidate)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # OpenAI's format
    latency_ms: float | None = None
    cost_usd: float | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)  # the request's "tools"


@dataclass(frozen=True)
class AssertionResult:
    type: str
    passed: bool
    score: float  # 0..1
    reason: str
    weight: float


class Grader(Protocol):
    async def similarity(self, assertion: Assertion, expected: str, output: str) -> float: ...

    async def rubric(self, assertion: Assertion, output: str) -> tuple[bool, float, str]: ...


# --- Parsing -------------------------------------------------------------------------------


def assertion_parse(data: Any, where: str) -> Assertion:
    """One check, validated; AssertionInvalid names every bad field under ``where``."""
    if not isinstance(data, dict):
        raise AssertionInvalid({where: _("must be an object {type, value?, threshold?, weight?}")})
    errors = {
        f"{where}.{key}": _("is not a known key (allowed: %(allowed)s)")
        % {"allowed": ", ".join(KEYS)}
        for key in map(str, data)
        if key not in KEYS
    }
    kind = data.get("type")
    base = kind.removeprefix("not-") if isinstance(kind, str) else ""
    if base not in ASSERTION_TYPES:
        errors[f"{where}.type"] = _(
            "%(type)s is not a known check (allowed: %(allowed)s; "
            "any of them may start with not- to expect the opposite)"
        ) % {"type": repr(kind), "allowed": ", ".join(ASSERTION_TYPES)}
        raise AssertionInvalid(errors)  # the other fields' meaning depends on the type
    threshold, weight = (
        _number(data, "threshold", where, errors),
        _number(data, "weight", where, errors),
    )
    if weight is not None and weight < 0:
        errors[f"{where}.weight"] = _("must be 0 or more (0 reports the check without counting it)")
    for name in ("provider", "model"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[f"{where}.{name}"] = _("must be a name (text)")
    value = data.get("value")
    for name, message in _value_errors(base, value, threshold).items():
        errors.setdefault(f"{where}.{name}", message)  # "not a number" says more than "required"
    if errors:
        raise AssertionInvalid(errors)
    if base == "similar" and threshold is None:
        threshold = SIMILAR_THRESHOLD
    return Assertion(
        type=str(kind),
        base=base,
        negate=base != kind,
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
    # bool is an int to Python, but ``threshold: true`` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors[f"{where}.{name}"] = _("must be a number, got %(value)s") % {"value": repr(value)}
        return None
    return float(value)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _value_errors(base: str, value: Any, threshold: float | None) -> dict[str, str]:
    """What is wrong with the value (or threshold) for this type, by field name."""
    if base == "equals" and value is None:
        return {"value": _("is required (text, a number, or JSON to compare with)")}
    if base in ("contains", "icontains", "starts-with") and not _is_scalar(value):
        return {"value": _("must be text (or a number)")}
    if base in LIST_TYPES and not (
        (isinstance(value, str) and value.strip())
        or (isinstance(value, list) and value and all(map(_is_scalar, value)))
    ):
        return {"value": _("must be a list of texts, or one text of items separated by commas")}
    if base == "regex":
        if not isinstance(value, str):
            return {"value": _("must be a regular expression (text)")}
        try:
            re.compile(value)
        except re.error as error:
            return {
                "value": _("is not a regular expression Python can read: %(reason)s")
                % {"reason": error}
            }
    if base in ("is-json", "contains-json"):
        try:
            _schema(value)
        except ValueError as error:
            return {"value": str(error)}
    if base in ("latency", "cost"):
        if threshold is None:
            return {"threshold": _("is required: the most allowed (ms for latency, USD for cost)")}
        if threshold < 0:
            return {"threshold": _("must be 0 or more")}
    if base == "similar":
        errors = {}
        if threshold is not None and not 0 <= threshold <= 1:
            errors["threshold"] = _("must be from 0 to 1 (a cosine similarity; 0.75 if left out)")
        texts = value if isinstance(value, list) else [value]
        if not texts or not all(isinstance(t, str) and t for t in texts):
            errors["value"] = _("must be the expected text (or a list of texts)")
        return errors
    if base == "llm-rubric" and not (isinstance(value, str) and value.strip()):
        return {"value": _("must be the rubric: what a passing answer does, in words")}
    return {}  # is-valid-openai-tools-call reads the request's tools, not a value


def _schema(value: Any) -> dict[str, Any] | None:
    """The JSON Schema a check's value holds (an object, or JSON text of one), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(
                _("must be a JSON Schema (an object, or its JSON): %(reason)s") % {"reason": error}
            ) from None
    if not isinstance(value, dict):
        raise ValueError(_("must be a JSON Schema (an object, or its JSON)"))
    # jsonschema is imported where used: the site's URLconf loads this module, and only
    # evaluations with a schema check need it (tests/test_worker_imports.py).
    from jsonschema import validators
    from jsonschema.exceptions import SchemaError

    try:
        validators.validator_for(value).check_schema(value)
    except SchemaError as error:
        raise ValueError(
            _("is not a valid JSON Schema: %(reason)s") % {"reason": error.message}
        ) from None
    return value


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


# --- Checking ------------------------------------------------------------------------------


async def assertion_check(
    assertion: Assertion, answer: Answer, grader: Grader | None = None
) -> AssertionResult:
    """Run one check; not- inverts the pass and the score. Never raises for an answer."""
    graded = assertion.base in GRADED_TYPES
    try:
        if graded:
            passed, score, reason = await _graded(assertion, answer.output, grader)
        else:
            passed, reason = _deterministic(assertion, answer)
            score = 1.0 if passed else 0.0
    except Exception as error:
        # The grader (or a value no parse checked) failed, not the answer: no verdict on it,
        # so the check fails whether negated or not.
        why = "the grader could not be reached" if graded else "could not be checked"
        return AssertionResult(assertion.type, False, 0.0, f"{why}: {error}", assertion.weight)
    if assertion.negate:
        passed, score = not passed, 1.0 - score
        if not passed:
            reason = f"{reason}; {assertion.type} expects the opposite"
    return AssertionResult(assertion.type, passed, score, reason, assertion.weight)


async def _graded(
    assertion: Assertion, output: str, grader: Grader | None
) -> tuple[bool, float, str]:
    if grader is None:
        raise RuntimeError("no grader was given to ask")
    if assertion.base == "similar":
        texts = assertion.value if isinstance(assertion.value, list) else [assertion.value]
        best = max([await grader.similarity(assertion, str(t), output) for t in texts])
        threshold = SIMILAR_THRESHOLD if assertion.threshold is None else assertion.threshold
        ok = best >= threshold
        return ok, _unit(best), f"similarity {best:.3f} {'≥' if ok else '<'} {threshold:g}"
    passed, score, reason = await grader.rubric(assertion, output)
    if assertion.threshold is not None and score < assertion.threshold:
        # promptfoo: with a threshold, the grader's score must reach it as well.
        passed, reason = False, f"score {score:g} < {assertion.threshold:g}: {reason}"
    return passed, _unit(score), reason


def _unit(score: float) -> float:
    """A score within 0..1 (a cosine can be negative; a grader can say 10)."""
    return min(1.0, max(0.0, float(score)))


def _deterministic(assertion: Assertion, answer: Answer) -> tuple[bool, str]:
    """(passed, reason) of a check that needs no model."""
    base, value, output = assertion.base, assertion.value, answer.output
    if base == "equals":
        return _equals(value, output)
    if base in ("contains", "icontains", "starts-with"):
        needle, where = _text(value), "at the start of" if base == "starts-with" else "in"
        if base == "icontains":  # casefold, not lower: "STRASSE" contains "straße"
            ok = needle.casefold() in output.casefold()
        else:
            ok = output.startswith(needle) if base == "starts-with" else needle in output
        return ok, f"{_shown(needle)} {'found' if ok else 'not found'} {where} {_shown(output)}"
    if base in LIST_TYPES:
        fold = base.startswith("i")
        items = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
        items = [_text(item) for item in items if _text(item)]
        haystack = output.casefold() if fold else output
        found = [item for item in items if (item.casefold() if fold else item) in haystack]
        missing = [item for item in items if item not in found]
        if base.endswith("-all"):
            return not missing, f"missing {missing}" if missing else f"all of {items} found"
        return bool(found), f"found {found}" if found else f"none of {items} found"
    if base == "regex":
        ok = re.search(value, output) is not None
        return ok, f"/{value}/ {'matches' if ok else 'does not match'} {_shown(output)}"
    if base == "is-json":
        return _is_json(_schema(value), output)
    if base == "contains-json":
        return _contains_json(_schema(value), output)
    if base == "is-valid-openai-tools-call":
        return _tools_call(answer)
    if base == "latency":
        measured, unit, unknown = answer.latency_ms, "ms", "latency unknown"
    else:
        measured, unit, unknown = answer.cost_usd, "USD", "cost unknown (no price for this model)"
    if measured is None or assertion.threshold is None:
        return False, unknown
    ok = measured <= assertion.threshold
    return ok, f"{measured:g} {unit} {'≤' if ok else '>'} {assertion.threshold:g} {unit}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")


def _text(value: Any) -> str:
    """A value as JavaScript's String() writes it, as promptfoo compares: 1.0 is "1"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _same(a: Any, b: Any) -> bool:
    """JSON equality as JavaScript has it: true is not 1 (Python says it is)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _equals(value: Any, output: str) -> tuple[bool, str]:
    if isinstance(value, dict | list):  # promptfoo: the output parsed, compared as JSON
        expected = json.dumps(value)[:SHOWN]
        try:
            ok = _same(json.loads(output), value)
        except json.JSONDecodeError:
            return False, f"expected the JSON {expected}, got {_shown(output)} (not JSON)"
        return ok, f"{'is' if ok else 'is not'} the JSON {expected}: {_shown(output)}"
    ok = output == _text(value)
    return ok, f"expected {_shown(_text(value))}, got {_shown(output)}"


def _schema_problem(schema: dict[str, Any] | None, data: Any) -> str:
    """'' when ``data`` fits ``schema`` (or there is none), else where and why it does not."""
    if schema is None:
        return ""
    from jsonschema import validators

    error = next(iter(validators.validator_for(schema)(schema).iter_errors(data)), None)
    if error is None:
        return ""
    return f"at {'/'.join(map(str, error.absolute_path)) or '(the top)'}: {error.message}"


def _is_json(schema: dict[str, Any] | None, output: str) -> tuple[bool, str]:
    try:
        data = json.loads(output.strip())
    except json.JSONDecodeError as error:
        return False, f"not JSON ({error}): {_shown(output)}"
    problem = _schema_problem(schema, data)
    return not problem, f"JSON, but not valid against the schema {problem}" if problem else "JSON"


def json_values_in(text: str) -> list[Any]:
    """Every JSON object or array in ``text``. Text in ```json fences is part of the text,
    so it is found too; a value found is skipped over, not searched within, as promptfoo
    does."""
    found, decoder, position = [], json.JSONDecoder(), 0
    while starts := [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]:
        try:
            value, position = decoder.raw_decode(text, min(starts))
            found.append(value)
        except json.JSONDecodeError:
            position = min(starts) + 1
    return found


def _contains_json(schema: dict[str, Any] | None, output: str) -> tuple[bool, str]:
    found = json_values_in(output)
    if not found:
        return False, f"no JSON object or array in {_shown(output)}"
    problems = [_schema_problem(schema, data) for data in found]
    if all(problems):
        return False, f"JSON found, but none valid against the schema: {problems[0]}"
    return True, "JSON found" + (" valid against the schema" if schema else "")


def _tools_call(answer: Answer) -> tuple[bool, str]:
    if not answer.tool_calls:
        return False, "the answer called no tool"
    functions = [tool.get("function") or {} for tool in answer.tools]
    declared = {f.get("name"): f.get("parameters") for f in functions}
    for call in answer.tool_calls:
        function = call.get("function") or {}
        name = function.get("name")
        if name not in declared:
            allowed = ", ".join(map(str, declared)) or "none"
            return False, f"called {name!r}, which the request's tools do not declare ({allowed})"
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError as error:
            return False, f"{name}: the arguments are not JSON ({error})"
        problem = _schema_problem(declared[name] or None, arguments)
        if problem:
            return False, f"{name}: the arguments do not fit its parameters {problem}"
    names = ", ".join(str((c.get("function") or {}).get("name")) for c in answer.tool_calls)
    return True, f"valid calls: {names}"


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """The cosine of two vectors; 0 when either is all zeros (no direction to compare)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Verdict:
    passed: bool
    score: float


def verdict(results: Sequence[AssertionResult]) -> Verdict:
    """promptfoo's scoring: the weighted mean of the scores, and every counted check passes.
    Weight 0 only reports; with nothing counted the cell passes with a full score."""
    counted = [r for r in results if r.weight > 0]
    if not counted:
        return Verdict(True, 1.0)
    score = sum(r.score * r.weight for r in counted) / sum(r.weight for r in counted)
    return Verdict(all(r.passed for r in counted), score)
