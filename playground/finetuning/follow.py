"""Following a fine-tuning job: ask its provider how it is going, write it down, until it
ends. The background task (``tasks``) runs ``tracked_job_follow``; a page reads the record."""

import time
from typing import Any

from django.conf import settings

from playground.finetuning.api import fine_tuning_api_sync
from playground.finetuning.models import TrackedJob
from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError

# The offline model's jobs take seconds: the task looks at them this often.
OFFLINE_POLL_SECONDS = 0.5


def job_taken(tracked: TrackedJob, job: dict[str, Any]) -> None:
    tracked.job = job
    tracked.status = str(job.get("status") or tracked.status)
    tracked.model = str(job.get("model") or tracked.model)
    tracked.fine_tuned_model = str(job.get("fine_tuned_model") or "")


def tracked_job_refresh(tracked: TrackedJob) -> TrackedJob:
    """Ask the provider once how the job is going: its state, events and checkpoints."""
    provider = get_provider(tracked.provider, tracked.owner)
    api = fine_tuning_api_sync(provider)
    try:
        job = api.job_get(tracked.upstream_id)
        events = api.job_events(tracked.upstream_id)
        checkpoints = api.job_checkpoints(tracked.upstream_id)
    except UpstreamError as error:
        tracked.poll_error = error.message
        tracked.save(update_fields=["poll_error", "updated_at"])
        return tracked
    job_taken(tracked, job)
    # OpenAI lists events newest first; the page shows them in the order they happened.
    tracked.events = list(reversed(_items(events)))
    tracked.checkpoints = sorted(_items(checkpoints), key=lambda c: c.get("step_number", 0))
    tracked.poll_error = ""
    tracked.save()
    return tracked


def _items(answer: dict[str, Any]) -> list[dict[str, Any]]:
    data = answer.get("data")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def tracked_job_follow(job_id: Any) -> str:
    """Poll the job until it ends (or ``PLAYGROUND_FINE_TUNING_FOLLOW_HOURS`` pass): the
    background task's work. Its last status."""
    tracked = TrackedJob.objects.get(pk=job_id)
    offline = get_provider(tracked.provider, tracked.owner).offline
    interval = OFFLINE_POLL_SECONDS if offline else settings.PLAYGROUND_FINE_TUNING_POLL_SECONDS
    deadline = time.monotonic() + settings.PLAYGROUND_FINE_TUNING_FOLLOW_HOURS * 3600
    while True:
        tracked = tracked_job_refresh(tracked)
        if tracked.finished or time.monotonic() > deadline:
            return tracked.status
        time.sleep(interval)
