"""Delete for good the presets that have been in the trash for more than 30 days (run daily)."""

from django.core.management.base import BaseCommand

from playground.presets.services import trash_purge


class Command(BaseCommand):
    help = "Delete presets that have been in the trash for more than 30 days."

    def handle(self, *args: object, **options: object) -> None:
        count = trash_purge()
        self.stdout.write(f"Purged {count} preset(s) from the trash.")
