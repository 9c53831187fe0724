"""A run that has ended, shown to a watcher from its row: the frames its runner's page got
at the end (the replies, the status, "saved in history"), rebuilt from what was stored."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from playground import fragments
from playground.live.frames import watch_note
from playground.outcome import RunOutcome, RunStatus
from playground.providers import ToolCall, Usage
from playground.runs.models import Run, Status

NOT_KEPT = gettext_lazy(
    "The prompts and replies of this run are not kept; its status and usage are."
)


def recorded_state(run: Run) -> str:
    """The final frames of ``run``: its candidates filled, its status, its history line."""
    outcome = _outcome(run)
    count = max(len(outcome.text), 1) if run.output is not None else 0
    candidates = render_to_string(
        "playground/_candidates.html", {"indexes": range(count), "oob": True}
    )
    replies = fragments.reply_text(outcome.text)
    if run.status == Status.FINISHED:
        end = fragments.run_finished({}, outcome)
    elif run.status == Status.STOPPED:
        end = fragments.run_stopped({}, outcome)
    else:
        end = fragments.run_failed({}, run.error or _("The run failed."), outcome=outcome)
    if run.output is None:
        end += watch_note(NOT_KEPT)
    return candidates + replies + end + fragments.run_recorded(run)


def _outcome(run: Run) -> RunOutcome:
    output = run.output or {}
    outcome = RunOutcome(
        status=run.status,
        error=run.error,
        mode=run.mode,
        body=(run.request or {}).get("body") or {},
        seconds=run.total_ms / 1000,
        first_token_seconds=None if run.first_token_ms is None else run.first_token_ms / 1000,
    )
    for candidate in output.get("candidates") or []:
        index = int(candidate.get("index") or 0)
        outcome.text[index] = str(candidate.get("text") or "")
        outcome.finish_reasons[index] = candidate.get("finish_reason")
        outcome.tool_calls[index] = [
            ToolCall(
                index=index,
                call_index=number,
                id=call["id"],
                name=call["name"],
                arguments=call["arguments"],
            )
            for number, call in enumerate(candidate.get("tool_calls") or [])
        ]
    for chunk in run.raw or []:
        outcome.raw.append(chunk)
        outcome.raw_chars += len(chunk)
    if run.total_tokens is not None:
        outcome.usage = Usage(
            prompt_tokens=run.prompt_tokens or 0,
            completion_tokens=run.completion_tokens or 0,
            total_tokens=run.total_tokens,
            estimated=run.usage_estimated,
        )
    if outcome.status == RunStatus.REFUSED:
        outcome.status = RunStatus.FAILED
    return outcome


def recorded_raw(run: Run) -> str:
    """The raw answer's chunks as stored, for a watcher's inspector."""
    return fragments.raw_chunks(_outcome(run))
