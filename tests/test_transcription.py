"""Transcription and translation: an audio file in, its words out.

The body is checked against OpenAI's CreateTranscriptionRequest and CreateTranslationRequest
(the file is a reference, read and checked before anything is sent); the audio goes
upstream as a multipart upload; the answer, in every response format, becomes the reply's
text, and a verbose answer's timed segments are shown beside it."""

import hashlib
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.consumers import RunConsumer
from playground.providerconfig.lookup import get_provider
from playground.providers import Finished, RawChunk, TextDelta, Transcript, Usage
from playground.providers.offline import OfflineProvider
from playground.providers.offline_speech import speech_audio
from playground.request_files import body_files_read
from playground.runs.models import Run
from playground.spec import RequestInvalid, upstream_body, validate_request
from playground.uploads.models import Upload
from playground.uploads.services import upload_create
from tests.conftest import RunClient
from tests.image_edit_samples import picture
from tests.openapi import assert_valid_request
from tests.runs.factories import make_user
from tests.test_consumers_modes import run_message, text_of

# Five seconds of the offline model's speech, as a WAV file.
WAV = speech_audio({"input": "hello there friend of mine " * 6, "response_format": "wav"})


def audio_upload(data: bytes = WAV, filename: str = "meeting.wav") -> str:
    return upload_create(data=data, filename=filename, purpose="audio").reference


def request(mode: str = "transcription", **body) -> dict:
    return {"mode": mode, "provider": "offline", "body": {"model": "whisper-1", **body}}


def problems(mode: str = "transcription", **body) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as refused:
        validate_request(request(mode, **body))
    return refused.value.errors


REFERENCE = "upload:" + "a" * 64


# --- the body --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "body"),
    [
        ("transcription", {"file": REFERENCE}),
        (
            "transcription",
            {
                "file": REFERENCE,
                "language": "de",
                "prompt": "Names: Ada, Grace.",
                "response_format": "verbose_json",
                "temperature": 0.2,
                "timestamp_granularities": ["word", "segment"],
            },
        ),
        ("transcription", {"file": REFERENCE, "model": "gpt-4o-transcribe", "stream": True}),
        ("translation", {"file": REFERENCE, "response_format": "srt", "prompt": "English."}),
    ],
)
def test_bodies_the_spec_allows_are_valid_here_and_for_openai(mode, body):
    checked = validate_request(request(mode, **body))

    assert_valid_request(mode, upstream_body(checked))


