"""What the offline model answers to a Responses API body, and how it remembers responses.

The answer is the chat offline model's (``offline_answers``): the Responses body is read
as the chat body it amounts to (instructions first, the conversation of the previous
response, the input items as messages), so text, JSON for a json_schema format and
function calls come out the same way. It calls a function only when ``tool_choice``
requires it ("required", or a named function). Each response is remembered (bounded, per
process) so that ``previous_response_id`` continues it; an id it does not know is refused
naming the field, as OpenAI answers 404. ``responses_format`` shapes it on the wire.
"""

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from playground.providers.base import UpstreamError
from playground.providers.offline_answers import (
    Call,
    chat_candidates,
    chat_prompt_tokens,
    count_tokens,
    tokenize,
)

# Responses remembered per process; the oldest is forgotten first.
MEMORY_SIZE = 512
_CJK = re.compile(r"[\u3400-\u9fff]")


def unknown_previous_response(response_id: str) -> UpstreamError:
    """The plain words for a ``previous_response_id`` the provider does not know."""
    return UpstreamError(
        "not_found",
        _(
            "previous_response_id %(id)s is not known to this provider: it may have been "
            "made elsewhere, not stored (store false), or forgotten. Clear it to start a new "
            "conversation."
        )
        % {"id": response_id},
        status=404,
        param="previous_response_id",
    )


class ResponseMemory:
    """The conversations of the responses given, by response id (as chat messages)."""

    def __init__(self, size: int = MEMORY_SIZE) -> None:
        self._size = size
        self._conversations: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()  # the fake upstream answers from its own thread

    def remember(self, response_id: str, conversation: list[dict[str, Any]]) -> None:
        with self._lock:
            self._conversations[response_id] = conversation
            self._conversations.move_to_end(response_id)
            while len(self._conversations) > self._size:
                self._conversations.popitem(last=False)

    def recall(self, response_id: str) -> list[dict[str, Any]]:
        """The conversation up to and including that response; UpstreamError if unknown."""
        with self._lock:
            conversation = self._conversations.get(response_id)
        if conversation is None:
            raise unknown_previous_response(response_id)
        return list(conversation)


MEMORY = ResponseMemory()


@dataclass(frozen=True)
class ResponsePlan:
    """One response: its id, the text tokens or function calls, the reasoning summary."""

    id: str
    tokens: list[str]
    calls: list[Call]
    summary: str
    input_tokens: int
    # "completed", or "incomplete" when max_output_tokens cut the text.
    status: str
    call_ids: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    @property
    def output_tokens(self) -> int:
        return (
            len(self.tokens)
            + sum(count_tokens(call.arguments) for call in self.calls)
            + count_tokens(self.summary)
        )


def plan_response(body: dict[str, Any], memory: ResponseMemory = MEMORY) -> ResponsePlan:
    """The offline model's response to ``body``, remembered under its id."""
    earlier = (
        memory.recall(body["previous_response_id"]) if body.get("previous_response_id") else []
    )
    conversation = earlier + input_messages(body.get("input"))
    chat = chat_body(body, conversation)
    candidate = chat_candidates(chat)[0]
    tokens = candidate.tokens
    if earlier and not candidate.calls and not _formatted(body):
        tokens = _continued(tokens, earlier)
    material = json.dumps([body.get("model"), conversation, body.get("instructions")], default=str)
    response_id = "resp_" + hashlib.sha256(material.encode()).hexdigest()[:32]
    call_ids = [f"call_{response_id[5:17]}_{position}" for position in range(len(candidate.calls))]
    reply: dict[str, Any]
    if candidate.calls:
        reply = {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for call_id, c in zip(call_ids, candidate.calls, strict=True)
            ],
        }
    else:
        reply = {"role": "assistant", "content": "".join(tokens)}
    memory.remember(response_id, [*conversation, reply])
    return ResponsePlan(
        id=response_id,
        tokens=tokens,
        calls=candidate.calls,
        summary=_summary(body, conversation),
        input_tokens=chat_prompt_tokens(chat),
        status="incomplete" if candidate.finish_reason == "length" else "completed",
        call_ids=call_ids,
    )


def input_messages(value: Any) -> list[dict[str, Any]]:
    """A Responses ``input`` as chat messages: a text is a user message; a function call
    an assistant message's tool call; a function call's output a tool message."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    messages: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type") or "message"
        if kind == "message":
            messages.append({"role": item.get("role"), "content": _text_of(item.get("content"))})
        elif kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments")},
            }
            messages.append({"role": "assistant", "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append(
                {"role": "tool", "tool_call_id": item.get("call_id"), "content": _text_of(output)}
            )
    return messages


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    texts = [
        str(part.get("text") or "")
        for part in content or []
        if isinstance(part, dict) and part.get("type") in {"input_text", "output_text"}
    ]
    return " ".join(text for text in texts if text)


def chat_body(body: dict[str, Any], conversation: list[dict[str, Any]]) -> dict[str, Any]:
    """The chat body the Responses body amounts to, for the chat offline model."""
    instructions = body.get("instructions")
    system = [{"role": "system", "content": instructions}] if instructions else []
    chat: dict[str, Any] = {"model": body.get("model"), "messages": system + conversation}
    if body.get("max_output_tokens"):
        chat["max_tokens"] = body["max_output_tokens"]
    choice = body.get("tool_choice")
    functions = [
        {
            "type": "function",
            "function": {
                key: tool[key] for key in ("name", "description", "parameters") if tool.get(key)
            },
        }
        for tool in body.get("tools") or []
        if isinstance(tool, dict) and tool.get("type") == "function"
    ]
    if functions and choice == "required":
        chat.update(tools=functions, tool_choice="required")
    elif functions and isinstance(choice, dict) and choice.get("type") == "function":
        chat.update(
            tools=functions,
            tool_choice={"type": "function", "function": {"name": choice.get("name")}},
        )
    if body.get("parallel_tool_calls") is True and "tools" in chat:
        chat["parallel_tool_calls"] = True
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema":
        spec = {"name": text_format.get("name"), "schema": text_format.get("schema") or {}}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif text_format.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    return chat


def _formatted(body: dict[str, Any]) -> bool:
    return ((body.get("text") or {}).get("format") or {}).get("type") in {
        "json_schema",
        "json_object",
    }


def _first_user_text(conversation: list[dict[str, Any]]) -> str:
    for message in conversation:
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return " ".join(message["content"].split())[:60]
    return ""


def _continued(tokens: list[str], earlier: list[dict[str, Any]]) -> list[str]:
    """A continued conversation's reply says what was said first: the proof it remembers."""
    first = _first_user_text(earlier)
    turns = sum(1 for message in earlier if message.get("role") == "assistant")
    text = "".join(tokens)
    if text.startswith("（离线模型）") or _CJK.search(first):
        said = f"（离线模型，第 {turns + 1} 轮）你最早说的是「{first}」。"
        return tokenize(said + text.removeprefix("（离线模型）"))
    said = f"(Offline model, turn {turns + 1}) You first said: \u201c{first}\u201d. "
    return tokenize(said + text.removeprefix("(Offline model) "))


def _summary(body: dict[str, Any], conversation: list[dict[str, Any]]) -> str:
    """A reasoning summary when the body asks for one (``reasoning.summary``)."""
    if not (body.get("reasoning") or {}).get("summary"):
        return ""
    last = next((m.get("content") for m in reversed(conversation) if m.get("role") == "user"), "")
    quoted = " ".join(str(last or "").split())[:60]
    return (
        f"**Reading the request**\n\nThe user wrote \u201c{quoted}\u201d; "
        "the offline model answers it in a few sentences."
    )
