"""With REDIS_URL set, every daphne worker reads one model list per provider from Redis:
a second worker does not ask the provider again, and a refresh in one is seen by all.
Without a reachable Redis the list is fetched live (the page never breaks on the cache).

Each "worker" is a fresh process started as daphne would start it (settings from the
environment), against the real Redis and the local fake upstream."""

import json
import subprocess
import sys

import pytest
import redis

from tests.providerconfig.test_startup import ROOT
from tests.test_limits_redis import REDIS_URL, closed_port, pytestmark  # noqa: F401

WORKER = """
import asyncio, json, sys
import django
django.setup()
from django.conf import settings
from playground.providers.discovery import provider_models, provider_models_store
from playground.providers.openai_compat import OpenAICompatibleProvider

provider = OpenAICompatibleProvider(name="openai", base_url=sys.argv[1], api_key="sk-test")
if sys.argv[2] == "store":
    asyncio.run(provider_models_store(provider, ["stored-model"]))
if sys.argv[2] == "thrice":
    for _ in range(2):
        asyncio.run(provider_models(provider))
print(json.dumps(asyncio.run(provider_models(provider))))
"""


def worker(tmp_path, base_url: str, redis_url: str, action: str = "list", log=None) -> list[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "playground.settings",
        "DJANGO_DATA_DIR": str(tmp_path),
        "REDIS_URL": redis_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", WORKER, base_url, action],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    if log is not None:
        log.append(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared_cache():
    yield
    with redis.Redis.from_url(REDIS_URL) as client:
        for key in client.scan_iter("playground:*models*"):
            client.delete(key)


def test_a_second_worker_reads_the_list_the_first_one_fetched(
    tmp_path, fake_upstream, shared_cache
):
    assert worker(tmp_path, fake_upstream.base_url, REDIS_URL) == ["fake-model", "fake-model-mini"]
    # Another process: no memory shared with the first, only Redis.
    assert worker(tmp_path, fake_upstream.base_url, REDIS_URL) == ["fake-model", "fake-model-mini"]
    assert len(fake_upstream.requests_to("/models")) == 1


def test_a_refresh_in_one_worker_is_seen_by_the_others(tmp_path, fake_upstream, shared_cache):
    worker(tmp_path, fake_upstream.base_url, REDIS_URL, action="store")
    assert worker(tmp_path, fake_upstream.base_url, REDIS_URL) == ["stored-model"]


def test_without_a_reachable_redis_the_list_is_fetched_live(tmp_path, fake_upstream):
    unreachable = f"redis://127.0.0.1:{closed_port()}/0"
    assert worker(tmp_path, fake_upstream.base_url, unreachable) == [
        "fake-model",
        "fake-model-mini",
    ]
    assert worker(tmp_path, fake_upstream.base_url, unreachable) == [
        "fake-model",
        "fake-model-mini",
    ]
    assert len(fake_upstream.requests_to("/models")) == 2


def test_a_worker_without_redis_warns_once_and_stops_asking_it_for_a_while(tmp_path, fake_upstream):
    log: list[str] = []
    unreachable = f"redis://127.0.0.1:{closed_port()}/0"
    worker(tmp_path, fake_upstream.base_url, unreachable, action="thrice", log=log)
    assert log[0].count("Model lists: Redis did not answer") == 1
    assert len(fake_upstream.requests_to("/models")) == 3  # every list asked live
