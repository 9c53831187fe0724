"""A Responses run through a real daphne process and a real websocket, against the fake
upstream: the reply streams in, and the inspector lists the typed events as they arrive."""

import asyncio
import html
import itertools
import json
import re
import time

from websockets.asyncio.client import connect

from tests.fake_upstream import Scenario
from tests.test_hot_path import REPLY, STATE, LiveServer, live_daphne

__all__ = ["live_daphne"]  # the module-scoped daphne fixture, shared with the hot path's

EVENT_TYPE = re.compile(r'data-event-type="([^"]+)"')


async def _run(server: LiveServer, body: dict) -> list[tuple[float, str]]:
    async with connect(
        server.ws_url,
        origin=server.origin,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={server.session_key}"},
        proxy=None,
        max_size=None,
    ) as sock:
        request = {"mode": "responses", "provider": "openai", "body": body}
        started = time.perf_counter()
        await sock.send(json.dumps({"action": "run", "request": request}))
        frames: list[tuple[float, str]] = []
        async with asyncio.timeout(60):
            async for frame in sock:
                assert isinstance(frame, str)
                frames.append((time.perf_counter() - started, frame))
                states = STATE.findall(frame)
                if states and states[-1] != "running":
                    return frames
    raise AssertionError("the socket closed before the run ended")


def test_event_types_are_listed_as_they_arrive_with_the_text(live_daphne, upstream_server):
    upstream_server.default = Scenario(tokens_per_second=100)
    try:
        body = {"model": "fake-model", "input": "Tides, please", "stream": True}
        frames = asyncio.run(_run(live_daphne, body))
    finally:
        upstream_server.default = Scenario()
    text = "".join(html.unescape(t) for _, frame in frames for t in REPLY.findall(frame))
    assert "Tides, please" in text
    listed = [EVENT_TYPE.findall(frame) for _, frame in frames if 'id="response-events"' in frame]
    # The list grows while the text streams: its first frames come before the end.
    assert listed[0] == ["response.created"]
    assert len(listed) >= 6 and all(a == b[: len(a)] for a, b in itertools.pairwise(listed))
    final = listed[-1]
    assert final[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert final[-1] == "response.completed"
    assert {"response.content_part.added", "response.output_text.delta"} <= set(final)
    first_list_at = next(at for at, frame in frames if 'id="response-events"' in frame)
    assert first_list_at < frames[-1][0] / 2
    counted = re.search(
        r"response\.output_text\.delta</code> <span class=\"muted\">× (\d+)", frames[-1][1]
    )
    assert counted and int(counted.group(1)) > 5
    assert re.search(r'data-response-id="resp_\w+"', frames[-1][1])
