"""The compare socket: one Run streams every column at once; Stop stops them all.

Messages in: the compare form (``{"action": "run", …}``, see ``columns``), ``{"action":
"stop"}``, ``{"action": "diff", "a": N, "b": M}`` (a word diff of two columns' replies)
and ``{"action": "prefer", "column": N}`` (mark that column's answer the better one).
Messages out: the run page's fragments with their ids scoped to the column (``c1-reply-0``
…), so that each column's reply, status, usage, timings and history record land in its
own place; one failing column does not stop the others. Each column is a recorded run.
"""

import asyncio
import json
import logging
import re
from typing import Any, cast

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from playground import fragments
from playground.compare.columns import Column, column_requests
from playground.compare.preference import run_prefer_async
from playground.export import export
from playground.limits import RunRefused, get_run_limiter, user_key
from playground.outcome import RunOutcome, RunStatus
from playground.providerconfig.lookup import aget_provider
from playground.providers import UpstreamError
from playground.runs.budgets import budget_check_async
from playground.runs.models import Source
from playground.runs.services import RunContext, request_object, run_record_async
from playground.secrets_scrub import NO_SECRETS, Scrubber
from playground.spec import RequestInvalid, template_body, upstream_body, validate_request
from playground.streaming import cancel_in_background, cancel_until_done, relay_run

logger = logging.getLogger(__name__)

# Attributes that name an element by id in the run page's fragments.
_ID_ATTRIBUTES = re.compile(r'(\s(?:id|for|aria-controls|aria-labelledby|aria-describedby)=")')


def scoped(html: str, column: int) -> str:
    """The fragment with its ids prefixed ``c<column>-``. Only our markup can hold them:
    every text of a reply or a prompt is escaped (a quote is ``&quot;``)."""
    return _ID_ATTRIBUTES.sub(rf"\1c{column}-", html)


