"""``manage.py run_request`` with a transcription or translation: the audio read from the
``@path`` the request names (beside the request file), the transcript printed, a verbose
answer's timed segments after it; exit codes as for every run."""

import json

from playground.providers.offline_speech import speech_audio
from tests.management.test_run_recording import data_dir
from tests.management.test_run_request import cli_data_dir, run_request

# The modules' migrated data directories, for these tests too.
__all__ = ["cli_data_dir", "data_dir"]

WAV = speech_audio({"input": "hello there friend of mine " * 6, "response_format": "wav"})


def request_file(tmp_path, mode: str = "transcription", provider: str = "openai", **body) -> str:
    (tmp_path / "meeting.wav").write_bytes(WAV)
    request = {
        "mode": mode,
        "provider": provider,
        "body": {"model": "whisper-1", "file": "@meeting.wav", **body},
    }
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    return str(path)


def test_the_transcript_of_the_file_beside_the_request_is_printed(fake_upstream, tmp_path):
    result = run_request(fake_upstream, "", request_file(tmp_path, response_format="verbose_json"))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("The offline model heard 5.0 seconds of meeting.wav.")
    assert lines[1] == "language english, 0:05.0"
    assert lines[2] == "[0:00.0 - 0:02.5] The offline model heard 5.0 seconds of meeting.wav."
    (sent,) = fake_upstream.requests
    assert sent.path == "/v1/audio/transcriptions"
    assert sent.files["file"][0].filename == "meeting.wav"


def test_the_offline_model_translates_with_no_key(fake_upstream, tmp_path):
    path = request_file(tmp_path, "translation", "offline", response_format="vtt")
    result = run_request(fake_upstream, "", path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.520\nThe offline model")
    assert fake_upstream.requests == []


def test_a_file_that_is_not_audio_exits_2_naming_the_field(fake_upstream, tmp_path):
    path = request_file(tmp_path)
    (tmp_path / "meeting.wav").write_text("not audio at all")
    result = run_request(fake_upstream, "", path)

    assert result.returncode == 2
    assert "file" in result.stderr and "meeting.wav" in result.stderr
    assert "not an audio file" in result.stderr
    assert fake_upstream.requests == []


def test_a_missing_file_exits_2(fake_upstream, tmp_path):
    path = request_file(tmp_path)
    (tmp_path / "meeting.wav").unlink()
    result = run_request(fake_upstream, "", path)

    assert result.returncode == 2
    assert "meeting.wav" in result.stderr
    assert fake_upstream.requests == []
