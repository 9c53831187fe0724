"""``manage.py run_preset NAME_OR_ID [--version N] [--var KEY=VALUE …]``: run a saved preset
version like run_request (same output and exit codes), as a user who may run it."""

import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.management.commands.run_request import (
    LOCAL_USER,
    add_output_argument,
    add_recording_arguments,
    recording_user,
    run_and_exit,
)
from playground.presets import selectors
from playground.presets.by_name import AmbiguousPresetName, preset_find
from playground.presets.services import PresetNotFound
from playground.shell_language import ShellLanguageCommand
from playground.terminal import EXIT_BAD_REQUEST, RecordAs, run_request_data


class Command(ShellLanguageCommand):
    help = gettext_noop(
        "Run a saved preset (its latest version, or --version N) and stream the reply to "
        "stdout, as run_request does; --var KEY=VALUE sets the request's variables."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Every command has Django's own --version; here it is the preset's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("preset", help=_("the preset's id, or its name"))
        parser.add_argument("--version", type=int, help=_("the version to run (default: latest)"))
        parser.add_argument(
            "--var",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=_("a variable of the request (repeatable)"),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=_("print each raw upstream answer (SSE chunk or JSON answer) as one JSON line"),
        )
        add_output_argument(parser)
        add_recording_arguments(parser)

    def handle(self, *args: object, **options: Any) -> None:
        variables = _variables(options["var"])
        user, why_not = recording_user(options)
        # The preset is looked up as the recording user, or the local account with --no-record.
        reader = user if user is not None else _local_user()
        if reader is None:
            sys.stderr.write(
                _("No user to run the preset as: pass --user NAME (there is no %(name)s).")
                % {"name": repr(LOCAL_USER)}
                + "\n"
            )
            sys.exit(EXIT_BAD_REQUEST)
        if why_not:
            sys.stderr.write(why_not)
        preset = _preset(reader, str(options["preset"]))
        try:
            version = selectors.preset_version_get(preset=preset, number=options["version"])
        except PresetNotFound:
            sys.stderr.write(
                "--version: "
                + _("the preset %(name)s has no version %(number)s.")
                % {"name": repr(preset.name), "number": options["version"]}
                + "\n"
            )
            sys.exit(EXIT_BAD_REQUEST)
        data = dict(version.request)
        if variables:
            data["variables"] = {**(data.get("variables") or {}), **variables}
        record = None
        if user is not None:
            record = RecordAs(
                user=user,
                preset_id=preset.pk,
                preset_version=version.number,
                team_id=preset.team_id,
            )
        raw = bool(options["json"])
        output_dir = options["output_dir"]
        run_and_exit(
            lambda: run_request_data(
                data, sys.stdout, sys.stderr, raw=raw, record=record, output_dir=output_dir
            )
        )


def _local_user() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=LOCAL_USER, is_active=True).first()


def _variables(pairs: list[str]) -> dict[str, str]:
    variables = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            sys.stderr.write("--var: " + _("%(pair)s must be KEY=VALUE.") % {"pair": repr(pair)})
            sys.stderr.write("\n")
            sys.exit(EXIT_BAD_REQUEST)
        variables[key.strip()] = value
    return variables


def _preset(user: Any, name_or_id: str) -> Any:
    """The preset with this id, or the one preset the user may run with this name."""
    try:
        return preset_find(user=user, name_or_id=name_or_id)
    except AmbiguousPresetName as ambiguous:
        listed = "".join(f"  {pk}  {details}\n" for pk, details in ambiguous.candidates)
        sys.stderr.write(f"{ambiguous.headline()}:\n{listed}")
    except LookupError as missing:
        sys.stderr.write(f"{str(missing)[0].upper()}{str(missing)[1:]}.\n")
    sys.exit(EXIT_BAD_REQUEST)
