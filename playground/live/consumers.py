"""A watcher's socket: one run's frames as its runner's page gets them, on any daphne process.

On connect: a run that has ended is shown from its row (``recorded.py``). A live run the
user may watch (``access.py``): the socket joins the run's group, then asks the runner for
the state so far (``live.hello`` to the runner socket's channel); until that snapshot comes,
batches from the group are ignored, and after it each batch must start right after the last
frame shown. A gap (a batch the layer dropped) asks again. No answer within
``ANSWER_SECONDS`` (the runner's server stopped, or its page closed and the run ended) reads
the row; ``RESYNC_SECONDS`` without a word asks again (a lost "ended"). Nothing a watcher does
reaches the runner but a hello, a bye, and a Stop its user may give (``access.may_stop``).
"""

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from playground import fragments
from playground.live.access import LiveWatch, watch_target
from playground.live.frames import NOT_RUNNING, STOP_REFUSED, raw_later, watch_note
from playground.live.links import TOKEN_PARAMETER, group_name
from playground.live.recorded import recorded_raw, recorded_state
from playground.runs.models import Run
from playground.runs.selectors import RunNotFound, run_get

ANSWER_SECONDS = 5.0
RESYNC_SECONDS = 20.0
TICK_SECONDS = 1.0
# A watcher's page sends only small messages (Stop, the raw inspector).
MAX_MESSAGE_CHARS = 2_000


class RunWatchConsumer(AsyncWebsocketConsumer):
    watch: LiveWatch | None = None
    ticker: "asyncio.Task[None] | None" = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or self.channel_layer is None:
            await self.close(code=4401)
            return
        self.user = user
        self.run_id = str(self.scope["url_route"]["kwargs"]["run_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        tokens = query.get(TOKEN_PARAMETER)
        token = tokens[0] if tokens else None
        target = await database_sync_to_async(watch_target)(
            user=user, run_id=self.run_id, token=token
        )
        if target is None:
            await self.close(code=4404)  # no such run, or not one this user may see
            return
        self.shown = 0  # the number of the last frame shown
        self.waiting = False  # for a snapshot
        self.asked_at = self.heard_at = time.monotonic()
        self.ended = False
        await self.accept()
        if isinstance(target, Run):
            self.ended = True
            await self.send(text_data=await database_sync_to_async(recorded_state)(target))
            return
        self.watch = target
        # Joined before asking: no batch after the snapshot is missed.
        await self.channel_layer.group_add(group_name(self.run_id), self.channel_name)
        await self._ask()
        self.ticker = asyncio.create_task(self._tick())

    async def disconnect(self, code: int) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
        if self.watch is not None and not self.ended:
            await self._leave()
            # The runner stops publishing once nobody watches (best effort: a bye lost only
            # costs it some publishing for nobody).
            await self._to_runner("live.bye", watcher=self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = (
                json.loads(text_data or "") if len(text_data or "") <= MAX_MESSAGE_CHARS else None
            )
        except ValueError:
            message = None
        action = message.get("action") if isinstance(message, dict) else None
        if action == "stop":
            if self.watch is None or not self.watch.may_stop:
                await self.send(text_data=watch_note(STOP_REFUSED, alert=True))
            elif not self.ended:
                await self._to_runner("live.stop")
        elif action == "raw":
            await self.send(text_data=await database_sync_to_async(self._raw)())
        else:
            await self.send(
                text_data=watch_note(
                    _("A watcher's page sends only Stop (allowed: stop, raw)."), alert=True
                )
            )

    # From the runner (publisher.py), through the group or to this channel.

    async def live_frames(self, event: dict[str, Any]) -> None:
        if self.ended or self.waiting or event["run"] != self.run_id:
            return
        self.heard_at = time.monotonic()
        if event["last"] <= self.shown:
            return
        if event["first"] != self.shown + 1:
            await self._ask()  # a batch was dropped: the state so far instead
            return
        await self.send(text_data=event["html"])
        self.shown = event["last"]

    async def live_snapshot(self, event: dict[str, Any]) -> None:
        if self.ended or event["run"] != self.run_id:
            return
        if not self.waiting and event["last"] <= self.shown:
            return  # an answer to an earlier question, already overtaken
        self.waiting = False
        self.heard_at = time.monotonic()
        if event["last"] > self.shown:
            await self.send(text_data=event["html"])
            self.shown = event["last"]
        if event["ended"]:
            await self._end()

    async def live_ended(self, event: dict[str, Any]) -> None:
        if self.ended or self.waiting or event["run"] != self.run_id:
            return
        if event["last"] > self.shown:
            await self._show_row()  # the last batch was dropped: the row has it all
        else:
            await self._end()

    async def live_gone(self, event: dict[str, Any]) -> None:
        if not self.ended and event["run"] == self.run_id:
            await self._show_row()

    async def live_check(self, event: dict[str, Any]) -> None:
        """The ticker's nudge: an unanswered question, or a long silence."""
        if self.ended:
            return
        now = time.monotonic()
        if self.waiting and now - self.asked_at >= ANSWER_SECONDS:
            await self._show_row()
        elif not self.waiting and now - self.heard_at >= RESYNC_SECONDS:
            await self._ask()

    # Helpers.

    async def _ask(self) -> None:
        self.waiting = True
        self.asked_at = time.monotonic()
        await self._to_runner("live.hello", watcher=self.channel_name)

    async def _to_runner(self, kind: str, **fields: Any) -> None:
        assert self.watch is not None
        await self.channel_layer.send(
            self.watch.ref.channel, {"type": kind, "run": self.run_id, **fields}
        )

    async def _tick(self) -> None:
        # Only reads the state; what to do is decided in live_check, between the messages.
        while not self.ended:
            await asyncio.sleep(TICK_SECONDS)
            now = time.monotonic()
            if (self.waiting and now - self.asked_at >= ANSWER_SECONDS) or (
                not self.waiting and now - self.heard_at >= RESYNC_SECONDS
            ):
                await self.channel_layer.send(self.channel_name, {"type": "live.check"})

    async def _show_row(self) -> None:
        """The run is over (or its runner is away): show its row, or say it is not there."""
        html = await database_sync_to_async(self._row_state)()
        await self.send(text_data=html)
        await self._end()

    async def _end(self) -> None:
        self.ended = True
        self.waiting = False
        await self._leave()

    async def _leave(self) -> None:
        await self.channel_layer.group_discard(group_name(self.run_id), self.channel_name)

    def _row(self) -> Run | None:
        try:
            return run_get(user=self.user, run_id=self.run_id)
        except RunNotFound:
            return None

    def _row_state(self) -> str:
        run = self._row()
        return recorded_state(run) if run is not None else fragments.run_refused(str(NOT_RUNNING))

    def _raw(self) -> str:
        run = self._row()
        return recorded_raw(run) if run is not None else raw_later()
