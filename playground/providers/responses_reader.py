"""Reads the Responses API's answers as the playground's events: each typed stream event
(``response.output_text.delta``…) or a whole ``response`` object.

Every typed event is reported by its type (the inspector lists them), the response's id as
soon as it is known, text and reasoning-summary pieces as they come, function calls as
their arguments stream and whole when done, and the end with its status and usage.
MalformedAnswer names the part of an answer that does not have OpenAI's shape.
"""

from typing import Any

from django.utils.translation import gettext as _

from playground.providers.base import (
    Event,
    Finished,
    ReasoningDelta,
    ResponseId,
    StreamEventType,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from playground.providers.http_errors import MalformedAnswer

# Longer than any event type OpenAI names; a longer one is not shown as sent.
_MAX_TYPE = 80


class ResponsesReader:
    """One response's stream, event by event (function calls keep their order)."""

    def __init__(self) -> None:
        # item id → (position among the calls, call id, name)
        self._calls: dict[str, tuple[int, str, str]] = {}
        self.finished = False

    def read(self, payload: Any) -> list[Event]:
        """The events of one typed stream event; UpstreamError for an error or a failure."""
        event = _object(payload, "a stream event")
        kind = _text(event.get("type"), "type") or ""
        events: list[Event] = [StreamEventType(kind[:_MAX_TYPE])]
        if kind == "error":
            raise stream_error(event)
        if kind in {"response.created", "response.in_progress", "response.queued"}:
            response = _object(event.get("response"), f"{kind}.response")
            response_id = _text(response.get("id"), f"{kind}.response.id")
            if response_id:
                events.append(ResponseId(response_id))
        elif kind == "response.output_text.delta":
            events.append(TextDelta(0, _text(event.get("delta"), f"{kind}.delta") or ""))
        elif kind == "response.reasoning_summary_text.delta":
            events.append(ReasoningDelta(_text(event.get("delta"), f"{kind}.delta") or ""))
        elif kind == "response.output_item.added":
            item = _object(event.get("item"), f"{kind}.item")
            if item.get("type") == "function_call":
                position = len(self._calls)
                call_id = _text(item.get("call_id"), f"{kind}.item.call_id") or ""
                name = _text(item.get("name"), f"{kind}.item.name") or ""
                self._calls[str(item.get("id"))] = (position, call_id, name)
                events.append(ToolCallDelta(0, position, call_id, name, ""))
        elif kind == "response.function_call_arguments.delta":
            known = self._calls.get(str(event.get("item_id")))
            if known is not None:
                piece = _text(event.get("delta"), f"{kind}.delta") or ""
                events.append(ToolCallDelta(0, known[0], None, None, piece))
        elif kind == "response.output_item.done":
            item = _object(event.get("item"), f"{kind}.item")
            known = self._calls.get(str(item.get("id")))
            if item.get("type") == "function_call" and known is not None:
                events.append(_call(item, known[0], f"{kind}.item"))
        elif kind in {"response.completed", "response.incomplete"}:
            response = _object(event.get("response"), f"{kind}.response")
            events += _ending(response)
            self.finished = True
        elif kind == "response.failed":
            response = _object(event.get("response"), f"{kind}.response")
            raise response_failed(response)
        return events


def events_from_response(payload: Any) -> list[Event]:
    """The events of a whole (non-streamed) ``response`` object."""
    response = _object(payload, "the answer")
    if response.get("status") == "failed":
        raise response_failed(response)
    events: list[Event] = []
    response_id = _text(response.get("id"), "id")
    if response_id:
        events.append(ResponseId(response_id))
    calls = 0
    for number, value in enumerate(_list(response.get("output"), "output")):
        where = f"output[{number}]"
        item = _object(value, where)
        if item.get("type") == "message":
            for part_number, part in enumerate(_list(item.get("content"), f"{where}.content")):
                part = _object(part, f"{where}.content[{part_number}]")
                text = _text(part.get("text"), f"{where}.content[{part_number}].text")
                if part.get("type") == "output_text" and text:
                    events.append(TextDelta(0, text))
        elif item.get("type") == "function_call":
            events.append(_call(item, calls, where))
            calls += 1
        elif item.get("type") == "reasoning":
            for part in _list(item.get("summary"), f"{where}.summary"):
                text = _object(part, f"{where}.summary[]").get("text")
                if isinstance(text, str) and text:
                    events.append(ReasoningDelta(text))
    return events + _ending(response)


def _call(item: dict[str, Any], position: int, where: str) -> ToolCall:
    return ToolCall(
        0,
        position,
        _text(item.get("call_id"), f"{where}.call_id") or "",
        _text(item.get("name"), f"{where}.name") or "",
        _text(item.get("arguments"), f"{where}.arguments") or "",
    )


def _ending(response: dict[str, Any]) -> list[Event]:
    """The end of a response: its status (and why it is incomplete), and its usage."""
    status = _text(response.get("status"), "response.status") or "completed"
    details = response.get("incomplete_details")
    if status == "incomplete" and isinstance(details, dict) and details.get("reason"):
        status = f"incomplete: {details['reason']}"
    events: list[Event] = [Finished(0, status)]
    usage = response.get("usage")
    if isinstance(usage, dict):
        events.append(_usage(usage))
    return events


def _usage(usage: dict[str, Any]) -> Usage:
    def count(name: str, value: Any) -> int:
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise MalformedAnswer(f"usage.{name} is not a whole number of tokens")
        return int(value)

    prompt = count("input_tokens", usage.get("input_tokens"))
    completion = count("output_tokens", usage.get("output_tokens"))
    total = count("total_tokens", usage.get("total_tokens")) or prompt + completion
    cached = (usage.get("input_tokens_details") or {}).get("cached_tokens")
    reasoning = (usage.get("output_tokens_details") or {}).get("reasoning_tokens")
    return Usage(
        prompt,
        completion,
        total,
        cached_tokens=count("input_tokens_details.cached_tokens", cached)
        if cached is not None
        else None,
        reasoning_tokens=(
            count("output_tokens_details.reasoning_tokens", reasoning)
            if reasoning is not None
            else None
        ),
    )


def _said(error: Any) -> str:
    if isinstance(error, dict):
        message = error.get("message")
        code = error.get("code")
        text = str(message) if message else ""
        return f"{text} ({code})" if code and text else text or str(code or "")
    return ""


def stream_error(event: dict[str, Any]) -> UpstreamError:
    """An ``error`` event: the provider's words."""
    detail = _said(event.get("error") if isinstance(event.get("error"), dict) else event)
    return UpstreamError(
        "server_error",
        _("The provider reported an error in the middle of the response: %(detail)s")
        % {"detail": detail[:500] or _("no details given")},
    )


def response_failed(response: dict[str, Any]) -> UpstreamError:
    """``response.failed`` (or a response whose status is failed): the provider's words."""
    detail = _said(response.get("error"))
    return UpstreamError(
        "server_error",
        _("The response failed: %(detail)s") % {"detail": detail[:500] or _("no details given")},
    )


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedAnswer(f"{where} is not a list")
    return value


def _text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedAnswer(f"{where} is not text")
