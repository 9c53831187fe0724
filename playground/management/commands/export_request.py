"""``manage.py export_request --lang python|node|curl|json [FILE|-]``: print a request as code."""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.export import RENDERERS, export
from playground.shell_language import ShellLanguageCommand
from playground.spec import RequestInvalid


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Print a request JSON ({mode, provider, body}) as a Python, Node.js or curl snippet, "
        "or its body as JSON. The provider may be a configured name or an inline "
        '{"base_url": …, "api_key_env": …}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lang", choices=sorted(RENDERERS), default="python")
        parser.add_argument(
            "file", nargs="?", default="-", help=_("request JSON file, or - for stdin")
        )

    def handle(self, *args: object, lang: str, file: str, **options: object) -> None:
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s.") % {"file": file, "reason": exc.strerror}
            ) from None
        try:
            # Bytes, not the locale's text: JSON is UTF-8, and Windows editors add a BOM.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                _("%(file)s is not UTF-8 (byte %(byte)s): save the request JSON as UTF-8.")
                % {"file": file, "byte": exc.start}
            ) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(
                _("%(file)s: not valid JSON (%(reason)s).") % {"file": file, "reason": exc}
            ) from None
        except RecursionError:
            raise CommandError(_("%(file)s: nested too deeply to read.") % {"file": file}) from None
        try:
            snippet = export(lang, data)
        except RequestInvalid as invalid:
            lines = "\n".join(f"  {field}: {message}" for field, message in invalid.errors.items())
            invalid_text = _("%(file)s: the request is invalid:") % {"file": file}
            raise CommandError(f"{invalid_text}\n{lines}") from None
        # The snippet is UTF-8 whatever the terminal's locale (Chinese text, emoji).
        # Django's OutputWrapper hands on the attributes of the stream it wraps.
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(snippet.encode("utf-8"))
            buffer.flush()
        else:  # a text stream given by call_command(stdout=…)
            self.stdout.write(snippet, ending="")
