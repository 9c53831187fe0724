"""Datasets and evaluations: creating, changing, starting, cancelling."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from playground.evals.dataset_files import (
    MAX_ROWS,
    DatasetInvalid,
    in_column,
    not_a_variable_name,
)
from playground.evals.execute import cells_rerun, evaluation_create
from playground.evals.models import Dataset, Evaluation, EvaluationStatus
from playground.evals.plan import (
    Config,
    Plan,
    PlanInvalid,
    asserts_parse,
    plan_check,
    tests_from_rows,
)
from playground.evals.tasks import evaluation_enqueue
from playground.runs.models import Run
from playground.variables import NAME_PATTERN


def dataset_create(
    *, owner: Any, name: str, rows: list[dict[str, Any]], team_id: int | None = None
) -> Dataset:
    rows_check(rows)
    return Dataset.objects.create(
        owner=owner, name=name.strip()[:200] or _("Dataset"), rows=rows, team_id=team_id
    )


def dataset_rows_save(*, dataset: Dataset, rows: list[dict[str, Any]]) -> Dataset:
    rows_check(rows)
    dataset.rows = rows
    dataset.save(update_fields=["rows", "updated_at"])
    return dataset


def rows_check(rows: list[dict[str, Any]]) -> None:
    """Refuse rows a dataset cannot hold, naming the row and the column."""
    problems: dict[str, str] = {}
    if not rows:
        problems["rows"] = _("a dataset needs at least one row")
    if len(rows) > MAX_ROWS:
        problems["rows"] = _("%(count)s rows (at most %(limit)s)") % {
            "count": f"{len(rows):,}",
            "limit": f"{MAX_ROWS:,}",
        }
    for i, row in enumerate(rows, 1):
        for name in row.get("vars") or {}:
            if not NAME_PATTERN.match(name):
                place = _("row %(row)s") % {"row": i}
                problems[in_column(place, name)] = not_a_variable_name()
    if problems:
        raise DatasetInvalid(problems)


def dataset_add_run(*, dataset: Dataset, run: Run) -> dict[str, Any]:
    """A row from a run of the history: its variables (or, with none, its last prompt
    text as ``input``), and its reply as the expected output."""
    request = run.request or {}
    variables = {str(k): str(v) for k, v in (request.get("variables") or {}).items()}
    if not variables:
        variables = {"input": _last_prompt(request.get("body") or {})}
    candidates = (run.output or {}).get("candidates") or [{}]
    row = {
        "vars": variables,
        "expected": str(candidates[0].get("text") or ""),
        "notes": f"run {run.pk}",
    }
    if len(dataset.rows) >= MAX_ROWS:
        raise DatasetInvalid(
            {"rows": _("the dataset is full (%(limit)s rows)") % {"limit": f"{MAX_ROWS:,}"}}
        )
    dataset.rows = [*dataset.rows, row]
    dataset.save(update_fields=["rows", "updated_at"])
    return row


def _last_prompt(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and isinstance(content, str):
            return content
    prompt = body.get("prompt") or body.get("input") or ""
    return prompt if isinstance(prompt, str) else ""


def evaluation_start(
    *,
    user: Any,
    name: str,
    dataset: Dataset,
    configs: list[Config],
    checks: Any,
    concurrency: int = 4,
    team_id: int | None = None,
) -> Evaluation:
    """Check the plan (nothing is sent for one that would fail), create it, queue it."""
    errors: dict[str, str] = {}
    default_asserts = asserts_parse(checks, "checks", errors)
    tests = tests_from_rows(
        list(dataset.rows), {}, default_asserts, errors, source=f"dataset {dataset.name}"
    )
    if errors:
        raise PlanInvalid(errors)
    plan = Plan(tuple(configs), tuple(tests), name)
    plan_check(plan)
    with transaction.atomic():
        evaluation = evaluation_create(
            user=user,
            name=name,
            plan=plan,
            team_id=team_id,
            dataset_id=dataset.pk,
            concurrency=concurrency,
        )
        transaction.on_commit(lambda: evaluation_enqueue(evaluation.pk))
    return evaluation


def evaluation_cancel(*, evaluation: Evaluation) -> None:
    """Stop starting cells; the running worker notices at its next heartbeat."""
    Evaluation.objects.filter(
        pk=evaluation.pk, status__in=[EvaluationStatus.QUEUED, EvaluationStatus.RUNNING]
    ).update(status=EvaluationStatus.CANCELLED)


def evaluation_rerun(*, evaluation: Evaluation, failed_only: bool = True) -> int:
    count = cells_rerun(evaluation, failed_only=failed_only)
    if count:
        transaction.on_commit(lambda: evaluation_enqueue(evaluation.pk))
    return count
