"""The chat page's moderation switch: check the prompt before sending, the reply after.

The check runs on the same provider (its /moderations endpoint, or the offline
model's), so it needs no other key, and names the provider's moderation model
(``Provider.moderation_model``): a gateway such as LiteLLM routes by model and fails
a request without one. A flagged prompt is not sent; a flagged reply is shown as
such. The switch is a page option, not part of the request body: the body sent
upstream is the same with or without it.
"""

import time
from typing import Any

from django.utils.translation import gettext as _

from playground import fragments
from playground.outcome import RunOutcome, RunStatus
from playground.providers import Moderations, Provider, UpstreamError
from playground.streaming import SendHtml, relay_run


def prompt_text(body: dict[str, Any]) -> str:
    """The text of the last user message (what the user is about to send)."""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return "" if content is None else str(content)
    return ""


async def moderate(provider: Provider, texts: list[str]) -> list[dict[str, Any]]:
    """One moderation result per text (OpenAI's shape); UpstreamError if the check failed."""
    body = {"model": provider.moderation_model, "input": texts}
    async for event in provider.stream(body, "moderation"):
        if isinstance(event, Moderations):
            return list(event.results)
    raise UpstreamError(
        "bad_response", _("The provider answered the moderation check with no results.")
    )


def check_failed(provider: Provider, what: str, reason: str) -> str:
    """The sentence saying that ``provider``'s moderation could not check ``what``: the
    provider's failure (a gateway's 500 may talk about its own missing key), not ours."""
    reason = reason.strip()
    if not reason.endswith((".", "!", "?")):
        reason += "."  # an upstream's own words may end without a stop
    # Translators: "what" is "the prompt" or "the reply".
    return _(
        "%(provider)s could not check %(what)s with its moderation model %(model)s: %(reason)s"
    ) % {
        "provider": provider.label,
        "what": what,
        "model": provider.moderation_model,
        "reason": reason,
    }


def flagged_categories(result: dict[str, Any]) -> list[str]:
    return [name for name, on in (result.get("categories") or {}).items() if on]


async def moderated_run(
    provider: Provider,
    body: dict[str, Any],
    send_html: SendHtml,
    outcome: RunOutcome | None = None,
) -> RunOutcome | None:
    """A chat run between two moderation checks; None when the prompt was not sent (then
    ``outcome``, when given, says refused and why)."""
    if outcome is None:
        outcome = RunOutcome()
    outcome.mode, outcome.body, outcome.started_at = "chat", body, time.time()
    prompt = prompt_text(body)
    if prompt.strip():
        try:
            (verdict,) = await moderate(provider, [prompt])
        except (UpstreamError, ValueError) as error:
            reason = (
                error.message
                if isinstance(error, UpstreamError)
                else _("it did not answer with one result for the one prompt")
            )
            outcome.status = RunStatus.REFUSED
            outcome.error = (
                check_failed(provider, _("the prompt"), reason)
                + " "
                + _(
                    "The prompt was not sent: turn the check off to send without it, or set "
                    "another moderation model: %(setting)s."
                )
                % {"setting": provider.moderation_setting}
            )
            await send_html(fragments.run_refused(outcome.error))
            return None
        if verdict.get("flagged"):
            listed = ", ".join(flagged_categories(verdict)) or _("unspecified")
            outcome.status = RunStatus.REFUSED
            outcome.error = _(
                "Moderation flagged the prompt (%(categories)s), so it was not sent. "
                "Edit it, or turn the check off."
            ) % {"categories": listed}
            await send_html(fragments.run_refused(outcome.error))
            return None
    outcome = await relay_run(provider, body, send_html, mode="chat", outcome=outcome)
    replies = {i: text for i, text in sorted(outcome.text.items()) if text.strip()}
    if replies:
        try:
            results = await moderate(provider, list(replies.values()))
        except UpstreamError as error:
            await send_html(
                fragments.moderation_check(
                    [], check_failed(provider, _("the reply"), error.message)
                )
            )
            return outcome
        checked = [
            {
                "candidate": index + 1,
                "flagged": bool(r.get("flagged")),
                "categories": flagged_categories(r),
            }
            for index, r in zip(replies, results, strict=False)
        ]
        await send_html(fragments.moderation_check(checked))
    return outcome
