"""The offline model's fine-tuning: files and jobs in OpenAI's shapes, with no network.

A job moves through OpenAI's states in ``PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS`` (6 by
default): validating_files, queued, running (a metrics event per step, a checkpoint per
epoch), then succeeded with a model ``ft:<base>:playground:<suffix>:<id>``. Its state is
computed from its age, so every process (the page's server, the worker polling it, the
terminal) sees the same job without sharing memory; the database holds only what was
created. The functions are synchronous (the ORM): call them off the event loop.
"""

import math
import secrets
import zlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from playground.finetuning.models import OfflineFile, OfflineJob
from playground.providers.base import UpstreamError
from playground.training_file import TrainingFileInvalid, training_file_check

# What share of the job's time each state before running takes.
_VALIDATING_SHARE = 1 / 6
_QUEUED_SHARE = 2 / 6
MAX_STEPS = 24
DEFAULT_EPOCHS = 3


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _not_found(what: str, name: str) -> UpstreamError:
    return UpstreamError(
        "not_found",
        _("The offline model has no %(what)s %(name)s.") % {"what": what, "name": name},
        status=404,
    )


def file_object(file: OfflineFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "object": "file",
        "bytes": len(file.data),
        "created_at": _unix(file.created_at),
        "filename": file.filename,
        "purpose": file.purpose,
        "status": "processed",
    }


def file_create(filename: str, data: bytes, purpose: str) -> dict[str, Any]:
    """``POST /files``: a training file, checked line by line as OpenAI checks it."""
    if purpose != "fine-tune":
        raise UpstreamError(
            "bad_request",
            _("The offline model takes files for fine-tuning only (purpose fine-tune)."),
            status=400,
            param="purpose",
        )
    try:
        examples = training_file_check(data)
    except TrainingFileInvalid as invalid:
        raise UpstreamError(
            "bad_request", " ".join(invalid.problems), status=400, param="file"
        ) from None
    file = OfflineFile.objects.create(
        id="file-" + secrets.token_hex(12),
        filename=filename,
        purpose=purpose,
        data=data,
        examples=examples,
    )
    return file_object(file)


def files_list() -> dict[str, Any]:
    data = [file_object(file) for file in OfflineFile.objects.defer("data")]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": False,
    }


def file_delete(file_id: str) -> dict[str, Any]:
    deleted, _count = OfflineFile.objects.filter(id=file_id).delete()
    if not deleted:
        raise _not_found(_("file"), file_id)
    return {"id": file_id, "object": "file", "deleted": True}


def job_create(body: dict[str, Any]) -> dict[str, Any]:
    """``POST /fine_tuning/jobs``: the files must be the offline model's own."""
    training = OfflineFile.objects.filter(id=body.get("training_file")).first()
    if training is None:
        raise UpstreamError(
            "bad_request",
            _("training_file %(id)s is not a file of the offline model: upload it first.")
            % {"id": body.get("training_file")},
            status=400,
            param="training_file",
        )
    validation = str(body.get("validation_file") or "")
    if validation and not OfflineFile.objects.filter(id=validation).exists():
        raise UpstreamError(
            "bad_request",
            _("validation_file %(id)s is not a file of the offline model: upload it first.")
            % {"id": validation},
            status=400,
            param="validation_file",
        )
    job = OfflineJob.objects.create(
        id="ftjob-" + secrets.token_hex(12),
        model=str(body["model"]),
        training_file=training.id,
        validation_file=validation,
        examples=training.examples,
        hyperparameters=hyperparameters_of(body),
        suffix=str(body.get("suffix") or ""),
        seed=body.get("seed"),
    )
    return job_object(job)


