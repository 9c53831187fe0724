"""The HTML fragments the websocket sends; htmx swaps them in by id (hx-swap-oob).

Reply text is model output, so it is escaped here, on its way to the page. The
per-token frame is built with plain string formatting because it is the hot path;
the rarer status frames render the page's partial templates. Each reply has two views:
the raw text (``reply-<i>``) and the Markdown (``rendered-<i>``, its settled blocks, then
``tail-<i>``, the text after them as it streams), rendered whole when the run ends.
"""

import difflib
import functools
import json
import math
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from playground.capabilities import capability_warnings
from playground.image_files import shown_images
from playground.markdown_render import render_markdown
from playground.modes import DEFAULT_MODE, get_mode
from playground.outcome import RunOutcome
from playground.providers import Provider, Retrying
from playground.spec import input_texts
from playground.transcript_view import transcript_shown


def reply_text(batch: dict[int, str], settled: dict[int, tuple[str, str]] | None = None) -> str:
    """Append text to each candidate's reply (``{index: text}``) and to its rendered view's
    tail; ``settled`` holds the candidates whose blocks became complete (``streaming``):
    their HTML goes into the rendered view, and the tail becomes the text after them."""
    parts = []
    for index, text in batch.items():
        if not text:
            continue
        escaped = escape(text)
        parts.append(f'<span id="reply-{index}" hx-swap-oob="beforeend">{escaped}</span>')
        blocks = settled.get(index) if settled else None
        if blocks is None:
            parts.append(f'<span id="tail-{index}" hx-swap-oob="beforeend">{escaped}</span>')
        else:
            parts.append(
                f'<div id="rendered-{index}" hx-swap-oob="beforeend">{blocks[0]}</div>'
                f'<span id="tail-{index}" hx-swap-oob="innerHTML">{escape(blocks[1])}</span>'
            )
    return "".join(parts)


def rendered_replies(outcome: RunOutcome) -> str:
    """Each candidate's reply rendered whole as Markdown, in place of its settled blocks (the
    text is scrubbed first: markup could split a secret that the frame's scrubber would find)."""
    return "".join(
        f'<div id="rendered-{index}" hx-swap-oob="innerHTML">'
        f"{render_markdown(outcome.scrubber.scrub(text))}</div>"
        f'<span id="tail-{index}" hx-swap-oob="innerHTML"></span>'
        for index, text in sorted(outcome.text.items())
    )


def _status(state: str, message: str = "", **context: Any) -> str:
    return render_to_string(
        "playground/_run_status.html", {"state": state, "message": message, "oob": True, **context}
    )


# Rendered once per process and language (the templates' text is translated).
@functools.lru_cache(maxsize=256)
def _empty_candidates(count: int, language: str | None) -> str:
    return render_to_string("playground/_candidates.html", {"indexes": range(count), "oob": True})


@functools.lru_cache(maxsize=16)
def _cleared_results(language: str | None) -> str:
    """The previous run's results, emptied: the same HTML for every run."""
    return "".join(
        render_to_string(name, {"oob": True})
        for name in (
            "playground/_mode_result.html",
            "playground/_moderation_check.html",
            "playground/_raw_response.html",
            "playground/_run_record.html",
        )
    )


def run_started(body: dict[str, Any], provider: Provider, mode: str = DEFAULT_MODE) -> str:
    # Every run starts with this frame; the parts that do not depend on the run are
    # rendered once per process (four templates cost ~250 µs, paid by fifty runs at once).
    language = translation.get_language()
    candidates = _empty_candidates(get_mode(mode).body_model.candidate_count(body), language)
    cleared = _cleared_results(language)
    what = body.get("model") or _("the default model")
    return (
        candidates
        + cleared
        + _status(
            "running",
            _("Running %(model)s on %(provider)s…")
            % {"model": what, "provider": _(provider.label)},
            offline=provider.offline,
            warnings=capability_warnings(mode, body).items(),
        )
    )


def run_finished(pending: dict[int, str], outcome: RunOutcome) -> str:
    reasons = sorted({str(reason) for reason in outcome.finish_reasons.values()})
    return (
        reply_text(pending)
        + rendered_replies(outcome)
        + run_extras(outcome)
        + _status(
            "done",
            _done_message(outcome),
            reasons=reasons,
            usage=outcome.usage,
            seconds=outcome.seconds,
            first_token_seconds=outcome.first_token_seconds,
        )
    )


