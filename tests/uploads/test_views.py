"""The page uploads a file and gets its reference; an uploaded file is read back."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from playground.uploads.models import Upload
from tests.uploads.samples import png_bytes, wav_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("mei"))
    return client


def upload(client: Client, data: bytes, name: str, purpose: str):
    return client.post("/uploads/", {"file": SimpleUploadedFile(name, data), "purpose": purpose})


def test_an_upload_answers_its_reference(client):
    answer = upload(client, wav_bytes(), "clip.wav", "audio")
    assert answer.status_code == 200
    body = answer.json()
    stored = Upload.objects.get()
    assert body == {
        "reference": f"upload:{stored.sha256}",
        "filename": "clip.wav",
        "size": len(wav_bytes()),
        "media_type": "audio/wav",
    }
    assert stored.created_by.username == "mei"


def test_a_wrong_file_is_refused_in_words_and_not_stored(client, settings):
    answer = upload(client, png_bytes(), "clip.mp3", "audio")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "clip.mp3 is not an audio file (allowed: wav, mp3, flac, ogg, m4a, mp4, webm, mpeg)."
    }
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 100
    answer = upload(client, wav_bytes(), "long.wav", "audio")
    assert answer.status_code == 400 and "at most 100 B" in answer.json()["error"]
    assert not Upload.objects.exists()


def test_a_missing_file_or_purpose_is_named(client):
    answer = client.post("/uploads/", {"purpose": "audio"})
    assert answer.json() == {"error": "file: choose a file to upload."}
    answer = upload(client, wav_bytes(), "a.wav", "")
    assert answer.json() == {"error": "purpose: must be one of audio, image, jsonl."}


def test_the_refusal_speaks_chinese_to_a_chinese_page(client):
    client.cookies["django_language"] = "zh-hans"
    answer = upload(client, wav_bytes(), "a.wav", "image")
    assert answer.status_code == 400
    assert "a.wav" in answer.json()["error"] and "图" in answer.json()["error"]


def test_signing_in_is_required():
    answer = Client().post(
        "/uploads/", {"file": SimpleUploadedFile("a.wav", wav_bytes()), "purpose": "audio"}
    )
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert not Upload.objects.exists()


def test_an_uploaded_file_is_served_as_its_real_type_and_runs_nothing(client):
    reference = upload(client, png_bytes(), "cat.png", "image").json()["reference"]
    answer = client.get(f"/uploads/{reference.removeprefix('upload:')}/")
    assert answer.status_code == 200
    assert answer.content == png_bytes()
    assert answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer["Content-Disposition"] == 'inline; filename="cat.png"'
    download = client.get(f"/uploads/{reference.removeprefix('upload:')}/?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="cat.png"'


def test_an_unknown_file_is_not_found(client):
    assert client.get("/uploads/" + "0" * 64 + "/").status_code == 404


@pytest.mark.parametrize(
    ("asked", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None)],
)
def test_a_player_may_ask_for_part_of_a_file_to_seek(client, asked, start, end):
    # Browsers' <audio> seek with Range requests; without 206 answers some cannot seek.
    data = wav_bytes()
    reference = upload(client, data, "clip.wav", "audio").json()["reference"]
    url = f"/uploads/{reference.removeprefix('upload:')}/"

    answer = client.get(url, HTTP_RANGE=asked)

    part = data[start:] if end is None else data[start : end + 1]
    first = start if start >= 0 else len(data) + start
    assert answer.status_code == 206
    assert answer.content == part
    assert answer["Content-Range"] == f"bytes {first}-{first + len(part) - 1}/{len(data)}"
    assert answer["Content-Type"] == "audio/wav"
    assert client.get(url)["Accept-Ranges"] == "bytes"


def test_a_range_past_the_end_is_not_satisfiable_and_a_strange_one_gets_the_whole_file(client):
    data = wav_bytes()
    reference = upload(client, data, "clip.wav", "audio").json()["reference"]
    url = f"/uploads/{reference.removeprefix('upload:')}/"

    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"
    for strange in ("bytes=0-1,5-9", "lines=1-2", "bytes=9-3", "bytes=abc"):
        whole = client.get(url, HTTP_RANGE=strange)
        assert (whole.status_code, whole.content) == (200, data), strange
