"""Writing runs: ``run_record`` turns a finished, stopped, failed or refused run into one row.

One INSERT per run, when it has ended: the streaming path never touches the database.
What the row keeps passes the provider's scrubber first (an upstream that echoes the key
must not put it in the history), and its prompts and replies are kept only when the
user keeps them (RunKeeping) and then only until retention deletes them.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from playground.image_files import file_stem, stored_image
from playground.outcome import RunOutcome, RunStatus
from playground.providers import Images, Usage
from playground.runs.models import Run, RunKeeping, Source
from playground.runs.prices import price_get, usage_cost
from playground.runs.search import searchable_text
from playground.secrets_scrub import Scrubber
from playground.tokens import estimate_outcome_usage
from playground.transcript_view import transcript_shown
from playground.uploads.services import upload_keep

logger = logging.getLogger(__name__)

# A run keeps at most this many characters of raw chunks and this many logprob tokens per
# candidate; beyond, they are dropped (the text, tool calls and usage are always kept).
RAW_KEEP_CHARS = 200_000
LOGPROBS_KEEP_TOKENS = 4_000
# A run keeps its images' files while they total at most this many bytes (the offline
# model's are a few KiB, one gpt-image-1 PNG is 1 to 3 MiB); beyond, each image keeps what
# is known of it (type, size, revised prompt, link) and is marked not kept.
IMAGES_KEEP_BYTES = 512 * 1024


@dataclass(frozen=True)
class RunContext:
    """Who ran what, from where: everything about a run that is not its outcome."""

    user: AbstractBaseUser | None
    provider: str
    # {"mode", "provider", "body", "variables"}: the body as written, {{variables}} unfilled
    # beside their values (filling them gives the body that went upstream).
    request: dict[str, Any]
    source: str = Source.PAGE
    preset_id: Any = None
    preset_version: int | None = None
    team_id: int | None = None
    # The row's id, known from the start: a live run's watch link names it, and the row
    # written at the end keeps it (playground/live/).
    run_id: uuid.UUID = field(default_factory=uuid.uuid4)


def request_object(
    *, mode: str, provider: str, body: dict[str, Any], variables: dict[str, str]
) -> dict[str, Any]:
    """The request object a run stores: the body as written and the variables' values
    (together, exactly what went upstream; "open in playground" restores both)."""
    request: dict[str, Any] = {"mode": mode, "provider": provider, "body": body}
    if variables:
        request["variables"] = variables
    return request


def run_record(*, context: RunContext, outcome: RunOutcome) -> Run:
    """Write the run's one row and return it."""
    scrubber = outcome.scrubber
    usage = outcome_usage(outcome)
    model = str(context.request.get("body", {}).get("model", ""))
    cost = usage_cost(usage, price_get(provider=context.provider, model=model)) if usage else None
    keep_text = _keeps_text(context.user)
    seconds = max(outcome.seconds, 0.0)
    run = Run(
        id=context.run_id,
        created_at=datetime.datetime.fromtimestamp(outcome.started_at or 0, tz=datetime.UTC),
        user_id=context.user.pk if context.user is not None else None,
        team_id=context.team_id,
        preset_id=context.preset_id,
        preset_version=context.preset_version,
        source=context.source,
        provider=context.provider,
        model=model[:200],
        mode=outcome.mode,
        status=outcome.status if outcome.status != RunStatus.RUNNING else RunStatus.FAILED,
        error=scrubber.scrub(outcome.error),
        first_token_ms=_ms(outcome.first_token_seconds),
        total_ms=_ms(seconds) or 0,
        tokens_per_second=_tokens_per_second(usage, outcome),
        rate_limit=_scrubbed(dict(outcome.headers.headers) if outcome.headers else {}, scrubber),
        cost_usd=cost,
    )
    if usage is not None:
        run.prompt_tokens = usage.prompt_tokens
        run.completion_tokens = usage.completion_tokens
        run.total_tokens = usage.total_tokens
        run.cached_tokens = usage.cached_tokens
        run.reasoning_tokens = usage.reasoning_tokens
        run.usage_estimated = usage.estimated
    if keep_text:
        run.request = _scrubbed(context.request, scrubber)
        run.output = _scrubbed(run_output(outcome), scrubber)
        run.raw = _scrubbed(_raw_kept(outcome), scrubber)
        run.search_text = searchable_text(run.request, run.output)
    else:
        run.text_deleted_at = run.created_at
    with transaction.atomic():
        run.save(force_insert=True)
        # The files the stored request refers to outlive the upload's day, unless the run
        # was refused (nothing was sent: they are purged with the other unkept uploads).
        if keep_text and run.status != RunStatus.REFUSED:
            upload_keep(run.request)
            upload_keep(run.output)  # files the run made (a speech answer's audio)
    return run


run_record_async = database_sync_to_async(run_record)


