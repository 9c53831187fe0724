"""``manage.py purge_uploads [--older-than HOURS]``: delete uploads nothing kept."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from playground.shell_language import ShellLanguageCommand
from playground.uploads.services import uploads_purge


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Delete uploaded files that no recorded run or saved preset refers to, older than "
        "--older-than HOURS (default: PLAYGROUND_UPLOAD_UNKEPT_HOURS). New uploads do this "
        "too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, dest="hours", help=_("hours (0: all)"))

    def handle(self, *args: object, **options: Any) -> None:
        hours = options["hours"]
        if hours is not None and hours < 0:
            raise CommandError("--older-than: " + _("must be 0 or more hours."))
        deleted = uploads_purge(hours=hours)
        self.stdout.write(
            ngettext(
                "Deleted %(count)d upload nothing kept.",
                "Deleted %(count)d uploads nothing kept.",
                deleted,
            )
            % {"count": deleted}
        )
