"""Run every exported snippet for real against the fake upstream and compare bodies."""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from playground.export import export
from playground.spec import ENDPOINTS, edit_body
from tests.conftest import TEST_API_KEY
from tests.openapi import assert_valid_request

NODE_DIR = Path(__file__).parent / "node"

HARD_TEXTS = {
    "quotes": "He said \"hi\" and 'bye'",
    "backslashes": "C:\\path\\n not a newline \\\\",
    "shell": "$HOME `whoami` $(id) ${X} !! \\$",
    "newlines": "line 1\nline 2\r\n\ttab",
    "emoji": "🙂👍🏽 family 👨‍👩‍👧",
    "chinese": "你好，世界。请总结一下。",
    "script": "</script><script>alert(1)</script>",
    "heredoc": "JSON\nJSON\n'''\"\"\"",
    "big": "A long document. " * 9000,  # > 128 KiB
}


def _chat(content: str, **params) -> dict:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}], **params}
    return {"mode": "chat", "provider": "openai", "body": body}


CORPUS = {f"text-{k}": _chat(v) for k, v in HARD_TEXTS.items()}
CORPUS |= {
    "stream": _chat("Stream me", stream=True),
    "params": _chat("p", temperature=0.7, top_p=0.9, max_tokens=50, n=2, seed=42),
    "stop-list": _chat("s", stop=["\n\n", "END", "$x", "'"]),
    "logit-bias": _chat("l", logit_bias={"50256": -100, "1234": 5}),
    "vllm-top-k": _chat("k", top_k=40, stream=True),
    "multi-turn": {
        "mode": "chat",
        "provider": "openai",
        "body": {
            "model": "fake-model",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "developer", "content": "No markdown."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Again"},
            ],
        },
    },
}


def _request(mode: str, **body) -> dict:
    return {"mode": mode, "provider": "openai", "body": {"model": "fake-model", **body}}


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": 'Weather for a city, "now"',
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}

CORPUS |= {
    "tools-auto-streamed": _chat(
        "Weather in Paris?", tools=[WEATHER_TOOL], tool_choice="auto", stream=True
    ),
    "tools-named-choice": _chat(
        "Weather?",
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        parallel_tool_calls=False,
    ),
    "tool-round-trip": _request(
        "chat",
        messages=[
            {"role": "system", "content": "Use tools."},
            {"role": "user", "content": "Weather in 北京 and Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "北京"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 3, "sky": "晴"}'},
            {"role": "tool", "tool_call_id": "call_2", "content": "rain $5 `x`"},
        ],
        tools=[WEATHER_TOOL],
        stream=True,
    ),
    "json-schema": _chat(
        "A person, please",
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "person",
                "strict": True,
                "schema": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                    "required": ["name", "age"],
                    "additionalProperties": False,
                },
            },
        },
    ),
    "json-object-logprobs": _chat(
        "JSON please",
        response_format={"type": "json_object"},
        logprobs=True,
        top_logprobs=5,
        presence_penalty=-1.5,
        frequency_penalty=2,
        user="user-42",
    ),
    "n-streamed-with-usage": _chat(
        "Two takes", n=3, stream=True, stream_options={"include_usage": True}, stop="END"
    ),
    "content-parts": _chat(
        [{"type": "text", "text": "Part one, "}, {"type": "text", "text": "part two 🙂"}]
    ),
    "completion-suffix-echo-logprobs": _request(
        "completion",
        prompt="def add(a, b):\n    ",
        suffix="\n\nprint(add(1, 2))",
        echo=True,
        logprobs=3,
        best_of=2,
        max_tokens=16,
    ),
    "completion-streamed-prompt-list": _request(
        "completion", prompt=["Once upon", "In 一个 land"], stream=True, max_tokens=8, n=2
    ),
    "embedding-list-dimensions": _request(
        "embedding", input=["cats purr", "dogs bark", "猫"], dimensions=8, encoding_format="float"
    ),
    "embedding-default-format": _request("embedding", input="one text, no encoding_format"),
    "embedding-base64": _request("embedding", input="b64", encoding_format="base64"),
    "edit-with-params": {
        "mode": "edit",
        "provider": "openai",
        "body": edit_body(
            "Fix the grammar; keep `code` and $vars.",
            "Me and him goes to 北京 tomorow.\nSecond line.",
            model="fake-model",
            temperature=0,
        ),
    },
    "moderation-list": _request("moderation", input=["I love you", "kill the process"]),
}


def _run(lang: str, snippet: str, workdir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_API_KEY": TEST_API_KEY}
    if lang == "python":
        (workdir / "snippet.py").write_text(snippet, encoding="utf-8")
        cmd = [sys.executable, "snippet.py"]
    elif lang == "node":
        path = NODE_DIR / f"snippet-{workdir.name}.mjs"
        path.write_text(snippet, encoding="utf-8")
        try:
            return subprocess.run(["node", str(path)], capture_output=True, env=env, timeout=30)
        finally:
            path.unlink()
    else:
        (workdir / "snippet.sh").write_text(snippet, encoding="utf-8")
        cmd = ["bash", "snippet.sh"]
    return subprocess.run(cmd, capture_output=True, env=env, timeout=30, cwd=workdir)


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """The real openai npm package, installed once into tests/export/node."""
    if not (NODE_DIR / "node_modules" / "openai").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    return NODE_DIR


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_snippets_send_the_playground_body(name, fake_upstream, node_sdk, tmp_path):
    request = CORPUS[name]
    langs = ("python", "node", "curl")
    snippets = {lang: export(lang, request) for lang in langs}
    for snippet in snippets.values():
        assert TEST_API_KEY not in snippet
    with ThreadPoolExecutor(len(langs)) as pool:
        results = dict(
            zip(
                langs,
                pool.map(
                    lambda lang: _run(lang, snippets[lang], Path(tempfile.mkdtemp(dir=tmp_path))),
                    langs,
                ),
                strict=True,
            )
        )
    for lang, result in results.items():
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
    expected = json.loads(export("json", request))
    assert expected == request["body"]
    assert_valid_request(request["mode"], expected)
    received = fake_upstream.requests_to(ENDPOINTS[request["mode"]])
    assert len(received) == len(langs)
    for r in received:
        assert r.body == expected
        assert r.headers.get("authorization") == f"Bearer {TEST_API_KEY}"


def test_the_corpus_is_at_least_25_hard_requests():
    assert len(CORPUS) >= 25
    assert {request["mode"] for request in CORPUS.values()} >= {
        "chat",
        "completion",
        "embedding",
        "moderation",
    }
