"""manage.py export_request: the same renderer from the terminal."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.leak_scan import collected

ROOT = Path(__file__).resolve().parents[2]

REQUEST = {
    "mode": "chat",
    "provider": {"base_url": "https://api.deepseek.com", "api_key_env": "DEEPSEEK_API_KEY"},
    "body": {"model": "deepseek-chat", "messages": [{"role": "user", "content": "你好 $HOME"}]},
}


def _export(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", "export_request", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    collected.add("snippet", result.stdout + result.stderr)  # for the key-leak scan
    return result


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("python", "base_url='https://api.deepseek.com'"),
        ("node", 'baseURL: "https://api.deepseek.com"'),
        ("curl", "'https://api.deepseek.com/chat/completions'"),
    ],
)
def test_an_inline_provider_exports_with_its_url_and_key_variable(lang, expected):
    result = _export("--lang", lang, "-", stdin=json.dumps(REQUEST))

    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "DEEPSEEK_API_KEY" in result.stdout
    assert "你好 $HOME" in result.stdout


def test_a_file_is_read_and_json_prints_the_body(tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")

    result = _export("--lang", "json", str(path))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == REQUEST["body"]


def test_an_invalid_request_fails_naming_the_field():
    bad = {**REQUEST, "body": {**REQUEST["body"], "n": 0}}

    result = _export("--lang", "curl", stdin=json.dumps(bad))

    assert result.returncode != 0
    assert "n: 0 is out of range (allowed: 1 to 128)" in result.stderr
    assert result.stdout == ""


def test_a_missing_file_is_a_plain_error():
    result = _export("--lang", "python", "/nonexistent/request.json")

    assert result.returncode != 0
    assert "Cannot read /nonexistent/request.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_saved_with_a_utf8_bom_is_read(tmp_path):
    # Windows editors (Notepad, PowerShell's Out-File) start UTF-8 files with a BOM.
    path = tmp_path / "request.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(REQUEST, ensure_ascii=False).encode())

    result = _export("--lang", "json", str(path))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == REQUEST["body"]


def test_a_file_that_is_not_utf8_is_a_plain_error(tmp_path):
    path = tmp_path / "request.json"
    path.write_bytes(json.dumps(REQUEST).replace("deepseek-chat", "caf\u00e9").encode("latin-1"))

    result = _export("--lang", "python", str(path))

    assert result.returncode != 0
    assert "is not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


def test_stdin_and_stdout_are_utf8_whatever_the_locale():
    # A snippet is UTF-8 text (every target language reads it); a terminal set to ASCII
    # must not turn 你好 into a traceback.
    done = subprocess.run(
        [sys.executable, "manage.py", "export_request", "--lang", "json", "-"],
        input=json.dumps(REQUEST, ensure_ascii=False).encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
    )

    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert json.loads(done.stdout.decode()) == REQUEST["body"]
