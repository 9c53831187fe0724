"""Start and stop the processes the benchmark measures: the fake upstream and one daphne.

Each is a fresh process with its settings in environment variables (as in
production), started by PID and stopped by PID with SIGTERM in a ``finally``.
"""

import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import psutil

from tests.ports import wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def bench_env(data_dir: str) -> dict[str, str]:
    """The environment of every child: a throw-away database, quiet logs, laptop defaults."""
    env = dict(os.environ)
    # The laptop configuration (SQLite, in-memory channel layer), whatever the shell has.
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"):
        env.pop(name, None)
    # Provider connections honour the shell's proxy variables; the fake upstream is local.
    for name in list(env):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del env[name]
    env.update(
        DJANGO_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="playground.settings",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        OPENAI_API_KEY="sk-bench-not-a-real-key",
        PLAYGROUND_READ_TIMEOUT=env.get("PLAYGROUND_READ_TIMEOUT", "30"),
        # Every benchmark stream runs as one user: lift the per-user limits.
        PLAYGROUND_MAX_CONCURRENT_RUNS="100000",
        PLAYGROUND_MAX_RUNS_PER_MINUTE="1000000",
        PYTHONUNBUFFERED="1",
    )
    return env


def signed_in_session(env: dict[str, str], timeout: float = 120) -> str:
    """Migrate the database ``env`` names and return a signed-in session key
    (``python -m bench.session``, a process of its own: the benchmark never loads Django)."""
    return subprocess.run(
        [sys.executable, "-m", "bench.session"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    ).stdout.strip()


class Processes:
    """The children started by the benchmark; ``stop_all`` ends exactly those, by PID."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []
        self._logs: list[IO[bytes]] = []

    def _start(self, name: str, args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")
        self._logs.append(log)
        process = subprocess.Popen(args, cwd=ROOT, env=env, stderr=log, **kw)
        self.started.append(process)
        return process

    def start_upstream(self, env: dict[str, str], tokens_per_second: float) -> tuple[int, str]:
        """Start ``tests.fake_upstream``; return its PID and base URL (…/v1)."""
        args = [sys.executable, "-m", "tests.fake_upstream", "--port", "0"]
        args += ["--tokens-per-second", str(tokens_per_second)]
        process = self._start("upstream", args, env, stdout=subprocess.PIPE)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline().decode() if ready else ""
        if not line.startswith("listening "):
            raise RuntimeError(f"the fake upstream did not start: {line!r}")
        return process.pid, line.split()[1]

    def start_daphne(self, env: dict[str, str], port: int, name: str = "daphne") -> int:
        """Start one daphne process serving the playground, as `make run` does; its log is
        ``name``.log."""
        args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        args.append("playground.asgi:application")
        log = self.log_dir / f"{name}.log"
        process = self._start(name, args, env, stdout=subprocess.DEVNULL)
        try:
            wait_for_port(port, process)
        except RuntimeError as error:
            raise RuntimeError(f"daphne did not start ({error}); see {log}") from None
        return process.pid

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        for log in self._logs:
            log.close()


class PeakRss:
    """Samples one process's resident memory every ``period`` seconds, in a thread."""

    def __init__(self, pid: int, period: float = 0.05) -> None:
        self._process = psutil.Process(pid)
        self._period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak = 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self._period)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def high_water_rss(pid: int) -> int:
    """The kernel's own peak RSS of ``pid`` since it started (Linux VmHWM), 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