@pytest.mark.parametrize(
    ("mode", "body", "field", "words"),
    [
        ("transcription", {}, "file", "is required"),
        ("transcription", {"file": "meeting.wav"}, "file", "upload:<sha256>"),
        ("transcription", {"file": REFERENCE, "temperature": 1.5}, "temperature", "1"),
        ("transcription", {"file": REFERENCE, "language": "English"}, "language", "ISO-639-1"),
        (
            "transcription",
            {"file": REFERENCE, "response_format": "docx"},
            "response_format",
            "verbose_json",
        ),
        (
            "transcription",
            {"file": REFERENCE, "timestamp_granularities": ["word"]},
            "timestamp_granularities",
            "needs response_format verbose_json",
        ),
        (
            "transcription",
            {"file": REFERENCE, "timestamp_granularities": ["sentence"]},
            "timestamp_granularities[0]",
            "word",
        ),
        (
            "transcription",
            {"file": REFERENCE, "model": "gpt-4o-transcribe", "response_format": "srt"},
            "response_format",
            "gpt-4o-transcribe answers json only",
        ),
        (
            "transcription",
            {"file": REFERENCE, "response_format": "diarized_json"},
            "response_format",
            "gpt-4o-transcribe-diarize",
        ),
        (
            "translation",
            {"file": REFERENCE, "response_format": "diarized_json"},
            "response_format",
            "vtt",
        ),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(mode, body, field, words):
    errors = problems(mode, **body)

    assert field in errors, errors
    assert words in errors[field], errors


@pytest.mark.django_db
def test_the_file_must_be_audio_and_within_openais_size(settings):
    image = upload_create(data=picture(), filename="photo.png", purpose="image").reference
    body = upstream_body(validate_request(request(file=image)))
    with pytest.raises(RequestInvalid) as refused:
        body_files_read("transcription", body)
    assert refused.value.errors == {
        "file": "photo.png is not an audio file (allowed: wav, mp3, flac, ogg, m4a, mp4, "
        "webm, mpeg)."
    }

    sound = audio_upload()  # stored before this server lowered its limit
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 1024
    body = upstream_body(validate_request(request(file=sound)))
    with pytest.raises(RequestInvalid) as refused:
        body_files_read("transcription", body)
    assert (
        "meeting.wav is 236 KB; an audio file may be at most 1 KB." == refused.value.errors["file"]
    )


# --- the offline model -----------------------------------------------------------------


async def offline_events(mode: str = "transcription", **body) -> list:
    reference = await sync_to_async(audio_upload)()
    checked = validate_request(request(mode, file=reference, **body))
    provider = OfflineProvider(tokens_per_second=0)
    return [event async for event in provider.stream(upstream_body(checked), mode)]


def reply(events: list) -> str:
    return "".join(event.text for event in events if isinstance(event, TextDelta))


@pytest.mark.django_db(transaction=True)
async def test_the_offline_model_transcribes_from_the_files_name_and_length():
    events = await offline_events()

    assert reply(events).startswith("The offline model heard 5.0 seconds of meeting.wav. ")
    (transcript,) = [event for event in events if isinstance(event, Transcript)]
    assert (transcript.model, transcript.response_format) == ("whisper-1", "json")
    assert events[-1] == Finished(0, "stop")
    raw = json.loads(next(event.data for event in events if isinstance(event, RawChunk)))
    assert raw["usage"] == {"type": "duration", "seconds": 6}


@pytest.mark.django_db(transaction=True)
async def test_verbose_json_has_the_language_duration_segments_and_words():
    events = await offline_events(
        response_format="verbose_json", language="en", timestamp_granularities=["word", "segment"]
    )

    (transcript,) = [event for event in events if isinstance(event, Transcript)]
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(5.04)
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 2.52), (2.52, 5.04)]
    assert transcript.segments[0].text == "The offline model heard 5.0 seconds of meeting.wav."
    assert transcript.words[0].text == "The" and transcript.words[-1].end == 5.04


@pytest.mark.django_db(transaction=True)
async def test_subtitles_come_as_text_and_a_translation_is_in_english():
    events = await offline_events("translation", response_format="srt")

    assert reply(events).startswith(
        "1\n00:00:00,000 --> 00:00:02,520\nThe offline model translated 5.0 seconds of "
        "meeting.wav into English.\n\n2\n00:00:02,520 --> 00:00:05,040\n"
    )


@pytest.mark.django_db(transaction=True)
async def test_a_streamed_transcription_arrives_word_by_word_with_token_usage():
    events = await offline_events(model="gpt-4o-mini-transcribe", stream=True)

    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    assert deltas[:3] == ["The", " offline", " model"]
    (usage,) = [event for event in events if isinstance(event, Usage)]
    assert usage.prompt_tokens == 50 and usage.completion_tokens > 0


# --- an OpenAI-compatible upstream ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_audio_goes_upstream_as_a_multipart_upload_and_segments_come_back(
    fake_upstream,
):
    reference = await sync_to_async(audio_upload)()
    body = {
        "model": "whisper-1",
        "file": reference,
        "language": "en",
        "response_format": "verbose_json",
        "timestamp_granularities": ["segment", "word"],
        "temperature": 0,
    }
    events = [e async for e in get_provider("openai").stream(body, "transcription")]

    (sent,) = fake_upstream.requests
    assert sent.path == "/v1/audio/transcriptions"
    assert sent.body == {
        "model": "whisper-1",
        "language": "en",
        "response_format": "verbose_json",
        "timestamp_granularities[]": ["segment", "word"],
        "temperature": "0",
    }
    (part,) = sent.files["file"]
    assert (part.filename, part.content_type, part.sha256) == (
        "meeting.wav",
        "audio/wav",
        hashlib.sha256(WAV).hexdigest(),
    )
    offline = await offline_events(**{k: v for k, v in body.items() if k != "file"})
    assert reply(events) == reply(offline)
    (transcript,) = [event for event in events if isinstance(event, Transcript)]
    assert len(transcript.segments) == 2 and len(transcript.words) == 12


