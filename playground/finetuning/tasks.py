"""Following a fine-tuning job: a Django task (django-tasks, database backend) that polls
the provider until the job ends. ``manage.py eval_worker`` runs these beside evaluations
(``make run`` starts one); the page reads only what the task wrote."""

from typing import Any

from django_tasks import task

from playground.finetuning.follow import tracked_job_follow

QUEUE = "fine_tuning"


@task(queue_name=QUEUE)
def fine_tuning_follow_task(job_id: str) -> str:
    """Poll the job until it ends; its last status."""
    return tracked_job_follow(job_id)


def fine_tuning_follow_enqueue(job_id: Any) -> None:
    fine_tuning_follow_task.enqueue(str(job_id))
