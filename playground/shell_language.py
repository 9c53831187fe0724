"""The language terminal commands speak: the shell's, as other command-line tools do.

Django runs a management command in LANGUAGE_CODE (English) whatever the terminal says.
``ShellLanguageCommand`` runs it, its --help included, in the language of the locale the
shell names (settings.SHELL_LOCALE: LC_ALL, else LC_MESSAGES, else LANG, as POSIX reads
them): ``zh_CN.UTF-8`` gives Simplified Chinese; C, POSIX, no locale or one the catalogue
lacks, English. Only the words for people change: JSON lines, JUnit and CSV stay as they are.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation


def shell_language(locale: str | None = None) -> str:
    """The supported language code for a locale (the shell's by default), else LANGUAGE_CODE."""
    locale = settings.SHELL_LOCALE if locale is None else locale
    locale = locale.split(".")[0].split("@")[0]  # zh_CN.UTF-8@latin → zh_CN
    if locale in ("", "C", "POSIX"):
        return settings.LANGUAGE_CODE
    try:
        # zh_CN → zh-cn → zh-hans (Django's own fallbacks); en_GB → en.
        return translation.get_supported_language_variant(translation.to_language(locale))
    except LookupError:
        return settings.LANGUAGE_CODE


class ShellLanguageCommand(BaseCommand):
    """A management command that speaks the shell's language (see the module's docstring)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # ``help`` is marked with gettext_noop (a plain str, as BaseCommand wants it).
        parser.description = translation.gettext(self.help) if self.help else None
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        # From the terminal: the parser's --help and errors, then the command itself.
        with translation.override(shell_language()):
            super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> Any:
        # call_command() comes here directly; the language is put back afterwards.
        with translation.override(shell_language()):
            return super().execute(*args, **options)
