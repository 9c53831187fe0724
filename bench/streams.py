"""``make bench``: concurrent streamed runs through the playground vs. straight to the upstream.

For 1, 50 and 200 concurrent streams (200 tokens each at 50 tokens/s from
tests.fake_upstream), run the same requests directly (httpx, SSE) and through
one daphne process (websocket), alternating, three rounds each; then print what
the playground adds: time to first token, per-token delay, daphne's CPU per token
and peak RSS, and whether any token was lost or reached the wrong stream (exit
status 1 if one was; a missed latency target is only reported). The method is
explained in docs/benchmarks.md, where the figures are also written.

Options (environment): BENCH_STREAMS="1,50,200", BENCH_ROUNDS=3, BENCH_TOKENS=200,
BENCH_TOKENS_PER_SECOND=50, BENCH_WRITE_DOCS=1, BENCH_RESULTS_DIR (keep the raw
results and logs there); PLAYGROUND_FRAME_BUDGET and PLAYGROUND_MIN_FRAME_INTERVAL
pass through to daphne.
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import hotpath
from bench.client import ClientConfig
from bench.procs import ROOT, PeakRss, Processes, bench_env, signed_in_session
from bench.report import print_report, write_markdown
from bench.runner import run_scenario
from bench.stats import Comparison, scenario_from_result
from tests.ports import free_port

DOCS = ROOT / "docs" / "benchmarks.md"


@dataclass
class Stack:
    """The running processes under test and how to reach them."""

    env: dict[str, str]
    work_dir: Path
    base: ClientConfig
    watch: dict[str, int]  # name -> PID whose CPU time is measured


def _option(name: str, default: str) -> str:
    return os.environ.get(name) or default


def start_stack(processes: Processes, work_dir: Path, tokens: int, rate: float) -> Stack:
    """Fake upstream, database with a signed-in session, then one daphne; all ready."""
    env = bench_env(str(work_dir / "data"))
    upstream_pid, upstream_url = processes.start_upstream(env, rate)
    env["OPENAI_BASE_URL"] = upstream_url
    session_key = signed_in_session(env)
    port = free_port()
    daphne_pid = processes.start_daphne(env, port)
    base = ClientConfig(
        mode="ws",
        streams=1,
        tokens=tokens,
        tag_prefix="",
        upstream_url=upstream_url,
        ws_url=f"ws://127.0.0.1:{port}/ws/run/",
        origin=f"http://127.0.0.1:{port}",
        session_key=session_key,
        # Generous: a stream needs tokens / rate seconds when nothing is wrong.
        timeout=tokens / rate + 30,
    )
    return Stack(env, work_dir, base, {"daphne": daphne_pid, "upstream": upstream_pid})


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the rounds of one (path, concurrency): all streams, summed CPU and time."""
    cpu: dict[str, float] = {}
    for result in results:
        for name, seconds in result["cpu_seconds"].items():
            cpu[name] = cpu.get(name, 0.0) + seconds
    return {
        **results[0],
        "wall_seconds": sum(r["wall_seconds"] for r in results),
        "cpu_seconds": cpu,
        "streams": [stream for r in results for stream in r["streams"]],
        "rounds": len(results),
    }


def compare(stack: Stack, streams: int, rounds: int, rate: float) -> Comparison:
    """Direct and playground rounds, alternating so that drifts affect both alike."""
    runs: dict[str, list[dict[str, Any]]] = {"direct": [], "ws": []}
    peak_rss = 0
    started = time.monotonic()
    for round_number in range(rounds):
        for mode in ("direct", "ws"):
            config = replace(
                stack.base, mode=mode, streams=streams, tag_prefix=f"{mode}{streams}r{round_number}"
            )
            with PeakRss(stack.watch["daphne"]) as rss:
                runs[mode].append(run_scenario(config, stack.env, stack.work_dir, stack.watch))
            if mode == "ws":
                peak_rss = max(peak_rss, rss.peak)
    direct, ws = (
        scenario_from_result(_merge(runs[mode]), streams, stack.base.tokens, 1 / rate)
        for mode in ("direct", "ws")
    )
    print(
        f"  {streams:>3} streams × {rounds} rounds: {time.monotonic() - started:5.1f} s,"
        f" {direct.delivered} + {ws.delivered} tokens delivered",
        flush=True,
    )
    return Comparison(direct, ws, peak_rss)


def main() -> int:
    concurrency = [int(n) for n in _option("BENCH_STREAMS", "1,50,200").split(",")]
    rounds = int(_option("BENCH_ROUNDS", "3"))
    tokens = int(_option("BENCH_TOKENS", "200"))
    rate = float(_option("BENCH_TOKENS_PER_SECOND", "50"))
    settings = ", ".join(
        f"{name}={os.environ.get(name) or 'default'}"
        for name in ("PLAYGROUND_FRAME_BUDGET", "PLAYGROUND_MIN_FRAME_INTERVAL")
    )
    settings += f"; {tokens} tokens per stream at {rate:g} tokens/s, {rounds} rounds"
    print(settings, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work_dir = Path(os.environ.get("BENCH_RESULTS_DIR") or tmp)
        work_dir.mkdir(parents=True, exist_ok=True)
        processes = Processes(work_dir)
        try:
            stack = start_stack(processes, work_dir, tokens, rate)
            # Warm-up, not reported: the first run compiles templates and builds the
            # provider's client, which a process pays once, not per run.
            warm = replace(stack.base, tokens=5, streams=2, tag_prefix="warm")
            run_scenario(warm, stack.env, work_dir, stack.watch)
            idle_rss = hotpath.rss(stack.watch["daphne"])
            comparisons = [compare(stack, streams, rounds, rate) for streams in concurrency]
            hot = None
            if _option("BENCH_HOTPATH", "1") == "1":
                hot = hotpath.measure(
                    processes,
                    stack.env,
                    work_dir,
                    stack.base,
                    stack.watch,
                    max(concurrency),
                    rounds,
                    rate,
                    idle_rss,
                )
        except (RuntimeError, subprocess.SubprocessError) as error:
            print(f"bench failed: {error}", file=sys.stderr)
            for log in sorted(work_dir.glob("*.log")):
                print(f"--- {log.name} (last lines)", file=sys.stderr)
                print("\n".join(log.read_text().splitlines()[-20:]), file=sys.stderr)
            return 2
        finally:
            processes.stop_all()
    context = {
        "settings": settings,
        "ws_extensions": comparisons[-1].ws.summary.get("ws_extensions") or "?",
    }
    print_report(comparisons, context)
    if hot is not None:
        hotpath.report(hot, comparisons, _option("BENCH_WRITE_DOCS", "1") == "1", DOCS)
    if _option("BENCH_WRITE_DOCS", "1") == "1":
        if write_markdown(DOCS, comparisons, context):
            print(f"figures written to {DOCS.relative_to(ROOT)}")
        else:
            print(f"{DOCS} has no results markers: figures not written")
    broken = any(
        s.lost or s.misrouted or s.broken_streams for c in comparisons for s in (c.direct, c.ws)
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
