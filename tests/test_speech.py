"""The speech mode: checked against OpenAI's spec, read aloud by the offline model and by a
provider (the fake upstream), stored as an upload the page plays and the history keeps."""

import hashlib
import io
import json
import re
import time
import wave

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.bodies import SPEECH_VOICES
from playground.consumers import RunConsumer
from playground.forms import form_values_from_request, request_from_form
from playground.modes import get_mode
from playground.providers import AudioDone, AudioPiece, RawChunk, UpstreamError
from playground.providers.offline import OfflineProvider
from playground.providers.offline_speech import SAMPLE_RATE, speech_audio
from playground.runs.models import Run
from playground.spec import RequestInvalid, upstream_body, validate_request
from playground.uploads.models import Upload
from tests.conftest import RunClient
from tests.fake_upstream import FakeUpstream, Scenario
from tests.openapi import assert_valid_request, schema_errors
from tests.runs.factories import make_user

BODY = {"model": "gpt-4o-mini-tts", "input": "Hello from the playground.", "voice": "coral"}


def speech_request(body: dict, provider: str = "openai") -> dict:
    return {"mode": "speech", "provider": provider, "body": body}


def refusal(body: dict) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as refused:
        validate_request(speech_request(body))
    return refused.value.errors


def is_mp3(data: bytes) -> bool:
    """An MPEG audio frame's sync bits at the start (lameenc writes no ID3 tag)."""
    return len(data) > 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0


# --- the body, against the spec ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        BODY,
        {**BODY, "voice": {"id": "voice_1234"}},
        {
            **BODY,
            "instructions": "Cheerful.",
            "response_format": "wav",
            "speed": 0.25,
            "stream_format": "sse",
        },
        {
            "model": "tts-1",
            "input": "x" * 4096,
            "voice": "onyx",
            "speed": 4,
            "response_format": "pcm",
        },
    ],
)
def test_speech_bodies_the_playground_accepts_are_valid_openai_requests(body):
    request = validate_request(speech_request(body))

    assert upstream_body(request) == body
    assert_valid_request("speech", body)
    assert get_mode("speech").endpoint_for(body).path == "/audio/speech"


def test_an_unsupported_voice_is_refused_naming_the_field_and_the_voices():
    errors = refusal({**BODY, "voice": "robot"})

    assert errors == {
        "voice": "must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, "
        'shimmer, verse, marin, cedar, or a custom voice as {"id": "voice_…"}'
    }
    assert refusal({**BODY, "voice": {"name": "x"}}).keys() == {"voice"}
    # Every voice offered is one OpenAI's document names.
    document_voices = "alloy ash ballad coral echo fable onyx nova sage shimmer verse marin cedar"
    assert set(SPEECH_VOICES) == set(document_voices.split())


@pytest.mark.parametrize("model", ["kokoro", "tts-piper", "offline-1"])
def test_another_servers_speech_model_takes_its_own_voice_names(model):
    # OpenAI-compatible speech servers (Kokoro, Piper…) name their voices themselves:
    # only OpenAI's models are held to OpenAI's voices.
    body = {"model": model, "input": "Hello.", "voice": "af_bella"}

    assert upstream_body(validate_request(speech_request(body))) == body
    assert refusal({**body, "voice": ""}).keys() == {"voice"}


@pytest.mark.parametrize(
    "model", ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-03-20"]
)
def test_openais_speech_models_are_held_to_openais_voices(model):
    assert refusal({**BODY, "model": model, "voice": "af_bella"}).keys() == {"voice"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"speed": 4.5}, "speed", "allowed: 0.25 to 4"),
        ({"speed": 0.2}, "speed", "allowed: 0.25 to 4"),
        ({"input": "x" * 4097}, "input", "4096"),
        ({"input": ""}, "input", ""),
        ({"response_format": "ogg"}, "response_format", "mp3"),
        ({"stream_format": "chunks"}, "stream_format", "sse"),
        ({"instructions": "x" * 4097}, "instructions", "4096"),
        ({"model": "tts-1", "instructions": "Calm."}, "instructions", "tts-1 does not take"),
        ({"model": "tts-1-hd", "stream_format": "sse"}, "stream_format", "streams audio only"),
    ],
)
def test_speech_bodies_outside_the_spec_are_refused_naming_the_field(change, field, words):
    errors = refusal({**BODY, **change})

    assert field in errors and words in errors[field], errors


