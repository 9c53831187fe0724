"""Fine-tuning jobs the playground follows, and the offline model's own files and jobs.

A ``TrackedJob`` is a provider's job as this server last saw it (the background task
``tasks.fine_tuning_follow_task`` polls the provider and writes it here; the page reads
only this). ``OfflineFile`` and ``OfflineJob`` are the built-in offline model's side: the
database is what the web server and the worker processes share, so a job created by one
is seen by the other; its state follows from its age (``offline_jobs``).
"""

import uuid

from django.conf import settings
from django.db import models

TERMINAL_STATUSES = ("succeeded", "failed", "cancelled")


class TrackedJob(models.Model):
    """A fine-tuning job at a provider, as last polled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=100)
    upstream_id = models.CharField(max_length=200)
    model = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=40, default="validating_files")
    fine_tuned_model = models.CharField(max_length=300, blank=True)
    # The provider's job object as last read, its events (oldest first) and checkpoints.
    job = models.JSONField(default=dict)
    events = models.JSONField(default=list)
    checkpoints = models.JSONField(default=list)
    # Why the last poll failed, in plain words ("" when it worked).
    poll_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "upstream_id"], name="one_tracked_job")
        ]

    def __str__(self) -> str:
        return f"{self.upstream_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def loss_curve(self, width: int = 300, height: int = 80) -> str:
        """The training loss by step as an SVG polyline's points (empty before two steps)."""
        losses = [
            (m["step"], m["train_loss"])
            for m in self.metrics()
            if isinstance(m.get("step"), int | float)
            and isinstance(m.get("train_loss"), int | float)
        ]
        if len(losses) < 2:
            return ""
        first, last = losses[0][0], losses[-1][0]
        top = max(loss for _, loss in losses) or 1.0
        return " ".join(
            f"{(step - first) / ((last - first) or 1) * width:.1f},{height - loss / top * height:.1f}"
            for step, loss in losses
        )

    def metrics(self) -> list[dict]:
        """The training steps' metrics, from the ``metrics`` events, in step order."""
        steps = [e["data"] for e in self.events if e.get("type") == "metrics" and e.get("data")]
        return sorted(steps, key=lambda data: data.get("step", 0))


class OfflineFile(models.Model):
    """A file uploaded to the offline model (``POST /files``, purpose fine-tune)."""

    id = models.CharField(primary_key=True, max_length=40)
    filename = models.CharField(max_length=255)
    purpose = models.CharField(max_length=40)
    data = models.BinaryField()
    examples = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.id} {self.filename}"


class OfflineJob(models.Model):
    """A fine-tuning job of the offline model; its state follows from its age."""

    id = models.CharField(primary_key=True, max_length=40)
    model = models.CharField(max_length=200)
    training_file = models.CharField(max_length=40)
    validation_file = models.CharField(max_length=40, blank=True)
    examples = models.PositiveIntegerField(default=0)
    hyperparameters = models.JSONField(default=dict)
    suffix = models.CharField(max_length=64, blank=True)
    seed = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id
