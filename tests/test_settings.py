"""Settings from the environment: a mistyped OPENAI_BASE_URL or OPENAI_API_KEY stops the
start with a message naming the variable, instead of failing every run later."""

import os
import subprocess
import sys

import pytest

from tests.providerconfig.test_startup import ROOT, start


@pytest.mark.parametrize("url", ["localhost:11434/v1", "api.openai.com/v1", "ftp://x/v1"])
def test_a_base_url_without_http_refuses_to_start(tmp_path, url):
    result = start(tmp_path, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-x")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must start with http:// or https://" in result.stderr
    assert url in result.stderr


def test_a_key_with_a_character_http_cannot_carry_refuses_to_start(tmp_path):
    result = start(tmp_path, OPENAI_API_KEY="sk-abc\u200bdef")
    assert result.returncode != 0
    assert "OPENAI_API_KEY contains a character that is not ASCII" in result.stderr
    assert "sk-abc" not in result.stderr  # the key is not printed, not even in part


def test_a_local_server_url_starts(tmp_path):
    result = start(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:11434/v1")
    assert result.returncode == 0, result.stderr


def test_a_base_url_with_a_query_string_refuses_to_start_without_printing_it(tmp_path):
    result = start(tmp_path, OPENAI_BASE_URL="https://gw.example/v1?key=sk-SECRET-q")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must not have a query string" in result.stderr
    assert "SECRET" not in result.stderr


def test_a_base_url_with_a_password_refuses_to_start_without_printing_it(tmp_path):
    # It would otherwise be shown in the provider list ("OpenAI-compatible (…)").
    result = start(tmp_path, OPENAI_BASE_URL="https://me:SECRET-pw@gw.example/v1")
    assert result.returncode != 0
    assert "OPENAI_BASE_URL must not contain a user name or password" in result.stderr
    assert "SECRET" not in result.stderr


@pytest.mark.parametrize(
    ("env", "model"),
    [
        ({}, "omni-moderation-latest"),
        ({"OPENAI_MODERATION_MODEL": "llama-guard-3"}, "llama-guard-3"),
    ],
)
def test_openai_moderation_model_names_the_model_the_moderation_switch_sends(tmp_path, env, model):
    import os
    import subprocess
    import sys

    from tests.providerconfig.test_startup import ROOT

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PLAYGROUND_", "OPENAI_"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="playground.settings",
        DJANGO_DATA_DIR=str(tmp_path),
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        **env,
    )
    script = (
        "import django; django.setup(); "
        "from playground.providerconfig.lookup import get_provider; "
        "print(get_provider('openai').moderation_model)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == model


def _manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PLAYGROUND_", "OPENAI_"))
    }
    clean.update({"DJANGO_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_runs_first_command_says_a_bad_setting_in_one_sentence(tmp_path):
    # `make run` starts with manage.py migrate: a mistyped variable is one sentence there,
    # not a 50-line traceback.
    result = _manage(tmp_path, "migrate", "--noinput", OPENAI_BASE_URL="ftp://x/v1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "Prompt Playground cannot start: OPENAI_BASE_URL must start with http:// or https:// "
        "and name a host, with no spaces or quotes (got 'ftp://x/v1'), e.g. "
        "https://api.deepseek.com/v1, or http://127.0.0.1:11434/v1 for Ollama."
    ]
