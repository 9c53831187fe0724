"""Delete for good the presets that have been in the trash for more than 30 days (run daily)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.presets.services import trash_purge
from playground.shell_language import ShellLanguageCommand


class Command(ShellLanguageCommand):
    help = gettext_noop("Delete presets that have been in the trash for more than 30 days.")

    def handle(self, *args: object, **options: object) -> None:
        count = trash_purge()
        self.stdout.write(_("Purged %(count)s preset(s) from the trash.") % {"count": count})
