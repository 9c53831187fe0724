"""Following a fine-tuning job: a Django task (django-tasks, database backend) that polls
the provider until the job ends. ``manage.py eval_worker`` runs these beside evaluations
(``make run`` starts one); the page reads only what the task wrote."""

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from playground.finetuning.follow import tracked_job_follow
from playground.finetuning.models import TERMINAL_STATUSES, TrackedJob

QUEUE = "fine_tuning"


@task(queue_name=QUEUE)
def fine_tuning_follow_task(job_id: str) -> str:
    """Poll the job until it ends; its last status."""
    return tracked_job_follow(job_id)


def fine_tuning_follow_enqueue(job_id: Any) -> None:
    fine_tuning_follow_task.enqueue(str(job_id))


def tracked_jobs_follow_abandoned() -> list[Any]:
    """Jobs still running that nobody has polled for ``PLAYGROUND_EVAL_STALE_SECONDS`` (their
    follower's worker stopped or died): followed again, each once (its record is touched
    so the next sweep leaves it). The workers' sweep calls this."""
    stale = max(
        settings.PLAYGROUND_EVAL_STALE_SECONDS, 3 * settings.PLAYGROUND_FINE_TUNING_POLL_SECONDS
    )
    before = timezone.now() - datetime.timedelta(seconds=stale)
    abandoned = list(
        TrackedJob.objects.filter(updated_at__lt=before)
        .exclude(status__in=TERMINAL_STATUSES)
        .values_list("pk", flat=True)
    )
    for job_id in abandoned:
        TrackedJob.objects.filter(pk=job_id).update(updated_at=timezone.now())
        fine_tuning_follow_enqueue(job_id)
    return abandoned
