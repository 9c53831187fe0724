"""``manage.py run_request [FILE|-] [--json]``: run a request JSON, stream the reply to stdout."""

import asyncio
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from playground.terminal import EXIT_BAD_REQUEST, EXIT_INTERRUPTED, run_request_text


class Command(BaseCommand):
    help = (
        "Run a request JSON ({mode, provider, body}) and stream the reply to stdout. "
        "Exit status 0 on success, 1 when the provider failed, 2 for a bad request; "
        "the reason goes to stderr and any partial reply is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="request JSON file, or - for stdin"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print each raw upstream answer (SSE chunk or JSON answer) as one JSON line",
        )

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            sys.stderr.write(f"Could not read the request file {name}: {error}\n")
            sys.exit(EXIT_BAD_REQUEST)
        try:
            status = asyncio.run(
                run_request_text(text, sys.stdout, sys.stderr, raw=bool(options["json"]))
            )
        except KeyboardInterrupt:
            sys.stdout.flush()
            sys.stderr.write("Stopped. The partial reply is kept.\n")
            status = EXIT_INTERRUPTED
        sys.stdout.flush()
        sys.exit(status)