def run_output(outcome: RunOutcome) -> dict[str, Any]:
    """What the run produced, as JSON: every candidate's text, tool calls and finish reason."""
    indexes = sorted(
        outcome.text.keys() | outcome.finish_reasons.keys() | outcome.tool_calls.keys()
    )
    output: dict[str, Any] = {
        "candidates": [
            {
                "index": index,
                "text": outcome.text.get(index, ""),
                "finish_reason": outcome.finish_reasons.get(index),
                "tool_calls": [
                    {"id": call.id, "name": call.name, "arguments": call.arguments}
                    for call in outcome.tool_calls.get(index, [])
                ],
            }
            for index in indexes
        ]
    }
    if outcome.logprobs:
        output["logprobs"] = {
            str(index): [
                {
                    "token": token.token,
                    "logprob": token.logprob,
                    "top": [list(t) for t in token.top],
                }
                for token in tokens[:LOGPROBS_KEEP_TOKENS]
            ]
            for index, tokens in outcome.shown_logprobs().items()
        }
    if outcome.embeddings is not None:
        output["embeddings"] = {
            "dimensions": [len(vector) for vector in outcome.embeddings.vectors],
            # The first values of each vector: enough to recognise it, not megabytes of floats.
            "preview": [list(vector[:8]) for vector in outcome.embeddings.vectors],
        }
    if outcome.moderations is not None:
        output["moderations"] = list(outcome.moderations.results)
    if outcome.images is not None:
        output["images"] = _kept_images(outcome.images, str(outcome.body.get("prompt") or ""))
    if outcome.speech is not None:
        # The audio file itself is an upload, kept below with the run (by its reference).
        output["speech"] = outcome.speech.as_json()
    if outcome.transcript is not None:
        # Language, duration and timed segments, as the page showed them.
        output["transcript"] = transcript_shown(outcome.transcript)["transcript"]
    if outcome.job is not None:
        # The job the run created: its page follows it (by provider and id).
        job = outcome.job
        output["fine_tuning_job"] = {"id": job.id, "status": job.status, "provider": job.provider}
    if outcome.response_id:
        # The Responses API's: the id continues it (previous_response_id), the event types
        # (in arrival order, with counts) and the reasoning summary are what the page showed.
        output["response"] = {
            "id": outcome.response_id,
            "events": dict(outcome.event_types),
            "reasoning": outcome.reasoning,
        }
    return output


def _kept_images(images: Images, prompt: str) -> list[dict[str, Any]]:
    stem = file_stem(prompt)
    kept, items = 0, []
    for number, image in enumerate(images.images, 1):
        item = stored_image(image, number, stem, keep=True)
        if "b64_json" in item and kept + item["size_bytes"] > IMAGES_KEEP_BYTES:
            item = stored_image(image, number, stem, keep=False)
        elif "b64_json" in item:
            kept += item["size_bytes"]
        items.append(item)
    return items


def outcome_usage(outcome: RunOutcome) -> Usage | None:
    """The usage a run is recorded with: reported, else counted here (marked estimated)."""
    return outcome.usage or _estimated_usage(outcome)


def outcome_cost(*, provider: str, outcome: RunOutcome) -> Decimal | None:
    """What the run costs at the price table's price (None: no usage, or no price)."""
    usage = outcome_usage(outcome)
    model = str(outcome.body.get("model", ""))
    return usage_cost(usage, price_get(provider=provider, model=model)) if usage else None


def _estimated_usage(outcome: RunOutcome) -> Usage | None:
    """A local count when the provider reported none, for a run that reached the provider:
    a refused run sent nothing, and a failure before any answer produced nothing."""
    if outcome.status == RunStatus.REFUSED:
        return None
    produced = any(outcome.text.values()) or any(outcome.tool_calls.values())
    if outcome.status == RunStatus.FAILED and not produced:
        return None
    return estimate_outcome_usage(outcome)


def _raw_kept(outcome: RunOutcome) -> list[str]:
    kept, chars = [], 0
    for chunk in outcome.raw:
        chars += len(chunk)
        if chars > RAW_KEEP_CHARS:
            break
        kept.append(chunk)
    return kept


def _keeps_text(user: AbstractBaseUser | None) -> bool:
    if user is None or not user.pk:
        return True
    keeping = RunKeeping.objects.filter(user_id=user.pk).values_list("keep_text", flat=True)
    return next(iter(keeping), True)


def _scrubbed(value: Any, scrubber: Scrubber) -> Any:
    """``value`` with every string (and key) passed through the provider's scrubber."""
    if not scrubber:
        return value
    if isinstance(value, str):
        return scrubber.scrub(value)
    if isinstance(value, dict):
        return {scrubber.scrub(str(k)): _scrubbed(v, scrubber) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item, scrubber) for item in value]
    return value


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def _tokens_per_second(usage: Usage | None, outcome: RunOutcome) -> float | None:
    """Completion tokens per second of generation (after the first token)."""
    if usage is None or not usage.completion_tokens or outcome.first_token_seconds is None:
        return None
    generating = outcome.seconds - outcome.first_token_seconds
    if generating <= 0:
        return None
    return round(usage.completion_tokens / generating, 2)
