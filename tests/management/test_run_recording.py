"""The terminal's runs in the history: run_request and run_preset record them, ``runs`` lists
them, ``purge_runs`` deletes their text. Real subprocesses, as a user types them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_API_KEY
from tests.fake_upstream import FakeUpstream, Scenario

ROOT = Path(__file__).resolve().parents[2]

REQUEST = {
    "mode": "chat",
    "provider": "openai",
    "body": {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Say hello"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    },
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A migrated data directory with the local account `make run` creates, and bob."""
    path = tmp_path_factory.mktemp("cli-history")
    env = _env(path, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    script = (
        "from django.contrib.auth.models import User;"
        "User.objects.create_superuser('admin');User.objects.create_user('bob')"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return path


def _env(data_dir: Path, upstream: FakeUpstream | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "PLAYGROUND_", "DJANGO_ALLOW_ASYNC", "DATABASE_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="playground.settings", DJANGO_DATA_DIR=str(data_dir))
    if upstream is not None:
        env.update(
            OPENAI_BASE_URL=upstream.base_url,
            OPENAI_API_KEY=TEST_API_KEY,
            PLAYGROUND_READ_TIMEOUT="2",
        )
    return env


def manage(
    data_dir: Path, upstream: FakeUpstream | None, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(data_dir, upstream),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def recorded(data_dir: Path, *args: str) -> list[dict]:
    result = manage(data_dir, None, "runs", "--json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_run_request_records_its_run_as_the_local_account(data_dir, fake_upstream: FakeUpstream):
    fake_upstream.answer_next(Scenario(tokens=lambda body: ["Hello", " there"]))
    result = manage(data_dir, fake_upstream, "run_request", "-", stdin=json.dumps(REQUEST))
    assert result.returncode == 0 and result.stdout.startswith("Hello there")
    assert "Saved in the history as run " in result.stderr
    run = recorded(data_dir, "--limit", "1")[0]
    assert run["user"] == "admin" and run["status"] == "finished"
    assert run["source"] == "terminal" and run["output"] == "Hello there"
    assert run["request"]["body"] == fake_upstream.chat_requests[-1].body
    assert run["usage"]["estimated"] is False and run["usage"]["completion_tokens"] == 2
    assert run["cost_usd"] > 0  # the shipped price of gpt-4o
    assert run["first_token_ms"] is not None and run["total_ms"] >= run["first_token_ms"]
    assert set(run) >= {"id", "created", "provider", "model", "mode"}
    assert TEST_API_KEY not in json.dumps(run)


def test_run_request_records_as_another_user_or_not_at_all(data_dir, fake_upstream):
    before = len(recorded(data_dir, "--limit", "1000"))
    assert (
        manage(
            data_dir, fake_upstream, "run_request", "--user", "bob", "-", stdin=json.dumps(REQUEST)
        ).returncode
        == 0
    )
    assert recorded(data_dir, "--user", "bob")[0]["user"] == "bob"
    assert (
        manage(
            data_dir, fake_upstream, "run_request", "--no-record", "-", stdin=json.dumps(REQUEST)
        ).returncode
        == 0
    )
    assert len(recorded(data_dir, "--limit", "1000")) == before + 1
    unknown = manage(
        data_dir, fake_upstream, "run_request", "--user", "nobody", "-", stdin=json.dumps(REQUEST)
    )
    assert unknown.returncode == 2 and "--user: no active user is named 'nobody'" in unknown.stderr


def test_a_failed_terminal_run_is_recorded_as_failed(data_dir, fake_upstream):
    fake_upstream.answer_next(Scenario(status=400, error_message="Nope, bad model"))
    result = manage(
        data_dir, fake_upstream, "run_request", "--user", "bob", "-", stdin=json.dumps(REQUEST)
    )
    assert result.returncode == 1
    run = recorded(data_dir, "--user", "bob", "--limit", "1")[0]
    assert run["status"] == "failed" and "Nope, bad model" in run["error"]


def test_run_preset_runs_a_saved_version_with_variables(data_dir, fake_upstream):
    script = (
        "from django.contrib.auth.models import User;"
        "from playground.presets.services import preset_create, preset_save;"
        "import json, sys;"
        f"r=json.loads({json.dumps(json.dumps(REQUEST))});"
        "p=preset_create(owner=User.objects.get(username='admin'),name='Greeter',request=r);"
        "r['body']['messages'][0]['content']='Say hello v2';"
        "preset_save(preset_id=p.pk,author=p.owner,request=r,base_version=None);"
        "print(p.pk)"
    )
    created = manage(data_dir, None, "shell", "-c", script)
    preset_id = created.stdout.strip().splitlines()[-1]
    fake_upstream.answer_next(Scenario(tokens=lambda body: ["v1 answer"]))
    result = manage(
        data_dir, fake_upstream, "run_preset", "Greeter", "--version", "1", "--var", "city=Paris"
    )
    assert result.returncode == 0, result.stderr
    assert fake_upstream.chat_requests[-1].body["messages"][0]["content"] == "Say hello"
    run = recorded(data_dir, "--limit", "1")[0]
    assert (run["preset"], run["preset_version"]) == (preset_id, 1)
    assert run["request"]["variables"] == {"city": "Paris"}
    result = manage(data_dir, fake_upstream, "run_preset", preset_id)
    assert fake_upstream.chat_requests[-1].body["messages"][0]["content"] == "Say hello v2"
    missing = manage(data_dir, fake_upstream, "run_preset", "No such preset")
    assert missing.returncode == 2 and "No preset you may run" in missing.stderr
    bad_version = manage(data_dir, fake_upstream, "run_preset", "Greeter", "--version", "9")
    assert bad_version.returncode == 2 and "has no version 9" in bad_version.stderr
    bob_tries = manage(data_dir, fake_upstream, "run_preset", preset_id, "--user", "bob")
    assert bob_tries.returncode == 2  # admin's private preset


def test_runs_searches_and_purge_runs_deletes_text_but_keeps_usage(data_dir, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda body: ["今天天气很好"]))
    chinese = {
        **REQUEST,
        "body": {**REQUEST["body"], "messages": [{"role": "user", "content": "天气怎么样"}]},
    }
    manage(data_dir, fake_upstream, "run_request", "--user", "bob", "-", stdin=json.dumps(chinese))
    found = recorded(data_dir, "--search", "天气")
    assert len(found) == 1 and found[0]["output"] == "今天天气很好"
    assert recorded(data_dir, "--search", "100%_'\"") == []
    table = manage(data_dir, None, "runs", "--limit", "2")
    assert table.returncode == 0 and "gpt-4o" in table.stdout
    purge = manage(data_dir, None, "purge_runs", "--older-than", "0", "--user", "bob")
    assert purge.returncode == 0 and purge.stdout.startswith("Deleted the text of ")
    runs = recorded(data_dir, "--user", "bob", "--limit", "1000")
    assert all(run["request"] is None and run["output"] is None for run in runs)
    assert any(run["usage"]["total_tokens"] for run in runs)
    assert recorded(data_dir, "--search", "天气") == []
    assert manage(data_dir, None, "purge_runs", "--older-than", "-1").returncode == 1
