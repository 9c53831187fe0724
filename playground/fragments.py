"""The HTML fragments the websocket sends; htmx swaps them in by id (hx-swap-oob).

Reply text is model output, so it is escaped here, on its way to the page. The
per-token frame is built with plain string formatting because it is the hot path;
the rarer status frames render the page's partial templates.
"""

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.html import escape

if TYPE_CHECKING:
    from playground.providers import Provider, Retrying
    from playground.streaming import RunOutcome


def reply_text(batch: dict[int, str]) -> str:
    """Append text to each candidate's reply: ``{index: text}``."""
    return "".join(
        f'<span id="reply-{index}" hx-swap-oob="beforeend">{escape(text)}</span>'
        for index, text in batch.items()
        if text
    )


def _status(state: str, message: str = "", **context: Any) -> str:
    return render_to_string(
        "playground/_run_status.html", {"state": state, "message": message, "oob": True, **context}
    )


def run_started(body: dict[str, Any], provider: "Provider") -> str:
    candidates = render_to_string(
        "playground/_candidates.html",
        {"indexes": range(body.get("n") or 1), "oob": True},
    )
    return candidates + _status(
        "running", f"Running {body.get('model')} on {provider.label}…", offline=provider.offline
    )


def run_finished(pending: dict[int, str], outcome: "RunOutcome") -> str:
    reasons = sorted({str(reason) for reason in outcome.finish_reasons.values()})
    return reply_text(pending) + _status(
        "done",
        "Done.",
        reasons=reasons,
        usage=outcome.usage,
        seconds=outcome.seconds,
        first_token_seconds=outcome.first_token_seconds,
    )


def run_failed(
    pending: dict[int, str],
    message: str,
    *,
    partial: bool | None = None,
    param: str | None = None,
) -> str:
    """The run ended on a failure; ``partial`` says text was shown (and stays), ``param``
    names the request parameter the upstream blamed, which the page highlights."""
    shown = any(pending.values()) if partial is None else partial
    kept = " The partial reply is kept." if shown and "partial reply is kept" not in message else ""
    return reply_text(pending) + _status("error", message, kept=kept, param=param)


def run_retrying(retry: "Retrying") -> str:
    """A status while the run waits to try again; the state stays "running" (Stop works)."""
    return _status(
        "running",
        f"{retry.reason.capitalize()}, retrying in {_seconds(retry.delay)}, "
        f"attempt {retry.attempt} of {retry.attempts}…",
        retrying=True,
    )


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 or value == int(value) else f"{value:.2g} s"


def run_stopped(pending: dict[int, str]) -> str:
    return reply_text(pending) + _status("stopped", "Stopped. The partial reply is kept.")


def request_invalid(errors: dict[str, str]) -> str:
    return _status(
        "invalid", "The request was not sent. Fix these and run again:", errors=errors.items()
    )


def run_refused(message: str) -> str:
    return _status("error", message)
