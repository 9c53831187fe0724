"""The evaluation worker, started as a deployment starts it (``manage.py eval_worker``, the
django-tasks database backend): it runs a queued evaluation, and when it is killed
mid-evaluation (kill -9) a restarted worker loses no finished cell and runs none twice."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TEST_API_KEY
from tests.fake_upstream import FakeUpstream, Scenario
from tests.live_server import ROOT, manage, server_env

ROWS = 12

CREATE = """
from playground.evals.execute import evaluation_create
from playground.evals.plan import plan_from_file_data
from playground.evals.tasks import evaluation_enqueue
from pathlib import Path
import json, sys
plan = plan_from_file_data(json.loads(sys.stdin.read()), base_dir=Path("."))
evaluation = evaluation_create(user=None, name="worker test", plan=plan, concurrency=2)
evaluation_enqueue(evaluation.pk)
print(evaluation.pk.hex)
"""


def env_for(data_dir: Path, upstream: FakeUpstream) -> dict[str, str]:
    return server_env(
        data_dir,
        OPENAI_BASE_URL=upstream.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PLAYGROUND_READ_TIMEOUT="5",
        PLAYGROUND_EVAL_HEARTBEAT_SECONDS="0.3",
        PLAYGROUND_EVAL_STALE_SECONDS="1.5",
    )


@contextmanager
def worker(env: dict[str, str], log: Path):
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "eval_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def query(data_dir: Path, sql: str, *args):
    with sqlite3.connect(data_dir / "db.sqlite3", timeout=10) as db:
        return db.execute(sql, args).fetchall()


def wait_until(condition, what: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"{what} did not happen in {timeout} s; worker log:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.1)


def finished_cells(data_dir: Path, evaluation: str) -> list[tuple]:
    return query(
        data_dir,
        "select id, run_id, finished_at, attempts from evals_evalcell "
        "where evaluation_id = ? and status in ('passed', 'failed', 'error') order by id",
        evaluation,
    )


@pytest.mark.timeout(180)
def test_a_killed_worker_loses_no_finished_cell_and_a_restarted_one_runs_none_twice(
    tmp_path, fake_upstream
):
    # Each cell streams for about half a second: a kill lands mid-evaluation.
    fake_upstream.default = Scenario(
        tokens=lambda body: [f" {body['messages'][0]['content']}", *[" ."] * 9],
        tokens_per_second=20,
    )
    env = env_for(tmp_path, fake_upstream)
    manage(env, "migrate", "--noinput")
    plan = {
        "request": {
            "mode": "chat",
            "provider": "openai",
            "body": {
                "model": "fake-model",
                "messages": [{"role": "user", "content": "row {{n}}"}],
                "stream": True,
            },
        },
        "tests": [
            {"vars": {"n": str(n)}, "assert": [{"type": "contains", "value": f"row {n}"}]}
            for n in range(ROWS)
        ],
    }
    created = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE],
        cwd=ROOT,
        env=env,
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=True,
    )
    evaluation = created.stdout.strip().splitlines()[-1]
    log = tmp_path / "worker.log"

    with worker(env, log) as first:
        wait_until(lambda: len(finished_cells(tmp_path, evaluation)) >= 4, "4 finished cells", log)
        os.kill(first.pid, signal.SIGKILL)  # no goodbye: as a crashed machine
        first.wait()
    before = finished_cells(tmp_path, evaluation)
    assert 4 <= len(before) < ROWS, "the kill did not land mid-evaluation"
    cut_off = query(
        tmp_path,
        "select count(*) from evals_evalcell where evaluation_id = ? and status = 'running'",
        evaluation,
    )[0][0]

    with worker(env, log):
        wait_until(
            lambda: (
                query(tmp_path, "select status from evals_evaluation where id = ?", evaluation)
                == [("finished",)]
            ),
            "the evaluation finishing on the restarted worker",
            log,
        )
    after = finished_cells(tmp_path, evaluation)
    assert len(after) == ROWS
    # The cells finished before the kill are untouched: same run, same time, one attempt.
    kept = {row[0]: row for row in after}
    assert [kept[row[0]] for row in before] == before
    assert all(row[3] == 1 for row in before)
    # One run per cell, every cell passed: nothing recorded twice, nothing lost.
    runs = query(tmp_path, "select count(*) from runs_run where source = 'evaluation'")[0][0]
    assert runs == ROWS
    assert query(
        tmp_path,
        "select count(*) from evals_evalcell where evaluation_id = ? and status = 'passed'",
        evaluation,
    ) == [(ROWS,)]
    # The cells cut off with the first worker ran again (a second attempt), and only those.
    retried = query(
        tmp_path,
        "select count(*) from evals_evalcell where evaluation_id = ? and attempts = 2",
        evaluation,
    )[0][0]
    assert retried == cut_off
    assert "lost its worker: queued again" in log.read_text()
