"""The load generator: a share of N concurrent streams, through the playground or direct.

Run as ``python -m bench.client CONFIG_JSON OUT_PATH`` by bench.streams, which
starts one such process per 100 streams: the load generator's CPU then stays
apart from daphne's (and is measured), and no client event loop is saturated,
which would delay what it timestamps (one httpx process at 200 streams uses most
of a core and its direct baseline drifts by tens of milliseconds).

Control over stdin/stdout, so that all client processes share one measurement
window: the client prints ``ready`` once its sockets (or httpx client) are set
up, starts its streams on ``go``, prints ``done`` when they have ended, and
closes everything and writes its result on ``close``.

The hot loops only timestamp and store what arrives; parsing (HTML spans, SSE
events, token tags) happens after the run.
"""

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.parse import reply_pieces_from_frames, reply_pieces_from_sse

# Never more handshakes in flight than this: daphne's listen backlog is 50, and a
# refused SYN costs a 1 s retransmit that would only slow down the set-up phase.
CONNECT_CONCURRENCY = 32


@dataclass
class ClientConfig:
    mode: str  # "ws" (through the playground) or "direct" (straight to the upstream)
    streams: int
    tokens: int
    tag_prefix: str
    upstream_url: str  # …/v1
    ws_url: str = ""
    origin: str = ""
    session_key: str = ""
    timeout: float = 60.0
    first_index: int = 0  # this process's first stream number, so tags stay unique
    # Open each socket inside the measurement window, right before its run (a page that
    # connects and runs at once): the time to first token then includes the handshake.
    connect_in_window: bool = False


@dataclass
class StreamRecord:
    tag: str
    state: str = "pending"  # done, error, stopped, invalid, timeout, dropped, failed
    error: str = ""
    # (seconds since this stream's start, raw frame or raw bytes) as they arrived
    raw: list[tuple[float, Any]] = field(default_factory=list)


def chat_body(tag: str, tokens: int) -> dict[str, Any]:
    """The same upstream body on both paths; the fake upstream echoes ``tag`` in every token."""
    return {
        "model": "m",
        "messages": [{"role": "user", "content": tag}],
        "max_tokens": tokens,
        "stream": True,
        # As new requests from the page ask: the usage the run record keeps.
        "stream_options": {"include_usage": True},
    }


def run_message(tag: str, tokens: int) -> str:
    request = {"mode": "chat", "provider": "openai", "body": chat_body(tag, tokens)}
    return json.dumps({"action": "run", "request": request})


async def _ws_stream(
    sock: ClientConnection, record: StreamRecord, message: str, deadline: float
) -> None:
    clock = time.perf_counter
    raw = record.raw
    started = clock()
    try:
        async with asyncio.timeout_at(deadline):
            await sock.send(message)
            async for frame in sock:
                raw.append((clock() - started, frame))
                # The run ends with a status frame in any state but "running".
                if 'id="run-status"' in frame and 'data-state="running"' not in frame:
                    record.state = "ended"
                    return
        record.state = "dropped"
        record.error = f"the socket closed before the run ended ({sock.close_code})"
    except TimeoutError:
        record.state = "timeout"
    except ConnectionClosed as error:  # closed by the server while idle or mid-run
        record.state = "dropped"
        record.error = repr(error)
    except Exception as error:  # recorded, so that one broken stream cannot hide the others
        record.state = "failed"
        record.error = repr(error)


async def _direct_stream(
    client: httpx.AsyncClient, url: str, record: StreamRecord, body: dict, deadline: float
) -> None:
    clock = time.perf_counter
    raw = record.raw
    started = clock()
    try:
        async with asyncio.timeout_at(deadline):
            async with client.stream("POST", url, json=body) as response:
                if response.status_code != 200:
                    record.state = "failed"
                    record.error = f"HTTP {response.status_code}"
                    return
                async for chunk in response.aiter_raw():
                    raw.append((clock() - started, chunk))
        record.state = "ended"
    except TimeoutError:
        record.state = "timeout"
    except Exception as error:
        record.state = "failed"
        record.error = repr(error)


async def _command(expected: str) -> None:
    """Wait for the orchestrator's next line on stdin (in a thread: outside measurement)."""
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    if line.strip() != expected:
        raise SystemExit(f"expected {expected!r} on stdin, got {line!r}")


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


async def _measured(start_streams: Callable[[float], Awaitable[Any]]) -> dict[str, float]:
    """Between ``go`` and ``done``: run the streams, timing the window and our own CPU."""
    await _command("go")
    cpu = time.process_time()
    started = time.perf_counter()
    await start_streams(asyncio.get_running_loop().time())
    summary = {
        "wall_seconds": time.perf_counter() - started,
        "client_cpu_seconds": time.process_time() - cpu,
    }
    _say("done")
    return summary


