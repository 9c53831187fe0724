"""What a worker process loads: modules that few runs need are imported when first needed.

Each module kept out here is memory every daphne process would otherwise hold (measured
with ``python -X importtime`` and RSS; see docs/benchmarks.md). Checked in a fresh
interpreter that loads the ASGI application, as daphne does.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Loaded on first use only: jsonschema checks a request's JSON schema (response_format) and
# an evaluation's is-json assertion; redis-py (~6 MiB) is loaded only with REDIS_URL set, by
# the first call to Redis; PyYAML reads an evaluation's YAML file; Pygments' formatter (and
# lexers) colour an export or a fenced block of a reply. The lexers are not checked: httpx
# imports them for its command line when click is installed, as in the dev tools here
# (the runtime install has no click, so there they stay unloaded too).
LAZY = ["jsonschema", "redis", "yaml", "pygments.formatters"]


def test_the_asgi_application_does_not_load_what_few_runs_need(tmp_path):
    script = (
        "import json, sys\n"
        "from playground.asgi import application\n"
        # Every view module too, as the first request to the site loads them.
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
        f"print(json.dumps([m for m in {LAZY!r} if m in sys.modules]))\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"}
    }
    env.update(DJANGO_SETTINGS_MODULE="playground.settings", DJANGO_DATA_DIR=str(tmp_path))
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert loaded == "[]"


def test_a_json_schema_is_still_checked():
    from playground.spec_parts import check_json_schema

    assert check_json_schema({"type": "object"}) == {"type": "object"}
    try:
        check_json_schema({"type": 12})
    except ValueError as error:
        assert "not a valid JSON Schema" in str(error)
    else:
        raise AssertionError("an invalid schema was accepted")