def test_the_spec_check_agrees_on_the_limits():
    assert schema_errors({**BODY, "speed": 4.5}, "CreateSpeechRequest")
    assert schema_errors({**BODY, "input": "x" * 4097}, "CreateSpeechRequest")


def test_the_form_holds_a_speech_request_and_gives_it_back():
    request = speech_request(
        {**BODY, "instructions": "Slowly.", "response_format": "wav", "speed": 1.5}
    )
    values = form_values_from_request(request)

    assert values["input"] == BODY["input"] and values["voice"] == "coral"
    assert "extensions" not in values
    assert request_from_form(values) == request
    custom = speech_request({**BODY, "voice": {"id": "voice_1"}})
    assert request_from_form(form_values_from_request(custom)) == custom


# --- the offline model ----------------------------------------------------------------


def test_the_offline_model_reads_text_as_a_valid_wav_of_tones():
    data = speech_audio({**BODY, "response_format": "wav"})

    with wave.open(io.BytesIO(data)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getframerate() == SAMPLE_RATE
        seconds = audio.getnframes() / SAMPLE_RATE
    assert 0.5 < seconds < 1.0  # four words, a tone each
    faster = speech_audio({**BODY, "response_format": "wav", "speed": 2})
    assert len(faster) < len(data) * 0.6


def test_the_offline_model_speaks_mp3_by_default_and_pcm_raw():
    mp3 = speech_audio(BODY)
    pcm = speech_audio({**BODY, "response_format": "pcm"})

    assert is_mp3(mp3)
    assert len(pcm) % 2 == 0 and pcm[:4] != b"RIFF"
    assert speech_audio(BODY) == mp3  # deterministic
    assert speech_audio({**BODY, "input": "Something else entirely"}) != mp3


def test_the_offline_model_is_fast_for_a_short_text():
    started = time.perf_counter()
    for _ in range(10):
        speech_audio(BODY)
    per_run = (time.perf_counter() - started) / 10
    print(f"offline speech, mp3 of 4 words: {per_run * 1000:.2f} ms")
    assert per_run < 0.5  # a sanity bound; the figure is printed (about 2 ms here)


@pytest.mark.parametrize("response_format", ["opus", "aac", "flac"])
async def test_formats_the_offline_model_does_not_make_are_refused_naming_the_ones_it_does(
    response_format,
):
    body = {**BODY, "response_format": response_format}
    with pytest.raises(UpstreamError) as refused:
        [event async for event in OfflineProvider(tokens_per_second=0).stream(body, "speech")]

    assert refused.value.param == "response_format"
    assert "makes mp3, wav, pcm audio" in refused.value.message


async def test_the_offline_model_streams_the_audio_in_pieces_then_says_its_format():
    body = {**BODY, "input": " ".join(["word"] * 40), "response_format": "wav"}
    events = [e async for e in OfflineProvider(tokens_per_second=0).stream(body, "speech")]
    pieces = [e.data for e in events if isinstance(e, AudioPiece)]

    assert len(pieces) > 1 and b"".join(pieces) == speech_audio(body)
    assert events[-1] == AudioDone("gpt-4o-mini-tts", "wav")


# --- through the socket: offline and the fake upstream ---------------------------------

pytestmark_db = pytest.mark.django_db(transaction=True)


def player(client: RunClient) -> tuple[str, str]:
    """The final frame's audio source and download link."""
    final = client.frames[-1]
    audio = re.search(
        r'<audio class="speech-audio" controls preload="metadata" src="([^"]+)"', final
    )
    link = re.search(r'<a class="speech-download" href="([^"]+)" download="([^"]+)"', final)
    assert audio and link, final[-2000:]
    assert link.group(1) == audio.group(1) + "?download=1"
    return audio.group(1), link.group(2)


async def stored_bytes(src: str) -> bytes:
    sha256 = re.fullmatch(r"/uploads/([0-9a-f]{64})/", src).group(1)
    upload = await Upload.objects.aget(sha256=sha256)
    assert hashlib.sha256(bytes(upload.data)).hexdigest() == sha256
    return bytes(upload.data)


@pytestmark_db
async def test_an_offline_speech_run_shows_a_player_of_the_stored_file(run_client, fake_upstream):
    body = {**BODY, "model": "offline-1", "response_format": "wav"}
    await run_client.send({"action": "run", "request": speech_request(body, "offline")})

    assert await run_client.receive_until_state() == "done", run_client.status_text()
    src, name = player(run_client)
    assert name == "hello-from-the-playground.wav"
    assert await stored_bytes(src) == speech_audio(body)
    assert fake_upstream.requests == []


@pytestmark_db
@pytest.mark.parametrize("stream_format", [None, "audio", "sse"])
async def test_a_providers_speech_is_streamed_through_and_stored_as_served(
    run_client, fake_upstream, stream_format
):
    body = {**BODY, "input": " ".join(["many words"] * 30)}
    if stream_format:
        body["stream_format"] = stream_format
    await run_client.send({"action": "run", "request": speech_request(body)})

    assert await run_client.receive_until_state() == "done", run_client.status_text()
    (record,) = fake_upstream.requests
    assert record.path == "/v1/audio/speech" and record.body == body
    assert len(record.served) > 16 * 1024  # more than one chunk
    src, name = player(run_client)
    assert await stored_bytes(src) == record.served and is_mp3(record.served)
    assert name == "many-words-many-words-many-words-many-wo.mp3"


@pytestmark_db
async def test_a_raw_pcm_answer_is_offered_for_download_not_played(run_client, fake_upstream):
    body = {**BODY, "response_format": "pcm"}
    await run_client.send({"action": "run", "request": speech_request(body)})

    assert await run_client.receive_until_state() == "done", run_client.status_text()
    final = run_client.frames[-1]
    assert "<audio" not in final and "Browsers cannot play pcm audio" in final
    link = re.search(
        r'<a class="speech-download" href="(/uploads/[0-9a-f]{64}/)\?download=1"', final
    )
    assert await stored_bytes(link.group(1)) == fake_upstream.requests[0].served


@pytestmark_db
async def test_an_answer_that_is_not_audio_fails_the_run_and_is_not_kept(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(failure="raw", raw_data='{"ok": true}'))
    await run_client.send({"action": "run", "request": speech_request(BODY)})

    assert await run_client.receive_until_state() == "error"
    assert "The provider's answer is not mp3 audio" in run_client.status_text()
    assert await Upload.objects.acount() == 0


@pytestmark_db
async def test_a_speech_stream_cut_midway_fails_the_run_and_keeps_nothing(
    run_client, fake_upstream
):
    fake_upstream.answer_next(Scenario(failure="cut", fail_after=1))
    body = {**BODY, "input": " ".join(["word"] * 40), "response_format": "wav"}
    await run_client.send({"action": "run", "request": speech_request(body)})

    assert await run_client.receive_until_state() == "error"
    assert await Upload.objects.acount() == 0


@pytestmark_db
async def test_the_providers_refusal_of_a_format_is_shown_in_plain_words(run_client, fake_upstream):
    await run_client.send(
        {"action": "run", "request": speech_request({**BODY, "response_format": "flac"})}
    )

    assert await run_client.receive_until_state() == "error"
    assert "response_format flac needs a real provider" in run_client.status_text()


# --- the history -----------------------------------------------------------------------


@pytestmark_db
async def test_the_history_keeps_the_speech_file_and_plays_it(fake_upstream: FakeUpstream, client):
    alice = await sync_to_async(make_user)("alice")
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = alice
    assert (await communicator.connect())[0]
    runner = RunClient(communicator)
    await runner.send({"action": "run", "request": speech_request(BODY)})
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await communicator.disconnect()

    run = await Run.objects.aget()
    assert (run.mode, run.status) == ("speech", "finished")
    assert run.request == speech_request(BODY)
    speech = run.output["speech"]
    upload = await Upload.objects.aget(sha256=speech["reference"].removeprefix("upload:"))
    assert upload.kept and bytes(upload.data) == fake_upstream.requests[0].served
    assert speech["media_type"] == "audio/mpeg" and speech["size"] == upload.size

    await sync_to_async(client.force_login)(alice)
    page = (await sync_to_async(client.get)(f"/history/{run.pk}/")).content.decode()
    assert f'src="/uploads/{upload.sha256}/"' in page
    assert 'download="hello-from-the-playground.mp3"' in page
    served = await sync_to_async(client.get)(f"/uploads/{upload.sha256}/")
    assert served.status_code == 200 and served["Content-Type"] == "audio/mpeg"
    assert json.loads(json.dumps(run.output))  # the record is plain JSON


async def test_the_inspector_shows_the_audios_type_and_size_not_its_bytes():
    events = [e async for e in OfflineProvider(tokens_per_second=0).stream(BODY, "speech")]
    (raw,) = [json.loads(e.data) for e in events if isinstance(e, RawChunk)]

    assert raw == {"content_type": "audio/mpeg", "audio_bytes": len(speech_audio(BODY))}
