"""An evaluation plan: configurations x tests, each test with its variables and checks.

One shape for every way an evaluation starts: an evaluation file (``manage.py eval``,
promptfoo's shape: ``request``/``preset``, ``configs``, ``tests``, ``dataset``,
``defaultTest``), and the page (configurations picked from the playground or presets, a
dataset, checks). ``plan_from_file_data`` reads a file's data; ``plan_check`` refuses,
before any request is sent, everything that would fail anyway: a request the spec
refuses, an unknown check or a bad value, a test missing a variable some configuration
uses, no tests at all. Every problem is named by its place in the file
(``tests[3].assert[0].value``), all of them at once.

A plan is stored as JSON (``plan_json``) on its evaluation, and read back with
``plan_from_json``: the worker that runs it needs nothing else.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from playground.evals.assertions import (
    ASSERTION_TYPES,
    Assertion,
    AssertionInvalid,
    assertion_parse,
)
from playground.evals.dataset_files import DatasetInvalid, dataset_parse, format_for
from playground.modes import REGISTRY, get_mode
from playground.spec import RequestInvalid, validate_request
from playground.variables import MissingVariables, fill_body

# At most this many cells (tests x configurations) in one evaluation (docs/usage.md).
MAX_CELLS = 20_000
MAX_CONFIGS = 8
FILE_KEYS = frozenset(
    {"description", "request", "preset", "configs", "tests", "dataset", "defaultTest"}
)


class PlanInvalid(ValueError):
    """``errors``: each bad field, by its place in the file, to what is allowed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Config:
    """One column: a whole request (its body a template), labelled."""

    label: str
    request: dict[str, Any]


@dataclass(frozen=True)
class EvalTest:
    """One row: its variables and the checks run on each configuration's answer."""

    vars: dict[str, str]
    asserts: tuple[Assertion, ...] = ()
    description: str = ""
    # The checks as written (stored, shown, exported); ``asserts`` is their parsed form.
    assert_data: tuple[dict[str, Any], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Plan:
    configs: tuple[Config, ...]
    tests: tuple[EvalTest, ...]
    description: str = ""

    @property
    def cell_count(self) -> int:
        return len(self.configs) * len(self.tests)


def cell_request(plan: Plan, test_index: int, config_index: int) -> dict[str, Any]:
    """The request a cell sends: its configuration, with the test's variables added to
    (and winning over) the configuration's own."""
    request = plan.configs[config_index].request
    variables = {**(request.get("variables") or {}), **plan.tests[test_index].vars}
    return {**request, "variables": variables}


PresetLookup = Callable[[str], dict[str, Any]]


def plan_from_file_data(
    data: Any, *, base_dir: Path, preset_request: PresetLookup | None = None
) -> Plan:
    """The plan an evaluation file describes; PlanInvalid names every problem."""
    if not isinstance(data, dict):
        raise PlanInvalid({"file": _("must be an object with request (or preset) and tests")})
    errors: dict[str, str] = {}
    for key in data:
        if key not in FILE_KEYS:
            errors[str(key)] = _("is not a known key (allowed: %(allowed)s)") % {
                "allowed": ", ".join(sorted(FILE_KEYS))
            }
    base = _base_request(data, preset_request, errors)
    configs = _configs(data.get("configs"), base, errors) if base is not None else []
    tests = _tests(data, base_dir, errors)
    if errors:
        raise PlanInvalid(errors)
    plan = Plan(tuple(configs), tuple(tests), str(data.get("description") or ""))
    plan_check(plan)
    return plan


def plan_check(plan: Plan) -> None:
    """Refuse a plan that would fail before sending: checked for every cell."""
    errors: dict[str, str] = {}
    if not plan.configs:
        errors["configs"] = _("must name at least one configuration")
    if not plan.tests:
        errors["tests"] = _("must hold at least one test (or a dataset with rows)")
    if plan.cell_count > MAX_CELLS:
        errors["tests"] = _(
            "make %(cells)s cells with %(configs)s configurations (at most %(limit)s)"
        ) % {
            "cells": f"{plan.cell_count:,}",
            "configs": len(plan.configs),
            "limit": f"{MAX_CELLS:,}",
        }
    for config in plan.configs:
        record = REGISTRY.get(config.request.get("mode") or "chat")
        keys = record.template_keys if record else ()
        body = config.request.get("body") or {}
        for t, test in enumerate(plan.tests):
            variables = {**(config.request.get("variables") or {}), **test.vars}
            try:
                fill_body(body, keys, variables)
            except MissingVariables as missing:
                where = f"tests[{t}].vars"
                if where not in errors:
                    errors[where] = _(
                        "has no value for %(names)s (used by configuration %(label)s)"
                    ) % {"names": ", ".join(missing.names), "label": repr(config.label)}
    if errors:
        raise PlanInvalid(errors)


def _base_request(
    data: dict[str, Any], preset_request: PresetLookup | None, errors: dict[str, str]
) -> dict[str, Any] | None:
    if ("request" in data) == ("preset" in data):
        errors["request"] = _("give either request (a request object) or preset (a name or id)")
        return None
    if "preset" in data:
        if preset_request is None:
            errors["preset"] = _("cannot be read here")
            return None
        try:
            return preset_request(str(data["preset"]))
        except LookupError as error:
            errors["preset"] = str(error.args[0] if error.args else error)
            return None
    request = data["request"]
    if not isinstance(request, dict):
        errors["request"] = _("must be a request object {mode, provider, body, variables}")
        return None
    return request


def _configs(value: Any, base: dict[str, Any], errors: dict[str, str]) -> list[Config]:
    if value is None:
        value = [{}]
    if not isinstance(value, list) or not value:
        errors["configs"] = _("must be a list of {label, provider?, body?}")
        return []
    if len(value) > MAX_CONFIGS:
        errors["configs"] = _("has %(count)s configurations (at most %(limit)s)") % {
            "count": len(value),
            "limit": MAX_CONFIGS,
        }
        return []
    configs, labels = [], set()
    for i, item in enumerate(value):
        where = f"configs[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object {label, provider?, body?}")
            continue
        unknown = set(item) - {"label", "provider", "body", "variables"}
        if unknown:
            errors[where] = _("has unknown keys %(keys)s (allowed: label, provider, body)") % {
                "keys": ", ".join(sorted(unknown))
            }
        body = item.get("body") or {}
        if not isinstance(body, dict):
            errors[f"{where}.body"] = _("must be an object of body keys to override")
            continue
        request = {
            **base,
            "provider": item.get("provider", base.get("provider")),
            "body": {**(base.get("body") or {}), **body},
        }
        if isinstance(item.get("variables"), dict):
            request["variables"] = {**(base.get("variables") or {}), **item["variables"]}
        label = str(item.get("label") or _default_label(request, i))
        if label in labels:
            errors[f"{where}.label"] = _("%(label)s is used twice (labels name the columns)") % {
                "label": repr(label)
            }
        labels.add(label)
        try:
            checked = validate_request(request)
        except RequestInvalid as invalid:
            # Named in the override when there is one, else in the request itself.
            prefix = where if item.get("body") or item.get("provider") else "request"
            for field_name, what in invalid.errors.items():
                errors[f"{prefix}.{_in_request(field_name)}"] = what
            continue
        if get_mode(checked.mode).not_evaluated:
            errors["request.mode"] = _(get_mode(checked.mode).not_evaluated)
            continue
        configs.append(Config(label, request))
    return configs


