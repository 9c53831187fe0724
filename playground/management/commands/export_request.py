"""``manage.py export_request --lang python|node|curl|json [FILE|-]``: print a request as code."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from playground.export import RENDERERS, export
from playground.spec import RequestInvalid


class Command(BaseCommand):
    help = (
        "Print a request JSON ({mode, provider, body}) as a Python, Node.js or curl snippet, "
        "or its body as JSON. The provider may be a configured name or an inline "
        '{"base_url": …, "api_key_env": …}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lang", choices=sorted(RENDERERS), default="python")
        parser.add_argument(
            "file", nargs="?", default="-", help="request JSON file, or - for stdin"
        )

    def handle(self, *args, lang: str, file: str, **options) -> None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{file}: not valid JSON ({exc}).") from None
        try:
            snippet = export(lang, data)
        except RequestInvalid as invalid:
            lines = "\n".join(f"  {field}: {message}" for field, message in invalid.errors.items())
            raise CommandError(f"{file}: the request is invalid:\n{lines}") from None
        self.stdout.write(snippet, ending="")
