"""App config for teams: who works together, and in which role."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "playground.teams"
    label = "teams"
    default_auto_field = "django.db.models.BigAutoField"
