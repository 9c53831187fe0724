"""An evaluation's results as files: JSON lines, JUnit XML, CSV (the grid)."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.utils.translation import gettext as _

from playground.evals.models import CellStatus, EvalCell, Evaluation
from playground.evals.plan import Plan, plan_from_json


def cell_json(plan: Plan, cell: EvalCell) -> dict[str, Any]:
    """One cell as ``manage.py eval --json`` prints it (one object per line)."""
    test = plan.tests[cell.test_index]
    return {
        "config": plan.configs[cell.config_index].label,
        "test": cell.test_index,
        "description": test.description,
        "vars": test.vars,
        "output": cell.output,
        "pass": cell.status == CellStatus.PASSED,
        "status": cell.status,
        "error": cell.error or None,
        "score": cell.score,
        "latency_ms": cell.latency_ms,
        "total_tokens": cell.total_tokens,
        "cost_usd": float(cell.cost_usd) if cell.cost_usd is not None else None,
        "run": str(cell.run_id) if cell.run_id else None,
        "assertions": cell.results,
    }


def test_name(plan: Plan, test_index: int) -> str:
    test = plan.tests[test_index]
    if test.description:
        return test.description
    shown = ", ".join(f"{k}={v}" for k, v in test.vars.items())
    if shown:
        return _("test %(number)s (%(vars)s)") % {"number": test_index + 1, "vars": shown[:120]}
    return _("test %(number)s") % {"number": test_index + 1}


def junit_xml(evaluation: Evaluation) -> str:
    """A JUnit report: a testsuite per configuration, a testcase per cell; a failed check
    is a <failure> with the reasons, a provider failure an <error>."""
    plan = plan_from_json(evaluation.plan)
    cells = list(EvalCell.objects.filter(evaluation=evaluation))
    root = ET.Element("testsuites", name=evaluation.name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for config_index, config in enumerate(plan.configs):
        mine = [c for c in cells if c.config_index == config_index]
        failures = sum(c.status == CellStatus.FAILED for c in mine)
        errors = sum(c.status not in (CellStatus.PASSED, CellStatus.FAILED) for c in mine)
        seconds = sum((c.latency_ms or 0) / 1000 for c in mine)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=config.label,
            tests=str(len(mine)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{seconds:.3f}",
        )
        for cell in mine:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=config.label,
                name=test_name(plan, cell.test_index),
                time=f"{(cell.latency_ms or 0) / 1000:.3f}",
            )
            if cell.status == CellStatus.FAILED:
                failed = [r for r in cell.results if not r.get("passed")]
                message = "; ".join(f"{r['type']}: {r['reason']}" for r in failed)
                ET.SubElement(
                    case, "failure", message=message[:500], type="assertion"
                ).text = "\n".join(f"{r['type']}: {r['reason']}" for r in failed)
            elif cell.status != CellStatus.PASSED:
                text = cell.error or f"The cell did not finish ({cell.status})."
                ET.SubElement(case, "error", message=text[:500], type=cell.status).text = text
            if cell.output:
                ET.SubElement(case, "system-out").text = cell.output
        totals["tests"] += len(mine)
        totals["failures"] += failures
        totals["errors"] += errors
        totals["time"] += seconds
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def grid_jsonl(evaluation: Evaluation) -> str:
    plan = plan_from_json(evaluation.plan)
    return "".join(
        json.dumps(cell_json(plan, cell), ensure_ascii=False) + "\n"
        for cell in EvalCell.objects.filter(evaluation=evaluation)
    )


# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def grid_csv(evaluation: Evaluation) -> str:
    """The grid as CSV: a line per cell (test, its variables, configuration, result)."""
    plan = plan_from_json(evaluation.plan)
    names: dict[str, None] = {}
    for test in plan.tests:
        names.update(dict.fromkeys(test.vars))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "test",
            *names,
            "config",
            "status",
            "pass",
            "score",
            "output",
            "reasons",
            "latency_ms",
            "total_tokens",
            "cost_usd",
            "error",
        ]
    )
    for cell in EvalCell.objects.filter(evaluation=evaluation):
        test = plan.tests[cell.test_index]
        reasons = "; ".join(
            f"{r['type']}: {r['reason']}" for r in cell.results if not r.get("passed")
        )
        writer.writerow(
            [
                _cell_text(v)
                for v in [
                    test_name(plan, cell.test_index),
                    *(test.vars.get(n, "") for n in names),
                    plan.configs[cell.config_index].label,
                    cell.status,
                    "yes" if cell.status == CellStatus.PASSED else "no",
                    "" if cell.score is None else f"{cell.score:.3f}",
                    cell.output,
                    reasons,
                    "" if cell.latency_ms is None else f"{cell.latency_ms:.0f}",
                    cell.total_tokens,
                    "" if cell.cost_usd is None else f"{cell.cost_usd:.8f}",
                    cell.error,
                ]
            ]
        )
    return out.getvalue()