def hyperparameters_of(body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("hyperparameters") or {}
    method = body.get("method") or {}
    supervised = (method.get("supervised") or {}).get("hyperparameters") or {}
    merged = {**given, **supervised}
    return {
        "n_epochs": merged.get("n_epochs", "auto"),
        "batch_size": merged.get("batch_size", "auto"),
        "learning_rate_multiplier": merged.get("learning_rate_multiplier", "auto"),
    }


def _job(job_id: str) -> OfflineJob:
    job = OfflineJob.objects.filter(id=job_id).first()
    if job is None:
        raise _not_found(_("fine-tuning job"), job_id)
    return job


def _duration() -> float:
    return float(settings.PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS)


def _steps(job: OfflineJob) -> int:
    epochs = job.hyperparameters.get("n_epochs")
    epochs = epochs if isinstance(epochs, int) else DEFAULT_EPOCHS
    batch = job.hyperparameters.get("batch_size")
    batch = batch if isinstance(batch, int) else 1
    return max(1, min(MAX_STEPS, epochs * math.ceil(max(1, job.examples) / batch)))


def _timeline(job: OfflineJob) -> list[tuple[float, dict[str, Any]]]:
    """Every event of the job, with the second (after its creation) it happens at."""
    total = _duration()
    running = total * _QUEUED_SHARE
    steps = _steps(job)
    epochs = job.hyperparameters.get("n_epochs")
    epochs = epochs if isinstance(epochs, int) else DEFAULT_EPOCHS
    events: list[tuple[float, dict[str, Any]]] = [
        (0.0, _message(f"Validating training file: {job.training_file}")),
        (total * _VALIDATING_SHARE, _message("Files validated, moving job to queued state")),
        (running, _message("Fine-tuning job started")),
    ]
    seed = zlib.crc32(job.id.encode())
    for step in range(1, steps + 1):
        at = running + (total - running) * 0.9 * step / steps
        jitter = ((seed >> (step % 16)) % 100) / 1000
        loss = round(2.2 * math.exp(-2.5 * step / steps) + 0.05 + jitter, 4)
        accuracy = round(min(0.99, 0.35 + 0.6 * step / steps - jitter / 2), 4)
        data = {"step": step, "train_loss": loss, "train_mean_token_accuracy": accuracy}
        message = f"Step {step}/{steps}: training loss={loss:.4f}"
        events.append((at, {"type": "metrics", "level": "info", "message": message, "data": data}))
        if step % max(1, steps // epochs) == 0 or step == steps:
            events.append((at, _message(f"Checkpoint created at step {step}")))
    events.append((total, _message(f"New fine-tuned model created: {_model_name(job)}")))
    events.append((total, _message("The job has successfully completed")))
    return events


def _message(text: str) -> dict[str, Any]:
    return {"type": "message", "level": "info", "message": text}


def _model_name(job: OfflineJob) -> str:
    return f"ft:{job.model}:playground:{job.suffix}:{job.id[-8:]}"


def _age(job: OfflineJob) -> float:
    until = job.cancelled_at or timezone.now()
    return max(0.0, (until - job.created_at).total_seconds())


def _status(job: OfflineJob) -> str:
    if job.cancelled_at is not None:
        return "cancelled"
    age, total = _age(job), _duration()
    if age >= total:
        return "succeeded"
    if age >= total * _QUEUED_SHARE:
        return "running"
    if age >= total * _VALIDATING_SHARE:
        return "queued"
    return "validating_files"


def job_object(job: OfflineJob) -> dict[str, Any]:
    status = _status(job)
    done = status == "succeeded"
    created = _unix(job.created_at)
    return {
        "id": job.id,
        "object": "fine_tuning.job",
        "created_at": created,
        "error": None,
        "fine_tuned_model": _model_name(job) if done else None,
        "finished_at": created + math.ceil(_duration()) if done else None,
        "hyperparameters": job.hyperparameters,
        "model": job.model,
        "organization_id": "org-offline",
        "result_files": [],
        "status": status,
        "trained_tokens": job.examples * 100 * _steps(job) if done else None,
        "training_file": job.training_file,
        "validation_file": job.validation_file or None,
        "seed": job.seed if job.seed is not None else zlib.crc32(job.id.encode()) % 2**31,
        "suffix": job.suffix or None,
    }


def job_get(job_id: str) -> dict[str, Any]:
    return job_object(_job(job_id))


def jobs_list() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [job_object(job) for job in OfflineJob.objects.all()[:100]],
        "has_more": False,
    }


def job_events(job_id: str) -> dict[str, Any]:
    return events_answer(_job(job_id))


def events_answer(job: OfflineJob) -> dict[str, Any]:
    """The events so far, newest first (as OpenAI lists them)."""
    age = _age(job)
    happened = [(at, event) for at, event in _timeline(job) if at <= age]
    if job.cancelled_at is not None:
        happened.append((age, _message("Fine-tuning job cancelled")))
    created = job.created_at.timestamp()
    data = [
        {
            "object": "fine_tuning.job.event",
            "id": f"ftevent-{job.id[-8:]}-{number}",
            "created_at": int(created + at),
            **event,
        }
        for number, (at, event) in enumerate(happened)
    ]
    return {"object": "list", "data": data[::-1], "has_more": False}


def job_checkpoints(job_id: str) -> dict[str, Any]:
    return checkpoints_answer(_job(job_id))


def checkpoints_answer(job: OfflineJob) -> dict[str, Any]:
    """The checkpoints so far (one per epoch), newest first."""
    age = _age(job)
    created = job.created_at.timestamp()
    checkpoints = []
    metrics_at = {
        event["data"]["step"]: (at, event["data"])
        for at, event in _timeline(job)
        if event["type"] == "metrics"
    }
    for at, event in _timeline(job):
        if at > age or not event["message"].startswith("Checkpoint created at step "):
            continue
        step = int(event["message"].rsplit(" ", 1)[1])
        checkpoints.append(
            {
                "object": "fine_tuning.job.checkpoint",
                "id": f"ftckpt-{job.id[-8:]}-{step}",
                "created_at": int(created + at),
                "fine_tuned_model_checkpoint": f"{_model_name(job)}:ckpt-step-{step}",
                "step_number": step,
                "metrics": {"step": step, **metrics_at[step][1]},
                "fine_tuning_job_id": job.id,
            }
        )
    return {"object": "list", "data": checkpoints[::-1], "has_more": False}


def job_cancel(job_id: str) -> dict[str, Any]:
    job = _job(job_id)
    cancel(job)
    job.save(update_fields=["cancelled_at"])
    return job_object(job)


def cancel(job: OfflineJob) -> None:
    """Mark ``job`` cancelled now (not saved); UpstreamError when it has ended."""
    if _status(job) in ("succeeded", "failed", "cancelled"):
        raise UpstreamError(
            "bad_request",
            _("The job has already ended (%(status)s): it cannot be cancelled.")
            % {"status": _status(job)},
            status=400,
        )
    job.cancelled_at = timezone.now()


def fine_tuned_models() -> list[str]:
    """The models of the offline model's succeeded jobs (the model list shows them)."""
    return [
        _model_name(job)
        for job in OfflineJob.objects.filter(cancelled_at=None)[:200]
        if _status(job) == "succeeded"
    ]
