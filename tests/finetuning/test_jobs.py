"""Fine-tuning jobs from upload to succeeded: the offline model's (in the database, the same
for every process) and an OpenAI-compatible provider's (the fake upstream), followed by
the background task's work, cancelled, refused in plain words."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.utils import timezone

from playground.finetuning import offline_jobs
from playground.finetuning.api import fine_tuning_api
from playground.finetuning.follow import tracked_job_follow, tracked_job_refresh
from playground.finetuning.models import OfflineJob, TrackedJob
from playground.finetuning.services import (
    fine_tuning_job_start,
    tracked_job_cancel,
    training_file_upload,
)
from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError
from playground.spec import RequestInvalid
from playground.uploads.services import upload_create
from tests.finetuning.samples import training_jsonl
from tests.openapi import assert_valid

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_jobs(settings):
    settings.PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS = 1.2


@pytest.fixture
def owner() -> User:
    return User.objects.create_user("trainer")


def age(job_id: str, seconds: float) -> None:
    """Move an offline job's creation into the past, as if ``seconds`` had passed."""
    created = timezone.now() - datetime.timedelta(seconds=seconds)
    OfflineJob.objects.filter(id=job_id).update(created_at=created)


@pytest.mark.parametrize("provider", ["offline", "openai"])
def test_a_job_moves_from_validating_files_to_succeeded_with_events_metrics_and_a_model(
    provider, owner, fake_upstream
):
    uploaded = training_file_upload(get_provider(provider), "train.jsonl", training_jsonl(12))
    assert_valid(uploaded, "OpenAIFile")
    job = fine_tuning_job_start(
        user=owner,
        provider_name=provider,
        body={
            "model": "gpt-4o-mini-2024-07-18",
            "training_file": uploaded["id"],
            "suffix": "faq",
            "hyperparameters": {"n_epochs": 2},
        },
    )
    assert job.status == "validating_files" and job.owner == owner
    assert_valid(job.job, "FineTuningJob")

    assert tracked_job_follow(job.pk) == "succeeded"

    job.refresh_from_db()
    assert (
        job.fine_tuned_model == f"ft:gpt-4o-mini-2024-07-18:playground:faq:{job.upstream_id[-8:]}"
    )
    messages = [event["message"] for event in job.events]
    assert messages[0].startswith("Validating training file")
    assert messages[-1] == "The job has successfully completed"
    for event in job.events:
        assert_valid(event, "FineTuningJobEvent")
    steps = job.metrics()
    assert [s["step"] for s in steps] == list(range(1, 25))  # 2 epochs x 12, at most 24
    assert steps[-1]["train_loss"] < steps[0]["train_loss"]
    assert [c["step_number"] for c in job.checkpoints] == [12, 24]
    for checkpoint in job.checkpoints:
        assert_valid(checkpoint, "FineTuningJobCheckpoint")


def test_a_succeeded_offline_model_appears_in_the_offline_model_list(owner, client):
    uploaded = training_file_upload(get_provider("offline"), "train.jsonl", training_jsonl())
    job = fine_tuning_job_start(
        user=owner,
        provider_name="offline",
        body={"model": "offline-1", "training_file": uploaded["id"]},
    )
    client.force_login(owner)
    name = f"ft:offline-1:playground::{job.upstream_id[-8:]}"
    assert name not in client.get("/models/?provider=offline").content.decode()
    age(job.upstream_id, 2)
    assert f'value="{name}"' in client.get("/models/?provider=offline").content.decode()


def test_a_file_of_the_playground_is_uploaded_first_and_its_id_sent(owner, fake_upstream):
    reference = upload_create(
        data=training_jsonl(), filename="faq.jsonl", purpose="jsonl"
    ).reference
    job = fine_tuning_job_start(
        user=owner,
        provider_name="openai",
        body={"model": "gpt-4o-mini", "training_file": reference, "seed": 7},
    )

    upload, create = fake_upstream.requests[-2:]
    assert (upload.path, upload.body) == ("/v1/files", {"purpose": "fine-tune"})
    assert upload.files["file"][0].filename == "faq.jsonl"
    assert create.path == "/v1/fine_tuning/jobs"
    assert create.body == {
        "model": "gpt-4o-mini",
        "training_file": job.job["training_file"],
        "seed": 7,
    }
    assert job.job["training_file"].startswith("file-")


