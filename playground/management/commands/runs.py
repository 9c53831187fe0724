"""``manage.py runs [--search TEXT] [--user NAME] [--limit N] [--json]``: the recorded runs,
newest first (an operator's command: every user's runs unless --user)."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from playground.runs.models import Run
from playground.runs.search import SearchRefused, runs_search, search_words
from playground.shell_language import ShellLanguageCommand


class Command(ShellLanguageCommand):
    help = gettext_noop("List recorded runs, newest first; --json prints one JSON object per line.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--search", default="", help=_("words of a prompt or a reply"))
        parser.add_argument("--user", help=_("only this user's runs"))
        parser.add_argument(
            "--limit", type=int, default=20, help=_("at most this many (default 20)")
        )
        parser.add_argument("--json", action="store_true", help=_("one JSON object per line"))

    def handle(self, *args: object, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit: " + _("must be 1 or more."))
        runs = Run.objects.select_related("user").order_by("-created_at")
        if options["user"]:
            runs = runs.filter(user__username=options["user"])
        try:
            runs = runs_search(runs, search_words(options["search"]))
        except SearchRefused as refused:
            raise CommandError(f"--search: {str(refused).removeprefix('q: ')}") from None
        for run in runs[: options["limit"]]:
            if options["json"]:
                self.stdout.write(json.dumps(run_json(run), ensure_ascii=False))
            else:
                self.stdout.write(run_line(run))


def run_json(run: Run) -> dict[str, Any]:
    """A run as ``runs --json`` prints it (documented in docs/usage.md)."""
    candidates = (run.output or {}).get("candidates") or []
    return {
        "id": str(run.pk),
        "created": run.created_at.isoformat(),
        "user": run.user.get_username() if run.user else None,
        "provider": run.provider,
        "model": run.model,
        "mode": run.mode,
        "status": run.status,
        "error": run.error,
        "source": run.source,
        "preset": str(run.preset_id) if run.preset_id else None,
        "preset_version": run.preset_version,
        "usage": {
            "prompt_tokens": run.prompt_tokens,
            "completion_tokens": run.completion_tokens,
            "total_tokens": run.total_tokens,
            "cached_tokens": run.cached_tokens,
            "reasoning_tokens": run.reasoning_tokens,
            "estimated": run.usage_estimated,
        },
        # A number (USD), or null when the model's price is unknown.
        "cost_usd": float(run.cost_usd) if run.cost_usd is not None else None,
        "first_token_ms": run.first_token_ms,
        "total_ms": run.total_ms,
        "request": run.request,
        "output": candidates[0].get("text", "") if candidates else None,
    }


def run_line(run: Run) -> str:
    # Columns for people: only the words are in the shell's language (--json is the format).
    cost = _("unknown") if run.cost_usd is None else f"${run.cost_usd:.6f}"
    tokens = (
        "-"
        if run.total_tokens is None
        else f"{run.total_tokens}{'~' if run.usage_estimated else ''}"
    )
    user = run.user.get_username() if run.user else "-"
    tokens_word = _("tokens")
    return (
        f"{run.created_at:%Y-%m-%d %H:%M:%S}  {run.pk}  {user:<12} {run.provider}/{run.model}  "
        f"{run.mode}  {run.status:<8} {tokens:>7} {tokens_word}  {cost}"
    )
