"""``manage.py healthcheck [--url URL | --in-process]``: exit 0 when this container serves.

compose.yaml's health checks run it. By default it asks the daphne process beside it for
``/healthz/``, with a Host header the server accepts (the first of ALLOWED_HOSTS that is
not a wildcard), so a process that is up but cannot reach its database or Redis counts as
unhealthy. ``--in-process`` checks the database and Redis from this process instead: for
the evaluation worker, which serves no HTTP.
"""

import json
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.health import OK, health_report
from playground.shell_language import ShellLanguageCommand

DEFAULT_URL = "http://127.0.0.1:8000/healthz/"


def _host_header() -> str:
    named = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host.strip("*.")]
    return named[0] if named else "localhost"


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Exit 0 when the server (or, with --in-process, this process) reaches its database "
        "and Redis."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default=DEFAULT_URL, help=_("default %(url)s") % {"url": DEFAULT_URL}
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help=_("check from this process, not over HTTP"),
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["in_process"]:
            report = health_report()
        else:
            report = self._ask(options["url"])
        line = ", ".join(f"{part} {state}" for part, state in report.items())
        if any(state != OK for part, state in report.items() if part != "status"):
            raise CommandError(_("Unhealthy: %(report)s.") % {"report": line})
        self.stdout.write(_("Healthy: %(report)s.") % {"report": line})

    def _ask(self, url: str) -> dict[str, str]:
        try:
            response = httpx.get(url, headers={"Host": _host_header()}, timeout=5)
        except httpx.HTTPError as error:
            raise CommandError(
                _("Unhealthy: %(url)s did not answer (%(error)s).") % {"url": url, "error": error}
            ) from None
        try:
            report = response.json()
        except json.JSONDecodeError:
            raise CommandError(
                _("Unhealthy: %(url)s answered %(status)s, not the report.")
                % {"url": url, "status": response.status_code}
            ) from None
        report.pop("status", None)
        return {str(part): str(state) for part, state in report.items()}
