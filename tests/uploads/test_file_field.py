"""A form's file field shows the file it was rendered with, or says it is not stored here."""

import pytest
from django.template.loader import render_to_string

from playground.uploads.services import upload_create
from tests.uploads.samples import wav_bytes

pytestmark = pytest.mark.django_db


def field(value: str | None) -> str:
    return render_to_string(
        "playground/_file_field.html",
        {
            "name": "file",
            "purpose": "audio",
            "label": "Audio",
            "value": value,
            "accept": "audio/*",
            "field_id": "audio-file",
        },
    )


def test_an_empty_field_sends_no_file():
    html = field(None)
    assert 'data-upload-purpose="audio"' in html and 'data-upload-url="/uploads/"' in html
    assert '<input type="hidden" name="file" value="" disabled>' in html


def test_a_stored_file_is_named_with_its_size_and_type():
    upload = upload_create(data=wav_bytes(), filename="talk.wav", purpose="audio")
    html = field(upload.reference)
    assert f'value="{upload.reference}">' in html
    assert 'data-media-type="audio/wav"' in html
    assert "talk.wav (8 KB)" in html


def test_a_reference_not_stored_here_asks_for_the_file_again():
    missing = "upload:" + "a" * 64
    assert f"{missing} is not stored here: choose the file again." in field(missing)


def test_a_file_name_is_escaped():
    upload = upload_create(
        data=wav_bytes(), filename="<img src=x onerror=alert(1)>.wav", purpose="audio"
    )
    html = field(upload.reference)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.wav" in html
