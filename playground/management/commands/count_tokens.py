"""``manage.py count_tokens FILE [--model NAME]``: a request's prompt tokens and their cost."""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.runs.estimate import request_estimate
from playground.shell_language import ShellLanguageCommand
from playground.spec import RequestInvalid, upstream_body, validate_request
from playground.terminal import EXIT_BAD_REQUEST, describe_invalid, parse_request_text


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Count a request JSON's prompt tokens as OpenAI would and print one JSON object: "
        "prompt_tokens, exact (true when it equals what OpenAI reports), encoding, "
        "estimated_cost_usd (the prompt's cost; null when the price is unknown)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("request JSON file ({mode, provider, body}), or -"))
        parser.add_argument("--model", help=_("count for this model instead of the body's"))

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.stderr.write(
                _("Could not read the request file %(name)s: %(error)s")
                % {"name": name, "error": error}
            )
            sys.exit(EXIT_BAD_REQUEST)
        try:
            request = validate_request(parse_request_text(text))
        except RequestInvalid as invalid:
            self.stderr.write(describe_invalid(invalid.errors))
            sys.exit(EXIT_BAD_REQUEST)
        body = upstream_body(request)
        if options["model"]:
            body["model"] = str(options["model"])
        estimate = request_estimate(provider=request.provider, body=body)
        self.stdout.write(
            json.dumps(
                {
                    "prompt_tokens": estimate.count.prompt_tokens,
                    "exact": estimate.count.exact,
                    "encoding": estimate.count.encoding,
                    "estimated_cost_usd": _number(estimate.prompt_cost),
                    "max_cost_usd": _number(estimate.max_cost),
                }
            )
        )


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))
