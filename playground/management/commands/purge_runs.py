"""``manage.py purge_runs [--older-than DAYS] [--user NAME]``: delete old runs' text now."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from playground.runs.retention import runs_purge
from playground.shell_language import ShellLanguageCommand


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Delete the prompts and replies of runs older than --older-than DAYS (default: "
        "PLAYGROUND_RUN_RETENTION_DAYS), of one --user or all; usage and cost stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, dest="days", help=_("days (0: every run)"))
        parser.add_argument("--user", help=_("only this user's runs"))

    def handle(self, *args: object, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.PLAYGROUND_RUN_RETENTION_DAYS
            if not days:
                raise CommandError(
                    _("PLAYGROUND_RUN_RETENTION_DAYS is 0 (keep forever): pass --older-than DAYS.")
                )
        if days < 0:
            raise CommandError("--older-than: " + _("must be 0 or more days."))
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    "--user: " + _("no user is named %(name)s.") % {"name": repr(options["user"])}
                )
        deleted = runs_purge(older_than_days=days, user=user)
        self.stdout.write(
            ngettext(
                "Deleted the text of %(count)s run.", "Deleted the text of %(count)s runs.", deleted
            )
            % {"count": deleted}
        )
