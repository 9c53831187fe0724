"""Run evaluations and follow fine-tuning jobs: Django's task worker on their queues, plus
the sweep that takes over evaluations whose worker died (``make run`` starts one; run as many as you
like in a deployment, on any machine that shares the database)."""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from playground.evals.execute import evaluations_requeue_abandoned, worker_name
from playground.evals.tasks import QUEUE, evaluation_enqueue
from playground.finetuning.tasks import QUEUE as FINE_TUNING_QUEUE
from playground.finetuning.tasks import tracked_jobs_follow_abandoned

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between two looks for queued evaluations when idle (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sweeper = threading.Thread(target=_sweep_forever, name="evaluation-sweep", daemon=True)
        sweeper.start()
        self.stdout.write(f"Evaluation worker {worker_name()} started.")
        call_command(
            "db_worker",
            queue_name=f"{QUEUE},{FINE_TUNING_QUEUE}",
            interval=options["interval"],
            reload=False,
            startup_delay=False,
            worker_id=worker_name().replace(":", "-")[:64],
        )


def _sweep_forever() -> None:
    """Every half staleness period: queue again what a dead worker left running (an
    evaluation's unfinished cells, a fine-tuning job nobody polls any more)."""
    while True:
        try:
            for evaluation_id in evaluations_requeue_abandoned():
                logger.warning("Evaluation %s lost its worker: queued again", evaluation_id)
                evaluation_enqueue(evaluation_id)
            for job_id in tracked_jobs_follow_abandoned():
                logger.warning("Fine-tuning job %s was not followed: followed again", job_id)
        except Exception:
            logger.exception("The sweep for abandoned evaluations failed; it tries again")
        finally:
            close_old_connections()
        time.sleep(settings.PLAYGROUND_EVAL_STALE_SECONDS / 2)
