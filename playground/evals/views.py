"""Thin views: datasets (upload, paste, edit, from history) and evaluations (start, grid,
cancel, run again, export, compare)."""

import json
import re
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from playground.compare.columns import column_requests
from playground.evals import access, reports, services
from playground.evals.dataset_files import (
    MAX_BYTES,
    MAX_ROWS,
    DatasetInvalid,
    dataset_csv,
    dataset_parse,
    format_for,
    too_many_bytes,
)
from playground.evals.models import CellStatus, Dataset, EvalCell, Evaluation, EvaluationStatus
from playground.evals.plan import MAX_CONFIGS, Config, PlanInvalid, plan_from_json
from playground.evals.summary import evaluation_summary
from playground.forms import request_from_form, values_from_post
from playground.presets import selectors as preset_selectors
from playground.presets.by_name import preset_request_for
from playground.runs import selectors as run_selectors
from playground.runs.selectors import RunNotFound
from playground.spec import FormInvalid, RequestInvalid, validate_request
from playground.teams.models import Team

if TYPE_CHECKING:  # the type of a lazy translation, for the checker only
    from django_stubs_ext import StrOrPromise

EXAMPLE_CHECKS = '- type: icontains\n  value: "{{city}}"\n- type: latency\n  threshold: 5000'


# A cell's result in a sentence or a list ("passed, failed"), lower case as the grid has it.
CELL_WORDS: dict[str, "StrOrPromise"] = {
    CellStatus.PENDING: pgettext_lazy("evaluation cell", "waiting"),
    CellStatus.RUNNING: pgettext_lazy("evaluation cell", "running"),
    CellStatus.PASSED: pgettext_lazy("evaluation cell", "passed"),
    CellStatus.FAILED: pgettext_lazy("evaluation cell", "failed"),
    CellStatus.ERROR: pgettext_lazy("evaluation cell", "error"),
}


def _dataset(request: HttpRequest, dataset_id: Any) -> Dataset:
    dataset = access.datasets_visible(user=request.user).filter(pk=dataset_id).first()
    if dataset is None:
        raise Http404("No dataset you may see has this id.")
    return dataset


def _evaluation(request: HttpRequest, evaluation_id: Any) -> Evaluation:
    evaluation = access.evaluations_visible(user=request.user).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404("No evaluation you may see has this id.")
    return evaluation


def _team_id(request: HttpRequest) -> int | None:
    """The team chosen in a form, if the user may create things for it."""
    value = request.POST.get("team", "")
    if not value.isdigit():
        return None
    team_id = int(value)
    return team_id if team_id in access.editable_teams(request.user) else None


# --- Datasets ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            rows = _uploaded_rows(request)
            dataset = services.dataset_create(
                owner=request.user,
                name=request.POST.get("name", ""),
                rows=rows,
                team_id=_team_id(request),
            )
        except DatasetInvalid as invalid:
            problems = invalid.problems
        else:
            messages.success(
                request,
                ngettext(
                    "Dataset %(name)s created with %(count)s row.",
                    "Dataset %(name)s created with %(count)s rows.",
                    len(rows),
                )
                % {"name": dataset.name, "count": len(rows)},
            )
            return redirect("dataset-detail", dataset_id=dataset.pk)
    context = {
        "datasets": access.datasets_visible(user=request.user).select_related("owner", "team"),
        "teams": Team.objects.filter(pk__in=access.editable_teams(request.user)),
        "problems": problems,
        "form": request.POST,
        "max_rows": MAX_ROWS,
        "max_bytes": MAX_BYTES,
    }
    return render(request, "evals/datasets.html", context, status=400 if problems else 200)


def _uploaded_rows(request: HttpRequest) -> list[dict[str, Any]]:
    upload = request.FILES.get("file")
    if upload is not None:
        file_format = format_for(upload.name or "")
        if file_format is None:
            raise DatasetInvalid({"file": _("must be a .csv or .jsonl file")})
        if upload.size and upload.size > MAX_BYTES:
            raise DatasetInvalid({"file": too_many_bytes(upload.size)})
        return dataset_parse(upload.read(), file_format)
    pasted = request.POST.get("pasted", "")
    if pasted.strip():
        return dataset_parse(pasted, request.POST.get("format", "csv"))
    raise DatasetInvalid({"file": _("choose a CSV or JSONL file, or paste rows")})