def test_a_bad_training_file_is_refused_naming_the_line_and_nothing_is_sent(owner, fake_upstream):
    bad = training_jsonl(12).replace(b'"assistant"', b'"robot"', 1)
    reference = upload_create(data=bad, filename="bad.jsonl", purpose="jsonl").reference
    with pytest.raises(RequestInvalid) as refused:
        fine_tuning_job_start(
            user=owner,
            provider_name="openai",
            body={"model": "gpt-4o-mini", "training_file": reference},
        )
    assert refused.value.errors["training_file"].startswith(
        "line 1: messages[2]: role must be one of system, user, assistant, tool"
    )
    assert fake_upstream.requests == []
    assert TrackedJob.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"training_file": "file-abc"}, "model"),
        ({"model": "m"}, "training_file"),
        ({"model": "m", "training_file": "../models"}, "training_file"),
        ({"model": "m", "training_file": "file-a", "suffix": "has space"}, "suffix"),
        ({"model": "m", "training_file": "file-a", "suffix": "x" * 65}, "suffix"),
        ({"model": "m", "training_file": "file-a", "seed": -1}, "seed"),
        (
            {"model": "m", "training_file": "file-a", "hyperparameters": {"n_epochs": 0}},
            "hyperparameters.n_epochs",
        ),
        (
            {"model": "m", "training_file": "file-a", "hyperparameters": {"epochs": 3}},
            "hyperparameters.epochs",
        ),
    ],
)
def test_a_bad_job_is_refused_naming_the_field(owner, fake_upstream, body, field):
    with pytest.raises(RequestInvalid) as refused:
        fine_tuning_job_start(user=owner, provider_name="openai", body=body)
    assert field in refused.value.errors, refused.value.errors
    assert fake_upstream.requests == []


def test_an_unknown_file_id_is_the_providers_refusal_in_plain_words(owner, fake_upstream):
    with pytest.raises(UpstreamError) as refused:
        fine_tuning_job_start(
            user=owner,
            provider_name="offline",
            body={"model": "offline-1", "training_file": "file-nothere"},
        )
    assert "training_file file-nothere is not a file of the offline model" in refused.value.message


@pytest.mark.parametrize("provider", ["offline", "openai"])
def test_a_running_job_can_be_cancelled_and_an_ended_one_cannot(provider, owner, fake_upstream):
    uploaded = training_file_upload(get_provider(provider), "train.jsonl", training_jsonl())
    job = fine_tuning_job_start(
        user=owner, provider_name=provider, body={"model": "m", "training_file": uploaded["id"]}
    )
    job = tracked_job_cancel(job)
    assert job.status == "cancelled"
    job = tracked_job_refresh(job)
    assert job.events[-1]["message"] == "Fine-tuning job cancelled"
    with pytest.raises(UpstreamError) as refused:
        tracked_job_cancel(job)
    assert "has already ended (cancelled)" in refused.value.message


def test_files_are_listed_and_deleted(fake_upstream):
    for provider in ("offline", "openai"):
        api = fine_tuning_api(get_provider(provider))
        uploaded = training_file_upload(get_provider(provider), "a.jsonl", training_jsonl())
        listed = async_to_sync(api.files_list)()
        assert_valid(listed, "ListFilesResponse")
        assert uploaded["id"] in [f["id"] for f in listed["data"]]
        assert async_to_sync(api.file_delete)(uploaded["id"])["deleted"] is True
        assert uploaded["id"] not in [f["id"] for f in async_to_sync(api.files_list)()["data"]]


def test_an_id_that_would_leave_its_path_is_never_sent(fake_upstream):
    api = fine_tuning_api(get_provider("openai"))
    with pytest.raises(UpstreamError) as refused:
        async_to_sync(api.job_get)("../../models")
    assert "is not a file or job id" in refused.value.message
    assert fake_upstream.requests == []


def test_the_offline_model_refuses_files_for_other_purposes():
    with pytest.raises(UpstreamError) as refused:
        offline_jobs.file_create("a.jsonl", training_jsonl(), "assistants")
    assert refused.value.param == "purpose"


def test_a_job_nobody_followed_for_a_while_is_followed_again(owner, settings):
    from django_tasks_db.models import DBTaskResult

    from playground.finetuning.tasks import tracked_jobs_follow_abandoned

    settings.PLAYGROUND_EVAL_STALE_SECONDS = 60
    uploaded = training_file_upload(get_provider("offline"), "train.jsonl", training_jsonl())
    started = [
        fine_tuning_job_start(
            user=owner,
            provider_name="offline",
            body={"model": "m", "training_file": uploaded["id"]},
        )
        for _ in range(3)
    ]
    abandoned, fresh, ended = started
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    TrackedJob.objects.filter(pk__in=[abandoned.pk, ended.pk]).update(updated_at=long_ago)
    TrackedJob.objects.filter(pk=ended.pk).update(status="succeeded")
    queued_before = DBTaskResult.objects.count()

    assert tracked_jobs_follow_abandoned() == [abandoned.pk]

    assert DBTaskResult.objects.count() == queued_before + 1
    # Queued again once: the next sweep finds it recently touched.
    assert tracked_jobs_follow_abandoned() == []
    assert fresh.pk not in tracked_jobs_follow_abandoned()
