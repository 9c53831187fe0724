"""Processes the tests start the way a deployment does: daphne and manage.py, each a fresh
process configured through its environment (not a fork of pytest; see STACK-NOTES.md).

One place for what every such process is given: this process's environment without what
points at the tests' own database, Redis, providers or proxies, plus the settings a test
names.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
ASGI_APP = "playground.asgi:application"
_NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG"}
_PROXIES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a server process with its own data directory and ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _NOT_INHERITED
        and not key.startswith(("OPENAI_", "PLAYGROUND_"))
        and key.lower() not in _PROXIES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="playground.settings",
        DJANGO_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run ``manage.py args`` in ``env``; its standard output (raises if it fails)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stderr[-4000:]}"
    return done.stdout


@contextmanager
def running_daphne(env: dict[str, str], log: Path, timeout: float = 30.0) -> Iterator[int]:
    """A daphne process on a free port of 127.0.0.1, its output in ``log``; yields the port
    once it accepts connections, and ends it (by its PID) on leaving."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, timeout=timeout)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.returncode not in (0, -15):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")


@contextmanager
def running_daphnes(
    env: dict[str, str], logs: list[Path], timeout: float = 60.0
) -> Iterator[list[int]]:
    """Several daphne processes with the same environment (workers); yields their ports."""
    with ExitStack() as stack:
        yield [stack.enter_context(running_daphne(env, log, timeout)) for log in logs]
