"""The evaluation's background job: a Django task (django-tasks, database backend).

``manage.py eval_worker`` runs these (``make run`` starts one); any number of workers,
on any machine sharing the database, take them. See ``execute`` for how a worker that
dies is taken over without running a finished cell twice.
"""

from typing import Any

from django_tasks import task

from playground.evals.execute import evaluation_run

QUEUE = "evaluations"


@task(queue_name=QUEUE)
def evaluation_task(evaluation_id: str) -> bool:
    """Run the evaluation's unfinished cells (False: another worker has it)."""
    return evaluation_run(evaluation_id)


def evaluation_enqueue(evaluation_id: Any) -> None:
    evaluation_task.enqueue(str(evaluation_id))
