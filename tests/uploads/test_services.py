"""Storing uploads once by content, keeping what runs and presets use, purging the rest."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from playground.presets.services import preset_create, preset_save
from playground.uploads.models import Upload
from playground.uploads.services import (
    UploadRefused,
    filename_clean,
    upload_create,
    upload_keep,
    upload_references_check,
    uploads_purge,
)
from tests.uploads.samples import png_bytes, wav_bytes

pytestmark = pytest.mark.django_db


def test_the_same_file_uploaded_twice_is_stored_once():
    first = upload_create(data=wav_bytes(), filename="a.wav", purpose="audio")
    second = upload_create(data=wav_bytes(), filename="b.wav", purpose="audio")
    assert first.pk == second.pk and Upload.objects.count() == 1
    assert first.reference == "upload:" + first.sha256


def test_a_refused_file_is_not_stored(settings):
    with pytest.raises(UploadRefused, match="is not an audio file"):
        upload_create(data=png_bytes(), filename="a.wav", purpose="audio")
    settings.PLAYGROUND_UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadRefused, match="may be at most 10 B"):
        upload_create(data=wav_bytes(), filename="a.wav", purpose="audio")
    with pytest.raises(UploadRefused, match=r"a\.wav is empty"):
        upload_create(data=b"", filename="a.wav", purpose="audio")
    with pytest.raises(UploadRefused, match="purpose: must be one of audio, image, jsonl"):
        upload_create(data=wav_bytes(), filename="a.wav", purpose="video")
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\mei\\clip.wav", "clip.wav"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00name\n.wav", "badname.wav"),
        ("", "file"),
        ("..", "file"),
        ("录音.wav", "录音.wav"),
    ],
)
def test_a_file_name_is_its_last_part_without_control_characters(given, kept):
    assert filename_clean(given) == kept


def test_uploads_nothing_kept_are_purged_after_a_day_and_kept_ones_stay():
    old = timezone.now() - datetime.timedelta(hours=25)
    loose = upload_create(data=wav_bytes(0.1), filename="a.wav", purpose="audio")
    kept = upload_create(data=wav_bytes(0.2), filename="b.wav", purpose="audio")
    fresh = upload_create(data=wav_bytes(0.3), filename="c.wav", purpose="audio")
    Upload.objects.filter(pk__in=[loose.pk, kept.pk]).update(created_at=old)
    assert upload_keep({"body": {"file": kept.reference}}) == 1
    assert uploads_purge() == 1
    assert set(Upload.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}


def test_a_new_upload_purges_what_nothing_kept():
    loose = upload_create(data=wav_bytes(0.1), filename="a.wav", purpose="audio")
    Upload.objects.filter(pk=loose.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    upload_create(data=png_bytes(), filename="b.png", purpose="image")
    assert not Upload.objects.filter(pk=loose.pk).exists()


def test_the_purge_command_says_how_many_it_deleted():
    upload_create(data=wav_bytes(), filename="a.wav", purpose="audio")
    from io import StringIO

    out = StringIO()
    call_command("purge_uploads", "--older-than", "0", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 upload nothing kept."
    assert not Upload.objects.exists()


def test_saving_a_preset_keeps_its_files():
    owner = User.objects.create_user("mei")
    audio = upload_create(data=wav_bytes(), filename="a.wav", purpose="audio")
    image = upload_create(data=png_bytes(), filename="b.png", purpose="image")
    # An unknown body key passes through to the provider untouched: it stands for a file field.
    body = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "x": audio.reference}
    request = {"mode": "chat", "provider": "offline", "body": body}
    preset = preset_create(owner=owner, name="with audio", request=request)
    assert Upload.objects.get(pk=audio.pk).kept and not Upload.objects.get(pk=image.pk).kept
    request["body"]["x"] = image.reference
    preset_save(preset_id=preset.pk, author=owner, request=request, base_version=1)
    assert Upload.objects.get(pk=image.pk).kept


def test_references_to_files_no_longer_stored_are_listed():
    audio = upload_create(data=wav_bytes(), filename="a.wav", purpose="audio")
    missing = "upload:" + "f" * 64
    assert upload_references_check({"a": audio.reference, "b": [missing]}) == [missing]
