"""The run socket's side of live watching: each run it starts is a ``LiveRun`` that its
watchers reach through this socket's channel (named in the watch link, links.py)."""

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from playground.live.links import LiveRunRef, watch_url
from playground.live.publisher import LiveRun
from playground.secrets_scrub import Scrubber


class LiveRunSocket(AsyncWebsocketConsumer):
    """A websocket consumer whose runs can be watched (playground.consumers.RunConsumer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Runs still answering watchers by id: the current one, and an earlier one until its
        # row is written (a run replaced by "Run again" is recorded after the new one starts).
        self.live_runs: dict[str, LiveRun] = {}
        self.live_current: LiveRun | None = None

    def live_start(
        self, *, run_id: Any, owner_id: int | None, team_id: int | None, scrubber: Scrubber
    ) -> tuple[LiveRun, str] | None:
        """A new run's ``LiveRun`` and its watch link; None without a channel layer."""
        if self.channel_layer is None:
            return None
        ref = LiveRunRef(
            run_id=str(run_id), channel=self.channel_name, owner_id=owner_id, team_id=team_id
        )
        live = LiveRun(
            run_id=ref.run_id,
            layer=self.channel_layer,
            scrubber=scrubber,
            on_closed=self._live_closed,
        )
        self.live_runs[ref.run_id] = live
        self.live_current = live
        return live, watch_url(ref)

    def _live_closed(self, live: LiveRun) -> None:
        if self.live_runs.get(live.run_id) is live:
            del self.live_runs[live.run_id]
        if self.live_current is live:
            self.live_current = None

    async def stop_run(self) -> None:
        """Stop the current run (the subclass's)."""
        raise NotImplementedError

    # Messages from watchers' sockets (live/consumers.py), on any process.

    async def live_hello(self, event: dict[str, Any]) -> None:
        live = self.live_runs.get(event["run"])
        if live is None:
            # Ended and closed: the watcher reads the row.
            await self.channel_layer.send(
                event["watcher"], {"type": "live.gone", "run": event["run"]}
            )
        else:
            live.hello(event["watcher"])

    async def live_bye(self, event: dict[str, Any]) -> None:
        live = self.live_runs.get(event["run"])
        if live is not None:
            live.bye(event["watcher"])

    async def live_stop(self, event: dict[str, Any]) -> None:
        # The watcher's socket checked that its user may stop the run (access.may_stop); this
        # socket stops it only while it is the run going on here.
        live = self.live_runs.get(event["run"])
        if live is not None and live is self.live_current:
            await self.stop_run()
