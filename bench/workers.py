"""``make bench`` (also alone: ``make bench-redis``): the multi-worker deployment.

Two daphne processes behind one Redis (``REDIS_URL``: channel layer, run limits, breakers)
and one PostgreSQL database (``DATABASE_URL``: sessions, users), as docs/deploy.md sets
them up, against one such process. The same streams (200 by default, each of 400 tokens
from tests.fake_upstream at 1000 tokens/s: far more than one process can relay, so that
the servers rather than the upstream's pacing bound the throughput) go through one process,
then spread over both (client process k talks to worker k mod 2), alternating, in rounds.
In the first round of each, the open sockets first stay idle for BENCH_REDIS_HOLD_SECONDS (20 s, longer than
every Redis timeout a socket meets), as a page that waits for its user does.

It reports, per layout: sockets dropped (closed by the server while idle or mid-run; must
be 0), tokens delivered and lost, the throughput (delivered tokens per second of the
measured window) and its ratio two/one, CPU per token of the daphne processes and of the
fake upstream, time to first token; and how often a worker's run limits or breakers fell
back to counting alone ("Redis did not answer" in its log: 0 unless a worker is starved
of CPU for seconds, see docs/deploy.md). Exit status 1 if a socket was dropped or a token
lost or misrouted; 0 with a note if Redis or PostgreSQL is not there (nothing measured).

Options (environment): BENCH_REDIS=0 (skip it), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14, a database of the bench's own; nothing is flushed, the keys
expire by themselves), BENCH_POSTGRES_URL (a server where a throw-away database is created
and dropped; default postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_STREAMS=200,
BENCH_REDIS_TOKENS=400, BENCH_REDIS_TOKENS_PER_SECOND=1000, BENCH_REDIS_ROUNDS=2,
BENCH_REDIS_HOLD_SECONDS=20, BENCH_RESULTS_DIR (keep the raw results and logs there).
"""

import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

from bench.client import ClientConfig
from bench.procs import Processes, bench_env, signed_in_session
from bench.runner import run_scenario
from bench.stats import Scenario, percentile, scenario_from_result
from bench.streams import _merge, _option
from tests.ports import free_port

LAYOUTS = {"one": 1, "two": 2}  # layout -> daphne processes the streams are spread over
FALLBACK_MARK = "Redis did not answer"


@dataclass
class Layout:
    name: str
    processes: int
    scenario: Scenario
    cpu_seconds: float  # of every daphne process, over the measured windows
    upstream_cpu_seconds: float
    wall_seconds: float

    @property
    def dropped(self) -> int:
        return self.scenario.states.count("dropped")

    @property
    def throughput(self) -> float:
        return self.scenario.delivered / self.wall_seconds if self.wall_seconds else math.nan


def _reachable(redis_url: str, postgres_url: str) -> str:
    """Why the mode cannot run here, or "" when Redis and PostgreSQL both answer."""
    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=2) as client:
            client.ping()
    except (redis.RedisError, OSError) as error:
        return f"no Redis answers at {urlsplit(redis_url).netloc} ({error})"
    try:
        psycopg.connect(postgres_url, connect_timeout=5).close()
    except psycopg.Error as error:
        return f"no PostgreSQL answers at {urlsplit(postgres_url).hostname} ({error})"
    return ""


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new PostgreSQL database on ``server_url``'s server, dropped afterwards; yields its URL."""
    name = f"playground_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _fallbacks(work_dir: Path) -> int:
    return sum(
        log.read_text(errors="replace").count(FALLBACK_MARK)
        for log in work_dir.glob("daphne-*.log")
    )


