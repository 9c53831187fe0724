"""App config for versioned presets."""

from django.apps import AppConfig


class PresetsConfig(AppConfig):
    name = "playground.presets"
    label = "presets"
    default_auto_field = "django.db.models.BigAutoField"