async def _open_socket(config: ClientConfig) -> ClientConnection:
    return await connect(
        config.ws_url,
        origin=config.origin or None,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={config.session_key}"},
        proxy=None,
        ping_interval=None,  # no keepalive traffic inside the measurement
        open_timeout=30,
        max_size=None,
    )


async def _ws_cold_stream(
    config: ClientConfig, record: StreamRecord, message: str, deadline: float
) -> None:
    """Connect, then run: the stream's clock starts before the handshake."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout_at(deadline):
            sock = await _open_socket(config)
    except Exception as error:
        record.state = "failed"
        record.error = f"handshake: {error!r}"
        return
    try:
        connected = time.perf_counter() - started
        await _ws_stream(sock, record, message, deadline)
        # Offsets from the stream's start, handshake included.
        record.raw = [(offset + connected, frame) for offset, frame in record.raw]
    finally:
        await sock.close()


async def run_ws_cold(config: ClientConfig, records: list[StreamRecord]) -> dict[str, Any]:
    messages = [run_message(record.tag, config.tokens) for record in records]
    _say("ready")

    async def start_streams(now: float) -> None:
        deadline = now + config.timeout
        await asyncio.gather(
            *(
                _ws_cold_stream(config, record, message, deadline)
                for record, message in zip(records, messages, strict=True)
            )
        )

    summary = await _measured(start_streams)
    await _command("close")
    return {**summary, "ws_extensions": "?"}


async def run_ws(config: ClientConfig, records: list[StreamRecord]) -> dict[str, Any]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_socket() -> ClientConnection:
        async with gate:
            return await _open_socket(config)

    sockets = await asyncio.gather(*(open_socket() for _ in records))
    extensions = sockets[0].response.headers.get("Sec-WebSocket-Extensions", "")
    messages = [run_message(record.tag, config.tokens) for record in records]
    _say("ready")

    async def start_streams(now: float) -> None:
        deadline = now + config.timeout
        await asyncio.gather(
            *(
                _ws_stream(sock, record, message, deadline)
                for sock, record, message in zip(sockets, records, messages, strict=True)
            )
        )

    try:
        summary = await _measured(start_streams)
        await _command("close")
    finally:
        await asyncio.gather(*(sock.close() for sock in sockets), return_exceptions=True)
    return {**summary, "ws_extensions": extensions or "none"}


async def run_direct(config: ClientConfig, records: list[StreamRecord]) -> dict[str, Any]:
    url = f"{config.upstream_url}/chat/completions"
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(config.timeout),
        limits=httpx.Limits(max_connections=config.streams + 8),
        headers={"Authorization": "Bearer sk-bench"},
        trust_env=False,
    ) as client:
        # Warm-up: the first request of a process imports and sets up httpx's transport
        # (~20 ms); the playground's warm-up run paid the same on its side.
        warm_deadline = asyncio.get_running_loop().time() + config.timeout
        await _direct_stream(client, url, StreamRecord("w"), chat_body("w", 1), warm_deadline)
        bodies = [chat_body(record.tag, config.tokens) for record in records]
        _say("ready")

        async def start_streams(now: float) -> None:
            deadline = now + config.timeout
            await asyncio.gather(
                *(
                    _direct_stream(client, url, record, body, deadline)
                    for record, body in zip(records, bodies, strict=True)
                )
            )

        summary = await _measured(start_streams)
        await _command("close")
    return summary


def run(config: ClientConfig) -> dict[str, Any]:
    """Run the streams and return, per stream, its tag, end state and reply pieces."""
    records = [
        StreamRecord(f"{config.tag_prefix}s{config.first_index + k}") for k in range(config.streams)
    ]
    runner = run_ws if config.mode == "ws" else run_direct
    if config.mode == "ws" and config.connect_in_window:
        runner = run_ws_cold
    summary = asyncio.run(runner(config, records))
    streams = []
    for record in records:
        if config.mode == "ws":
            state, pieces = reply_pieces_from_frames(record.raw)
            frames = len(pieces)
        else:
            state, pieces = reply_pieces_from_sse(record.raw)
            frames = len(record.raw)
        if record.state == "ended":
            record.state = state
        streams.append({**asdict(record), "raw": None, "pieces": pieces, "frames": frames})
    return {**summary, "mode": config.mode, "streams": streams}


def main() -> None:
    config = ClientConfig(**json.loads(sys.argv[1]))
    result = run(config)
    with open(sys.argv[2], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
