"""A Responses API answer in OpenAI's wire format: the typed stream events and the
``response`` object, built from an offline plan (``offline_responses``). The offline
model shows them as its raw answer; the test suite's fake upstream sends them over HTTP.
"""

import time
from typing import Any

from playground.providers.offline_responses import ResponsePlan
from playground.providers.openai_format import Sender, argument_pieces

# Keys of the request echoed in the response object, as OpenAI echoes them.
_ECHOED: dict[str, Any] = {
    "instructions": None,
    "max_output_tokens": None,
    "metadata": {},
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "reasoning": {"effort": None, "summary": None},
    "store": True,
    "temperature": 1.0,
    "text": {"format": {"type": "text"}},
    "tool_choice": "auto",
    "tools": [],
    "top_p": 1.0,
    "truncation": "disabled",
}


class ResponsesAnswer:
    """One response: ``events()`` as it streams, ``whole()`` as one JSON object."""

    def __init__(self, body: dict[str, Any], plan: ResponsePlan, sender: Sender) -> None:
        self.body = body
        self.plan = plan
        self.sender = sender
        self.created_at = int(time.time())
        self._sequence = 0

    # --- items ------------------------------------------------------------------------
    def _reasoning_item(self, done: bool) -> dict[str, Any]:
        summary = [{"type": "summary_text", "text": self.plan.summary}] if done else []
        return {"id": f"rs_{self.plan.id[5:]}", "type": "reasoning", "summary": summary}

    def _message_item(self, done: bool) -> dict[str, Any]:
        content = [self._text_part(self.plan.text)] if done else []
        return {
            "id": f"msg_{self.plan.id[5:]}",
            "type": "message",
            "status": "completed" if done else "in_progress",
            "role": "assistant",
            "content": content,
        }

    @staticmethod
    def _text_part(text: str) -> dict[str, Any]:
        return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}

    def _call_item(self, position: int, done: bool) -> dict[str, Any]:
        call = self.plan.calls[position]
        return {
            "id": f"fc_{self.plan.id[5:]}_{position}",
            "type": "function_call",
            "status": "completed" if done else "in_progress",
            "call_id": self.plan.call_ids[position],
            "name": call.name,
            "arguments": call.arguments if done else "",
        }

    def _output(self) -> list[dict[str, Any]]:
        items = [self._reasoning_item(True)] if self.plan.summary else []
        if self.plan.calls:
            items += [self._call_item(i, True) for i in range(len(self.plan.calls))]
        else:
            items.append(self._message_item(True))
        return items

    # --- the response object ------------------------------------------------------------
    def response(self, status: str, output: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        done = status in {"completed", "incomplete"}
        echoed = {key: self.body.get(key, default) for key, default in _ECHOED.items()}
        if self.body.get("user"):
            echoed["user"] = self.body["user"]
        if done:
            echoed["usage"] = self._usage()
        return {
            "id": self.plan.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "error": None,
            "incomplete_details": (
                {"reason": "max_output_tokens"} if status == "incomplete" else None
            ),
            "model": self.sender.model(self.body, "model"),
            "output": output if output is not None else [],
            **echoed,
        }

    def _usage(self) -> dict[str, Any]:
        output = self.plan.output_tokens
        return {
            "input_tokens": self.plan.input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": self.plan.input_tokens + output,
        }

    def whole(self) -> dict[str, Any]:
        return self.response(self.plan.status, self._output())

    # --- the stream -------------------------------------------------------------------
    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        return event

    def opening(self) -> list[dict[str, Any]]:
        return [
            self._event("response.created", response=self.response("in_progress")),
            self._event("response.in_progress", response=self.response("in_progress")),
        ]

    def reasoning(self) -> list[dict[str, Any]]:
        """The reasoning summary's events, when the body asked for one (output 0)."""
        if not self.plan.summary:
            return []
        item = self._reasoning_item(False)
        where = {"item_id": item["id"], "output_index": 0, "summary_index": 0}
        part = {"type": "summary_text", "text": self.plan.summary}
        return [
            self._event("response.output_item.added", output_index=0, item=item),
            self._event(
                "response.reasoning_summary_part.added", **where, part={**part, "text": ""}
            ),
            *(
                self._event("response.reasoning_summary_text.delta", **where, delta=piece)
                for piece in argument_pieces(self.plan.summary)
            ),
            self._event("response.reasoning_summary_text.done", **where, text=self.plan.summary),
            self._event("response.reasoning_summary_part.done", **where, part=part),
            self._event(
                "response.output_item.done", output_index=0, item=self._reasoning_item(True)
            ),
        ]

    @property
    def _first_output(self) -> int:
        return 1 if self.plan.summary else 0

    def message_opening(self) -> list[dict[str, Any]]:
        item = self._message_item(False)
        index = self._first_output
        return [
            self._event("response.output_item.added", output_index=index, item=item),
            self._event(
                "response.content_part.added",
                item_id=item["id"],
                output_index=index,
                content_index=0,
                part=self._text_part(""),
            ),
        ]

    def text_delta(self, token: str) -> dict[str, Any]:
        return self._event(
            "response.output_text.delta",
            item_id=f"msg_{self.plan.id[5:]}",
            output_index=self._first_output,
            content_index=0,
            delta=token,
            logprobs=[],
        )

    def message_closing(self) -> list[dict[str, Any]]:
        item_id = f"msg_{self.plan.id[5:]}"
        where = {"item_id": item_id, "output_index": self._first_output, "content_index": 0}
        return [
            self._event("response.output_text.done", **where, text=self.plan.text, logprobs=[]),
            self._event(
                "response.content_part.done", **where, part=self._text_part(self.plan.text)
            ),
            self._event(
                "response.output_item.done",
                output_index=self._first_output,
                item=self._message_item(True),
            ),
        ]

    def calls(self) -> list[dict[str, Any]]:
        """Each function call: added, its arguments in pieces, done."""
        events = []
        for position, call in enumerate(self.plan.calls):
            index = self._first_output + position
            item = self._call_item(position, False)
            where = {"item_id": item["id"], "output_index": index}
            events.append(self._event("response.output_item.added", output_index=index, item=item))
            events += [
                self._event("response.function_call_arguments.delta", **where, delta=piece)
                for piece in argument_pieces(call.arguments)
            ]
            events.append(
                self._event(
                    "response.function_call_arguments.done",
                    **where,
                    name=call.name,
                    arguments=call.arguments,
                )
            )
            events.append(
                self._event(
                    "response.output_item.done",
                    output_index=index,
                    item=self._call_item(position, True),
                )
            )
        return events

    def closing(self) -> dict[str, Any]:
        status = self.plan.status
        return self._event(f"response.{status}", response=self.response(status, self._output()))

    def all_events(self) -> list[dict[str, Any]]:
        """The whole stream at once (the fake upstream paces only the text)."""
        events = self.opening() + self.reasoning()
        if self.plan.calls:
            events += self.calls()
        else:
            events += self.message_opening()
            events += [self.text_delta(token) for token in self.plan.tokens]
            events += self.message_closing()
        return [*events, self.closing()]
