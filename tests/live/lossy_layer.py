"""An in-memory channel layer that drops some of a live run's batches, as a full channel
does (channel layers drop past capacity without a word)."""

from typing import Any

from channels.layers import InMemoryChannelLayer


class LossyLayer(InMemoryChannelLayer):
    # Which batches of live frames are dropped: every third, from the second on.
    drop_every = 3

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batches = 0
        self.dropped = 0

    async def group_send(self, group: str, message: dict) -> None:
        if message.get("type") == "live.frames":
            self.batches += 1
            if self.batches % self.drop_every == 2:
                self.dropped += 1
                return
        await super().group_send(group, message)