EMPTY_REPLY = gettext_lazy(
    "Done, but the model sent no text. If max_tokens (or max_completion_tokens) is small, "
    "a reasoning model may spend it all thinking: raise it; a stop sequence may also match "
    "at the very start."
)
# Said once after a failure or a stop that leaves a partial reply on the page.
PARTIAL_REPLY_KEPT = gettext_lazy("The partial reply is kept.")


def _done_message(outcome: RunOutcome) -> str:
    """ "Done.", or, for a text mode whose reply is empty (no text, no tool call), a hint."""
    produced = any(outcome.text.values()) or any(outcome.tool_calls.values())
    if produced or not get_mode(outcome.mode).generates_text:
        return _("Done.")
    return str(EMPTY_REPLY)


def run_extras(outcome: RunOutcome) -> str:
    """Tool calls, probability views, mode results and the raw answer of a finished run."""
    parts: list[str] = []
    for index, calls in sorted(outcome.tool_calls.items()):
        shown = [
            {
                "call": call,
                "pretty": _pretty_json(call.arguments),
                "line": tool_call_line(call.name, call.arguments, call.id),
            }
            for call in calls
        ]
        # "Add results and continue" writes chat messages: a chat answer's calls only.
        chat = get_mode(outcome.mode).answer == "chat"
        parts.append(
            render_to_string(
                "playground/_tool_calls.html", {"index": index, "calls": shown, "chat": chat}
            )
        )
    for index, tokens in sorted(outcome.shown_logprobs().items()):
        parts.append(
            render_to_string(
                "playground/_logprobs.html", {"index": index, "tokens": _probability_view(tokens)}
            )
        )
    template = get_mode(outcome.mode).result_template
    parts.append(render_to_string(template, {"oob": True, **_mode_result(outcome)}))
    parts.append(raw_response(outcome))
    return "".join(parts)


# A raw answer longer than this is not put in the final frame: the page asks for it when
# the inspector is opened (``raw_chunks``). A 200-token stream is ~80 kB of chunks, which
# every run would otherwise pay for (escaping, the frame, the browser's parsing) unwatched.
RAW_INLINE_CHARS = 8_000


def raw_response(outcome: RunOutcome, *, failed: bool = False) -> str:
    """The raw request and response inspector, filled: after a run, or after a failure with
    what is known (the body sent, and the upstream's status, headers and error body if any)."""
    return render_to_string(
        "playground/_raw_response.html",
        {"oob": True, "filled": True, "failed": failed, **_raw_context(outcome)},
    )


def raw_chunks(outcome: RunOutcome | None) -> str:
    """The raw answer of the last finished run, for an inspector that showed only its size."""
    if outcome is None:
        text = _("No finished run to show: run a request first.")
    else:
        text = _joined_chunks(outcome)
    return f'<pre class="raw-chunks" id="raw-chunks" hx-swap-oob="outerHTML">{escape(text)}</pre>'


def _joined_chunks(outcome: RunOutcome) -> str:
    # One string, escaped once: a template loop over hundreds of chunks cost ~3 ms a run.
    return "".join(chunk + "\n" for chunk in outcome.raw)


def tool_call_line(name: str, arguments: str, call_id: str) -> str:
    """One tool call as a conversation row shows it: ``→ name(arguments)  id``."""
    return f"→ {name}({arguments})  {call_id}"