@require_http_methods(["GET", "POST"])
@login_required
def dataset_detail(request: HttpRequest, dataset_id: Any) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    editable = access.can_edit_dataset(request.user, dataset)
    problems: dict[str, str] = {}
    rows = dataset.rows
    if request.method == "POST":
        if not editable:
            raise Http404("No dataset you may change has this id.")
        rows = rows_from_post(request.POST)
        try:
            services.dataset_rows_save(dataset=dataset, rows=rows)
        except DatasetInvalid as invalid:
            problems = invalid.problems
        else:
            messages.success(
                request,
                ngettext("Saved %(count)s row.", "Saved %(count)s rows.", len(rows))
                % {"count": len(rows)},
            )
            return redirect("dataset-detail", dataset_id=dataset.pk)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row.get("vars") or {}))
    context = {
        "dataset": dataset,
        "editable": editable,
        "names": list(names),
        "rows": [
            {"index": i, "values": [(n, row["vars"].get(n, "")) for n in names], **row}
            for i, row in enumerate(rows)
        ],
        "problems": problems,
        "evaluations": access.evaluations_visible(user=request.user).filter(dataset=dataset)[:20],
    }
    return render(request, "evals/dataset.html", context, status=400 if problems else 200)


_ROW_FIELD = re.compile(r"row-(\d+)-(var|expected|notes)(?:-(.+))?\Z")


def rows_from_post(post: Any) -> list[dict[str, Any]]:
    """The edited table: ``row-N-var-<name>``, ``row-N-expected``, ``row-N-notes``; a row
    ticked ``row-N-delete`` goes; a name in ``new-column`` adds a variable to every row;
    ``add-row`` adds an empty one."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in post.items():
        match = _ROW_FIELD.match(key)
        if not match:
            continue
        index, kind, name = int(match[1]), match[2], match[3]
        row = rows.setdefault(index, {"vars": {}, "expected": "", "notes": ""})
        if kind == "var" and name:
            row["vars"][name] = value
        elif kind in ("expected", "notes"):
            row[kind] = value
    ordered = [rows[i] for i in sorted(rows) if not post.get(f"row-{i}-delete")]
    new_column = post.get("new-column", "").strip()
    if new_column:
        for row in ordered:
            row["vars"].setdefault(new_column, "")
    if post.get("add-row"):
        names = ordered[0]["vars"].keys() if ordered else ([new_column] if new_column else [])
        ordered.append({"vars": dict.fromkeys(names, ""), "expected": "", "notes": ""})
    return ordered


@require_GET
@login_required
def dataset_download(request: HttpRequest, dataset_id: Any) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    response = HttpResponse(dataset_csv(dataset.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dataset-{dataset.pk}.csv"'
    return response


@require_POST
@login_required
def dataset_delete(request: HttpRequest, dataset_id: Any) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    if not access.can_edit_dataset(request.user, dataset):
        raise Http404("No dataset you may change has this id.")
    dataset.delete()
    messages.success(request, _("Dataset %(name)s deleted.") % {"name": dataset.name})
    return redirect("dataset-list")


@require_POST
@login_required
def dataset_add_run(request: HttpRequest, run_id: Any) -> HttpResponse:
    """The run page's "Add to dataset": its variables and reply become a row."""
    try:
        run = run_selectors.run_get(user=request.user, run_id=run_id)
    except RunNotFound:
        raise Http404("No run you may see has this id.") from None
    dataset = _dataset(request, request.POST.get("dataset"))
    if not access.can_edit_dataset(request.user, dataset):
        raise Http404("No dataset you may change has this id.")
    try:
        services.dataset_add_run(dataset=dataset, run=run)
    except DatasetInvalid as invalid:
        messages.error(request, str(invalid))
    else:
        messages.success(
            request,
            _("Added to the dataset %(name)s (row %(row)s).")
            % {"name": dataset.name, "row": len(dataset.rows)},
        )
    return redirect("run-detail", run_id=run.pk)


# --- Evaluations ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    problems: dict[str, str] = {}
    datasets = access.datasets_visible(user=request.user)
    if request.method == "POST":
        try:
            evaluation = _start(request, datasets)
        except (PlanInvalid, RequestInvalid) as invalid:
            problems = invalid.errors
        else:
            return redirect("evaluation-detail", evaluation_id=evaluation.pk)
    form = request.POST if request.method == "POST" else request.GET.copy()
    if request.method == "GET" and "evaluation_request" in request.session:
        # Sent by the playground's "Evaluate on a dataset" (evaluation_from_playground).
        form["request-0"] = request.session.pop("evaluation_request")
    if request.method == "GET" and "evaluation_requests" in request.session:
        # Sent by the compare page's "Evaluate these columns" (evaluation_from_compare).
        for i, (label, text) in enumerate(request.session.pop("evaluation_requests")[:4]):
            form[f"label-{i}"], form[f"request-{i}"] = label, text
    context = {
        "evaluations": access.evaluations_visible(user=request.user).select_related(
            "dataset", "user"
        )[:100],
        "datasets": datasets,
        "presets": preset_selectors.preset_list(user=request.user)[:200],
        "teams": Team.objects.filter(pk__in=access.editable_teams(request.user)),
        "problems": problems,
        "form": form,
        "request_slots": [
            (i, form.get(f"request-{i}", ""), form.get(f"label-{i}", "")) for i in range(4)
        ],
        "checks_example": EXAMPLE_CHECKS,
        "max_configs": MAX_CONFIGS,
    }
    return render(request, "evals/evaluations.html", context, status=400 if problems else 200)


