"""Run every exported snippet for real against the fake upstream and compare bodies."""

import base64
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from playground.export import export
from playground.modes import REGISTRY, get_mode
from playground.providers import offline_images
from playground.providers.openai_format import Sender
from playground.spec import edit_body
from tests.conftest import TEST_API_KEY
from tests.fake_upstream import Scenario
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
    "image-every-gpt-parameter": _request(
        "image",
        prompt="A lighthouse at dusk, 'quoted' $HOME",
        model="gpt-image-1",
        size="1024x1536",
        quality="low",
        n=2,
        background="transparent",
        output_format="webp",
        output_compression=60,
        moderation="low",
        user="user-42",
    ),
    "image-dall-e-link": _request(
        "image",
        prompt="一只狐狸",
        model="dall-e-3",
        size="1024x1024",
        quality="hd",
        style="natural",
        response_format="url",
    ),
    "speech-every-parameter": _request(
        "speech",
        input="Read 'this' aloud: \"quoted\" $HOME `id` 你好",
        voice="coral",
        instructions="Slowly,\nwith 'care'.",
        response_format="wav",
        speed=1.25,
        stream_format="audio",
    ),
    "speech-sse-custom-voice": _request(
        "speech", input="Stream me.", voice={"id": "voice_1234"}, stream_format="sse"
    ),
    "text-control-characters": _chat(
        "nul \u0000 us \u001f del \u007f ls \u2028 ps \u2029 bom \ufeff"
    ),
    "text-big-chinese": _chat("一份很长的文件，包含引号“”和 $符号。\n" * 6000),  # > 128 KiB
    "nulls-and-odd-floats": _chat(
        "n", max_tokens=None, temperature=0.30000000000000004, top_p=1e-7, frequency_penalty=-0.0
    ),
    "gateway-extensions": _chat(
        "x",
        chat_template_kwargs={"enable_thinking": False},
        **{"x-gateway.option": "v", "extra_body": {"nested": True}, "timeout": 5},
        metadata={"k": "v"},
        store=True,
        stream=True,
    ),
    "responses-streamed": _request(
        "responses",
        input='Tell me about "tides" and $HOME',
        instructions="Be brief.",
        stream=True,
        temperature=0.5,
        max_output_tokens=200,
        metadata={"experiment": "v2"},
        store=True,
    ),
    "responses-function-call": _request(
        "responses",
        input=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[
            {
                "type": "function",
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                "strict": False,
            }
        ],
        tool_choice="required",
        parallel_tool_calls=False,
    ),
    "responses-json-schema": _request(
        "responses",
        input="Colours?",
        text={
            "format": {
                "type": "json_schema",
                "name": "colours",
                "schema": {
                    "type": "object",
                    "properties": {"colours": {"type": "array", "items": {"type": "string"}}},
                    "required": ["colours"],
                    "additionalProperties": False,
                },
                "strict": True,
            }
        },
        reasoning={"effort": "low", "summary": "auto"},
        stream=True,
        truncation="auto",
    ),
    "proto-keys": _chat(
        "p",
        **{"__proto__": {"polluted": True}},
        metadata={"__proto__": "x", "note": '"__proto__": {}'},
    ),
}


# What each mode's snippet prints from the fake upstream's reply.
PRINTED = {
    "chat": (" word0", "tool call"),
    "edit": (" word0",),
    "completion": (" word0",),
    "embedding": ("dimensions",),
    "moderation": ("flagged",),
    "image": ("saved image-1.", "image 1: http"),
    "speech": ("saved ",),
    "responses": ("response id: resp_",),
}


