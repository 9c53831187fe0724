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
from tests.conftest import TEST_API_KEY

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
    bodies = [r.body for r in fake_upstream.chat_requests]
    assert len(bodies) == len(langs)
    for body in bodies:
        assert body == expected
    for r in fake_upstream.chat_requests:
        assert r.headers.get("authorization") == f"Bearer {TEST_API_KEY}"
