"""The hot-path figures of ``make bench``, against a bare Channels relay (bench/bare_relay.py).

After the direct/playground comparisons, with the same fake upstream and database:

- **handshakes**: ``BENCH_HANDSHAKES`` signed-in websocket handshakes (32 in flight),
  daphne's CPU per handshake and the wall time, the playground against the bare relay;
- **bare relay at the highest concurrency**: its CPU per token and peak RSS, beside the
  playground's (the ratios the issue sets targets on);
- **all streams started at the same instant** (``BENCH_COLD_STREAMS``, default 1,50):
  each stream opens its socket and runs at once, its clock starting before the
  handshake; time to first token added over the direct call, playground and bare relay;
- **burst**: one stream from an upstream that sends all its tokens at once (its own fake
  upstream process at 0 s between tokens, its own playground and bare relay processes);
  time to first token, playground and bare relay.
"""

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil
from websockets.asyncio.client import connect

from bench.client import CONNECT_CONCURRENCY, ClientConfig
from bench.procs import PeakRss, Processes
from bench.report import console_table, machine, markdown_table
from bench.runner import run_scenario
from bench.stats import Scenario, percentile, scenario_from_result
from tests.ports import free_port, wait_for_port

MS = 1000.0
HOT_START = "<!-- bench:hotpath:start -->"
HOT_END = "<!-- bench:hotpath:end -->"