def _in_request(field_name: str) -> str:
    """A validation error's field as a path in the request object (the spec names body
    fields by their own names: ``temperature`` is ``body.temperature``)."""
    top = field_name.split(".")[0].split("[")[0]
    return (
        field_name
        if top in ("mode", "provider", "body", "variables", "request")
        else f"body.{field_name}"
    )


def _default_label(request: dict[str, Any], index: int) -> str:
    model = (request.get("body") or {}).get("model")
    return f"{request.get('provider')}:{model}" if model else f"config {index + 1}"


def _tests(data: dict[str, Any], base_dir: Path, errors: dict[str, str]) -> list[EvalTest]:
    default = data.get("defaultTest") or {}
    if not isinstance(default, dict):
        errors["defaultTest"] = _("must be an object {vars?, assert?}")
        default = {}
    default_vars = _vars(default.get("vars"), "defaultTest.vars", errors)
    default_asserts = asserts_parse(default.get("assert"), "defaultTest.assert", errors)
    raw_tests = data.get("tests")
    if raw_tests is None:
        raw_tests = []
    if not isinstance(raw_tests, list):
        errors["tests"] = _("must be a list of {vars, assert, description}")
        raw_tests = []
    tests = []
    for i, item in enumerate(raw_tests):
        where = f"tests[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object {vars, assert, description}")
            continue
        unknown = set(item) - {"vars", "assert", "description", "options", "metadata"}
        if unknown:
            errors[where] = _("has unknown keys %(keys)s (allowed: vars, assert, description)") % {
                "keys": ", ".join(sorted(unknown))
            }
        variables = {**default_vars, **_vars(item.get("vars"), f"{where}.vars", errors)}
        asserts = default_asserts + asserts_parse(item.get("assert"), f"{where}.assert", errors)
        tests.append(_test_case(variables, asserts, str(item.get("description") or "")))
    if "dataset" in data:
        tests += _dataset_tests(data["dataset"], base_dir, default_vars, default_asserts, errors)
    return tests


