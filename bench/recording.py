"""``make bench`` (issue 14): does recording every run cost the stream anything?

Two daphne processes on the same database and the same fake upstream, one recording runs
(PLAYGROUND_RECORD_RUNS=1, the default) and one not (=0), each given the same load in
alternating rounds (so that drifts of a busy machine touch both alike): for 50 and 200
concurrent streams, time to first token, per-token lateness (p50, p99), CPU per token of
each daphne, and the runs recorded (must equal the streams of the recording daphne).
Then the record's own cost: ``run_record`` per run, timed on SQLite and PostgreSQL.

Options (environment): BENCH_RECORDING_STREAMS="50,200", BENCH_RECORDING_ROUNDS=3,
BENCH_TOKENS=200, BENCH_TOKENS_PER_SECOND=50.
"""

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.client import ClientConfig
from bench.procs import ROOT, Processes, bench_env, signed_in_session
from bench.runner import run_scenario
from bench.stats import percentile, scenario_from_result
from bench.streams import _merge
from tests.ports import free_port


def _option(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _recorded_runs(env: dict[str, str]) -> int:
    script = "from playground.runs.models import Run; print(Run.objects.count())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def measure_streams() -> list[dict[str, Any]]:
    concurrency = [int(n) for n in _option("BENCH_RECORDING_STREAMS", "50,200").split(",")]
    rounds = int(_option("BENCH_RECORDING_ROUNDS", "3"))
    tokens = int(_option("BENCH_TOKENS", "200"))
    rate = float(_option("BENCH_TOKENS_PER_SECOND", "50"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as tmp:
        work_dir = Path(os.environ.get("BENCH_RESULTS_DIR") or tmp)
        work_dir.mkdir(parents=True, exist_ok=True)
        processes = Processes(work_dir)
        try:
            env = bench_env(str(work_dir / "data"))
            watch: dict[str, int] = {}
            watch["upstream"], upstream_url = processes.start_upstream(env, rate)
            env["OPENAI_BASE_URL"] = upstream_url
            session_key = signed_in_session(env)
            configs = {}
            for name, record in (("recording", "1"), ("not-recording", "0")):
                port = free_port()
                watch[name] = processes.start_daphne(
                    {**env, "PLAYGROUND_RECORD_RUNS": record}, port, name=name
                )
                configs[name] = ClientConfig(
                    mode="ws",
                    streams=1,
                    tokens=tokens,
                    tag_prefix="",
                    upstream_url=upstream_url,
                    ws_url=f"ws://127.0.0.1:{port}/ws/run/",
                    origin=f"http://127.0.0.1:{port}",
                    session_key=session_key,
                    timeout=tokens / rate + 30,
                )
                warm = replace(
                    configs[name], tokens=5, streams=2, tag_prefix="warm" + name.replace("-", "")
                )
                run_scenario(warm, env, work_dir, {name: watch[name]})
            before = _recorded_runs(env)
            for streams in concurrency:
                results: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
                for round_number in range(rounds):
                    for name, config in configs.items():
                        # Tags are letters and digits (the upstream echoes them in tokens).
                        tag = name.replace("-", "")
                        config = replace(
                            config, streams=streams, tag_prefix=f"{tag}{streams}r{round_number}"
                        )
                        results[name].append(
                            run_scenario(config, env, work_dir, {name: watch[name]})
                        )
                for name in configs:
                    merged = _merge(results[name])
                    scenario = scenario_from_result(merged, streams, tokens, 1 / rate)
                    per_round_cpu = [r["cpu_seconds"][name] for r in results[name]]
                    delivered = max(scenario.delivered, 1)
                    rows.append(
                        {
                            "name": name,
                            "streams": streams,
                            "ttft_p50": percentile(scenario.ttft(), 0.5),
                            "late_p50": percentile(scenario.lateness(), 0.5),
                            "late_p99": percentile(scenario.lateness(), 0.99),
                            "cpu_us_per_token": scenario.cpu(name) / delivered * 1e6,
                            "cpu_spread": (max(per_round_cpu) - min(per_round_cpu))
                            / max(statistics.mean(per_round_cpu), 1e-9),
                            "lost": scenario.lost,
                        }
                    )
            recorded = _recorded_runs(env) - before
        finally:
            processes.stop_all()
    expected = sum(concurrency) * rounds
    print(
        f"  runs recorded by the recording daphne: {recorded} of {expected} streams"
        f" (the other daphne recorded none: {recorded == expected})"
    )
    return rows


def measure_record_cost() -> dict[str, float]:
    """Milliseconds per run_record call on SQLite and (if it answers) PostgreSQL."""
    figures = {}
    for name, url in (
        ("SQLite", ""),
        ("PostgreSQL", "postgres://postgres@127.0.0.1:5432/playground_bench_record_{pid}"),
    ):
        env = bench_env(tempfile.mkdtemp(prefix="bench-record-"))
        if url:
            env["DATABASE_URL"] = url.format(pid=os.getpid())
        result = subprocess.run(
            [sys.executable, "-m", "bench.record_cost"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            print(f"  run_record on {name}: not measured ({result.stderr.strip()[-200:]})")
            continue
        figures[name] = float(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> int:
    print("Recording every run: the same load on a daphne that records and one that does not")
    rows = measure_streams()
    print(
        f"  {'daphne':<14} {'streams':>7} {'TTFT p50':>9} {'late p50':>9} {'late p99':>9}"
        f" {'CPU/token':>10} {'CPU spread':>10} {'lost':>5}"
    )
    for row in rows:
        print(
            f"  {row['name']:<14} {row['streams']:>7} {row['ttft_p50'] * 1000:>7.1f}ms"
            f" {row['late_p50'] * 1000:>7.1f}ms {row['late_p99'] * 1000:>7.1f}ms"
            f" {row['cpu_us_per_token']:>8.1f}µs {row['cpu_spread'] * 100:>9.0f}% {row['lost']:>5}"
        )
    for streams in sorted({row["streams"] for row in rows}):
        on, off = (
            next(r for r in rows if r["streams"] == streams and r["name"] == name)
            for name in ("recording", "not-recording")
        )
        print(
            f"  {streams} streams: recording adds {(on['ttft_p50'] - off['ttft_p50']) * 1000:+.1f} ms"
            f" TTFT p50, {(on['late_p99'] - off['late_p99']) * 1000:+.1f} ms per-token p99,"
            f" {on['cpu_us_per_token'] - off['cpu_us_per_token']:+.1f} µs CPU per token"
            f" (rounds spread ±{max(on['cpu_spread'], off['cpu_spread']) * 50:.0f} %)"
        )
    for name, ms in measure_record_cost().items():
        print(f"  run_record on {name}: {ms:.2f} ms per run (one INSERT, in the database thread)")
    return 1 if any(row["lost"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
