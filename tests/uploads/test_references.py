"""File references in a request: an upload by its hash from the page, a path from the
terminal only."""

import hashlib

import pytest

from playground.uploads.kinds import UPLOAD_KINDS
from playground.uploads.references import (
    FileReferenceError,
    download_name,
    file_paths_read_from,
    file_reference_read,
    is_file_reference,
    upload_references,
)
from playground.uploads.services import upload_create
from tests.uploads.samples import png_bytes, wav_bytes


def test_references_are_told_from_other_strings():
    assert is_file_reference("upload:" + "a" * 64)
    assert is_file_reference("@clip.wav")
    assert not is_file_reference("@")
    assert not is_file_reference("https://example.com/cat.png")
    assert not is_file_reference(42)


def test_every_upload_reference_in_a_request_is_found():
    first, second = "upload:" + "1" * 64, "upload:" + "2" * 64
    request = {
        "body": {
            "file": first,
            "messages": [{"content": [{"image_url": {"url": second}}, {"text": "upload:short"}]}],
        }
    }
    assert sorted(upload_references(request)) == [first, second]


@pytest.mark.django_db
def test_an_upload_is_read_back_by_its_reference():
    upload = upload_create(data=wav_bytes(), filename="clip.wav", purpose="audio")
    content = file_reference_read(upload.reference, base_dir=None)
    assert content.data == wav_bytes()
    assert content.filename == "clip.wav" and content.media_type == "audio/wav"
    assert content.sha256 == hashlib.sha256(wav_bytes()).hexdigest()


@pytest.mark.django_db
def test_an_unknown_upload_says_to_upload_again():
    with pytest.raises(FileReferenceError, match="no uploaded file has this content"):
        file_reference_read("upload:" + "0" * 64, base_dir=None)


def test_the_page_cannot_read_a_path_on_the_server():
    with pytest.raises(FileReferenceError, match="read only by the terminal"):
        file_reference_read("@/etc/passwd", base_dir=None)


def test_the_terminal_reads_a_path_relative_to_the_request_file(tmp_path):
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "talk.wav").write_bytes(wav_bytes())
    content = file_reference_read("@clips/talk.wav", base_dir=tmp_path, kind=UPLOAD_KINDS["audio"])
    assert content.data == wav_bytes() and content.media_type == "audio/wav"
    assert content.filename == "talk.wav"


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(FileReferenceError, match=r"@nope.wav: cannot read the file"):
        file_reference_read("@nope.wav", base_dir=tmp_path)


def test_a_path_of_the_wrong_type_or_size_is_refused_before_sending(tmp_path, settings):
    (tmp_path / "photo.wav").write_bytes(png_bytes())
    with pytest.raises(FileReferenceError, match=r"photo.wav is not an audio file"):
        file_reference_read("@photo.wav", base_dir=tmp_path, kind=UPLOAD_KINDS["audio"])
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 100
    (tmp_path / "long.wav").write_bytes(wav_bytes())
    with pytest.raises(FileReferenceError, match=r"long.wav is .*at most 100 B"):
        file_reference_read("@long.wav", base_dir=tmp_path, kind=UPLOAD_KINDS["audio"])


def test_a_reference_that_is_neither_says_what_is_expected():
    with pytest.raises(FileReferenceError, match=r"upload:<sha256> from the page, or @path"):
        file_reference_read("clip.wav", base_dir=None)


@pytest.mark.django_db
def test_a_download_name_has_the_extension_of_the_real_type():
    upload = upload_create(data=png_bytes(), filename="picture.jpg.exe", purpose="image")
    assert download_name(file_reference_read(upload.reference, base_dir=None)) == "picture.jpg.png"


def test_the_terminal_sets_where_paths_are_read_for_everything_it_runs(tmp_path):
    (tmp_path / "talk.wav").write_bytes(wav_bytes())
    with file_paths_read_from(tmp_path):
        assert file_reference_read("@talk.wav").data == wav_bytes()
    with pytest.raises(FileReferenceError, match="read only by the terminal"):
        file_reference_read("@talk.wav")
