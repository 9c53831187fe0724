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

    def handle(self, *args: object, lang: str, file: str, **options: object) -> None:
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            # Bytes, not the locale's text: JSON is UTF-8, and Windows editors add a BOM.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{file} is not UTF-8 (byte {exc.start}): save the request JSON as UTF-8."
            ) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{file}: not valid JSON ({exc}).") from None
        except RecursionError:
            raise CommandError(f"{file}: nested too deeply to read.") from None
        try:
            snippet = export(lang, data)
        except RequestInvalid as invalid:
            lines = "\n".join(f"  {field}: {message}" for field, message in invalid.errors.items())
            raise CommandError(f"{file}: the request is invalid:\n{lines}") from None
        # The snippet is UTF-8 whatever the terminal's locale (Chinese text, emoji).
        # Django's OutputWrapper hands on the attributes of the stream it wraps.
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(snippet.encode("utf-8"))
            buffer.flush()
        else:  # a text stream given by call_command(stdout=…)
            self.stdout.write(snippet, ending="")
