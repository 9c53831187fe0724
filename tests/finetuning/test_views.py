"""The fine-tuning pages: upload (refusals naming the line), files listed and deleted, a job
started and shown as the background task wrote it, cancelled; only its owner sees it."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.finetuning.follow import tracked_job_follow
from playground.finetuning.models import OfflineFile, TrackedJob
from tests.finetuning.samples import training_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_jobs(settings):
    settings.PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS = 1.0


@pytest.fixture
def signed_in(client):
    client.force_login(User.objects.create_user("trainer"))
    return client


def upload(client, data: bytes, name: str = "train.jsonl", provider: str = "offline"):
    return client.post(
        "/fine-tuning/files/", {"provider": provider, "file": SimpleUploadedFile(name, data)}
    )


def test_a_training_file_is_checked_and_uploaded_then_listed(signed_in):
    page = upload(signed_in, training_jsonl())
    assert page.status_code == 200
    stored = OfflineFile.objects.get()
    assert f"train.jsonl uploaded as {stored.id}." in page.content.decode()
    assert f'<option value="{stored.id}" selected>' in page.content.decode()


def test_a_bad_line_is_refused_naming_it_and_nothing_is_uploaded(signed_in):
    bad = training_jsonl().replace(b'"user"', b'"customer"', 1)
    page = upload(signed_in, bad)
    assert page.status_code == 400
    assert "line 1: messages[1]: role must be one of system, user, assistant, tool" in (
        page.content.decode()
    )
    assert OfflineFile.objects.count() == 0


def test_a_file_is_deleted_from_the_provider(signed_in, fake_upstream):
    upload(signed_in, training_jsonl(), provider="openai")
    (file_id,) = fake_upstream.fine_tuning.files
    page = signed_in.post(f"/fine-tuning/files/{file_id}/delete/", {"provider": "openai"})
    assert f"{file_id} deleted." in page.content.decode()
    assert fake_upstream.fine_tuning.files == {}


def test_a_job_is_started_followed_and_shown_with_its_model(signed_in):
    upload(signed_in, training_jsonl())
    file_id = OfflineFile.objects.get().id
    answer = signed_in.post(
        "/fine-tuning/jobs/",
        {"provider": "offline", "model": "offline-1", "training_file": file_id, "suffix": "faq"},
    )
    job = TrackedJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/fine-tuning/jobs/{job.pk}/"
    page = signed_in.get(answer["Location"]).content.decode()
    assert 'data-status="validating_files"' in page and 'hx-trigger="every 1s"' in page

    tracked_job_follow(job.pk)  # what the worker does

    status = signed_in.get(f"/fine-tuning/jobs/{job.pk}/status/").content.decode()
    assert 'data-status="succeeded"' in status and "every 1s" not in status
    model = f"ft:offline-1:playground:faq:{job.upstream_id[-8:]}"
    assert f'<code id="fine-tuned-model">{model}</code>' in status
    assert "The job has successfully completed" in status
    assert "<polyline points=" in status
    opened = signed_in.get(f"/?provider=offline&model={model}").content.decode()
    assert f'value="{model}"' in opened


def test_a_bad_job_names_its_field_and_keeps_the_form(signed_in):
    upload(signed_in, training_jsonl())
    file_id = OfflineFile.objects.get().id
    page = signed_in.post(
        "/fine-tuning/jobs/",
        {"provider": "offline", "model": "offline-1", "training_file": file_id, "n_epochs": "0"},
    )
    assert page.status_code == 400
    assert "<code>hyperparameters.n_epochs</code>" in page.content.decode()
    assert TrackedJob.objects.count() == 0


def test_a_job_is_cancelled_and_only_its_owner_sees_it(signed_in, client):
    upload(signed_in, training_jsonl())
    signed_in.post(
        "/fine-tuning/jobs/",
        {"provider": "offline", "model": "m", "training_file": OfflineFile.objects.get().id},
    )
    job = TrackedJob.objects.get()
    page = signed_in.post(f"/fine-tuning/jobs/{job.pk}/cancel/").content.decode()
    assert 'data-status="cancelled"' in page

    other = User.objects.create_user("other")
    signed_in.force_login(other)
    assert signed_in.get(f"/fine-tuning/jobs/{job.pk}/").status_code == 404