@require_POST
@login_required
def evaluation_from_playground(request: HttpRequest) -> HttpResponse:
    """The playground's "Evaluate on a dataset": its request becomes the new evaluation's
    first configuration (htmx posts the run form; the page then opens the form)."""
    try:
        data = request_from_form(values_from_post(request.POST))
    except FormInvalid as invalid:
        messages.error(
            request,
            _("The playground's request could not be read: %(reason)s.") % {"reason": invalid},
        )
    else:
        request.session["evaluation_request"] = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("evaluation-list")
    return response


@require_POST
@login_required
def evaluation_from_compare(request: HttpRequest) -> HttpResponse:
    """The compare page's "Evaluate these columns on a dataset": each column becomes a
    configuration of the new evaluation's form (htmx posts the compare form)."""
    try:
        columns = column_requests(values_from_post(request.POST), filled=False)
    except RequestInvalid as invalid:
        problems = "; ".join(f"{k}: {v}" for k, v in invalid.errors.items())
        messages.error(
            request, _("The comparison could not be read: %(problems)s.") % {"problems": problems}
        )
    else:
        request.session["evaluation_requests"] = [
            (c.label, json.dumps(c.request, ensure_ascii=False, indent=2)) for c in columns
        ]
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("evaluation-list")
    return response


def _start(request: HttpRequest, datasets: Any) -> Evaluation:
    post = request.POST
    errors: dict[str, str] = {}
    dataset = (
        datasets.filter(pk=post.get("dataset") or None).first()
        if _is_uuid(post.get("dataset"))
        else None
    )
    if dataset is None:
        errors["dataset"] = _("choose a dataset (create one under Datasets)")
    configs = _configs(request, errors)
    checks = _checks(post.get("checks", ""), errors)
    try:
        concurrency = int(post.get("concurrency") or 4)
    except ValueError:
        concurrency = 0
    if not 1 <= concurrency <= 16:
        errors["concurrency"] = _("must be a whole number from 1 to 16")
    if errors or dataset is None:
        raise PlanInvalid(errors)
    return services.evaluation_start(
        user=request.user,
        name=post.get("name", "").strip()
        or f"{dataset.name}: {', '.join(c.label for c in configs)}",
        dataset=dataset,
        configs=configs,
        checks=checks,
        concurrency=concurrency,
        team_id=_team_id(request),
    )


def _is_uuid(value: Any) -> bool:
    return bool(value) and bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", str(value)))


def _configs(request: HttpRequest, errors: dict[str, str]) -> list[Config]:
    """Configurations: presets picked from the list, and request JSONs (the playground's
    "Evaluate" sends its request here)."""
    configs: list[Config] = []
    lookup = preset_request_for(request.user)
    for preset_id in request.POST.getlist("presets"):
        try:
            configs.append(
                Config(
                    _unique(
                        configs, _("preset %(name)s") % {"name": _preset_name(request, preset_id)}
                    ),
                    lookup(preset_id),
                )
            )
        except LookupError as error:
            errors["presets"] = str(error)
    for i in range(4):
        text = request.POST.get(f"request-{i}", "").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
            run = validate_request(data)
        except json.JSONDecodeError as error:
            errors[f"request-{i}"] = _(
                "is not JSON (line %(line)s, column %(column)s: %(reason)s)"
            ) % {"line": error.lineno, "column": error.colno, "reason": error.msg}
            continue
        except RequestInvalid as invalid:
            for where, what in invalid.errors.items():
                errors[f"request-{i}.{where}"] = what
            continue
        label = (
            request.POST.get(f"label-{i}", "").strip()
            or f"{run.provider}:{data['body'].get('model', '')}"
        )
        configs.append(Config(_unique(configs, label), data))
    if not configs:
        errors.setdefault("configs", _("pick at least one preset or give a request"))
    if len(configs) > MAX_CONFIGS:
        errors["configs"] = _("%(count)s configurations (at most %(limit)s)") % {
            "count": len(configs),
            "limit": MAX_CONFIGS,
        }
    return configs


def _unique(configs: list[Config], label: str) -> str:
    labels = {c.label for c in configs}
    candidate, n = label, 2
    while candidate in labels:
        candidate, n = f"{label} ({n})", n + 1
    return candidate


def _preset_name(request: HttpRequest, preset_id: str) -> str:
    preset = (
        preset_selectors.preset_list(user=request.user).filter(pk=preset_id).first()
        if _is_uuid(preset_id)
        else None
    )
    return preset.name if preset is not None else preset_id


