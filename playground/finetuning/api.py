"""A provider's fine-tuning API: files and jobs, the offline model's or over HTTP.

Both answer in OpenAI's shapes (``OpenAIFile``, ``FineTuningJob``, lists of events and
checkpoints) and fail with ``UpstreamError`` in plain words, so the services, the
background task, the page and the terminal never ask which one they talk to.
"""

import re
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from playground.finetuning import offline_jobs
from playground.providers import Provider, UpstreamError

# A provider's file or job id: it goes into a URL path, so nothing that could leave it.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.:]{0,199}")


def _id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise UpstreamError(
            "refused", _("%(id)s is not a file or job id (file-…, ftjob-…).") % {"id": value[:80]}
        )
    return value


class FineTuningApi(Protocol):
    async def file_create(self, filename: str, data: bytes, media_type: str) -> dict[str, Any]: ...
    async def files_list(self) -> dict[str, Any]: ...
    async def file_delete(self, file_id: str) -> dict[str, Any]: ...
    async def job_create(self, body: dict[str, Any]) -> dict[str, Any]: ...
    async def job_get(self, job_id: str) -> dict[str, Any]: ...
    async def jobs_list(self) -> dict[str, Any]: ...
    async def job_events(self, job_id: str) -> dict[str, Any]: ...
    async def job_checkpoints(self, job_id: str) -> dict[str, Any]: ...
    async def job_cancel(self, job_id: str) -> dict[str, Any]: ...


class OfflineApi:
    """The built-in offline model's (``offline_jobs``), off the event loop."""

    async def file_create(self, filename: str, data: bytes, media_type: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.file_create)(filename, data, "fine-tune")

    async def files_list(self) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.files_list)()

    async def file_delete(self, file_id: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.file_delete)(file_id)

    async def job_create(self, body: dict[str, Any]) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.job_create)(body)

    async def job_get(self, job_id: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.job_get)(job_id)

    async def jobs_list(self) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.jobs_list)()

    async def job_events(self, job_id: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.job_events)(job_id)

    async def job_checkpoints(self, job_id: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.job_checkpoints)(job_id)

    async def job_cancel(self, job_id: str) -> dict[str, Any]:
        return await database_sync_to_async(offline_jobs.job_cancel)(job_id)


class HttpApi:
    """An OpenAI-compatible provider's ``/files`` and ``/fine_tuning/jobs``."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = await self._provider.api_json(method, path, **kwargs)
        return answer if isinstance(answer, dict) else {}

    async def file_create(self, filename: str, data: bytes, media_type: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/files",
            data={"purpose": "fine-tune"},
            files=[("file", (filename, data, media_type))],
        )

    async def files_list(self) -> dict[str, Any]:
        return await self._call("GET", "/files")

    async def file_delete(self, file_id: str) -> dict[str, Any]:
        return await self._call("DELETE", f"/files/{_id(file_id)}")

    async def job_create(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/fine_tuning/jobs", json=body)

    async def job_get(self, job_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/fine_tuning/jobs/{_id(job_id)}")

    async def jobs_list(self) -> dict[str, Any]:
        return await self._call("GET", "/fine_tuning/jobs")

    async def job_events(self, job_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/fine_tuning/jobs/{_id(job_id)}/events?limit=100")

    async def job_checkpoints(self, job_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/fine_tuning/jobs/{_id(job_id)}/checkpoints")

    async def job_cancel(self, job_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/fine_tuning/jobs/{_id(job_id)}/cancel")


def fine_tuning_api(provider: Provider) -> FineTuningApi:
    """The API for async code (a run, the terminal)."""
    return OfflineApi() if provider.offline else HttpApi(provider)


class OfflineSyncApi:
    """The offline model's API for synchronous code, in this thread's database connection."""

    def file_create(self, filename: str, data: bytes, media_type: str) -> dict[str, Any]:
        return offline_jobs.file_create(filename, data, "fine-tune")

    def files_list(self) -> dict[str, Any]:
        return offline_jobs.files_list()

    def file_delete(self, file_id: str) -> dict[str, Any]:
        return offline_jobs.file_delete(file_id)

    def job_create(self, body: dict[str, Any]) -> dict[str, Any]:
        return offline_jobs.job_create(body)

    def job_get(self, job_id: str) -> dict[str, Any]:
        return offline_jobs.job_get(job_id)

    def jobs_list(self) -> dict[str, Any]:
        return offline_jobs.jobs_list()

    def job_events(self, job_id: str) -> dict[str, Any]:
        return offline_jobs.job_events(job_id)

    def job_checkpoints(self, job_id: str) -> dict[str, Any]:
        return offline_jobs.job_checkpoints(job_id)

    def job_cancel(self, job_id: str) -> dict[str, Any]:
        return offline_jobs.job_cancel(job_id)


class HttpSyncApi:
    """A provider's API for synchronous code: each call made on an event loop of its own."""

    def __init__(self, provider: Any) -> None:
        self._api = HttpApi(provider)

    def __getattr__(self, name: str) -> Any:
        return async_to_sync(getattr(self._api, name))


def fine_tuning_api_sync(provider: Provider) -> Any:
    """The API for synchronous code (views, services, the worker's task): the same calls,
    answers and refusals as ``fine_tuning_api``'s, without awaiting."""
    return OfflineSyncApi() if provider.offline else HttpSyncApi(provider)
