"""Datasets and evaluations: the records of the prompt-engineering loop.

An evaluation is a plan (configurations x tests, ``evals.plan``) and one cell per pair.
A cell is claimed by the worker that runs it and written once, with its run, when it
ends: a worker killed mid-evaluation loses no finished cell, and the evaluation's next
worker runs only the cells that never finished.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class Dataset(models.Model):
    """Rows of variables, each with an optional expected output and notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets"
    )
    # A team's dataset: its members see it, editors and owners change it (as presets).
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="datasets"
    )
    # [{"vars": {name: text}, "expected": text, "notes": text}], in order.
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at",)

    def __str__(self) -> str:
        return self.name

    @property
    def variable_names(self) -> list[str]:
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row.get("vars") or {}))
        return list(names)


class EvaluationStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("evaluation status", "Queued")
    RUNNING = "running", pgettext_lazy("evaluation status", "Running")
    FINISHED = "finished", pgettext_lazy("evaluation status", "Finished")
    CANCELLED = "cancelled", pgettext_lazy("evaluation status", "Cancelled")


class Evaluation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    # evals.plan.plan_json: the configurations and the tests, checks as written.
    plan = models.JSONField()
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.QUEUED
    )
    concurrency = models.PositiveSmallIntegerField(default=4)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Renewed by the worker running it; an old one means that worker died (evals.execute).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name


class CellStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("evaluation cell", "Pending")
    RUNNING = "running", pgettext_lazy("evaluation cell", "Running")
    PASSED = "passed", pgettext_lazy("evaluation cell", "Passed")
    FAILED = "failed", pgettext_lazy("evaluation cell", "Failed")  # a check failed
    ERROR = (
        "error",
        pgettext_lazy("evaluation cell", "Error"),
    )  # the provider failed: no answer to check


FINISHED_CELLS = (CellStatus.PASSED, CellStatus.FAILED, CellStatus.ERROR)


class EvalCell(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="cells")
    test_index = models.PositiveIntegerField()
    config_index = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=CellStatus.choices, default=CellStatus.PENDING, db_index=True
    )
    run = models.ForeignKey(
        "runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    output = models.TextField(blank=True)
    error = models.TextField(blank=True)
    # [{"type", "passed", "score", "reason", "weight"}], one per check.
    results = models.JSONField(default=list)
    score = models.FloatField(null=True, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    total_tokens = models.PositiveIntegerField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    # How many times a worker started this cell (more than 1: a worker died running it).
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("test_index", "config_index")
        constraints = [
            models.UniqueConstraint(
                fields=("evaluation", "test_index", "config_index"), name="one_cell_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"cell {self.test_index}x{self.config_index} of {self.evaluation_id}"

    @property
    def passed(self) -> bool:
        return self.status == CellStatus.PASSED
