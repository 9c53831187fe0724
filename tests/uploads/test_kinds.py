"""Which files each purpose accepts: the type read from the bytes, never from the name."""

import pytest

from playground.uploads.kinds import JSONL, UPLOAD_KINDS, media_type_sniff
from tests.uploads.samples import jsonl_bytes, mp3_bytes, png_bytes, wav_bytes


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (png_bytes(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 20, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
        (wav_bytes(), "audio/wav"),
        (mp3_bytes(), "audio/mpeg"),
        (b"fLaC" + b"\x00" * 40, "audio/flac"),
        (b"OggS" + b"\x00" * 40, "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 40, "audio/mp4"),
    ],
)
def test_a_file_type_is_read_from_its_first_bytes(data, media_type):
    assert media_type_sniff(data) == media_type


def test_text_and_unknown_bytes_have_no_media_type():
    assert media_type_sniff(b"just some text") is None
    assert media_type_sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


def test_an_image_purpose_takes_images_only():
    image = UPLOAD_KINDS["image"]
    assert image.media_type_of(png_bytes()) == "image/png"
    assert image.media_type_of(wav_bytes()) is None
    assert image.allowed_names() == "png, jpg, gif, webp"


def test_an_audio_purpose_takes_the_formats_openai_transcribes():
    audio = UPLOAD_KINDS["audio"]
    assert audio.media_type_of(wav_bytes()) == "audio/wav"
    assert audio.media_type_of(mp3_bytes()) == "audio/mpeg"
    assert audio.media_type_of(png_bytes()) is None
    assert audio.allowed_names() == "wav, mp3, flac, ogg, m4a, mp4, webm, mpeg"


def test_jsonl_is_utf8_text_and_not_a_binary_file():
    jsonl = UPLOAD_KINDS["jsonl"]
    assert jsonl.media_type_of(jsonl_bytes()) == JSONL
    assert jsonl.media_type_of("中文".encode()) == JSONL
    assert jsonl.media_type_of(b"\xff\xfe\x00bad") is None
    assert jsonl.media_type_of(png_bytes()) is None


def test_the_server_limit_lowers_a_purposes_size(settings):
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 1000
    assert UPLOAD_KINDS["audio"].max_bytes == 1000
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 10**12
    assert UPLOAD_KINDS["audio"].max_bytes == 25 * 1024 * 1024
    assert UPLOAD_KINDS["image"].max_bytes == 50 * 1024 * 1024


def test_refusals_name_the_file_the_limit_and_the_allowed_types(settings):
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    audio = UPLOAD_KINDS["audio"]
    assert audio.too_big("talk.wav", 3 * 1024 * 1024) == (
        "talk.wav is 3 MB; an audio file may be at most 2 MB."
    )
    assert audio.wrong_type("notes.txt") == (
        "notes.txt is not an audio file (allowed: wav, mp3, flac, ogg, m4a, mp4, webm, mpeg)."
    )