@pytest.mark.django_db(transaction=True)
async def test_a_streamed_transcription_from_a_provider(fake_upstream):
    reference = await sync_to_async(audio_upload)()
    body = {"model": "gpt-4o-transcribe", "file": reference, "stream": True}
    events = [e async for e in get_provider("openai").stream(body, "transcription")]

    assert fake_upstream.requests[0].body == {"model": "gpt-4o-transcribe", "stream": "true"}
    assert len([e for e in events if isinstance(e, TextDelta)]) > 5
    assert reply(events).startswith("The offline model heard 5.0 seconds of meeting.wav.")
    assert isinstance(events[-1], Finished)


@pytest.mark.django_db(transaction=True)
async def test_a_translation_as_plain_text(fake_upstream):
    reference = await sync_to_async(audio_upload)()
    body = {"model": "whisper-1", "file": reference, "response_format": "text"}
    events = [e async for e in get_provider("openai").stream(body, "translation")]

    assert fake_upstream.requests[0].path == "/v1/audio/translations"
    assert reply(events).startswith("The offline model translated 5.0 seconds of meeting.wav")


# --- the page's socket ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_page_shows_the_transcript_and_its_timed_segments(run_client, fake_upstream):
    reference = await sync_to_async(audio_upload)()
    body = {"model": "whisper-1", "file": reference, "response_format": "verbose_json"}
    await run_client.send(run_message("transcription", body))
    assert await run_client.receive_until_state() == "done", run_client.status_text()

    shown = text_of("".join(run_client.frames))
    assert "The offline model heard 5.0 seconds of meeting.wav." in shown
    result = run_client.frames[-1]
    assert 'class="transcript-segments"' in result
    assert "0:00.0" in text_of(result) and "0:05.0" in text_of(result)
    assert "english" in text_of(result)


@pytest.mark.django_db(transaction=True)
async def test_the_history_keeps_the_transcript_its_segments_and_the_audio(fake_upstream, client):
    alice = await sync_to_async(make_user)("alice")
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = alice
    assert (await communicator.connect())[0]
    runner = RunClient(communicator)
    reference = await sync_to_async(audio_upload)()
    body = {"model": "whisper-1", "file": reference, "response_format": "verbose_json"}
    await runner.send(run_message("transcription", body))
    assert await runner.receive_until_state() == "done"
    await runner.receive_record()
    await communicator.disconnect()

    run = await Run.objects.aget()
    assert (run.mode, run.status) == ("transcription", "finished")
    assert run.output["candidates"][0]["text"].startswith("The offline model heard 5.0 seconds")
    assert [s["start"] for s in run.output["transcript"]["segments"]] == ["0:00.0", "0:02.5"]
    upload = await Upload.objects.aget()
    assert upload.kept  # the run's audio outlives the uploads' day

    await sync_to_async(client.force_login)(alice)
    page = (await sync_to_async(client.get)(f"/history/{run.pk}/")).content.decode()
    assert 'class="transcript-segments"' in page
    assert "0:05.0" in page and "The offline model heard 5.0 seconds" in page


@pytest.mark.django_db(transaction=True)
async def test_a_file_that_is_not_audio_is_refused_before_sending_and_not_kept(
    run_client, fake_upstream
):
    image = await sync_to_async(
        lambda: upload_create(data=picture(), filename="photo.png", purpose="image").reference
    )()
    await run_client.send(run_message("transcription", {"model": "whisper-1", "file": image}))
    assert await run_client.receive_until_state() == "invalid"
    assert "photo.png is not an audio file" in run_client.status_text()
    assert fake_upstream.requests == []
    kept = await sync_to_async(lambda: list(Upload.objects.values_list("kept", flat=True)))()
    assert kept == [False]


def test_the_form_holds_a_transcription_and_gives_it_back():
    from playground.forms import form_values_from_request, request_from_form

    given = request(
        file=REFERENCE, prompt="Ada, Grace.", language="en", response_format="verbose_json"
    )
    values = form_values_from_request(given)

    assert values["file"] == REFERENCE and values["prompt"] == "Ada, Grace."
    assert "extensions" not in values
    assert request_from_form(values) == given
