"""Running an evaluation: every cell once, bounded per provider, each cell a recorded run.

One function runs an evaluation wherever it runs: the worker's task (``tasks``), and
``manage.py eval`` in its own process. Ownership is one conditional UPDATE: a worker
takes an evaluation that is queued, or running under a worker whose heartbeat went
silent (``PLAYGROUND_EVAL_STALE_SECONDS``). A cell is written once, with its run, in one
transaction when it ends, so a worker killed mid-evaluation loses no finished cell; the
next owner runs only the cells that never finished (a cell it finds "running" was
cut off with its worker, and starts again).

Progress goes to the page through the channel layer (``progress``), so a page served
by any daphne process sees it; nothing polls the database.
"""

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from playground.evals.assertions import (
    Answer,
    AssertionResult,
    assertion_check,
    assertion_for_row,
    verdict,
)
from playground.evals.grading import ProviderGrader
from playground.evals.models import CellStatus, EvalCell, Evaluation, EvaluationStatus
from playground.evals.plan import Plan, cell_request, plan_from_json, plan_json
from playground.outcome import RunOutcome, RunStatus
from playground.providerconfig.lookup import aget_provider
from playground.providers import UpstreamError
from playground.runs.budgets import budget_check
from playground.runs.models import Source
from playground.runs.services import RunContext, outcome_cost, request_object, run_record
from playground.spec import RequestInvalid, template_body, upstream_body, validate_request
from playground.streaming import relay_run

logger = logging.getLogger(__name__)

CellDone = Callable[[EvalCell], Awaitable[None]]


def worker_name() -> str:
    """This process, as a worker id: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def evaluation_create(
    *,
    user: Any,
    name: str,
    plan: Plan,
    team_id: int | None = None,
    dataset_id: Any = None,
    concurrency: int = 4,
) -> Evaluation:
    """The evaluation and its cells, all pending, in one transaction."""
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            name=name[:200],
            user=user if user is not None and user.pk else None,
            team_id=team_id,
            dataset_id=dataset_id,
            plan=plan_json(plan),
            concurrency=max(1, min(concurrency, settings.PLAYGROUND_EVAL_PROVIDER_CONCURRENCY)),
        )
        EvalCell.objects.bulk_create(
            EvalCell(evaluation=evaluation, test_index=t, config_index=c)
            for t in range(len(plan.tests))
            for c in range(len(plan.configs))
        )
    return evaluation


def evaluation_claim(evaluation_id: Any, worker_id: str) -> bool:
    """Take the evaluation for ``worker_id``: queued, or abandoned by a silent worker.
    Cells the previous owner left running start again (they never finished)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PLAYGROUND_EVAL_STALE_SECONDS)
    with transaction.atomic():
        taken = (
            Evaluation.objects.filter(pk=evaluation_id)
            .filter(
                Q(status=EvaluationStatus.QUEUED)
                | Q(status=EvaluationStatus.RUNNING, heartbeat_at__lt=stale)
                | Q(status=EvaluationStatus.RUNNING, worker_id=worker_id)
            )
            .update(
                status=EvaluationStatus.RUNNING,
                worker_id=worker_id,
                heartbeat_at=now,
                started_at=Coalesce(F("started_at"), now),
            )
        )
        if taken:
            EvalCell.objects.filter(evaluation_id=evaluation_id, status=CellStatus.RUNNING).update(
                status=CellStatus.PENDING, claimed_by=""
            )
    return bool(taken)


def evaluations_requeue_abandoned() -> list[Any]:
    """Queue again each running evaluation whose worker went silent, once (a conditional
    UPDATE: of several workers sweeping, one requeues it). Returns their ids."""
    stale = timezone.now() - timedelta(seconds=settings.PLAYGROUND_EVAL_STALE_SECONDS)
    abandoned = Evaluation.objects.filter(status=EvaluationStatus.RUNNING, heartbeat_at__lt=stale)
    requeued = []
    for evaluation_id in abandoned.values_list("pk", flat=True):
        taken = Evaluation.objects.filter(
            pk=evaluation_id, status=EvaluationStatus.RUNNING, heartbeat_at__lt=stale
        ).update(status=EvaluationStatus.QUEUED)
        if taken:
            requeued.append(evaluation_id)
    return requeued


