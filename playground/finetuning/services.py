"""Fine-tuning: upload a training file, start a job, follow it, cancel it.

A job is started here (its files uploaded to the provider first when the body names files
of the playground), recorded as a ``TrackedJob`` and followed by a background task
(``tasks``): the task polls the provider and writes what it says; pages read only the
record. Every provider call fails with ``UpstreamError`` in plain words.
"""

from typing import Any

from django.utils.translation import gettext as _

from playground.finetuning.api import fine_tuning_api_sync
from playground.finetuning.follow import job_taken
from playground.finetuning.models import TrackedJob
from playground.finetuning.tasks import fine_tuning_follow_enqueue
from playground.finetuning_body import FineTuningBody, is_file_id
from playground.providerconfig.lookup import get_provider
from playground.providers import Provider, UpstreamError
from playground.spec_errors import RequestInvalid, describe_errors
from playground.training_file import TrainingFileInvalid, training_file_check
from playground.uploads.kinds import UPLOAD_KINDS
from playground.uploads.references import FileReferenceError, file_reference_read

FILE_FIELDS = ("training_file", "validation_file")
# The offline model's jobs take seconds: the task looks at them this often.
OFFLINE_POLL_SECONDS = 0.5


def fine_tuning_body_check(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` checked against CreateFineTuningJobRequest; RequestInvalid names each field."""
    from pydantic import ValidationError

    try:
        checked = FineTuningBody.model_validate(body)
    except ValidationError as error:
        raise RequestInvalid(describe_errors(error, FineTuningBody, ())) from None
    return checked.model_dump(exclude_none=True)


def training_file_upload(provider: Provider, filename: str, data: bytes) -> dict[str, Any]:
    """Check a training file line by line, then upload it to the provider (``OpenAIFile``);
    RequestInvalid ("file", naming each bad line) when it is not a training file."""
    try:
        training_file_check(data)
    except TrainingFileInvalid as invalid:
        raise RequestInvalid({"file": " ".join(invalid.problems)}) from None
    api = fine_tuning_api_sync(provider)
    return api.file_create(filename, data, "application/jsonl")


def job_files_uploaded(provider: Provider, body: dict[str, Any]) -> dict[str, Any]:
    """The body with each file of the playground (``upload:…``, ``@path``) uploaded to the
    provider and replaced by its id; a provider's file id is sent as it is."""
    sent = dict(body)
    for field in FILE_FIELDS:
        value = body.get(field)
        if not isinstance(value, str) or is_file_id(value):
            continue
        try:
            content = file_reference_read(value, kind=UPLOAD_KINDS["jsonl"])
        except FileReferenceError as error:
            raise RequestInvalid({field: str(error)}) from None
        try:
            uploaded = training_file_upload(provider, content.filename, content.data)
        except RequestInvalid as invalid:
            raise RequestInvalid({field: invalid.errors["file"]}) from None
        sent[field] = str(uploaded.get("id") or "")
    return sent


def fine_tuning_job_start(*, user: Any, provider_name: str, body: dict[str, Any]) -> TrackedJob:
    """Start a job: check the body, upload its files, create it at the provider, record it
    and queue its follower."""
    checked = fine_tuning_body_check(body)
    provider = get_provider(provider_name, user)
    sent = job_files_uploaded(provider, checked)
    created = fine_tuning_api_sync(provider).job_create(sent)
    job = tracked_job_record(user=user, provider_name=provider_name, job=created)
    fine_tuning_follow_enqueue(job.pk)
    return job


def job_tracked(*, user: Any, provider_name: str, upstream_id: str) -> TrackedJob:
    """A provider's job, followed: its record (made, and its follower queued, the first
    time), as the provider describes it now."""
    existing = TrackedJob.objects.filter(provider=provider_name, upstream_id=upstream_id).first()
    if existing is not None:
        return existing
    provider = get_provider(provider_name, user)
    job = fine_tuning_api_sync(provider).job_get(upstream_id)
    tracked = tracked_job_record(user=user, provider_name=provider_name, job=job)
    if not tracked.finished:
        fine_tuning_follow_enqueue(tracked.pk)
    return tracked


def tracked_job_record(*, user: Any, provider_name: str, job: dict[str, Any]) -> TrackedJob:
    """The record of a provider's job (made the first time it is seen)."""
    upstream_id = str(job.get("id") or "")
    if not upstream_id:
        raise UpstreamError("bad_response", _("The provider answered without a job id."))
    tracked, _created = TrackedJob.objects.get_or_create(
        provider=provider_name,
        upstream_id=upstream_id,
        defaults={"owner": user, "model": str(job.get("model") or "")},
    )
    job_taken(tracked, job)
    tracked.save()
    return tracked


def tracked_job_cancel(tracked: TrackedJob) -> TrackedJob:
    provider = get_provider(tracked.provider, tracked.owner)
    job = fine_tuning_api_sync(provider).job_cancel(tracked.upstream_id)
    job_taken(tracked, job)
    tracked.save()
    return tracked
