"""A live run's side of watching: its frames kept, and published to its group while watched.

The run's own page is never kept waiting for a watcher: ``publish`` (called for every frame)
only appends the frame to a list, and wakes the sender when someone watches. The sender, a
task started with the first watcher, sends what accumulated since its last send as one
message (numbered: ``first``..``last``) with ``group_send``, which never waits for a
receiver: channel layers drop a message for a channel that is full (capacity). A batch
larger than ``MAX_BATCH_CHARS`` (the layer was slow for a long while) is dropped here too.
Either way a watcher sees a gap in the numbers and asks for the state so far: the frames
since the run started, in one message (``snapshot``), which rebuilds the page because the
first frame of a run clears it.

Messages (all carry ``run``, the run id):
- to the group: ``live.frames`` {first, last, html}; ``live.ended`` {last} after the run's
  final frame and its "saved in history" frame;
- to one watcher: ``live.snapshot`` {last, html, ended}.
Frames are scrubbed of the provider's secrets as they leave, like the runner's own frames.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from playground.live.links import group_name
from playground.secrets_scrub import Scrubber

logger = logging.getLogger(__name__)

SendHtml = Callable[[str], Awaitable[None]]

# Past this many characters waiting to be published, the batch is dropped (watchers then
# ask for the state so far): memory and message size stay bounded when the layer is slow.
MAX_BATCH_CHARS = 256 * 1024


class LiveRun:
    """One run's frames, for its watchers; the runner socket (runner.py) owns it."""

    def __init__(
        self,
        *,
        run_id: str,
        layer: Any,
        scrubber: Scrubber,
        on_closed: Callable[["LiveRun"], None],
    ) -> None:
        self.run_id = run_id
        self.group = group_name(run_id)
        self.layer = layer
        self.scrubber = scrubber
        self.frames: list[str] = []
        # Watchers' channels: those being sent batches, and those waiting for a snapshot.
        self.watchers: set[str] = set()
        self._asking: list[str] = []
        self._published = 0  # frames up to this number were sent (or skipped)
        self._ended = False
        self._closed = False
        self._on_closed = on_closed
        self._wake = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None

    def publish(self, html: str) -> None:
        """Keep a frame the runner's page got (the hot path: an append and a test)."""
        self.frames.append(html)
        if self.watchers:
            self._wake.set()

    def tee(self, send_html: SendHtml) -> SendHtml:
        """``send_html`` that also publishes each frame to the watchers."""

        async def send_and_publish(html: str) -> None:
            self.publish(html)
            await send_html(html)

        return send_and_publish

    def hello(self, watcher: str) -> None:
        """A watcher asks for the state so far (it joined, or it missed a batch)."""
        if self._closed:
            return
        self.watchers.add(watcher)
        self._asking.append(watcher)
        self._wake.set()
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_loop())
            self._sender.add_done_callback(_report_failure)

    def bye(self, watcher: str) -> None:
        self.watchers.discard(watcher)

    def end(self) -> None:
        """The run has ended and its last frame is kept: tell the watchers, then close."""
        self._ended = True
        if self._sender is None:
            self._close()  # nobody watched: nothing to send
        else:
            self._wake.set()

    def _close(self) -> None:
        self._closed = True
        self.frames = []
        self._on_closed(self)

    async def _send_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._send_pending()
            except Exception:
                # A channel layer that fails (Redis away) costs the watchers, never the run.
                logger.warning("A live run's frames could not be published", exc_info=True)
            if self._ended and not self._asking and self._published == len(self.frames):
                # No await between the last check and the close: a watcher asking later is
                # told the run is gone (runner.py) and reads the row.
                self._close()
                return

    async def _send_pending(self) -> None:
        last = len(self.frames)
        asking, self._asking = self._asking, []
        receiving = self.watchers.difference(asking)
        first = self._published + 1
        if first <= last:
            html = "".join(self.frames[first - 1 : last])
            self._published = last
            if receiving and len(html) <= MAX_BATCH_CHARS:
                await self.layer.group_send(
                    self.group,
                    {
                        "type": "live.frames",
                        "run": self.run_id,
                        "first": first,
                        "last": last,
                        "html": self.scrubber.scrub(html),
                    },
                )
        if asking:
            # After the batch above: a watcher's channel gets the batch, then the snapshot
            # that includes it, and every later batch starts after it.
            snapshot = self.scrubber.scrub("".join(self.frames[:last]))
            ended = self._ended and last == len(self.frames)
            for watcher in dict.fromkeys(asking):
                await self.layer.send(
                    watcher,
                    {
                        "type": "live.snapshot",
                        "run": self.run_id,
                        "last": last,
                        "html": snapshot,
                        "ended": ended,
                    },
                )
        if self._ended and self._published == len(self.frames) and receiving:
            await self.layer.group_send(
                self.group, {"type": "live.ended", "run": self.run_id, "last": last}
            )


def _report_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("A live run's sender failed", exc_info=task.exception())