def evaluation_run(
    evaluation_id: Any, *, worker_id: str | None = None, on_cell: CellDone | None = None
) -> bool:
    """Run the evaluation's unfinished cells, if this worker can take it (False if not)."""
    worker_id = worker_id or worker_name()
    if not evaluation_claim(evaluation_id, worker_id):
        return False
    evaluation = Evaluation.objects.select_related("user").get(pk=evaluation_id)
    asyncio.run(_run_cells(evaluation, worker_id, on_cell))
    return True


async def _run_cells(evaluation: Evaluation, worker_id: str, on_cell: CellDone | None) -> None:
    from playground.evals import progress  # the channel layer: only where cells run

    plan = plan_from_json(evaluation.plan)
    pending = [
        cell
        async for cell in EvalCell.objects.filter(
            evaluation=evaluation, status=CellStatus.PENDING
        ).order_by("test_index", "config_index")
    ]
    limit = asyncio.Semaphore(max(1, evaluation.concurrency))
    per_provider: dict[str, asyncio.Semaphore] = {}
    cancelled = asyncio.Event()

    async def one(cell: EvalCell) -> None:
        request = cell_request(plan, cell.test_index, cell.config_index)
        provider_name = str(request.get("provider") or "")
        gate = per_provider.setdefault(
            provider_name, asyncio.Semaphore(settings.PLAYGROUND_EVAL_PROVIDER_CONCURRENCY)
        )
        async with limit, gate:
            if cancelled.is_set():
                return
            done = await _run_cell(evaluation, plan, cell, worker_id)
            if done is None:
                return
            await progress.cell_finished(evaluation, done)
            if on_cell is not None:
                await on_cell(done)

    heartbeat = asyncio.create_task(_heartbeat(evaluation, worker_id, cancelled))
    try:
        await asyncio.gather(*(one(cell) for cell in pending))
    finally:
        heartbeat.cancel()
    status = await sync_to_async(_evaluation_end)(evaluation, worker_id, cancelled.is_set())
    await progress.evaluation_ended(evaluation, status)


async def _heartbeat(evaluation: Evaluation, worker_id: str, cancelled: asyncio.Event) -> None:
    """Say this worker is alive; notice a Cancel from the page."""
    while True:
        await asyncio.sleep(settings.PLAYGROUND_EVAL_HEARTBEAT_SECONDS)
        if not await sync_to_async(_beat)(evaluation.pk, worker_id):
            cancelled.set()  # cancelled from the page, or taken over: start no more cells


def _beat(evaluation_id: Any, worker_id: str) -> bool:
    """Renew the heartbeat; False when the evaluation is no longer running here."""
    return bool(
        Evaluation.objects.filter(
            pk=evaluation_id, worker_id=worker_id, status=EvaluationStatus.RUNNING
        ).update(heartbeat_at=timezone.now())
    )


def _evaluation_end(evaluation: Evaluation, worker_id: str, cancelled: bool) -> str:
    status = EvaluationStatus.CANCELLED if cancelled else EvaluationStatus.FINISHED
    with transaction.atomic():
        if cancelled:  # cells that did not finish stay pending: "Run the rest" takes them
            EvalCell.objects.filter(
                evaluation=evaluation, status=CellStatus.RUNNING, claimed_by=worker_id
            ).update(status=CellStatus.PENDING, claimed_by="")
        Evaluation.objects.filter(pk=evaluation.pk, worker_id=worker_id).exclude(
            status=EvaluationStatus.CANCELLED
        ).update(status=status, finished_at=timezone.now())
    return str(Evaluation.objects.values_list("status", flat=True).get(pk=evaluation.pk))


def cells_rerun(evaluation: Evaluation, *, failed_only: bool = True) -> int:
    """Make failed cells (and any not run) pending again and queue the evaluation."""
    statuses = [CellStatus.FAILED, CellStatus.ERROR, CellStatus.PENDING]
    if not failed_only:
        statuses.append(CellStatus.PASSED)
    with transaction.atomic():
        count = EvalCell.objects.filter(evaluation=evaluation, status__in=statuses).update(
            status=CellStatus.PENDING, claimed_by="", run=None, results=[], score=None, error=""
        )
        Evaluation.objects.filter(pk=evaluation.pk).exclude(status=EvaluationStatus.RUNNING).update(
            status=EvaluationStatus.QUEUED, finished_at=None
        )
    return count


