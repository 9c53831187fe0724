"""Speech exports run for real: each writes the very audio file the provider served."""

import tempfile
from pathlib import Path

import pytest

from playground.export import export
from tests.export.test_run_snippets import _run, node_sdk

__all__ = ["node_sdk"]

BODY = {"model": "gpt-4o-mini-tts", "input": "Hello from the playground.", "voice": "coral"}


@pytest.mark.parametrize(
    ("params", "file_name"),
    [
        ({}, "hello-from-the-playground.mp3"),
        ({"response_format": "wav", "speed": 1.5}, "hello-from-the-playground.wav"),
        # A long text's file is named after its first 40 characters.
        ({"input": " ".join(["words"] * 40), "response_format": "pcm"}, "words-" * 6 + "word.pcm"),
        ({"stream_format": "sse", "instructions": "Cheerful."}, "hello-from-the-playground.mp3"),
    ],
)
def test_each_language_saves_the_file_the_provider_served(
    fake_upstream, node_sdk, tmp_path, params, file_name
):
    request = {"mode": "speech", "provider": "openai", "body": {**BODY, **params}}
    sse = params.get("stream_format") == "sse"
    for lang in ("python", "node", "curl"):
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        result = _run(lang, export(lang, request), workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        served = fake_upstream.requests[-1]
        assert served.body == request["body"], lang
        written = (workdir / file_name).read_bytes()
        if lang == "curl" and sse:
            # curl writes the events themselves, as its comment says.
            assert written.startswith(b"data: {") and b"speech.audio.done" in written
            continue
        assert written == served.served, lang
        if lang != "curl":
            assert result.stdout.decode() == f"saved {file_name}\n", lang
    assert len(fake_upstream.requests) == 3


def test_a_refused_request_leaves_curl_failing_not_a_silent_audio_file(fake_upstream, tmp_path):
    request = {"mode": "speech", "provider": "openai", "body": {**BODY, "response_format": "flac"}}
    result = _run("curl", export("curl", request), tmp_path)

    assert result.returncode == 22
    assert b"needs a real provider" in (tmp_path / "hello-from-the-playground.flac").read_bytes()
