"""The production image's configuration, run as its Dockerfile runs it (no Docker daemon needed).

The image sets DJANGO_STATIC_COLLECTED, runs collectstatic at build time and starts
daphne with its CMD. These tests do the same steps on this machine: the page must be
served with hashed, compressed static files by whitenoise, DEBUG off, and the
settings must refuse to start without the keys a deployment has to give.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def dockerfile_env() -> dict[str, str]:
    """The ENV block of the Dockerfile (KEY=value pairs, comments and continuations removed)."""
    block = re.search(r"^ENV (.*?)\n(?=\S)", DOCKERFILE, re.M | re.S).group(1)
    lines = [line.split("#")[0] for line in block.splitlines()]
    pairs = shlex.split(" ".join(line.rstrip().rstrip("\\") for line in lines))
    return dict(pair.split("=", 1) for pair in pairs)


def dockerfile_cmd() -> list[str]:
    return json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))


@pytest.fixture
def image_env(tmp_path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PLAYGROUND_", "OPENAI_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(dockerfile_env())
    env.update(
        DJANGO_DATA_DIR=str(tmp_path / "data"),
        DJANGO_STATIC_ROOT=str(tmp_path / "staticfiles"),
        DJANGO_SECRET_KEY="a-deployment-secret-key-for-the-image-test",
        PLAYGROUND_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DJANGO_SETTINGS_MODULE="playground.settings",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_image_runs_as_an_unprivileged_user_and_collects_static_files():
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)
    assert dockerfile_env()["DJANGO_STATIC_COLLECTED"] == "true"
    assert "collectstatic --noinput" in DOCKERFILE
    assert dockerfile_cmd()[0] == "daphne"


def test_the_image_serves_the_page_with_hashed_compressed_static_files(image_env):
    collected = manage(image_env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    assert manage(image_env, "migrate", "--noinput").returncode == 0

    port = free_port()
    cmd = dockerfile_cmd()
    cmd[cmd.index("--bind") + 1] = "127.0.0.1"  # tests bind loopback only
    cmd[cmd.index("--port") + 1] = str(port)
    daphne = subprocess.Popen(
        [sys.executable, "-m", *cmd], cwd=ROOT, env=image_env, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port, daphne, timeout=30.0)
        base = f"http://127.0.0.1:{port}"
        login = httpx.get(f"{base}/login/")
        assert login.status_code == 200
        # The sign-in page runs nothing: of the site's own scripts it loads only csrf.js.
        script = re.search(r'src="(/static/playground/csrf\.[0-9a-f]{12}\.js)"', login.text)
        assert script, "the page must reference the hashed file collectstatic wrote"
        assert not re.search(r"playground/(playground|run)\.[0-9a-f]{12}\.js", login.text)

        served = httpx.get(base + script.group(1), headers={"Accept-Encoding": "gzip"})
        assert served.status_code == 200
        assert served.headers["content-encoding"] == "gzip"
        assert "immutable" in served.headers["cache-control"]
        assert "X-CSRFToken" in served.text  # the script itself, not an error page

        missing = httpx.get(f"{base}/no-such-page/")
        assert missing.status_code in (302, 404)
        assert "Traceback" not in missing.text and "DEBUG = True" not in missing.text
    finally:
        daphne.terminate()
        daphne.wait(10)


def test_the_image_refuses_to_start_without_an_encryption_key(image_env):
    del image_env["PLAYGROUND_ENCRYPTION_KEY"]
    checked = manage(image_env, "check")
    assert checked.returncode != 0
    assert "PLAYGROUND_ENCRYPTION_KEY is not set" in checked.stderr
