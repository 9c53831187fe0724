"""``manage.py run_request [FILE|-] [--json] [--output-dir DIR] [--follow] [--user NAME]
[--no-record]``:
run a request JSON, stream the reply to stdout (images and audio written to DIR, their paths
printed),
and keep the run in the history."""

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.shell_language import ShellLanguageCommand
from playground.terminal import (
    EXIT_BAD_REQUEST,
    EXIT_INTERRUPTED,
    RecordAs,
    run_request_text,
)

# The account `make run` creates (ensure_local_user's default).
LOCAL_USER = "admin"


def add_recording_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        help=_("record the run in this user's history (default: the local account %(name)s)")
        % {"name": repr(LOCAL_USER)},
    )
    parser.add_argument(
        "--no-record", action="store_true", help=_("do not keep the run in the history")
    )


def add_output_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(),
        metavar="DIR",
        help=(
            "where images and audio are written, their paths printed "
            "(default: the current directory)"
        ),
    )


def recording_user(options: dict[str, Any]) -> tuple[Any, str]:
    """The user to record as, or (None, why not). An unknown --user ends the command."""
    if options["no_record"]:
        return None, ""
    name = options.get("user")
    user = get_user_model().objects.filter(username=name or LOCAL_USER, is_active=True).first()
    if user is not None:
        return user, ""
    if name:
        sys.stderr.write("--user: " + _("no active user is named %(name)s.") % {"name": repr(name)})
        sys.stderr.write("\n")
        sys.exit(EXIT_BAD_REQUEST)
    why_not = _(
        "Not recorded in the history: there is no local account %(name)s (`make run` creates "
        "it); pass --user NAME, or --no-record to keep this quiet."
    ) % {"name": repr(LOCAL_USER)}
    return None, why_not + "\n"


@contextmanager
def quiet_when_reader_leaves() -> Iterator[None]:
    """End with 141 (128 + SIGPIPE), silently, when the output's reader goes away
    (``run_request --json | head``), as a shell tool does; not with a traceback."""
    try:
        yield
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at nothing so that it cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_READER_LEFT)


EXIT_READER_LEFT = 141


def run_and_exit(coroutine_factory: Any) -> None:
    """Run the terminal's coroutine; Ctrl+C stops it (the partial reply is kept) with 130."""
    with quiet_when_reader_leaves():
        try:
            status = asyncio.run(coroutine_factory())
        except KeyboardInterrupt:
            sys.stdout.flush()
            sys.stderr.write(_("Stopped. The partial reply is kept.") + "\n")
            status = EXIT_INTERRUPTED
        sys.stdout.flush()
    sys.exit(status)


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Run a request JSON ({mode, provider, body}) and stream the reply to stdout; images "
        "and audio are written to --output-dir and their paths printed. "
        "Exit status 0 on success, 1 when the provider failed, 2 for a bad request; "
        "the reason goes to stderr and any partial reply is kept. The run is recorded in "
        "the history (--user, --no-record)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help=_("request JSON file, or - for stdin")
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=_("print each raw upstream answer (SSE chunk or JSON answer) as one JSON line"),
        )
        add_output_argument(parser)
        parser.add_argument(
            "--follow",
            action="store_true",
            help=_(
                "after a fine_tuning run, print the job's events until it ends "
                "(exit status 1 unless it succeeded)"
            ),
        )
        add_recording_arguments(parser)

    def handle(self, *args: object, **options: Any) -> None:
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            sys.stderr.write(
                _("Could not read the request file %(name)s: %(error)s")
                % {"name": name, "error": error}
                + "\n"
            )
            sys.exit(EXIT_BAD_REQUEST)
        user, why_not = recording_user(options)
        if why_not:
            sys.stderr.write(why_not)
        record = RecordAs(user=user) if user is not None else None
        raw = bool(options["json"])
        output_dir = options["output_dir"]
        # "@clip.wav" in the request is read beside the request file (stdin: the current folder).
        files_dir = Path() if name == "-" else Path(name).parent
        run_and_exit(
            lambda: run_request_text(
                text,
                sys.stdout,
                sys.stderr,
                raw=raw,
                record=record,
                output_dir=output_dir,
                files_dir=files_dir.resolve(),
                follow=bool(options["follow"]),
            )
        )


__all__ = [
    "Command",
    "add_output_argument",
    "add_recording_arguments",
    "recording_user",
    "run_and_exit",
]