def _checks(text: str, errors: dict[str, str]) -> Any:
    """The checks every row gets: a YAML or JSON list, promptfoo's ``assert``."""
    if not text.strip():
        return []
    import yaml  # here: only this form reads YAML, and a worker never needs it

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        errors["checks"] = (
            _("is not YAML or JSON at line %(line)s, column %(column)s")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else _("is not YAML or JSON")
        )
        return []
    return value


@require_GET
@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: Any) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    return render(request, "evals/evaluation.html", _grid_context(request, evaluation))


def _grid_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    plan = plan_from_json(evaluation.plan)
    cells = {
        (c.test_index, c.config_index): c for c in EvalCell.objects.filter(evaluation=evaluation)
    }
    grid = [
        {
            "index": t,
            "test": test,
            "name": reports.test_name(plan, t),
            "cells": [cells.get((t, c)) for c in range(len(plan.configs))],
        }
        for t, test in enumerate(plan.tests)
    ]
    others = (
        access.evaluations_visible(user=request.user)
        .filter(dataset_id=evaluation.dataset_id)
        .exclude(pk=evaluation.pk)[:20]
        if evaluation.dataset_id
        else []
    )
    return {
        "evaluation": evaluation,
        "plan": plan,
        "grid": grid,
        "summary": evaluation_summary(evaluation),
        "can_run": access.can_run_evaluation(request.user, evaluation),
        "running": evaluation.status in (EvaluationStatus.QUEUED, EvaluationStatus.RUNNING),
        "others": others,
    }


@require_POST
@login_required
def evaluation_cancel(request: HttpRequest, evaluation_id: Any) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    if not access.can_run_evaluation(request.user, evaluation):
        raise Http404("No evaluation you may change has this id.")
    services.evaluation_cancel(evaluation=evaluation)
    messages.success(request, _("Cancelled: cells already running finish; the rest stay to run."))
    return redirect("evaluation-detail", evaluation_id=evaluation.pk)


@require_POST
@login_required
def evaluation_rerun(request: HttpRequest, evaluation_id: Any) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    if not access.can_run_evaluation(request.user, evaluation):
        raise Http404("No evaluation you may change has this id.")
    if evaluation.status == EvaluationStatus.RUNNING:
        messages.error(request, _("It is running: wait for it to end, or cancel it first."))
    else:
        count = services.evaluation_rerun(
            evaluation=evaluation, failed_only=request.POST.get("all") != "on"
        )
        messages.success(
            request,
            ngettext(
                "%(count)s cell queued to run again.", "%(count)s cells queued to run again.", count
            )
            % {"count": count},
        )
    return redirect("evaluation-detail", evaluation_id=evaluation.pk)


@require_GET
@login_required
def evaluation_export(request: HttpRequest, evaluation_id: Any, file_format: str) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    if file_format == "csv":
        body, kind = reports.grid_csv(evaluation), "text/csv; charset=utf-8"
    elif file_format == "jsonl":
        body, kind = reports.grid_jsonl(evaluation), "application/x-ndjson; charset=utf-8"
    else:
        raise Http404("Export as csv or jsonl.")
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{evaluation.pk}.{file_format}"'
    )
    return response


@require_GET
@login_required
def evaluation_compare(request: HttpRequest, evaluation_id: Any, other_id: Any) -> HttpResponse:
    """Two evaluations of the same dataset: their summaries side by side, and the rows
    where a configuration's result changed."""
    first, second = _evaluation(request, evaluation_id), _evaluation(request, other_id)
    if first.dataset_id is None or first.dataset_id != second.dataset_id:
        raise Http404("Only evaluations of the same dataset compare.")
    plans = plan_from_json(first.plan), plan_from_json(second.plan)
    results = []
    for evaluation in (first, second):
        results.append(
            {
                (c.test_index, c.config_index): c.status
                for c in EvalCell.objects.filter(evaluation=evaluation)
            }
        )
    changed = []
    for t in range(min(len(plans[0].tests), len(plans[1].tests))):
        before = [results[0].get((t, c)) for c in range(len(plans[0].configs))]
        after = [results[1].get((t, c)) for c in range(len(plans[1].configs))]
        if before != after:
            changed.append(
                {
                    "name": reports.test_name(plans[0], t),
                    "before": [CELL_WORDS.get(status or "", "—") for status in before],
                    "after": [CELL_WORDS.get(status or "", "—") for status in after],
                }
            )
    context = {
        "pair": [{"evaluation": e, "summary": evaluation_summary(e)} for e in (first, second)],
        "changed": changed,
        "passed": CellStatus.PASSED,
    }
    return render(request, "evals/compare.html", context)
