"""App config for uploads: the files requests carry (audio, images, JSONL)."""

from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "playground.uploads"
    label = "uploads"
    default_auto_field = "django.db.models.BigAutoField"
