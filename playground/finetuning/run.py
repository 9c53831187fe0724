"""A run of the ``fine_tuning`` mode: the job created at the provider, as a run's events.

The files the body names that are the playground's (``upload:…``, ``@path``) are checked
line by line and uploaded to ``/files`` first; the job is created with their ids. The
run ends there: a background task follows the job (``tasks``), and its page shows it.
Providers call this for the mode (``modes.Mode.answer`` "fine_tuning").
"""

import json
from collections.abc import AsyncIterator
from typing import Any

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from playground.finetuning.api import fine_tuning_api
from playground.finetuning.services import job_files_uploaded
from playground.providers import Event, Finished, JobCreated, RawChunk, TextDelta, UpstreamError
from playground.spec_errors import RequestInvalid


async def fine_tuning_run(provider: Any, body: dict[str, Any]) -> AsyncIterator[Event]:
    try:
        sent = await database_sync_to_async(job_files_uploaded)(provider, body)
    except RequestInvalid as invalid:
        field, problem = next(iter(invalid.errors.items()))
        raise UpstreamError("refused", f"{field}: {problem}", param=field) from None
    created = await fine_tuning_api(provider).job_create(sent)
    yield RawChunk(json.dumps(created))
    job_id, status = str(created.get("id") or ""), str(created.get("status") or "")
    if not job_id:
        raise UpstreamError("bad_response", _("The provider answered without a job id."))
    yield TextDelta(
        0,
        _("Fine-tuning job %(id)s created (%(status)s): %(model)s on %(file)s.")
        % {
            "id": job_id,
            "status": status,
            "model": created.get("model") or body.get("model"),
            "file": sent.get("training_file"),
        },
    )
    model = str(created.get("model") or body.get("model") or "")
    yield JobCreated(job_id, status, model, str(provider.name))
    yield Finished(0, "stop")
