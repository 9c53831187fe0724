"""The app refuses to start in production without PLAYGROUND_ENCRYPTION_KEY; a laptop makes one."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Load the settings and the apps in a fresh process, as `daphne` or `manage.py` would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PLAYGROUND_"))}
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "playground.settings", "DJANGO_DATA_DIR": str(tmp_path)}
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_the_key_refuses_to_start(tmp_path):
    result = start(tmp_path, DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "PLAYGROUND_ENCRYPTION_KEY is not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr
    assert not (tmp_path / "encryption_key").exists()


def test_production_with_the_key_starts(tmp_path):
    result = start(
        tmp_path,
        DJANGO_SECRET_KEY="x" * 50,
        PLAYGROUND_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_key_that_is_not_a_fernet_key_refuses_to_start(tmp_path):
    result = start(tmp_path, PLAYGROUND_ENCRYPTION_KEY="hunter2")
    assert result.returncode != 0
    assert "PLAYGROUND_ENCRYPTION_KEY is not a valid Fernet key" in result.stderr


def test_a_laptop_generates_a_key_once_and_keeps_it(tmp_path):
    assert start(tmp_path).returncode == 0
    key_file = tmp_path / "encryption_key"
    first = key_file.read_text()
    Fernet(first.encode())  # a usable key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert start(tmp_path).returncode == 0
    assert key_file.read_text() == first


def test_debug_without_the_key_starts(tmp_path):
    result = start(tmp_path, DJANGO_SECRET_KEY="x" * 50, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
