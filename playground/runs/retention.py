"""Retention: old runs lose their prompts and replies; their usage and cost stay.

``PLAYGROUND_RUN_RETENTION_DAYS`` (default 90; 0 keeps forever). The sweep runs at most once
a day between all workers: after a run is recorded, a worker that has not looked for an
hour checks the one RetentionSweep row, and the first to find it a day old takes it (a
row lock) and sweeps, in batches, on a thread of its own (not the one that serves the
sockets' database calls). ``manage.py purge_runs`` does the same at once (cron it for a
server that may go a day without runs).
"""

import datetime
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from playground.runs.models import RetentionSweep, Run, RunKeeping

logger = logging.getLogger(__name__)

SWEEP_EVERY = datetime.timedelta(days=1)
CHECK_EVERY_SECONDS = 3600.0
BATCH = 1000

_last_check = 0.0


def runs_text_delete(*, runs: Any, now: datetime.datetime | None = None) -> int:
    """Empty the text of ``runs`` (a queryset), in batches; how many runs lost it."""
    now = now or timezone.now()
    pending = runs.filter(text_deleted_at__isnull=True)
    deleted = 0
    while True:
        batch = list(pending.values_list("pk", flat=True)[:BATCH])
        if not batch:
            return deleted
        deleted += Run.objects.filter(pk__in=batch).update(
            request=None, output=None, raw=None, search_text="", text_deleted_at=now
        )


def runs_purge(
    *, older_than_days: int, user: Any = None, now: datetime.datetime | None = None
) -> int:
    """Delete the text of runs older than ``older_than_days`` (of ``user``, if given)."""
    now = now or timezone.now()
    runs = Run.objects.filter(created_at__lt=now - datetime.timedelta(days=older_than_days))
    if user is not None:
        runs = runs.filter(user_id=user.pk)
    return runs_text_delete(runs=runs, now=now)


def retention_due() -> bool:
    """Whether this process should look at the sweep row now (once an hour at most)."""
    global _last_check
    if not settings.PLAYGROUND_RUN_RETENTION_DAYS:
        return False
    if time.monotonic() - _last_check < CHECK_EVERY_SECONDS and _last_check:
        return False
    _last_check = time.monotonic()
    return True


def retention_sweep(now: datetime.datetime | None = None) -> int:
    """Sweep if no worker did in the last day; how many runs lost their text."""
    days = settings.PLAYGROUND_RUN_RETENTION_DAYS
    if not days:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        sweep = RetentionSweep.objects.select_for_update().filter(pk=1).first()
        if sweep is not None and now - sweep.last_swept_at < SWEEP_EVERY:
            return 0
        RetentionSweep.objects.update_or_create(pk=1, defaults={"last_swept_at": now})
    deleted = runs_purge(older_than_days=days, now=now)
    if deleted:
        logger.info("Retention: deleted the text of %d runs older than %d days", deleted, days)
    return deleted


def retention_sweep_in_background() -> None:
    """Sweep on a thread of its own (with its own database connection, closed after): the
    one thread that serves the sockets' database calls must not wait for it."""
    threading.Thread(target=_sweep_and_close, name="retention-sweep", daemon=True).start()


def _sweep_and_close() -> None:
    try:
        retention_sweep()
    except Exception:
        logger.exception("Retention: the sweep failed; the next one tries again")
    finally:
        connections.close_all()


def run_keeping_set(*, user: Any, keep_text: bool, delete_existing: bool = False) -> int:
    """The user's choice for their runs' text; with ``delete_existing``, the text of their
    runs so far is deleted too. How many runs lost their text."""
    RunKeeping.objects.update_or_create(user=user, defaults={"keep_text": keep_text})
    if delete_existing:
        return runs_text_delete(runs=Run.objects.filter(user_id=user.pk))
    return 0
