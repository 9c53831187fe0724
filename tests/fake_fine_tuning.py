"""The fake upstream's fine-tuning API: ``/files`` and ``/fine_tuning/jobs``, in memory.

Jobs move through their states as the offline model's do (``offline_jobs``: the same
timeline, events, checkpoints and model names, computed from each job's age), but held by
this server, not in the playground's database: it stands for another provider.
"""

import secrets
from typing import Any

from django.utils import timezone

from playground.finetuning import offline_jobs
from playground.finetuning.models import OfflineFile, OfflineJob
from playground.providers import UpstreamError
from playground.training_file import TrainingFileInvalid, training_file_check


class FakeFineTuning:
    def __init__(self) -> None:
        self.files: dict[str, OfflineFile] = {}
        self.jobs: dict[str, OfflineJob] = {}

    def answer(
        self, method: str, path: str, body: Any, files: dict[str, list[Any]]
    ) -> tuple[int, dict[str, Any]]:
        """The status and JSON answer to one request under /v1."""
        parts = path.removeprefix("/v1/").split("?")[0].strip("/").split("/")
        try:
            return 200, self._route(method, parts, body, files)
        except LookupError:
            return 404, _error(f"No such object: {path}", "invalid_request_error")
        except ValueError as problem:
            return 400, _error(str(problem), "invalid_request_error")
        except UpstreamError as refused:  # the offline model's refusals, as a provider's
            return refused.status or 400, _error(refused.message, "invalid_request_error")

    def _route(
        self, method: str, parts: list[str], body: Any, files: dict[str, list[Any]]
    ) -> dict[str, Any]:
        if parts == ["files"] and method == "POST":
            return self._file_create(body, files)
        if parts == ["files"] and method == "GET":
            data = [offline_jobs.file_object(f) for f in self.files.values()]
            first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
            return {
                "object": "list",
                "data": data,
                "first_id": first,
                "last_id": last,
                "has_more": False,
            }
        if len(parts) == 2 and parts[0] == "files" and method == "DELETE":
            self.files.pop(parts[1])
            return {"id": parts[1], "object": "file", "deleted": True}
        if parts == ["fine_tuning", "jobs"] and method == "POST":
            return self._job_create(body if isinstance(body, dict) else {})
        if parts == ["fine_tuning", "jobs"] and method == "GET":
            data = [offline_jobs.job_object(job) for job in self.jobs.values()]
            return {"object": "list", "data": data, "has_more": False}
        if len(parts) >= 3 and parts[:2] == ["fine_tuning", "jobs"]:
            job = self.jobs[parts[2]]
            rest = parts[3:]
            if rest == [] and method == "GET":
                return offline_jobs.job_object(job)
            if rest == ["events"] and method == "GET":
                return offline_jobs.events_answer(job)
            if rest == ["checkpoints"] and method == "GET":
                return offline_jobs.checkpoints_answer(job)
            if rest == ["cancel"] and method == "POST":
                offline_jobs.cancel(job)
                return offline_jobs.job_object(job)
        raise LookupError(parts)

    def _file_create(self, fields: Any, files: dict[str, list[Any]]) -> dict[str, Any]:
        uploaded = (files.get("file") or [None])[0]
        if uploaded is None or not isinstance(fields, dict) or fields.get("purpose") != "fine-tune":
            raise ValueError("Upload the file as 'file' with purpose 'fine-tune'.")
        try:
            examples = training_file_check(uploaded.data)
        except TrainingFileInvalid as invalid:
            raise ValueError("Invalid file format. " + " ".join(invalid.problems)) from None
        file = OfflineFile(
            id="file-" + secrets.token_hex(12),
            filename=uploaded.filename,
            purpose="fine-tune",
            data=uploaded.data,
            examples=examples,
            created_at=timezone.now(),
        )
        self.files[file.id] = file
        return offline_jobs.file_object(file)

    def _job_create(self, body: dict[str, Any]) -> dict[str, Any]:
        training = self.files.get(str(body.get("training_file")))
        if training is None or not body.get("model"):
            raise ValueError("training_file: no such file; model: required.")
        job = OfflineJob(
            id="ftjob-" + secrets.token_hex(12),
            model=str(body["model"]),
            training_file=training.id,
            validation_file=str(body.get("validation_file") or ""),
            examples=training.examples,
            hyperparameters=offline_jobs.hyperparameters_of(body),
            suffix=str(body.get("suffix") or ""),
            seed=body.get("seed"),
            created_at=timezone.now(),
        )
        self.jobs[job.id] = job
        return offline_jobs.job_object(job)


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}
