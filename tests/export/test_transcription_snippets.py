"""Transcription and translation snippets, run for real: Python, Node.js and curl each
upload the audio from disk as multipart/form-data, the fake upstream receives what the
playground sends (compared by fields and by file name, type and hash), and each prints
the transcript the playground shows."""

import asyncio
import tempfile
from pathlib import Path

import pytest

from playground.export import export
from playground.providerconfig.lookup import get_provider
from playground.providers import TextDelta
from playground.spec import upstream_body, validate_request
from tests.export.test_image_edit_snippets import sent
from tests.export.test_run_snippets import _run, node_sdk  # noqa: F401 (a fixture)
from tests.test_transcription import WAV, audio_upload

LANGS = ("python", "node", "curl")
# A prompt a shell, a JS string or a form field could get wrong.
PROMPT = "@names: \"Ada\" 'Grace' $HOME `id`\n你好"


def playground_sends(fake_upstream, request: dict) -> tuple[tuple[dict, dict], str]:
    """What the playground itself sends for ``request``, and the reply it shows."""
    body = upstream_body(validate_request(request))

    async def run() -> list:
        return [e async for e in get_provider("openai").stream(body, request["mode"])]

    events = asyncio.run(run())
    recorded = fake_upstream.requests.pop()
    return sent(recorded), "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("mode", "params"),
    [
        ("transcription", {"response_format": "verbose_json", "language": "en"}),
        (
            "transcription",
            {"response_format": "verbose_json", "timestamp_granularities": ["word", "segment"]},
        ),
        ("transcription", {"response_format": "srt", "temperature": 0.2}),
        ("transcription", {"model": "gpt-4o-transcribe", "stream": True}),
        ("translation", {"response_format": "text"}),
        ("translation", {}),
    ],
)
def test_snippets_upload_the_same_fields_and_file_and_print_the_transcript(
    fake_upstream,
    node_sdk,  # noqa: F811
    tmp_path,
    mode,
    params,
):
    body = {"model": "whisper-1", "file": audio_upload(), "prompt": PROMPT, **params}
    request = {"mode": mode, "provider": "openai", "body": body}
    expected, reply = playground_sends(fake_upstream, request)

    for lang in LANGS:
        workdir = Path(tempfile.mkdtemp(dir=tmp_path))
        (workdir / "meeting.wav").write_bytes(WAV)
        result = _run(lang, export(lang, request), workdir)
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        recorded = fake_upstream.requests.pop()
        fields, files = sent(recorded)
        if lang == "node":
            # Node's FormData sends a text field's line breaks as \r\n (its comment says so).
            fields["prompt"] = fields["prompt"].replace("\r\n", "\n")
        assert (fields, files) == expected, lang
        printed = result.stdout.decode()
        if lang == "curl":
            assert reply.split("\n")[0] in printed, lang  # the answer as the provider sent it
        else:
            assert printed.startswith(reply.rstrip("\n")), (lang, printed)
        if params.get("response_format") == "verbose_json" and lang != "curl":
            assert "[0.00 - " in printed, (lang, printed)


@pytest.mark.django_db(transaction=True)
def test_the_snippet_names_the_file_it_reads_beside_it(tmp_path):
    request = {"mode": "transcription", "provider": "openai", "body": {"model": "whisper-1"}}
    request["body"]["file"] = audio_upload()

    for lang in LANGS:
        snippet = export(lang, request)
        assert "meeting.wav" in snippet, lang