def measure(
    work_dir: Path, database_url: str, redis_url: str, options: dict[str, Any]
) -> list[Layout]:
    streams, tokens, rate = options["streams"], options["tokens"], options["rate"]
    processes = Processes(work_dir)
    try:
        env = bench_env(str(work_dir / "data"))
        env.update(DATABASE_URL=database_url, REDIS_URL=redis_url)
        upstream_pid, upstream_url = processes.start_upstream(env, rate)
        env["OPENAI_BASE_URL"] = upstream_url
        session_key = signed_in_session(env)
        servers, watch = [], {"upstream": upstream_pid}
        for k in range(max(LAYOUTS.values())):
            port = free_port()
            watch[f"daphne-{k}"] = processes.start_daphne(env, port, name=f"daphne-{k}")
            servers.append((f"ws://127.0.0.1:{port}/ws/run/", f"http://127.0.0.1:{port}"))
        base = ClientConfig(
            mode="ws",
            streams=streams,
            tokens=tokens,
            tag_prefix="",
            upstream_url=upstream_url,
            session_key=session_key,
            timeout=tokens / rate + 60,
        )
        # Warm-up of each process, not reported (templates, the provider's client).
        for k, server in enumerate(servers):
            warm = replace(base, tokens=5, streams=2, tag_prefix=f"warm{k}")
            run_scenario(warm, env, work_dir, watch, servers=[server])
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYOUTS}
        for round_number in range(options["rounds"]):
            for name, count in LAYOUTS.items():
                config = replace(base, tag_prefix=f"{name}r{round_number}")
                started = time.monotonic()
                runs[name].append(
                    run_scenario(
                        config,
                        env,
                        work_dir,
                        watch,
                        servers=servers[:count],
                        hold_seconds=options["hold"] if round_number == 0 else 0.0,
                    )
                )
                print(
                    f"  {name} process{'es' if count > 1 else ''}, round {round_number + 1}:"
                    f" {time.monotonic() - started:5.1f} s",
                    flush=True,
                )
    finally:
        processes.stop_all()
    layouts = []
    for name, count in LAYOUTS.items():
        merged = _merge(runs[name])
        cpu = sum(s for process, s in merged["cpu_seconds"].items() if process.startswith("daphne"))
        scenario = scenario_from_result(merged, streams, tokens, 1 / rate)
        upstream = merged["cpu_seconds"]["upstream"]
        layouts.append(Layout(name, count, scenario, cpu, upstream, merged["wall_seconds"]))
    return layouts


def report(layouts: list[Layout], fallbacks: int, context: str) -> list[str]:
    """The table (markdown, as docs/benchmarks.md shows it) and the verdict lines."""
    one, two = layouts
    lines = [
        f"Two daphne processes behind one Redis and one PostgreSQL database, against one ({context})",
        "",
        "| daphne processes | streams | dropped sockets | delivered | lost | misrouted "
        "| broken streams | wall s | tokens/s | daphne CPU µs/token | upstream CPU µs/token "
        "| TTFT p50 ms | TTFT p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for layout in layouts:
        s = layout.scenario
        per_token = 1e6 / s.delivered if s.delivered else math.nan
        lines.append(
            f"| {layout.processes} | {len(s.states)} | {layout.dropped} | {s.delivered} "
            f"| {s.lost} | {s.misrouted} | {s.broken_streams} | {layout.wall_seconds:.2f} "
            f"| {layout.throughput:.0f} | {layout.cpu_seconds * per_token:.0f} "
            f"| {layout.upstream_cpu_seconds * per_token:.0f} "
            f"| {percentile(s.ttft(), 50) * 1000:.1f} | {percentile(s.ttft(), 99) * 1000:.1f} |"
        )
    lines += [
        "",
        f"Throughput of two processes against one: {two.throughput / one.throughput:.2f}×.",
        f"Run limits or breakers that fell back to counting alone: {fallbacks} (0 unless a "
        "worker is starved of CPU for seconds).",
    ]
    return lines


def main() -> int:
    if _option("BENCH_REDIS", "1") == "0":
        return 0
    redis_url = _option("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    postgres_url = _option("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    options = {
        "streams": int(_option("BENCH_REDIS_STREAMS", "200")),
        "tokens": int(_option("BENCH_REDIS_TOKENS", "400")),
        "rate": float(_option("BENCH_REDIS_TOKENS_PER_SECOND", "1000")),
        "rounds": int(_option("BENCH_REDIS_ROUNDS", "2")),
        "hold": float(_option("BENCH_REDIS_HOLD_SECONDS", "20")),
    }
    print("Multi-worker mode: two daphne processes, Redis and PostgreSQL", flush=True)
    missing = _reachable(redis_url, postgres_url)
    if missing:
        print(f"  skipped: {missing}")
        return 0
    context = (
        f"{options['streams']} streams of {options['tokens']} tokens at "
        f"{options['rate']:g} tokens/s, {options['rounds']} rounds, the first after "
        f"{options['hold']:g} s idle"
    )
    print(f"  {context}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp:
        work_dir = Path(os.environ.get("BENCH_RESULTS_DIR") or tmp)
        work_dir.mkdir(parents=True, exist_ok=True)
        try:
            with throwaway_database(postgres_url) as database_url:
                layouts = measure(work_dir, database_url, redis_url, options)
        except (RuntimeError, subprocess.SubprocessError) as error:
            print(f"bench failed: {error}", file=sys.stderr)
            for log in sorted(work_dir.glob("*.log")):
                print(f"--- {log.name} (last lines)", file=sys.stderr)
                print("\n".join(log.read_text().splitlines()[-20:]), file=sys.stderr)
            return 2
        fallbacks = _fallbacks(work_dir)
    print("\n".join(report(layouts, fallbacks, context)))
    broken = any(
        layout.dropped or layout.scenario.lost or layout.scenario.misrouted for layout in layouts
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
