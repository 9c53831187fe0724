"""Run one scenario: client processes started together, one shared measurement window.

The window opens when every client is ready (sockets open, warm), and closes
when every client has seen all its streams end; the CPU time of daphne and of
the fake upstream is read with psutil at both edges.
"""

import json
import select
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import IO, Any

import psutil

from bench.client import ClientConfig
from bench.procs import ROOT

STREAMS_PER_CLIENT = 100


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def _expect(process: subprocess.Popen, word: str, deadline: float) -> None:
    stdout: IO[bytes] = process.stdout  # type: ignore[assignment]
    ready, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
    line = stdout.readline().decode().strip() if ready else "(nothing before the deadline)"
    if line != word:
        raise RuntimeError(f"client {process.pid}: expected {word!r}, got {line!r}")


def _tell(processes: list[subprocess.Popen], word: str) -> None:
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(word.encode() + b"\n")
        process.stdin.flush()


def run_scenario(
    config: ClientConfig,
    env: dict[str, str],
    work_dir: Path,
    watch: dict[str, int],
    *,
    servers: list[tuple[str, str]] | None = None,
    hold_seconds: float = 0.0,
) -> dict[str, Any]:
    """Run ``config.streams`` streams over enough client processes; return the merged result.

    ``servers``: (websocket URL, origin) of each daphne process; client process k uses
    server k modulo their number (default: ``config``'s one). ``hold_seconds``: how long
    the open sockets stay idle before the streams start (outside the measured window).
    """
    servers = servers or [(config.ws_url, config.origin)]
    # At most STREAMS_PER_CLIENT streams per client process, at least one process per server,
    # the streams spread evenly.
    count = max(1, min(max(-(-config.streams // STREAMS_PER_CLIENT), len(servers)), config.streams))
    sizes = [config.streams // count + (k < config.streams % count) for k in range(count)]
    shares = [
        replace(
            config,
            streams=size,
            first_index=sum(sizes[:k]),
            ws_url=servers[k % len(servers)][0],
            origin=servers[k % len(servers)][1],
        )
        for k, size in enumerate(sizes)
    ]
    outputs = [work_dir / f"{config.tag_prefix}-{k}.json" for k in range(len(shares))]
    clients = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.client", json.dumps(asdict(share)), str(out)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for share, out in zip(shares, outputs, strict=True)
    ]
    try:
        for client in clients:
            _expect(client, "ready", time.monotonic() + 60)
        time.sleep(hold_seconds)
        before = {name: _cpu_seconds(pid) for name, pid in watch.items()}
        _tell(clients, "go")
        deadline = time.monotonic() + config.timeout + 10  # clients bound each stream
        for client in clients:
            _expect(client, "done", deadline)
        after = {name: _cpu_seconds(pid) for name, pid in watch.items()}
        _tell(clients, "close")
        for client in clients:
            if client.wait(timeout=60) != 0:
                raise RuntimeError(f"client {client.pid} exited with {client.returncode}")
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()  # our own child, by its Popen handle
                client.wait()
    results = [json.loads(out.read_text()) for out in outputs]
    cpu = {name: after[name] - before[name] for name in watch}
    cpu["client"] = sum(r["client_cpu_seconds"] for r in results)
    return {
        "mode": config.mode,
        "clients": len(clients),
        "wall_seconds": max(r["wall_seconds"] for r in results),
        "cpu_seconds": cpu,
        "ws_extensions": results[0].get("ws_extensions", ""),
        "streams": [stream for r in results for stream in r["streams"]],
    }