def _pretty_json(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # a provider's malformed answer is shown as sent
        return text


def probability_class(probability: float) -> str:
    """A colour band for a token's probability (the page colours each band)."""
    for floor, name in ((0.9, "p-high"), (0.6, "p-good"), (0.3, "p-mid"), (0.1, "p-low")):
        if probability >= floor:
            return name
    return "p-poor"


def _probability_view(tokens: list[Any]) -> list[dict[str, Any]]:
    view = []
    for token in tokens:
        probability = math.exp(token.logprob)
        view.append(
            {
                "text": token.token,
                "percent": f"{probability * 100:.1f}",
                "logprob": f"{token.logprob:.4f}",
                "band": probability_class(probability),
                "alternatives": [
                    {
                        "text": alt,
                        "percent": f"{math.exp(lp) * 100:.1f}",
                        "chosen": alt == token.token,
                    }
                    for alt, lp in token.top
                ],
            }
        )
    return view


def _input_labels(body: dict[str, Any]) -> list[str]:
    labels = []
    for text in input_texts(body.get("input")):
        text = text or "[image]"
        labels.append(text if len(text) <= 60 else text[:57] + "…")
    return labels


def responses_progress(outcome: RunOutcome) -> str:
    """A Responses run's result while it streams: its id and the event types so far."""
    template = get_mode(outcome.mode).result_template
    return render_to_string(template, {"oob": True, **responses_result(outcome, done=False)})


def responses_result(outcome: RunOutcome, *, done: bool = True) -> dict[str, Any]:
    """The response's id (Continue fills previous_response_id with it once finished),
    its reasoning summary and the typed events that came, in order, with counts."""
    scrub = outcome.scrubber.scrub
    return {
        "response_id": scrub(outcome.response_id),
        "event_types": [(scrub(kind), count) for kind, count in outcome.event_types.items()],
        "event_total": sum(outcome.event_types.values()),
        "reasoning_html": render_markdown(scrub(outcome.reasoning)) if outcome.reasoning else "",
        "can_continue": done and bool(outcome.response_id) and outcome.status == "finished",
    }


def _mode_result(outcome: RunOutcome) -> dict[str, Any]:
    if outcome.speech is not None:
        return {"speech": outcome.speech, "speech_model": str(outcome.body.get("model") or "")}
    if get_mode(outcome.mode).answer == "responses":
        return responses_result(outcome)
    if outcome.transcript is not None:
        return transcript_shown(outcome.transcript, outcome.scrubber.scrub)
    if outcome.job is not None:
        return {"job": outcome.job}
    if outcome.images is not None:
        prompt = str(outcome.body.get("prompt") or "")
        return {
            "images": shown_images(outcome.images.images, prompt),
            "image_model": outcome.images.model,
        }
    labels = _input_labels(outcome.body)
    if outcome.embeddings is not None:
        vectors = outcome.embeddings.vectors
        matrix = outcome.embeddings.cosine_matrix() if len(vectors) > 1 else []
        rows = [
            {
                "label": labels[i] if i < len(labels) else f"input {i + 1}",
                "dimensions": len(v),
                "first": [f"{x:.4f}" for x in v[:6]],
                "cells": [
                    {"value": f"{c:.3f}", "band": probability_class(max(c, 0))} for c in matrix[i]
                ]
                if matrix
                else [],
            }
            for i, v in enumerate(vectors)
        ]
        return {"embedding_rows": rows, "model": outcome.embeddings.model}
    if outcome.moderations is not None:
        results = outcome.moderations.results
        categories = list((results[0].get("category_scores") or {}) if results else {})
        inputs = [
            {
                "label": labels[i] if i < len(labels) else f"input {i + 1}",
                "flagged": bool(r.get("flagged")),
                "flagged_categories": [c for c, on in (r.get("categories") or {}).items() if on],
            }
            for i, r in enumerate(results)
        ]
        table = [
            {
                "category": c,
                "cells": [
                    {
                        "score": f"{float((r.get('category_scores') or {}).get(c) or 0):.4f}",
                        "flagged": bool((r.get("categories") or {}).get(c)),
                    }
                    for r in results
                ],
            }
            for c in categories
        ]
        return {"moderation_inputs": inputs, "moderation_table": table}
    if get_mode(outcome.mode).diff_with_input:
        messages = outcome.body.get("messages") or []
        original = next((m.get("content") for m in messages if m.get("role") == "user"), "")
        if isinstance(original, str) and 0 in outcome.text:
            return {"edit_diff": word_diff(original, outcome.text[0])}
    return {}


# Words: runs of text between spaces, except that Chinese, Japanese and Korean characters
# (and their punctuation), written without spaces, are each a word of their own.
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_WORDS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


def word_diff(before: str, after: str) -> list[dict[str, str]]:
    """The edit's changes word by word: pieces marked same, removed or added."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append({"kind": "same", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            pieces.append({"kind": "removed", "text": "".join(a[i1:i2])})
        if j2 > j1:
            pieces.append({"kind": "added", "text": "".join(b[j1:j2])})
    return pieces


def _raw_context(outcome: RunOutcome) -> dict[str, Any]:
    fingerprint = None
    for data in outcome.raw:
        match = re.search(r'"system_fingerprint":\s*"([^"]*)"', data)
        if match:
            fingerprint = match.group(1)
            break
    inline = outcome.raw_chars <= RAW_INLINE_CHARS
    return {
        "raw_text": _joined_chunks(outcome) if inline else "",
        "raw_on_request": not inline,
        "raw_kib": f"{outcome.raw_chars / 1024:.0f}",
        "chunk_count": len(outcome.raw),
        "dropped": outcome.raw_dropped,
        "headers": outcome.headers.headers if outcome.headers else (),
        "status": outcome.headers.status if outcome.headers else None,
        "reasons": sorted({str(r) for r in outcome.finish_reasons.values()}),
        "usage": outcome.usage,
        "fingerprint": fingerprint,
        "sent_body": json.dumps(outcome.body, indent=2, ensure_ascii=False),
    }


def run_failed(
    pending: dict[int, str],
    message: str,
    *,
    partial: bool | None = None,
    param: str | None = None,
    outcome: RunOutcome | None = None,
) -> str:
    """The run ended on a failure; ``partial`` says text was shown (and stays, rendered from
    ``outcome``), ``param`` names the request parameter the upstream blamed, which the page
    highlights."""
    shown = any(pending.values()) if partial is None else partial
    kept_text = str(PARTIAL_REPLY_KEPT)
    kept = f" {kept_text}" if shown and kept_text.rstrip(".。") not in message else ""
    rendered = rendered_replies(outcome) if outcome is not None else ""
    if outcome is not None and outcome.event_types:
        rendered += responses_progress(outcome)  # the typed events that came before it
    return reply_text(pending) + rendered + _status("error", message, kept=kept, param=param)


def run_retrying(retry: Retrying) -> str:
    """A status while the run waits to try again; the state stays "running" (Stop works)."""
    reason = str(retry.reason)
    return _status(
        "running",
        _("%(reason)s, retrying in %(seconds)s, attempt %(attempt)s of %(attempts)s…")
        % {
            "reason": reason[:1].upper() + reason[1:],
            "seconds": _seconds(retry.delay),
            "attempt": retry.attempt,
            "attempts": retry.attempts,
        },
        retrying=True,
    )


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 or value == int(value) else f"{value:.2g} s"


def run_stopped(pending: dict[int, str], outcome: RunOutcome | None = None) -> str:
    """Stop keeps everything: the partial reply, the timings, and the raw inspector (the
    usage comes with the history's line: the provider's so far, or counted here)."""
    if outcome is None:
        return reply_text(pending) + _status(
            "stopped", _("Stopped.") + " " + str(PARTIAL_REPLY_KEPT)
        )
    if outcome.first_token_seconds is not None:
        stopped = _("Stopped after %(seconds).2f s (first token %(first).2f s).") % {
            "seconds": outcome.seconds,
            "first": outcome.first_token_seconds,
        }
    else:
        stopped = _("Stopped after %(seconds).2f s (before the first token).") % {
            "seconds": outcome.seconds
        }
    usage = outcome.usage
    counted = (
        " "
        + _("%(prompt)s prompt + %(completion)s completion tokens reported.")
        % {"prompt": usage.prompt_tokens, "completion": usage.completion_tokens}
        if usage is not None
        else ""
    )
    message = f"{stopped} {PARTIAL_REPLY_KEPT}{counted}"
    return (
        reply_text(pending)
        + rendered_replies(outcome)
        + _status("stopped", message)
        + raw_response(outcome)
    )


def request_invalid(errors: dict[str, str]) -> str:
    return _status(
        "invalid", _("The request was not sent. Fix these and run again:"), errors=errors.items()
    )


def run_refused(message: str) -> str:
    return _status("error", message)


def budget_warnings(warnings: tuple[str, ...]) -> str:
    """Added inside the run status while the run runs (the status that ends it replaces it)."""
    return render_to_string("runs/_budget_warnings.html", {"warnings": warnings})


def run_recorded(run: Any) -> str:
    """Below the status, once the run is in the history: its link, and what it cost."""
    return render_to_string("playground/_run_record.html", {"run": run, "oob": True})


def run_not_recorded() -> str:
    return render_to_string(
        "playground/_run_record.html",
        {
            "oob": True,
            "problem": _(
                "This run was not saved in the history (the database did not take it; the "
                "server log says why). The reply above is complete."
            ),
        },
    )


def moderation_check(results: list[dict[str, Any]], problem: str = "") -> str:
    """The moderation switch's verdict on the reply: flagged candidates and categories."""
    return render_to_string(
        "playground/_moderation_check.html", {"results": results, "problem": problem, "oob": True}
    )
