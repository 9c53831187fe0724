"""Snippets of a chat with attached images and audio: each reads the files beside it and
sends what the playground sends (data URLs, base64), run for real against the fake upstream."""

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from playground.export import export
from playground.message_files import files_inlined
from playground.spec import upstream_body, validate_request
from playground.uploads.services import upload_create
from tests.conftest import TEST_API_KEY
from tests.export.test_run_snippets import _run, node_sdk, same_json  # noqa: F401 (a fixture)
from tests.openapi import assert_valid_request
from tests.uploads.samples import mp3_bytes, png_bytes, wav_bytes

LANGS = ("python", "node", "curl")


def chat_request(*parts: dict, stream: bool = False) -> dict:
    content = [{"type": "text", "text": "What's in 'these' files? $HOME `id`"}, *parts]
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
    return {"mode": "chat", "provider": "openai", "body": body}


@pytest.mark.django_db
@pytest.mark.usefixtures("node_sdk")
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_snippets_read_the_files_and_send_the_playground_body(stream, fake_upstream, tmp_path):
    png = upload_create(data=png_bytes(64, 48), filename="cat's.png", purpose="image")
    # A second file of the same name: read under a name of its own.
    other = upload_create(
        data=png_bytes(2, 2, (1, 2, 3, 255)), filename="cat's.png", purpose="image"
    )
    wav = upload_create(data=wav_bytes(0.25), filename="hello.wav", purpose="audio")
    mp3 = upload_create(data=mp3_bytes(), filename="tone.mp3", purpose="audio")
    request = chat_request(
        {"type": "image_url", "image_url": {"url": png.reference, "detail": "high"}},
        {"type": "image_url", "image_url": {"url": other.reference}},
        {"type": "input_audio", "input_audio": {"data": wav.reference, "format": "wav"}},
        {"type": "input_audio", "input_audio": {"data": mp3.reference, "format": "mp3"}},
        {"type": "image_url", "image_url": {"url": png.reference, "detail": "low"}},
        stream=stream,
    )
    snippets = {lang: export(lang, request) for lang in LANGS}
    files = {
        "cat's.png": png_bytes(64, 48),
        "cat's-2.png": png_bytes(2, 2, (1, 2, 3, 255)),
        "hello.wav": wav_bytes(0.25),
        "tone.mp3": mp3_bytes(),
    }

    def run(lang: str):
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        for name, data in files.items():
            (workdir / name).write_bytes(data)
        return _run(lang, snippets[lang], workdir)

    with ThreadPoolExecutor(len(LANGS)) as pool:
        results = dict(zip(LANGS, pool.map(run, LANGS), strict=True))
    for lang, result in results.items():
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        assert TEST_API_KEY not in snippets[lang]
        assert "upload:" not in snippets[lang]
    expected = files_inlined(upstream_body(validate_request(request)))
    assert expected["messages"][0]["content"][1]["image_url"]["url"].startswith(
        "data:image/png;base64,iVBORw0KGgo"
    )
    assert_valid_request("chat", expected)
    received = fake_upstream.chat_requests
    assert len(received) == len(LANGS)
    for sent in received:
        assert same_json(sent.body, expected)


@pytest.mark.django_db
def test_the_python_snippet_reads_each_file_with_open_rb_and_curl_builds_a_body_file():
    png = upload_create(data=png_bytes(), filename="cat.png", purpose="image")
    request = chat_request({"type": "image_url", "image_url": {"url": png.reference}})
    python = export("python", request)
    assert 'with open(path, "rb") as file:' in python
    assert "'data:image/png;base64,' + file_base64('cat.png')" in python
    curl = export("curl", request)
    assert "base64 < 'cat.png' | tr -d '\\n'" in curl
    assert curl.rstrip().endswith("--data-binary @body.json")
    assert 'fileBase64("cat.png")' in export("node", request)
