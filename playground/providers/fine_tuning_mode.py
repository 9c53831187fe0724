"""The ``fine_tuning`` mode's run, for every provider: the job created, as events.

The work is fine-tuning's own (``playground.finetuning.run``: files uploaded first, the
job created through the provider's fine-tuning API); it is imported when a run asks for
it, by name, so that the providers package does not depend on the fine-tuning app (which
depends on it), and a worker that never fine-tunes never loads it.
"""

from collections.abc import AsyncIterator
from typing import Any

from django.utils.module_loading import import_string

from playground.providers.base import Event

RUNNER = "playground.finetuning.run.fine_tuning_run"


async def fine_tuning_events(provider: Any, body: dict[str, Any]) -> AsyncIterator[Event]:
    async for event in import_string(RUNNER)(provider, body):
        yield event