async def _run_cell(
    evaluation: Evaluation, plan: Plan, cell: EvalCell, worker_id: str
) -> EvalCell | None:
    claimed = await EvalCell.objects.filter(pk=cell.pk, status=CellStatus.PENDING).aupdate(
        status=CellStatus.RUNNING, claimed_by=worker_id, attempts=F("attempts") + 1
    )
    if not claimed:
        return None  # another worker's now (this one was taken over)
    data = cell_request(plan, cell.test_index, cell.config_index)
    request = validate_request(data)  # checked when the plan was made
    context = RunContext(
        user=evaluation.user,
        provider=request.provider,
        request=request_object(
            mode=request.mode,
            provider=request.provider,
            body=template_body(request),
            variables=request.variables,
        ),
        source=Source.EVALUATION,
        team_id=evaluation.team_id,
    )
    outcome = RunOutcome()
    try:
        body = upstream_body(request)
        provider = await aget_provider(request.provider, evaluation.user)
    except (RequestInvalid, UpstreamError) as error:
        message = error.message if isinstance(error, UpstreamError) else str(error)
        outcome.status, outcome.error, outcome.mode = RunStatus.REFUSED, message, request.mode
        return await sync_to_async(_cell_save)(cell, context, outcome, [], worker_id)
    budget = await sync_to_async(budget_check)(user=evaluation.user, team_id=evaluation.team_id)
    if budget.refusal:
        outcome.status, outcome.error, outcome.mode = (
            RunStatus.REFUSED,
            budget.refusal,
            request.mode,
        )
        outcome.body = body
        return await sync_to_async(_cell_save)(cell, context, outcome, [], worker_id)
    outcome.scrubber = provider.scrubber
    await relay_run(provider, body, _discard, mode=request.mode, outcome=outcome)
    results: list[AssertionResult] = []
    if outcome.status == RunStatus.FINISHED:
        cost = await sync_to_async(outcome_cost)(provider=request.provider, outcome=outcome)
        answer = _answer(outcome, body, cost)
        test = plan.tests[cell.test_index]
        # similar and llm-rubric ask the cell's own provider unless the check names one.
        grader = ProviderGrader(evaluation.user, default_provider=request.provider)
        results = [
            await assertion_check(assertion_for_row(a, request.variables), answer, grader)
            for a in test.asserts
        ]
    return await sync_to_async(_cell_save)(cell, context, outcome, results, worker_id)


async def _discard(html: str) -> None:
    """A cell's frames go nowhere: the grid shows the finished cell."""


def _answer(outcome: RunOutcome, body: dict[str, Any], cost: Decimal | None = None) -> Answer:
    calls = [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
        for c in outcome.tool_calls.get(0, [])
    ]
    return Answer(
        output=outcome.text.get(0, ""),
        tool_calls=calls,
        latency_ms=outcome.seconds * 1000,
        cost_usd=float(cost) if cost is not None else None,
        tools=list(body.get("tools") or []),
    )


def _cell_save(
    cell: EvalCell,
    context: RunContext,
    outcome: RunOutcome,
    results: list[AssertionResult],
    worker_id: str,
) -> EvalCell | None:
    """The run and the cell's result, together or not at all."""
    with transaction.atomic():
        run = run_record(context=context, outcome=outcome)
        if outcome.status != RunStatus.FINISHED:
            status, error = CellStatus.ERROR, outcome.error or f"The run {outcome.status}."
        else:
            status = CellStatus.PASSED if verdict(results).passed else CellStatus.FAILED
            error = ""
        mine = EvalCell.objects.filter(pk=cell.pk, status=CellStatus.RUNNING, claimed_by=worker_id)
        updated = mine.update(
            status=status,
            run=run,
            output=outcome.scrubber.scrub(outcome.text.get(0, "")),
            error=outcome.scrubber.scrub(error),
            results=[_result_json(r, outcome) for r in results],
            score=verdict(results).score if results else None,
            latency_ms=outcome.seconds * 1000 if outcome.seconds else None,
            cost_usd=run.cost_usd,
            total_tokens=run.total_tokens,
            finished_at=timezone.now(),
        )
        if not updated:
            # Taken over meanwhile (this worker looked dead): the new owner runs it.
            transaction.set_rollback(True)
            return None
    return EvalCell.objects.get(pk=cell.pk)


def _result_json(result: AssertionResult, outcome: RunOutcome) -> dict[str, Any]:
    return {
        "type": result.type,
        "passed": result.passed,
        "score": result.score,
        "reason": outcome.scrubber.scrub(result.reason),
        "weight": result.weight,
    }