def same_json(a, b) -> bool:
    """JSON equality without Python's True == 1: true and 1 are different bodies. A number
    equals its value (JSON has one number type: JavaScript sends 1.0 as 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_same_json_tells_booleans_from_numbers():
    assert same_json({"a": [1, 2.0, "x", None]}, {"a": [1.0, 2, "x", None]})
    assert not same_json({"logprobs": True}, {"logprobs": 1})
    assert not same_json([0], [False])
    assert not same_json({"a": 1}, {"a": 1, "b": None})


def _run(
    lang: str, snippet: str, workdir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_API_KEY": TEST_API_KEY, **(env or {})}
    if lang == "python":
        (workdir / "snippet.py").write_text(snippet, encoding="utf-8")
        cmd = [sys.executable, "snippet.py"]
    elif lang == "node":
        path = NODE_DIR / f"snippet-{workdir.name}.mjs"
        path.write_text(snippet, encoding="utf-8")
        try:
            # In the work directory: an image snippet saves its files there.
            return subprocess.run(
                ["node", str(path)], capture_output=True, env=env, timeout=30, cwd=workdir
            )
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
    # The SDK snippets print the reply (streamed text, tool calls, vectors, verdicts).
    for lang in ("python", "node"):
        printed = results[lang].stdout.decode()
        assert any(marker in printed for marker in PRINTED[request["mode"]]), (lang, printed)
    expected = json.loads(export("json", request))
    assert same_json(expected, request["body"])
    assert_valid_request(request["mode"], expected)
    received = fake_upstream.requests_to(get_mode(request["mode"]).endpoint)
    assert len(received) == len(langs)
    for r in received:
        assert same_json(r.body, expected), (r.body, expected)
        assert r.headers.get("authorization") == f"Bearer {TEST_API_KEY}"


def test_the_corpus_is_at_least_25_hard_requests():
    assert len(CORPUS) >= 25
    # Modes that always upload a file (multipart, or to /files first) run their snippets
    # with the file beside them in their own tests (test_transcription_snippets.py,
    # tests/finetuning/test_fine_tuning_mode.py).
    json_modes = {
        name
        for name, mode in REGISTRY.items()
        if not mode.default_endpoint.multipart and not mode.uploaded_first
    }
    assert {request["mode"] for request in CORPUS.values()} == json_modes


@pytest.mark.django_db
def test_a_stored_providers_snippets_reach_its_url_with_its_own_key_variable(
    fake_upstream, node_sdk, tmp_path
):
    from tests.providerconfig.factories import DB_API_KEY, DB_HEADER_SECRET, make_provider_config

    make_provider_config(
        fake_upstream.base_url,
        name="open-router",
        extra_headers={"HTTP-Referer": DB_HEADER_SECRET},
    )
    request = _chat("你好 `$HOME`", stream=True, top_k=40)
    request["provider"] = "open-router"
    # The user's shell has the provider's key in its own variable, and no OpenAI key.
    env = {"OPEN_ROUTER_API_KEY": DB_API_KEY, "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    for lang in ("python", "node", "curl"):
        snippet = export(lang, request)
        assert fake_upstream.base_url in snippet
        assert DB_API_KEY not in snippet and DB_HEADER_SECRET not in snippet
        result = _run(lang, snippet, Path(tempfile.mkdtemp(dir=tmp_path)), env)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
    received = fake_upstream.requests_to(get_mode("chat").endpoint)
    assert len(received) == 3
    for r in received:
        assert same_json(r.body, request["body"])
        assert r.headers.get("authorization") == f"Bearer {DB_API_KEY}"


def test_a_64_bit_seed_keeps_every_digit_in_python_and_curl(fake_upstream, tmp_path):
    request = _chat("seed", seed=2**63 - 1)
    for lang in ("python", "curl"):
        snippet = export(lang, request)
        result = _run(lang, snippet, Path(tempfile.mkdtemp(dir=tmp_path)))
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
    received = fake_upstream.requests_to(get_mode("chat").endpoint)
    assert len(received) == 2
    for r in received:
        # Parsed exactly: an int, every digit (a float would be 2**63).
        assert type(r.body["seed"]) is int and r.body["seed"] == 2**63 - 1


@pytest.mark.parametrize("usage_choices", ["null", "absent"])
@pytest.mark.parametrize("mode", ["chat", "completion"])
def test_streamed_snippets_survive_a_usage_chunk_with_null_or_no_choices(
    usage_choices, mode, fake_upstream, node_sdk, tmp_path
):
    """Gateways differ from OpenAI's "choices": [] on the last, usage-only chunk."""
    fake_upstream.default = Scenario(usage_choices=usage_choices)
    usage = {"stream": True, "stream_options": {"include_usage": True}, "max_tokens": 3}
    request = _chat("u", **usage) if mode == "chat" else _request("completion", prompt="u", **usage)
    for lang in ("python", "node"):
        result = _run(lang, export(lang, request), Path(tempfile.mkdtemp(dir=tmp_path)))
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        assert result.stdout.decode() == " word0 word1 word2\n", lang


def test_base64_embeddings_print_their_dimensions_not_the_text_length(
    fake_upstream, node_sdk, tmp_path
):
    # 8 float32 values are 32 bytes, 44 base64 characters: "44 dimensions" would be wrong.
    request = _request("embedding", input="b64", encoding_format="base64", dimensions=8)
    for lang in ("python", "node"):
        result = _run(lang, export(lang, request), Path(tempfile.mkdtemp(dir=tmp_path)))
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        printed = result.stdout.decode()
        assert "input 0: 8 dimensions" in printed, (lang, printed)


@pytest.mark.parametrize("lang", ["python", "node"])
def test_base64_embeddings_snippets_also_read_floats_a_gateway_sends_instead(
    lang, fake_upstream, node_sdk, tmp_path
):
    # LiteLLM answers float lists even when the request asks for base64.
    fake_upstream.default = Scenario(float_embeddings=True)
    request = _request("embedding", input=["b64", "two"], encoding_format="base64", dimensions=8)
    result = _run(lang, export(lang, request), Path(tempfile.mkdtemp(dir=tmp_path)))
    assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
    printed = result.stdout.decode()
    assert "input 0: 8 dimensions" in printed and "input 1: 8 dimensions" in printed, printed
    assert fake_upstream.embedding_requests[0].body["encoding_format"] == "base64"


@pytest.mark.parametrize("stream", [True, False])
def test_snippets_number_candidates_from_1_as_the_page_and_terminal_do(
    stream, fake_upstream, node_sdk, tmp_path
):
    request = _chat("u", n=2, max_tokens=2, stream=stream)
    for lang in ("python", "node"):
        result = _run(lang, export(lang, request), Path(tempfile.mkdtemp(dir=tmp_path)))
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        printed = result.stdout.decode()
        assert "--- candidate 2 ---" in printed and "candidate 0" not in printed, (lang, printed)


def test_image_snippets_save_the_very_files_the_provider_sent(fake_upstream, node_sdk, tmp_path):
    request = _request("image", prompt="A fox", size="256x256", n=2)
    sent = offline_images.images_response(request["body"], Sender("fake"))["data"]
    expected = [base64.b64decode(item["b64_json"]) for item in sent]
    for lang in ("python", "node"):
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        result = _run(lang, export(lang, request), workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        assert result.stdout.decode().splitlines()[:3] == [
            "saved image-1.png",
            "revised prompt: A fox (drawn by the fake model: a band and a disc on a colour "
            "derived from the prompt)",
            "saved image-2.png",
        ], lang
        saved = [(workdir / f"image-{number}.png").read_bytes() for number in (1, 2)]
        assert saved == expected, lang
