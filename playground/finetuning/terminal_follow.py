"""``run_request --follow``: after a fine_tuning run, the job's events printed as they come
until it ends (the terminal asks the provider itself: there is no page to update)."""

import asyncio

from django.conf import settings
from django.utils.translation import gettext as _

from playground.finetuning.api import fine_tuning_api
from playground.finetuning.follow import OFFLINE_POLL_SECONDS
from playground.finetuning.models import TERMINAL_STATUSES
from playground.providers import JobCreated, Provider, UpstreamError
from playground.secrets_scrub import Writer


async def job_followed(provider: Provider, job: JobCreated, out: Writer, err: Writer) -> bool:
    """Print the job's events (oldest first, each once) until it ends; True when it
    succeeded. UpstreamError when the provider cannot say."""
    api = fine_tuning_api(provider)
    interval = (
        OFFLINE_POLL_SECONDS if provider.offline else settings.PLAYGROUND_FINE_TUNING_POLL_SECONDS
    )
    seen: set[str] = set()
    while True:
        state = await api.job_get(job.id)
        events = (await api.job_events(job.id)).get("data") or []
        for event in reversed([e for e in events if isinstance(e, dict)]):
            key = str(event.get("id") or event.get("message"))
            if key not in seen:
                seen.add(key)
                out.write(f"{event.get('message', '')}\n")
        out.flush()
        status = str(state.get("status") or "")
        if status in TERMINAL_STATUSES:
            if state.get("fine_tuned_model"):
                err.write(
                    _("fine-tuned model: %(model)s") % {"model": state["fine_tuned_model"]} + "\n"
                )
            err.write(_("job %(id)s %(status)s") % {"id": job.id, "status": status} + "\n")
            return status == "succeeded"
        await asyncio.sleep(interval)


__all__ = ["UpstreamError", "job_followed"]