def _option(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def rss(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss


def start_bare_relay(
    processes: Processes, env: dict[str, str], name: str = "bare"
) -> tuple[int, str]:
    """Start the bare relay under daphne; return its PID and websocket URL."""
    port = free_port()
    args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    args.append("bench.bare_relay:application")
    process = processes._start(name, args, env, stdout=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process.pid, f"ws://127.0.0.1:{port}/ws/run/"


@dataclass
class Handshakes:
    count: int
    wall_seconds: float
    cpu_seconds: float
    failed: int

    @property
    def cpu_ms_each(self) -> float:
        return self.cpu_seconds / self.count * MS


def handshakes(config: ClientConfig, pid: int, count: int) -> Handshakes:
    """Open ``count`` sockets (``CONNECT_CONCURRENCY`` in flight), then close them all."""

    async def run() -> Handshakes:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        failed = 0

        async def open_one() -> Any:
            nonlocal failed
            async with gate:
                try:
                    return await connect(
                        config.ws_url,
                        origin=config.origin or None,  # type: ignore[arg-type]
                        additional_headers={"Cookie": f"sessionid={config.session_key}"},
                        proxy=None,
                        ping_interval=None,
                        open_timeout=30,
                    )
                except Exception:
                    failed += 1
                    return None

        before = _cpu(pid)
        started = time.perf_counter()
        sockets = await asyncio.gather(*(open_one() for _ in range(count)))
        wall = time.perf_counter() - started
        cpu = _cpu(pid) - before
        await asyncio.gather(*(s.close() for s in sockets if s is not None))
        await asyncio.sleep(1)  # let the server finish the closes before anything else is measured
        return Handshakes(count, wall, cpu, failed)

    return asyncio.run(run())


@dataclass
class PathFigures:
    """One path (direct, playground, bare) of one hot-path case, rounds pooled."""

    scenario: Scenario
    peak_rss: int = 0

    def ttft(self, q: float) -> float:
        return percentile(self.scenario.ttft(), q)

    def cpu_per_token(self) -> float:
        s = self.scenario
        return s.cpu("daphne") / s.delivered if s.delivered else float("nan")


@dataclass
class HotPath:
    handshakes: dict[str, Handshakes] = field(default_factory=dict)
    idle_rss: dict[str, int] = field(default_factory=dict)
    # (case, streams) -> path -> figures; case is "steady", "cold" or "burst"
    cases: dict[tuple[str, int], dict[str, PathFigures]] = field(default_factory=dict)


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    cpu: dict[str, float] = {}
    for result in results:
        for name, seconds in result["cpu_seconds"].items():
            cpu[name] = cpu.get(name, 0.0) + seconds
    return {
        **results[0],
        "cpu_seconds": cpu,
        "streams": [s for r in results for s in r["streams"]],
    }


def run_case(
    configs: dict[str, tuple[ClientConfig, dict[str, int]]],
    env: dict[str, str],
    work_dir: Path,
    streams: int,
    rounds: int,
    interval: float,
    tag: str,
) -> dict[str, PathFigures]:
    """Rounds of each path in turn (alternating, as bench.streams does); pooled figures."""
    results: dict[str, list[dict[str, Any]]] = {path: [] for path in configs}
    peaks = dict.fromkeys(configs, 0)
    for round_number in range(rounds):
        for path, (base, watch) in configs.items():
            config = replace(
                base, streams=streams, tag_prefix=f"{tag}{path}{streams}r{round_number}"
            )
            with PeakRss(watch["daphne"]) if "daphne" in watch else _NoRss() as rss:
                results[path].append(run_scenario(config, env, work_dir, watch))
            peaks[path] = max(peaks[path], rss.peak)
    return {
        path: PathFigures(
            scenario_from_result(_merge(results[path]), streams, configs[path][0].tokens, interval),
            peaks[path],
        )
        for path in configs
    }


class _NoRss:
    peak = 0

    def __enter__(self) -> "_NoRss":
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def measure(
    processes: Processes,
    env: dict[str, str],
    work_dir: Path,
    base: ClientConfig,
    watch: dict[str, int],
    highest: int,
    rounds: int,
    rate: float,
    idle_rss: int,
) -> HotPath:
    """Every hot-path case; ``base``/``watch`` are the running playground's (bench.streams)."""
    out = HotPath()
    bare_pid, bare_url = start_bare_relay(processes, env)
    bare = replace(base, ws_url=bare_url, origin="", session_key="")
    bare_watch = {"daphne": bare_pid, "upstream": watch["upstream"]}
    warm = replace(base, tokens=5, streams=2)
    run_scenario(replace(warm, ws_url=bare_url, tag_prefix="warmbare"), env, work_dir, bare_watch)
    # Both after their warm-up run; the playground's before its first measured round.
    out.idle_rss = {"playground": idle_rss, "bare": rss(bare_pid)}

    count = int(_option("BENCH_HANDSHAKES", "200"))
    out.handshakes = {
        "playground": handshakes(base, watch["daphne"], count),
        "bare": handshakes(bare, bare_pid, count),
    }
    print(
        f"  handshakes: playground {out.handshakes['playground'].cpu_ms_each:.2f} ms CPU each,"
        f" bare {out.handshakes['bare'].cpu_ms_each:.2f} ms",
        flush=True,
    )

    # The bare relay at the highest concurrency: CPU per token and peak RSS.
    started = time.monotonic()
    out.cases[("steady", highest)] = run_case(
        {"bare": (bare, bare_watch)}, env, work_dir, highest, rounds, 1 / rate, "steady"
    )
    print(f"  bare relay, {highest} streams: {time.monotonic() - started:.1f} s", flush=True)

    # All streams started at the same instant, handshake included.
    for streams in (int(n) for n in _option("BENCH_COLD_STREAMS", "1,50").split(",")):
        started = time.monotonic()
        out.cases[("cold", streams)] = run_case(
            {
                "direct": (replace(base, mode="direct"), watch),
                "playground": (replace(base, connect_in_window=True), watch),
                "bare": (replace(bare, connect_in_window=True), bare_watch),
            },
            env,
            work_dir,
            streams,
            rounds,
            1 / rate,
            "cold",
        )
        print(f"  cold start, {streams} streams: {time.monotonic() - started:.1f} s", flush=True)

    # A burst: its own upstream (no gap between tokens), playground and bare relay.
    started = time.monotonic()
    burst_upstream, burst_url = processes.start_upstream(env, 0)
    burst_env = {**env, "OPENAI_BASE_URL": burst_url}
    port = free_port()
    burst_daphne = processes.start_daphne(burst_env, port)
    burst_bare_pid, burst_bare_url = start_bare_relay(processes, burst_env, "bare-burst")
    burst = replace(
        base,
        upstream_url=burst_url,
        ws_url=f"ws://127.0.0.1:{port}/ws/run/",
        origin=f"http://127.0.0.1:{port}",
    )
    burst_bare = replace(burst, ws_url=burst_bare_url, origin="", session_key="")
    burst_watch = {"daphne": burst_daphne, "upstream": burst_upstream}
    burst_bare_watch = {"daphne": burst_bare_pid, "upstream": burst_upstream}
    for config, w in ((burst, burst_watch), (burst_bare, burst_bare_watch)):
        run_scenario(replace(config, tokens=5, streams=2, tag_prefix="warmburst"), env, work_dir, w)
    burst_rounds = max(rounds, int(_option("BENCH_BURST_ROUNDS", "10")))
    out.cases[("burst", 1)] = run_case(
        {
            "direct": (replace(burst, mode="direct"), burst_watch),
            "playground": (burst, burst_watch),
            "bare": (burst_bare, burst_bare_watch),
        },
        env,
        work_dir,
        1,
        burst_rounds,
        0.0,
        "burst",
    )
    print(f"  burst, 1 stream: {time.monotonic() - started:.1f} s", flush=True)
    return out


@dataclass
class Line:
    label: str
    playground: float
    bare: float
    unit: str
    limit: float | None = None  # a target on the ratio playground / bare

    @property
    def ratio(self) -> float:
        return self.playground / self.bare if self.bare else float("nan")

    def verdict(self) -> str:
        if self.limit is None:
            return ""
        return "PASS" if self.ratio <= self.limit else "FAIL"


def lines(hot: HotPath, steady_ws: Any, steady_peak: int, highest: int) -> list[Line]:
    """The figures compared with the bare relay; ``steady_ws`` is bench.streams's Comparison."""
    out = [
        Line(
            "handshake, daphne CPU each",
            hot.handshakes["playground"].cpu_ms_each,
            hot.handshakes["bare"].cpu_ms_each,
            "ms",
        ),
        Line(
            f"{hot.handshakes['playground'].count} handshakes, wall time",
            hot.handshakes["playground"].wall_seconds * MS,
            hot.handshakes["bare"].wall_seconds * MS,
            "ms",
        ),
        Line(
            "RSS before any stream",
            hot.idle_rss["playground"] / 2**20,
            hot.idle_rss["bare"] / 2**20,
            "MiB",
        ),
    ]
    bare_steady = hot.cases.get(("steady", highest), {}).get("bare")
    if bare_steady is not None and steady_ws is not None:
        out.append(
            Line(
                f"{highest} streams: daphne CPU per token",
                steady_ws.cpu_per_token() * 1e6,
                bare_steady.cpu_per_token() * 1e6,
                "µs",
                0.8,
            )
        )
        out.append(
            Line(
                f"{highest} streams: peak RSS",
                steady_peak / 2**20,
                bare_steady.peak_rss / 2**20,
                "MiB",
            )
        )
    for (case, streams), paths in sorted(hot.cases.items()):
        if case == "steady":
            continue
        direct = paths["direct"].ttft(50)
        what = "all started at once" if case == "cold" else "upstream burst"
        out.append(
            Line(
                f"{streams} streams, {what}: added TTFT p50",
                (paths["playground"].ttft(50) - direct) * MS,
                (paths["bare"].ttft(50) - direct) * MS,
                "ms",
            )
        )
    return out


def table(rows: list[Line], highest: int, peak_rss_mib: float) -> tuple[list[str], list[list[str]]]:
    header = ["figure", "playground", "bare relay", "ratio", "target"]
    body = []
    for line in rows:
        target = f"≤ {line.limit:g}× ({line.verdict()})" if line.limit is not None else ""
        body.append(
            [
                line.label,
                f"{line.playground:.2f} {line.unit}",
                f"{line.bare:.2f} {line.unit}",
                f"{line.ratio:.2f}×",
                target,
            ]
        )
    verdict = "PASS" if peak_rss_mib <= 100 else "FAIL"
    body.append(
        [
            f"{highest} streams: playground peak RSS",
            f"{peak_rss_mib:.0f} MiB",
            "",
            "",
            f"≤ 100 MiB ({verdict})",
        ]
    )
    return header, body


def report(hot: HotPath, comparisons: list[Any], write_docs: bool, docs: Path) -> None:
    """Print the hot-path table; write it between the hot-path markers of ``docs``."""
    highest = max(c.ws.streams for c in comparisons)
    steady = next(c for c in comparisons if c.ws.streams == highest)
    rows = lines(hot, steady, steady.peak_rss_bytes, highest)
    header, body = table(rows, highest, steady.peak_rss_bytes / 2**20)
    print()
    print("Hot path, against the bare Channels relay (bench/bare_relay.py):")
    print(console_table(header, body))
    if not write_docs or not docs.exists():
        return
    text = docs.read_text()
    if HOT_START not in text or HOT_END not in text:
        print(f"{docs} has no hot-path markers: figures not written")
        return
    info = machine()
    head, rest = text.split(HOT_START, 1)
    _, tail = rest.split(HOT_END, 1)
    handshake_count = hot.handshakes["playground"].count
    body_md = "\n".join(
        [
            f"Run of {info['date']}, commit {info['commit']} (plus uncommitted changes, if any);"
            f" {handshake_count} handshakes, burst rounds of 1 stream.",
            "",
            markdown_table(header, body),
        ]
    )
    docs.write_text(f"{head}{HOT_START}\n{body_md}\n{HOT_END}{tail}")
