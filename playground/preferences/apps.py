"""App config for preferences: what each user chose for the interface, kept across devices."""

from django.apps import AppConfig


class PreferencesConfig(AppConfig):
    name = "playground.preferences"
    label = "preferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from playground.preferences import signals  # noqa: F401  (connects the receivers)