def _dataset_tests(
    value: Any,
    base_dir: Path,
    default_vars: dict[str, str],
    default_asserts: list[tuple[Assertion, dict[str, Any]]],
    errors: dict[str, str],
) -> list[EvalTest]:
    if not isinstance(value, str) or not value:
        errors["dataset"] = _("must be the path of a CSV or JSONL file")
        return []
    path = (base_dir / value).resolve()
    file_format = format_for(path.name)
    if file_format is None:
        errors["dataset"] = _("%(path)s: must end in .csv or .jsonl") % {"path": value}
        return []
    try:
        rows = dataset_parse(path.read_bytes(), file_format)
    except OSError as error:
        errors["dataset"] = _("%(path)s: cannot be read (%(reason)s)") % {
            "path": value,
            "reason": error.strerror or error,
        }
        return []
    except DatasetInvalid as invalid:
        for where, what in invalid.problems.items():
            errors[f"dataset {value}, {where}"] = what
        return []
    return tests_from_rows(rows, default_vars, default_asserts, errors, source=f"dataset {value}")


def tests_from_rows(
    rows: list[dict[str, Any]],
    default_vars: dict[str, str],
    default_asserts: list[tuple[Assertion, dict[str, Any]]],
    errors: dict[str, str],
    *,
    source: str = "dataset",
) -> list[EvalTest]:
    """A test per dataset row: its variables, the default checks, and its expected output
    as a check (``equals``, or promptfoo's ``type: value`` form such as ``contains: Oslo``)."""
    tests = []
    for i, row in enumerate(rows):
        asserts = list(default_asserts)
        if row.get("expected"):
            try:
                data = expected_assertion(str(row["expected"]))
                asserts.append((assertion_parse(data, f"{source} row {i + 1} expected"), data))
            except AssertionInvalid as invalid:
                errors.update(invalid.errors)
        tests.append(
            _test_case({**default_vars, **row["vars"]}, asserts, str(row.get("notes") or ""))
        )
    return tests


def expected_assertion(expected: str) -> dict[str, Any]:
    """promptfoo's ``__expected``: ``contains: Oslo`` is that check, anything else equals."""
    kind, sep, rest = expected.partition(":")
    name = kind.strip()
    if sep and name.removeprefix("not-") in ASSERTION_TYPES:
        rest = rest.strip()
        return {"type": name, **({"value": rest} if rest else {})}
    return {"type": "equals", "value": expected}


def _test_case(
    variables: dict[str, str], asserts: list[tuple[Assertion, dict[str, Any]]], description: str
) -> EvalTest:
    return EvalTest(
        vars=variables,
        asserts=tuple(a for a, _ in asserts),
        description=description,
        assert_data=tuple(d for _, d in asserts),
    )


def _vars(value: Any, where: str, errors: dict[str, str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[where] = _("must be an object of variable names and values")
        return {}
    variables = {}
    for name, item in value.items():
        if isinstance(item, (dict, list)):
            errors[f"{where}.{name}"] = _(
                "must be text or a number (promptfoo's lists are not supported)"
            )
        elif item is None:
            variables[str(name)] = ""
        else:
            variables[str(name)] = item if isinstance(item, str) else json.dumps(item)
    return variables


def asserts_parse(
    value: Any, where: str, errors: dict[str, str]
) -> list[tuple[Assertion, dict[str, Any]]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors[where] = _("must be a list of checks {type, value?, threshold?, weight?}")
        return []
    parsed = []
    for j, item in enumerate(value):
        try:
            parsed.append((assertion_parse(item, f"{where}[{j}]"), item))
        except AssertionInvalid as invalid:
            errors.update(invalid.errors)
    return parsed


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as stored on its evaluation (the checks as written)."""
    return {
        "description": plan.description,
        "configs": [{"label": c.label, "request": c.request} for c in plan.configs],
        "tests": [
            {"description": t.description, "vars": t.vars, "assert": list(t.assert_data)}
            for t in plan.tests
        ],
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    """A stored plan, checks parsed again (they were valid when it was stored)."""
    errors: dict[str, str] = {}
    tests = [
        _test_case(
            dict(t.get("vars") or {}),
            asserts_parse(t.get("assert"), f"tests[{i}].assert", errors),
            str(t.get("description") or ""),
        )
        for i, t in enumerate(data.get("tests") or [])
    ]
    if errors:
        raise PlanInvalid(errors)
    configs = [Config(str(c["label"]), dict(c["request"])) for c in data.get("configs") or []]
    return Plan(tuple(configs), tuple(tests), str(data.get("description") or ""))
