"""``manage.py run_request`` with a speech request: the audio written to --output-dir as it
arrives, its path printed; exit codes as for every run."""

import io
import json
import subprocess
import sys
import wave

from playground.providers.offline_speech import speech_audio
from tests.fake_upstream import Scenario
from tests.management.test_run_recording import data_dir, manage
from tests.management.test_run_request import ROOT, _base_env, cli_data_dir, run_request

# The modules' migrated data directories, for these tests too.
__all__ = ["cli_data_dir", "data_dir"]

BODY = {"model": "gpt-4o-mini-tts", "input": "Read this aloud.", "voice": "ash"}


def speech(provider: str = "openai", **params) -> dict:
    return {"mode": "speech", "provider": provider, "body": {**BODY, **params}}


def test_the_audio_is_written_to_the_output_dir_and_its_path_printed(fake_upstream, tmp_path):
    out = tmp_path / "audio"  # made when missing
    result = run_request(fake_upstream, speech(), "--output-dir", str(out), "-")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{out / 'read-this-aloud.mp3'}\n"
    (sent,) = fake_upstream.requests
    assert sent.path == "/v1/audio/speech" and sent.body == BODY
    assert (out / "read-this-aloud.mp3").read_bytes() == sent.served
    # A second run never overwrites the first one's file.
    again = run_request(fake_upstream, speech(), "--output-dir", str(out), "-")
    assert again.stdout == f"{out / 'read-this-aloud (2).mp3'}\n"


def test_the_offline_model_writes_a_wav_to_the_current_directory(fake_upstream, tmp_path):
    env = {**_base_env(), "PLAYGROUND_OFFLINE_TOKENS_PER_SECOND": "0"}
    request = speech("offline", model="offline-1", response_format="wav")
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "run_request", "--no-record", "-"],
        cwd=tmp_path,
        env=env,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "read-this-aloud.wav\n"
    data = (tmp_path / "read-this-aloud.wav").read_bytes()
    assert data == speech_audio(request["body"])
    with wave.open(io.BytesIO(data)) as audio:
        assert audio.getframerate() == 24_000
    assert fake_upstream.requests == []


def test_sse_events_are_written_as_the_audio_they_carry(fake_upstream, tmp_path):
    result = run_request(
        fake_upstream, speech(stream_format="sse"), "--output-dir", str(tmp_path), "-"
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "read-this-aloud.mp3").read_bytes() == fake_upstream.requests[0].served
    assert "usage:" in result.stderr


def test_an_answer_that_is_not_audio_leaves_no_file_and_exits_1(fake_upstream, tmp_path):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data='{"ok": true}'))
    result = run_request(fake_upstream, speech(), "--output-dir", str(tmp_path), "-")

    assert result.returncode == 1
    assert "The provider's answer is not mp3 audio" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_cut_answer_removes_its_partial_file_and_exits_1(fake_upstream, tmp_path):
    fake_upstream.answer_next(Scenario(failure="cut", fail_after=1))
    long = speech(input=" ".join(["word"] * 40), response_format="wav")
    result = run_request(fake_upstream, long, "--output-dir", str(tmp_path), "-")

    assert result.returncode == 1
    assert "its file was removed" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unsupported_voice_is_refused_before_sending_with_exit_2(fake_upstream, tmp_path):
    result = run_request(fake_upstream, speech(voice="robot"), "--output-dir", str(tmp_path), "-")

    assert result.returncode == 2
    assert "voice: must be one of alloy, ash," in result.stderr
    assert fake_upstream.requests == []


def test_a_recorded_speech_run_keeps_its_audio_for_the_history(data_dir, fake_upstream, tmp_path):
    result = manage(
        data_dir,
        fake_upstream,
        "run_request",
        "--output-dir",
        str(tmp_path),
        "-",
        stdin=json.dumps(speech()),
    )
    assert result.returncode == 0, result.stderr
    assert "Saved in the history as run " in result.stderr
    script = (
        "import json;from playground.runs.models import Run;"
        "from playground.uploads.models import Upload;"
        "run=Run.objects.filter(mode='speech').latest('created_at');"
        "speech=run.output['speech'];"
        "upload=Upload.objects.get(sha256=speech['reference'][len('upload:'):]);"
        "print(json.dumps([run.status, upload.kept, bytes(upload.data).hex(), speech['filename']]))"
    )
    shown = manage(data_dir, None, "shell", "-c", script)
    status, kept, data, name = json.loads(shown.stdout.splitlines()[-1])
    assert (status, kept, name) == ("finished", True, "read-this-aloud.mp3")
    assert bytes.fromhex(data) == fake_upstream.requests[-1].served
    assert (tmp_path / "read-this-aloud.mp3").read_bytes() == fake_upstream.requests[-1].served


def test_a_recorded_run_whose_answer_is_not_audio_is_recorded_as_failed(
    data_dir, fake_upstream, tmp_path
):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data='{"ok": true}'))
    result = manage(
        data_dir,
        fake_upstream,
        "run_request",
        "--output-dir",
        str(tmp_path),
        "-",
        stdin=json.dumps(speech(input="Not audio, recorded.")),
    )
    assert result.returncode == 1

    script = (
        "import json;from playground.runs.models import Run;"
        "run=Run.objects.filter(mode='speech').latest('created_at');"
        "print(json.dumps([run.status, run.error, run.output.get('speech')]))"
    )
    shown = manage(data_dir, None, "shell", "-c", script)
    status, error, speech_output = json.loads(shown.stdout.splitlines()[-1])
    assert status == "failed"
    assert "The provider's answer is not mp3 audio" in error
    assert speech_output is None
