"""An evaluation's progress, to the pages watching it, through the channel layer.

Each finished cell sends its grid cell and the new summary to the group
``evaluation.<id>``; a page on any daphne process joined it (the Redis layer in a
deployment). With the embedded in-memory layer a worker process cannot reach daphne's
memory, so the page's socket also reads newly finished cells itself, once a second
(``PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS``; 0 in a deployment with Redis).
"""

from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from playground.evals.models import EvalCell, Evaluation
from playground.evals.summary import evaluation_summary


def group_name(evaluation_id: Any) -> str:
    return f"evaluation.{evaluation_id}"


def progress_html(evaluation: Evaluation, cells: list[EvalCell]) -> str:
    """The frames a watching page swaps in: each cell, the summary and the progress bar."""
    summary = evaluation_summary(evaluation)
    parts = [
        render_to_string("evals/_cell.html", {"cell": cell, "evaluation": evaluation, "oob": True})
        for cell in cells
    ]
    parts.append(
        render_to_string(
            "evals/_summary.html", {"evaluation": evaluation, "summary": summary, "oob": True}
        )
    )
    return "".join(parts)


async def cell_finished(evaluation: Evaluation, cell: EvalCell) -> None:
    await _send(evaluation, [cell])


async def evaluation_ended(evaluation: Evaluation, status: str) -> None:
    evaluation.status = status
    await _send(evaluation, [])


async def _send(evaluation: Evaluation, cells: list[EvalCell]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Rendered once per language of the site: each watching page takes its own
    # (evaluations.consumers), whichever language the worker runs in.
    html = {
        language: await sync_to_async(_rendered_in)(language, evaluation, cells)
        for language, _name in settings.LANGUAGES
    }
    await layer.group_send(group_name(evaluation.pk), {"type": "evaluation.progress", "html": html})


def _rendered_in(language: str, evaluation: Evaluation, cells: list[EvalCell]) -> str:
    with translation.override(language):
        return progress_html(evaluation, cells)
