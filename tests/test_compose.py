"""compose.yaml, started as compose starts it, without a container runtime.

There is no Docker on the build machines, so the services compose would run from images
(PostgreSQL, Redis) are the machine's own, and everything else runs here with the exact
commands and environment compose.yaml gives it: the migrate job, two daphne app
processes, the evaluation worker, their health checks, and Caddy with the Caddyfile
compose mounts. What must change to run outside containers is changed and nothing more:
the services' host names become 127.0.0.1, the ports become free ones, and each
service's `python`/`daphne` is this interpreter's.
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import yaml
from cryptography.fernet import Fernet
from psycopg import sql
from websockets.asyncio.client import connect

from tests.conftest import chat_request, status_state
from tests.live_server import ROOT, server_env
from tests.ports import free_port, wait_for_port
from tests.test_limits_redis import REDIS_URL, needs_redis
from tests.test_production_image import dockerfile_env
from tests.test_redis_workers import url_with_db

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
POSTGRES_SERVER = os.environ.get(
    "PLAYGROUND_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# The compose test's own Redis database: its sessions and channel keys meet no other test's.
REDIS_DB = 14
# What the operator writes in .env (docs/compose.env.example).
DOT_ENV = {
    "POSTGRES_PASSWORD": "not-used-by-the-machines-trust-auth",
    "DJANGO_SECRET_KEY": "a-compose-test-secret-key-" + "x" * 30,
    "PLAYGROUND_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "PLAYGROUND_DOMAIN": "127.0.0.1",
}


def interpolate(text: str, variables: dict[str, str]) -> str:
    """compose's interpolation: ``$$``, ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}``."""

    def value(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group("name"), match.group("op"), match.group("arg")
        given = variables.get(name, "")
        if operator == ":?" and not given:
            raise AssertionError(f"compose would stop: {argument}")
        if operator == ":-" and not given:
            return argument
        return given

    return re.sub(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}", value, text)


def service(name: str) -> dict[str, Any]:
    return COMPOSE["services"][name]


def environment_of(name: str) -> dict[str, str]:
    return {key: interpolate(str(v), DOT_ENV) for key, v in service(name)["environment"].items()}


def on_this_machine(command: list[str]) -> list[str]:
    """A container's command for this machine: its interpreter, loopback, a given port."""
    if command[0] == "python":
        return [sys.executable, *command[1:]]
    if command[0] == "daphne":
        return [sys.executable, "-m", "daphne", *command[1:]]
    raise AssertionError(f"unexpected command {command}")


def served_on(command: list[str], port: int) -> list[str]:
    command = list(command)
    command[command.index("--bind") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    return command


def postgres_answers() -> bool:
    try:
        psycopg.connect(POSTGRES_SERVER, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


needs_postgres = pytest.mark.skipif(
    not os.environ.get("CI") and not postgres_answers(),
    reason=f"no PostgreSQL answers at {urlsplit(POSTGRES_SERVER).netloc}",
)


def needs(program: str) -> pytest.MarkDecorator:
    # With CI set (.ci/run installs it), a missing program fails the test instead.
    return pytest.mark.skipif(
        shutil.which(program) is None and not os.environ.get("CI"),
        reason=f"{program} is not installed (make proxy-deps)",
    )


def test_every_service_compose_starts_has_a_health_check_and_the_data_has_volumes():
    services = COMPOSE["services"]
    assert {"db", "redis", "migrate", "app1", "app2", "worker", "proxy"} <= set(services)
    for name in ("db", "redis", "app1", "app2", "worker", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    assert "postgres-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert any(volume.startswith("caddy-data:") for volume in services["proxy"]["volumes"])
    for name in ("app1", "app2", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app1"]["command"] == services["app2"]["command"]


def test_compose_stops_with_a_message_when_a_secret_is_missing_from_dot_env():
    missing = {k: v for k, v in DOT_ENV.items() if k != "DJANGO_SECRET_KEY"}
    text = str(service("app1")["environment"]["DJANGO_SECRET_KEY"])
    with pytest.raises(AssertionError, match=r"set DJANGO_SECRET_KEY in \.env"):
        interpolate(text, missing)


def test_the_apps_database_and_redis_are_the_compose_services():
    env = environment_of("app1")
    assert urlsplit(env["DATABASE_URL"]).hostname == "db"
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert env["DJANGO_ALLOWED_HOSTS"] == DOT_ENV["PLAYGROUND_DOMAIN"]
    assert env["DJANGO_SECURE_COOKIES"] == "true"


@contextmanager
def throwaway_database() -> Iterator[str]:
    name = f"playground_compose_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(POSTGRES_SERVER)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class Deployment:
    """The compose services that run here, started in compose's order."""

    def __init__(self, work: Path, database_url: str) -> None:
        self.work = work
        self.stack = ExitStack()
        self.env: dict[str, str] = {}
        for name in ("app1", "migrate", "worker"):
            assert environment_of(name) == environment_of("app1"), f"{name}'s environment"
        # The image's ENV, then the service's environment, then the services' addresses.
        self.env = server_env(work / "data", **dockerfile_env())
        self.env.update(environment_of("app1"))
        self.env.update(
            DATABASE_URL=database_url,
            REDIS_URL=url_with_db(REDIS_URL, REDIS_DB),
            DJANGO_DATA_DIR=str(work / "data"),
            DJANGO_STATIC_ROOT=str(work / "static"),
        )
        self.app_ports: list[int] = []

    def run(self, command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def start(self, name: str, command: list[str], port: int | None = None) -> None:
        log = (self.work / f"{name}.log").open("wb")
        self.stack.callback(log.close)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.stack.callback(self._end, process, name)
        if port is not None:
            wait_for_port(port, process, timeout=60)

    def _end(self, process: subprocess.Popen, name: str) -> None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.returncode not in (0, -15):
            print(f"--- {name}\n{(self.work / f'{name}.log').read_text(errors='replace')[-3000:]}")

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    with throwaway_database() as database_url:
        deployment = Deployment(tmp_path, database_url)
        # The image build's collectstatic (the Dockerfile's RUN), then compose's order.
        built = deployment.run([sys.executable, "manage.py", "collectstatic", "--noinput"])
        assert built.returncode == 0, built.stderr
        migrated = deployment.run(on_this_machine(service("migrate")["command"]))
        assert migrated.returncode == 0, migrated.stderr
        with deployment.stack:
            for name in ("app1", "app2"):
                port = free_port()
                command = served_on(on_this_machine(service(name)["command"]), port)
                deployment.start(name, command, port)
                deployment.app_ports.append(port)
            deployment.start("worker", on_this_machine(service("worker")["command"]))
            yield deployment


def healthcheck(deployment: Deployment, name: str, port: int | None = None) -> str:
    command = on_this_machine(service(name)["healthcheck"]["test"][1:])
    if port is not None:  # the container's check asks its own port 8000
        command += ["--url", f"http://127.0.0.1:{port}/healthz/"]
    done = deployment.run(command, timeout=30)
    assert done.returncode == 0, f"{name}'s health check: {done.stdout}{done.stderr}"
    return done.stdout.strip()


def sign_in(deployment: Deployment) -> str:
    done = deployment.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from django.test import Client; "
            "client = Client(); "
            "client.force_login(get_user_model().objects.create_user('compose-user')); "
            "print(client.cookies['sessionid'].value)",
        ]
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


@contextmanager
def caddy(deployment: Deployment) -> Iterator[int]:
    """Caddy with the Caddyfile compose mounts, its upstreams the two app processes."""
    config = COMPOSE["configs"]["caddyfile"]["content"]
    caddyfile = deployment.work / "Caddyfile"
    caddyfile.write_text(interpolate(config, DOT_ENV))
    port = free_port()
    proxy_env = {
        key: interpolate(str(v), DOT_ENV) for key, v in service("proxy")["environment"].items()
    }
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(deployment.work),
        "XDG_DATA_HOME": str(deployment.work / "caddy-data"),
        "XDG_CONFIG_HOME": str(deployment.work / "caddy-config"),
        **proxy_env,
        # The compose names and ports, as they are here; plain HTTP on loopback.
        "PLAYGROUND_SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "PLAYGROUND_APPS": " ".join(f"127.0.0.1:{p}" for p in deployment.app_ports),
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
    }
    with (deployment.work / "caddy.log").open("wb") as log:
        process = subprocess.Popen(
            ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, timeout=30)
        yield port
    finally:
        process.terminate()
        process.wait(10)


async def run_until_done(port: int, session_key: str) -> tuple[str, str]:
    """One run of the offline model over a websocket: its last state and its reply's text."""
    async with connect(
        f"ws://127.0.0.1:{port}/ws/run/",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session_key}"},
        proxy=None,
        open_timeout=30,
    ) as socket:
        await socket.send(json.dumps(chat_request("Hello from compose", provider="offline")))
        frames = []
        async with asyncio.timeout(30):
            while True:
                frame = str(await socket.recv())
                frames.append(frame)
                state = status_state(frame)
                if state and state != "running":
                    return state, "".join(frames)


@pytest.mark.timeout(240)
@needs_postgres
@needs_redis
@needs("caddy")
def test_the_services_start_as_compose_starts_them_and_serve_through_caddy(deployment):
    app1, app2 = deployment.app_ports
    assert healthcheck(deployment, "app1", app1) == "Healthy: database ok, redis ok."
    assert healthcheck(deployment, "app2", app2) == "Healthy: database ok, redis ok."
    assert healthcheck(deployment, "worker") == "Healthy: database ok, redis ok."
    session_key = sign_in(deployment)
    cookie = {"Cookie": f"sessionid={session_key}"}

    with caddy(deployment) as proxy:
        base = f"http://127.0.0.1:{proxy}"
        with httpx.Client(base_url=base, trust_env=False, timeout=20) as client:
            # Round robin: the page (and its static files, collected as in the image)
            # comes from both processes, and each serves the signed-in user's session.
            for _ in range(4):
                page = client.get("/", headers=cookie)
                assert page.status_code == 200, page.text[:500]
                assert "compose-user" in page.text
            assert client.get("/healthz/").json() == {
                "status": "ok",
                "database": "ok",
                "redis": "ok",
            }
        # The websocket passes through Caddy (the Upgrade is forwarded) to either process.
        for _ in range(2):
            state, frames = asyncio.run(run_until_done(proxy, session_key))
            assert state == "done", frames[-2000:]

    # Round robin: both app processes served pages and websockets through the proxy.
    for name in ("app1", "app2"):
        assert '"GET /" 200' in deployment.log(name), name
        assert '"WSCONNECT /ws/run/"' in deployment.log(name), name

    # The worker takes an evaluation queued by an app process and finishes it.
    queued = deployment.run([sys.executable, "manage.py", "shell", "-c", QUEUE_EVALUATION])
    assert queued.returncode == 0, queued.stderr
    evaluation = queued.stdout.split()[-1]
    deadline = time.monotonic() + 60
    while (status := evaluation_status(deployment, evaluation)) not in ("finished", "cancelled"):
        assert time.monotonic() < deadline, f"the evaluation is still {status}"
        time.sleep(0.5)
    assert status == "finished", deployment.log("worker")[-3000:]


QUEUE_EVALUATION = """
from django.contrib.auth import get_user_model
from playground.evals.execute import evaluation_create
from playground.evals.plan import plan_from_file_data
from playground.evals.tasks import evaluation_enqueue
from pathlib import Path
plan = plan_from_file_data({
    "request": {"mode": "chat", "provider": "offline",
                "body": {"model": "offline", "messages": [{"role": "user", "content": "{{n}}"}]}},
    "tests": [{"vars": {"n": str(n)}} for n in range(3)],
}, base_dir=Path("."))
user = get_user_model().objects.get(username="compose-user")
evaluation = evaluation_create(user=user, name="compose", plan=plan, concurrency=2)
evaluation_enqueue(evaluation.pk)
print(evaluation.pk)
"""


def evaluation_status(deployment: Deployment, evaluation: str) -> str:
    done = deployment.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from playground.evals.models import Evaluation; "
            f"print(Evaluation.objects.get(pk='{evaluation}').status)",
        ]
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]