class CompareConsumer(AsyncWebsocketConsumer):
    @property
    def user(self) -> AbstractBaseUser:
        return cast(AbstractBaseUser, self.scope["user"])

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.tasks: list[asyncio.Task[None]] = []
        self.outcomes: dict[int, RunOutcome] = {}
        self.runs: dict[int, Any] = {}
        self.labels: dict[int, str] = {}
        # Runs being written to the history: held so that they are not collected.
        self.recordings: set[asyncio.Task[None]] = set()
        self.closed = False
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closed = True
        for task in getattr(self, "tasks", []):
            cancel_in_background(task)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if len(text_data or "") > settings.PLAYGROUND_MAX_MESSAGE_BYTES:
            await self._send(_status(_("The comparison is too large to send."), "error"))
            return
        try:
            message = json.loads(text_data or "")
        except (ValueError, RecursionError):
            await self._send(_status(_("The message was not valid JSON."), "error"))
            return
        if not isinstance(message, dict):
            await self._send(_status(_("The message must be a JSON object."), "error"))
            return
        action = message.get("action", "run")
        if action == "run":
            await self.start(message)
        elif action == "stop":
            await self.stop()
        elif action == "diff":
            await self._send(self.diff(message.get("a"), message.get("b")))
        elif action == "prefer":
            await self.prefer(message.get("column"))
        else:
            await self._send(
                _status(_("Unknown action (allowed: run, stop, diff, prefer)."), "error")
            )

    async def start(self, message: dict[str, Any]) -> None:
        await self.stop()
        try:
            columns = column_requests(values_from_message(message))
        except RequestInvalid as invalid:
            await self._send(_status(_("Nothing was sent:"), "invalid", invalid.errors))
            return
        self.outcomes, self.runs = {}, {}
        self.labels = {c.index: c.label for c in columns}
        running = _("Running %(count)s columns…") % {"count": len(columns)}
        await self._send(_status(running, "running"))
        self.tasks = [asyncio.create_task(self._run_column(column)) for column in columns]
        waiting = asyncio.create_task(self._all_done(self.tasks))
        waiting.add_done_callback(_report_failure)

    async def _all_done(self, tasks: list[asyncio.Task[None]]) -> None:
        await asyncio.gather(*tasks, return_exceptions=True)
        # The records too: the last frame says every column has ended, and is kept.
        await asyncio.gather(*list(self.recordings), return_exceptions=True)
        if tasks is self.tasks and not self.closed:
            states = [self.outcomes[i].status for i in sorted(self.outcomes)]
            stopped = RunStatus.STOPPED in states
            await self._send(
                _status(
                    _("Stopped.") if stopped else _("Every column has ended."),
                    "stopped" if stopped else "done",
                )
            )

    async def stop(self) -> None:
        running = [task for task in self.tasks if not task.done()]
        await asyncio.gather(*(cancel_until_done(task) for task in running))

    async def _run_column(self, column: Column) -> None:
        request = validate_request(column.request)
        body = upstream_body(request)
        send = self._column_sender(column.index, NO_SECRETS)
        context = RunContext(
            user=self.user,
            provider=request.provider,
            request=request_object(
                mode=request.mode,
                provider=request.provider,
                body=template_body(request),
                variables=request.variables,
            ),
            source=Source.PAGE,
        )
        outcome = RunOutcome(mode=request.mode, body=body)
        self.outcomes[column.index] = outcome
        try:
            provider = await aget_provider(request.provider, self.user)
        except UpstreamError as error:
            await self._refuse(column, context, outcome, error.message)
            return
        send = self._column_sender(column.index, provider.scrubber)
        budget = await budget_check_async(user=self.user, team_id=None)
        if budget.refusal:
            await self._refuse(column, context, outcome, budget.refusal)
            return
        try:
            lease = await get_run_limiter().acquire(user_key(self.user))
        except RunRefused as refusal:
            await self._refuse(column, context, outcome, refusal.message)
            return
        outcome.scrubber = provider.scrubber
        try:
            await relay_run(provider, body, send, mode=request.mode, outcome=outcome)
        finally:
            # Stopped or not, the run is kept, in a task of its own: a Stop cancels the
            # column's task (again, until it ends) and must not cut the record short.
            self._record_later(column, context, outcome, send)
            await asyncio.shield(lease.release())

    async def _refuse(
        self, column: Column, context: RunContext, outcome: RunOutcome, message: str
    ) -> None:
        outcome.status, outcome.error = RunStatus.REFUSED, message
        send = self._column_sender(column.index, NO_SECRETS)
        await send(fragments.run_refused(message))
        self._record_later(column, context, outcome, send)

    def _record_later(
        self, column: Column, context: RunContext, outcome: RunOutcome, send: Any
    ) -> None:
        recording = asyncio.create_task(self._record(column, context, outcome, send))
        self.recordings.add(recording)
        recording.add_done_callback(self.recordings.discard)
        recording.add_done_callback(_report_failure)

    async def _record(
        self, column: Column, context: RunContext, outcome: RunOutcome, send: Any
    ) -> None:
        if not settings.PLAYGROUND_RECORD_RUNS:
            return
        try:
            run = await run_record_async(context=context, outcome=outcome)
        except Exception:
            logger.exception("A compared run could not be recorded in the history")
            await send(fragments.run_not_recorded())
            return
        self.runs[column.index] = run
        await send(fragments.run_recorded(run) + _column_code(column, self.user))

    def _column_sender(self, column: int, scrubber: Scrubber) -> Any:
        async def send(html: str) -> None:
            if not self.closed:
                await self.send(text_data=scrubber.scrub(scoped(html, column)))

        return send

    async def _send(self, html: str) -> None:
        if not self.closed:
            await self.send(text_data=html)

    def diff(self, a: Any, b: Any) -> str:
        texts = {i: o.text.get(0, "") for i, o in self.outcomes.items()}
        try:
            first, second = int(a), int(b)
        except (TypeError, ValueError):
            first = second = -1
        if first not in texts or second not in texts or first == second:
            return render_to_string(
                "compare/_diff.html",
                {"problem": _("Pick two different columns that have replied.")},
            )
        scrubbers = [self.outcomes[i].scrubber for i in (first, second)]
        pieces = fragments.word_diff(
            scrubbers[0].scrub(texts[first]), scrubbers[1].scrub(texts[second])
        )
        labels = (self.labels.get(first, ""), self.labels.get(second, ""))
        return render_to_string("compare/_diff.html", {"pieces": pieces, "labels": labels})

    async def prefer(self, column: Any) -> None:
        try:
            index = int(column)
        except (TypeError, ValueError):
            index = -1
        if index not in self.runs:
            await self._send(
                _status(_("Only a column recorded in the history can be marked."), "error")
            )
            return
        others = [run for i, run in self.runs.items() if i != index]
        await run_prefer_async(user=self.user, run=self.runs[index], over=others)
        await self._send(
            render_to_string(
                "compare/_preferred.html", {"column": index, "label": self.labels.get(index, "")}
            )
        )


def values_from_message(message: dict[str, Any]) -> dict[str, Any]:
    """The form values htmx's ws extension sends (``HEADERS`` and ``action`` aside)."""
    return {k: v for k, v in message.items() if k not in ("HEADERS", "action")}


def _status(message: str, state: str, errors: dict[str, str] | None = None) -> str:
    return render_to_string(
        "compare/_status.html",
        {"message": message, "state": state, "errors": (errors or {}).items()},
    )


def _column_code(column: Column, user: Any) -> str:
    """The column's request as code (Python, Node.js, curl), in its place."""
    snippets = {}
    for lang in ("python", "node", "curl"):
        try:
            snippets[lang] = export(lang, column.request, user)
        except RequestInvalid as invalid:
            snippets[lang] = "\n".join(f"{k}: {v}" for k, v in invalid.errors.items())
    # Its id is scoped to the column with the frame it travels in.
    return render_to_string("compare/_code.html", {"snippets": snippets})


def _report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("Compare failed unexpectedly", exc_info=task.exception())
