"""The evaluation page's socket: the grid's cells and the summary as they finish.

The worker sends each finished cell to the group ``evaluation.<id>`` (``progress``). On
connect the socket sends every cell finished so far once (those that ended between the
page's render and the socket's opening). With the in-memory channel layer (no Redis,
``make run``) the worker, another process, cannot reach this one: the socket then reads
newly finished cells itself every ``PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS``.
"""

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from playground.evals import access
from playground.evals.models import FINISHED_CELLS, EvalCell, Evaluation, EvaluationStatus
from playground.evals.progress import group_name, progress_html

ACTIVE = (EvaluationStatus.QUEUED, EvaluationStatus.RUNNING)


class EvaluationConsumer(AsyncWebsocketConsumer):
    evaluation: Evaluation | None = None
    poller: asyncio.Task[None] | None = None
    seen_until: datetime | None = None

    async def connect(self) -> None:
        evaluation_id = self.scope["url_route"]["kwargs"]["evaluation_id"]
        self.evaluation = await database_sync_to_async(_visible)(self.scope["user"], evaluation_id)
        if self.evaluation is None:
            await self.close(code=4404)
            return
        await self.channel_layer.group_add(group_name(self.evaluation.pk), self.channel_name)
        await self.accept()
        html, self.seen_until, _ = await database_sync_to_async(_finished_since)(
            self.evaluation.pk, None
        )
        await self.send(text_data=html)
        if settings.PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS > 0:
            self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
        if self.evaluation is not None:
            await self.channel_layer.group_discard(
                group_name(self.evaluation.pk), self.channel_name
            )

    async def evaluation_progress(self, event: dict[str, Any]) -> None:
        # The frames in every language of the site: this page's (playground/ws_language.py).
        frames = event["html"]
        await self.send(
            text_data=frames.get(translation.get_language()) or frames[settings.LANGUAGE_CODE]
        )

    async def _poll(self) -> None:
        assert self.evaluation is not None
        while True:
            await asyncio.sleep(settings.PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS)
            html, seen, status = await database_sync_to_async(_finished_since)(
                self.evaluation.pk, self.seen_until
            )
            if seen != self.seen_until or status not in ACTIVE:
                self.seen_until = seen
                with contextlib.suppress(Exception):
                    await self.send(text_data=html)


def _visible(user: Any, evaluation_id: Any) -> Evaluation | None:
    return access.evaluations_visible(user=user).filter(pk=evaluation_id).first()


def _finished_since(evaluation_id: Any, since: datetime | None) -> tuple[str, datetime | None, str]:
    """The frames for cells finished after ``since``, the newest finish, the status."""
    evaluation = Evaluation.objects.get(pk=evaluation_id)
    cells = EvalCell.objects.filter(evaluation=evaluation, status__in=FINISHED_CELLS)
    if since is not None:
        cells = cells.filter(finished_at__gt=since)
    found = list(cells.order_by("finished_at"))
    newest = found[-1].finished_at if found else since
    return progress_html(evaluation, found), newest, evaluation.status
