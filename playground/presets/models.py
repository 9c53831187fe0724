"""Presets: a named request JSON with immutable, numbered versions."""

import uuid

from django.conf import settings
from django.db import models


class Preset(models.Model):
    """A saved request; its content lives in its versions."""

    # UUID primary key so that no preset can be reached by guessing an id.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presets"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PresetVersion(models.Model):
    """One immutable saved state of a preset: who, when, why, and the request JSON."""

    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    request = models.JSONField()
    message = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["preset", "number"]
        # The database itself guarantees that two saves never share a number.
        constraints = [
            models.UniqueConstraint(
                fields=["preset", "number"], name="preset_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.preset_id} v{self.number}"
