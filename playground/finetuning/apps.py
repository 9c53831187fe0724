"""App config for fine-tuning: training files, jobs and the background task following them."""

from django.apps import AppConfig


class FinetuningConfig(AppConfig):
    name = "playground.finetuning"
    label = "finetuning"
    default_auto_field = "django.db.models.BigAutoField"
