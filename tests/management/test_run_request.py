"""``manage.py run_request`` as a user runs it: a real subprocess, the real fake upstream."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_API_KEY
from tests.fake_upstream import FakeUpstream, Scenario
from tests.leak_scan import collected

ROOT = Path(__file__).resolve().parents[2]
CLI_DATA_DIR: Path | None = None


@pytest.fixture(scope="module", autouse=True)
def cli_data_dir(tmp_path_factory) -> Path:
    """A migrated data directory of its own, as after `make run` (stored providers live there)."""
    global CLI_DATA_DIR
    CLI_DATA_DIR = tmp_path_factory.mktemp("cli-data")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=_base_env(),
        check=True,
        capture_output=True,
    )
    return CLI_DATA_DIR


def _base_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "PLAYGROUND_", "DJANGO_ALLOW_ASYNC", "DATABASE_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="playground.settings", DJANGO_DATA_DIR=str(CLI_DATA_DIR))
    return env


def run_request(
    upstream: FakeUpstream, request: dict | str, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess:
    env = _base_env()
    env.update(
        OPENAI_BASE_URL=upstream.base_url,
        OPENAI_API_KEY=TEST_API_KEY,
        PLAYGROUND_OFFLINE_TOKENS_PER_SECOND="0",
        PLAYGROUND_READ_TIMEOUT="2",
    )
    text = request if isinstance(request, str) else json.dumps(request)
    result = subprocess.run(
        [sys.executable, "manage.py", "run_request", *args],
        cwd=ROOT,
        env=env,
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    collected.add("terminal", result.stdout + result.stderr)
    return result


def chat(provider: str = "openai", **params) -> dict:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], **params}
    return {"mode": "chat", "provider": provider, "body": body}


def test_streams_the_reply_to_stdout_and_sends_the_body_as_is(fake_upstream):
    request = chat(max_tokens=3, stream=True, temperature=0.5)
    result = run_request(fake_upstream, request, "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout == " word0 word1 word2\n"
    assert fake_upstream.chat_requests[0].body == request["body"]
    assert TEST_API_KEY not in result.stdout + result.stderr


def test_a_file_argument_works_like_stdin(fake_upstream, tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(chat(max_tokens=2)), encoding="utf-8")
    result = run_request(fake_upstream, "", str(path))
    assert (result.returncode, result.stdout) == (0, " word0 word1\n")


def test_a_failure_mid_stream_keeps_the_partial_text_and_exits_non_zero(fake_upstream):
    fake_upstream.answer_next(Scenario(failure="cut", fail_after=3))
    result = run_request(fake_upstream, chat(stream=True))
    assert result.returncode == 1
    assert result.stdout.startswith(" word0 word1 word2")
    assert "The connection to the provider was cut" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_key_is_told_in_the_pages_words_without_the_key(fake_upstream):
    fake_upstream.answer_next(Scenario(status=401, error_message=f"bad key {TEST_API_KEY}"))
    result = run_request(fake_upstream, chat(stream=True))
    assert result.returncode == 1 and result.stdout == ""
    assert "refused the API key (401)" in result.stderr
    assert TEST_API_KEY not in result.stderr
    # Every run's terminal output goes to the suite's key-leak scan too.
    assert any(
        kind == "terminal" and test == collected.current_test and "(401)" in text
        for kind, test, text in collected.items
    )


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        (json.dumps(chat(temperature=3)), "temperature: 3 is out of range (allowed: 0 to 2)"),
        ("{not json", "request: is not valid JSON"),
        (json.dumps(chat(provider="nope")), "There is no provider named 'nope'"),
        # The page refuses what a model family is known to refuse; so does the terminal.
        (
            json.dumps(
                {**chat(), "body": {**chat()["body"], "model": "o3-mini", "temperature": 0.5}}
            ),
            "temperature: o3-mini is a reasoning model and refuses temperature",
        ),
    ],
)
def test_a_bad_request_is_refused_before_any_upstream_call(fake_upstream, request_text, expected):
    result = run_request(fake_upstream, request_text)
    assert result.returncode == 2
    assert expected in result.stderr
    assert fake_upstream.requests == []


def test_a_softer_capability_warning_goes_to_stderr_and_the_request_is_sent(fake_upstream):
    result = run_request(fake_upstream, chat(reasoning_effort="low", max_tokens=2))
    assert result.returncode == 0, result.stderr
    assert "reasoning_effort: only reasoning models accept it" in result.stderr
    assert fake_upstream.chat_requests[0].body["reasoning_effort"] == "low"


def test_json_prints_every_raw_chunk_as_a_json_line(fake_upstream):
    result = run_request(fake_upstream, chat(max_tokens=2, stream=True, n=2), "--json")
    assert result.returncode == 0, result.stderr
    chunks = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len(chunks) == 2 + 2 * 2 + 2  # role per candidate, two tokens each, finish each


def test_tool_calls_are_printed_with_their_arguments(fake_upstream):
    call = {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: [call]))
    result = run_request(fake_upstream, chat(stream=True))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[tool call get_weather id=call_fake")
    assert result.stdout.rstrip().endswith('{"city": "Paris"}')


def test_candidates_each_get_their_own_block(fake_upstream):
    result = run_request(fake_upstream, chat(stream=True, n=2, max_tokens=2))
    assert result.stdout == " word0 word1\n--- candidate 2 ---\n word0 word1\n"


def test_legacy_completions_go_to_the_completions_endpoint(fake_upstream):
    body = {"model": "fake-instruct", "prompt": "Once", "max_tokens": 2, "stream": True}
    result = run_request(fake_upstream, {"mode": "completion", "provider": "openai", "body": body})
    assert (result.returncode, result.stdout) == (0, " word0 word1\n")
    assert fake_upstream.completion_requests[0].body == body


def test_embeddings_print_dimensions_first_values_and_similarities(fake_upstream):
    body = {"model": "offline-embed", "input": ["a cat sat", "a cat sat down", "stock prices"]}
    result = run_request(fake_upstream, {"mode": "embedding", "provider": "offline", "body": body})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("input 1: 256 dimensions [")
    assert lines[3] == "cosine similarity:"
    matrix = [[float(x) for x in line.split()] for line in lines[4:7]]
    assert matrix[0][0] == 1.0 and matrix[0][1] > matrix[0][2]


def test_moderation_prints_flagged_categories(fake_upstream):
    body = {"input": ["I will kill you", "Have a nice day"]}
    result = run_request(fake_upstream, {"mode": "moderation", "provider": "openai", "body": body})
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == "input 1: flagged (violence 0.90)"
    assert second.startswith("input 2: not flagged (highest: ")


def test_the_offline_model_answers_every_generating_mode(fake_upstream):
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    result = run_request(fake_upstream, chat(provider="offline", tools=[tool]))
    assert result.stdout.startswith("[tool call lookup id=call_offline_")
    edit = {
        "model": "offline-1",
        "messages": [{"role": "system", "content": "Fix it"}, {"role": "user", "content": "teh"}],
    }
    result = run_request(fake_upstream, {"mode": "edit", "provider": "offline", "body": edit})
    assert result.returncode == 0 and result.stdout == "The\n"  # the input, fixed


def test_json_lines_piped_into_head_end_quietly(fake_upstream):
    # `run_request --json | head -1`: the reader leaves early; no BrokenPipe traceback.
    fake_upstream.default = Scenario(tokens=lambda body: [f" w{i}" for i in range(3000)])
    env = _base_env()
    env.update(OPENAI_BASE_URL=fake_upstream.base_url, OPENAI_API_KEY=TEST_API_KEY)
    request = {
        "mode": "chat",
        "provider": "openai",
        "body": {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": True},
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_request", "--json", "--no-record"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(request).encode())
    process.stdin.close()
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # as head does after its first line
    assert process.stderr is not None
    stderr = process.stderr.read()
    process.wait(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr, stderr.decode()[-2000:]
    assert process.returncode == 141  # 128 + SIGPIPE, as a shell tool cut off by its reader


def image(provider: str = "offline", **params) -> dict:
    body = {"prompt": "A fox in snow", "size": "64x48", **params}
    return {"mode": "image", "provider": provider, "body": body}


def test_images_are_written_to_the_output_dir_and_their_paths_printed(fake_upstream, tmp_path):
    out = tmp_path / "images" / "today"  # made when missing
    result = run_request(fake_upstream, image(n=2), "--output-dir", str(out), "-")
    assert result.returncode == 0, result.stderr
    paths = [out / "a-fox-in-snow-1.png", out / "a-fox-in-snow-2.png"]
    assert result.stdout.splitlines() == [str(p) for p in paths]
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in paths)
    assert "image 1 revised prompt: A fox in snow (drawn by the offline model" in result.stderr
    # A second run never overwrites the first one's files.
    again = run_request(fake_upstream, image(), "--output-dir", str(out), "-")
    assert again.stdout.splitlines() == [str(out / "a-fox-in-snow-1 (2).png")]
    assert paths[0].read_bytes() == (out / "a-fox-in-snow-1 (2).png").read_bytes()
    assert fake_upstream.requests == []


def test_without_output_dir_images_go_to_the_current_directory(fake_upstream, tmp_path):
    env = {**_base_env(), "PLAYGROUND_OFFLINE_TOKENS_PER_SECOND": "0"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "run_request", "--no-record", "-"],
        cwd=tmp_path,
        env=env,
        input=json.dumps(image()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "a-fox-in-snow-1.png\n"
    assert (tmp_path / "a-fox-in-snow-1.png").read_bytes()[:4] == b"\x89PNG"


def test_an_image_link_is_printed_and_not_fetched(fake_upstream, tmp_path):
    request = image("openai", model="dall-e-2", size="256x256", response_format="url")
    result = run_request(fake_upstream, request, "--output-dir", str(tmp_path), "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"image 1: {fake_upstream.base_url}/generated/0.png\n"
    assert list(tmp_path.iterdir()) == []
    assert [r.path for r in fake_upstream.requests] == ["/v1/images/generations"]


def test_an_output_dir_that_is_a_file_or_an_impossible_size_sends_nothing(fake_upstream, tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    result = run_request(fake_upstream, image("openai"), "--output-dir", str(a_file), "-")
    assert result.returncode == 2
    assert f"--output-dir: {a_file} is a file, not a directory." in result.stderr
    result = run_request(fake_upstream, image("openai", model="dall-e-3", size="64x48"), "-")
    assert result.returncode == 2
    assert "size: '64x48' is not a size dall-e-3 makes (use 1024x1024" in result.stderr
    assert fake_upstream.requests == []


def test_an_image_edit_reads_its_files_by_path_and_writes_the_edited_image(fake_upstream, tmp_path):
    from tests.image_edit_samples import mask, picture

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.png").write_bytes(picture())
    (tmp_path / "in" / "mask.png").write_bytes(mask())
    body = {"prompt": "Paint the sky red", "image": "@photo.png", "mask": "@mask.png"}
    request_file = tmp_path / "in" / "edit.json"
    for provider in ("offline", "openai"):
        request_file.write_text(json.dumps({"mode": "image", "provider": provider, "body": body}))
        out = tmp_path / provider
        result = run_request(fake_upstream, "", "--output-dir", str(out), str(request_file))
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{out / 'paint-the-sky-red-1.png'}\n"
    # The same edit from either: the fake upstream answers what the offline model does.
    offline, upstream = (tmp_path / p / "paint-the-sky-red-1.png" for p in ("offline", "openai"))
    assert offline.read_bytes() == upstream.read_bytes() != picture()
    (sent,) = fake_upstream.requests
    assert sent.path == "/v1/images/edits" and sent.body == {"prompt": "Paint the sky red"}
    assert [f.data for f in sent.files["image"] + sent.files["mask"]] == [picture(), mask()]


def test_an_image_edit_with_a_mask_of_another_size_sends_nothing(fake_upstream, tmp_path):
    from tests.image_edit_samples import mask, picture

    (tmp_path / "photo.png").write_bytes(picture())
    (tmp_path / "mask.png").write_bytes(mask(16, 16))
    body = {"prompt": "p", "image": "@photo.png", "mask": "@mask.png"}
    request_file = tmp_path / "edit.json"
    request_file.write_text(json.dumps({"mode": "image", "provider": "openai", "body": body}))
    result = run_request(fake_upstream, "", str(request_file))
    assert result.returncode == 2
    assert "mask: mask.png is 16x16; the mask must have the image's dimensions, 32x32" in (
        result.stderr
    )
    assert fake_upstream.requests == []
