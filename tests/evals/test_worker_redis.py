"""In the deployment (REDIS_URL): a worker process's progress reaches a page on a daphne
process through the Redis channel layer, cell by cell, with no polling of the database."""

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.evals.test_worker import worker
from tests.fake_upstream import FakeUpstream, Scenario
from tests.live_server import ROOT, running_daphne, server_env
from tests.test_limits_redis import REDIS_URL, needs_redis
from tests.test_redis_workers import REDIS_DB, url_with_db

pytestmark = needs_redis
ROWS = 6

SETUP = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
import json, sys
from pathlib import Path
from django.contrib.auth import get_user_model
from django.test import Client
from playground.evals.execute import evaluation_create
from playground.evals.plan import plan_from_file_data
from playground.evals.tasks import evaluation_enqueue
user = get_user_model().objects.create_user("eval-watcher")
client = Client()
client.force_login(user)
plan = plan_from_file_data(json.loads(sys.stdin.read()), base_dir=Path("."))
evaluation = evaluation_create(user=user, name="watched", plan=plan, concurrency=2)
evaluation_enqueue(evaluation.pk)
print(client.cookies["sessionid"].value, evaluation.pk)
"""


def set_up(env: dict[str, str], plan: dict) -> list[str]:
    """Migrate, sign a user in, queue the evaluation: the session key and its id."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()[-2:]


@pytest.mark.timeout(120)
async def test_a_workers_cells_reach_the_page_through_redis(
    tmp_path: Path, fake_upstream: FakeUpstream
):
    fake_upstream.default = Scenario(tokens=lambda body: [" fine"] * 5, tokens_per_second=25)
    env = server_env(
        tmp_path,
        REDIS_URL=url_with_db(REDIS_URL, REDIS_DB),
        OPENAI_BASE_URL=fake_upstream.base_url,
        OPENAI_API_KEY="sk-test-eval-redis-not-a-real-key",
    )
    plan = {
        "request": {
            "mode": "chat",
            "provider": "openai",
            "body": {
                "model": "m",
                "messages": [{"role": "user", "content": "{{n}}"}],
                "stream": True,
            },
        },
        "tests": [
            {"vars": {"n": str(n)}, "assert": [{"type": "contains", "value": "fine"}]}
            for n in range(ROWS)
        ],
    }
    session_key, evaluation = await asyncio.to_thread(set_up, env, plan)
    # With REDIS_URL the page's socket reads nothing from the database after connecting:
    # every cell below arrives from the worker's process through Redis.
    with running_daphne(env, tmp_path / "daphne.log") as port:
        socket = await connect(
            f"ws://127.0.0.1:{port}/ws/evaluation/{evaluation}/",
            origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={session_key}"},
            proxy=None,
            open_timeout=30,
        )
        first = await socket.recv()
        assert "0 of 6 cells" in first  # nothing had finished: the worker was not started
        cells: set[str] = set()
        with worker(env, tmp_path / "worker.log"):
            async with asyncio.timeout(60):
                while len(cells) < ROWS:
                    frame = str(await socket.recv())
                    cells.update(re.findall(r'id="(cell-\d+)"[^>]*data-status="passed"', frame))
                final = str(await socket.recv())
                while "Finished" not in final:
                    final = str(await socket.recv())
        await socket.close()
    assert len(cells) == ROWS
    assert f"{ROWS} of {ROWS} cells · Finished" in final
