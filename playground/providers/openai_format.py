"""An answer in OpenAI's wire format: stream chunks and whole response objects.

The offline model shows each answer as the raw JSON an OpenAI upstream would have
sent; the test suite's fake upstream sends the same objects over HTTP. Both build
them here, from the answers of ``offline_answers``: ``ChatAnswer`` and
``CompletionAnswer`` for generated text (``chat.completion.chunk`` and
``text_completion``), ``embeddings_response`` and ``moderations_response`` for the
two modes that answer at once.
"""

import base64
import hashlib
import json
import struct
import time
from dataclasses import dataclass
from typing import Any

from playground.providers.base import TokenLogprob, Usage
from playground.providers.offline_answers import (
    Candidate,
    chat_prompt_tokens,
    count_tokens,
    input_tokens,
    prompt_texts,
    token_logprob,
)

# Tool-call arguments stream in pieces of this many characters, as OpenAI sends them.
ARGUMENT_PIECE = 12


@dataclass(frozen=True)
class Sender:
    """Who answers ("offline", "fake"): named in the ids, the fingerprint and the model
    an answer carries when the body names none."""

    name: str

    def id(self, kind: str) -> str:
        return f"{kind}-{self.name}"

    @property
    def fingerprint(self) -> str:
        return f"fp_{self.name}"

    def model(self, body: dict[str, Any], kind: str) -> str:
        return str(body.get("model") or f"{self.name}-{kind}")

    def call_id(self, body: dict[str, Any], index: int, position: int) -> str:
        """A stable id for call ``position`` of candidate ``index``: the same conversation
        gets the same ids."""
        messages = json.dumps(body.get("messages"), sort_keys=True, default=str)
        digest = hashlib.sha256(messages.encode()).hexdigest()[:8]
        return f"call_{self.name}_{digest}_{index}_{position}"


@dataclass(frozen=True)
class StreamChunk:
    """One stream chunk, and the text (with its log probability) it adds to choice ``index``."""

    chunk: dict[str, Any]
    index: int
    text: str = ""
    logprob: TokenLogprob | None = None


def argument_pieces(arguments: str) -> list[str]:
    """Tool-call arguments as they stream, piece by piece."""
    return [arguments[i : i + ARGUMENT_PIECE] for i in range(0, len(arguments), ARGUMENT_PIECE)]


class _Answer:
    """What chat and legacy answers share: candidates streamed position by position.

    A stream is ``opening()``, ``tokens_at(0)``, ``tokens_at(1)``... up to ``longest``,
    then ``closing(index)`` for each candidate, each asked once and in that order
    (legacy log probabilities count text offsets as they go).
    """

    kind = ""
    object_name = ""
    top: int | None = None  # alternatives per token when logprobs are asked, else None

    def __init__(self, body: dict[str, Any], candidates: list[Candidate], sender: Sender) -> None:
        self.body = body
        self.candidates = candidates
        self.sender = sender
        self.longest = max((len(c.tokens) for c in candidates), default=0)
        # What every chunk of the answer starts with (one id and one time, as OpenAI sends).
        self._head = {
            "id": sender.id(self.kind),
            "object": self.object_name,
            "created": int(time.time()),
            "model": sender.model(body, "model"),
            "system_fingerprint": sender.fingerprint,
        }

    def call_id(self, index: int, position: int) -> str:
        return self.sender.call_id(self.body, index, position)

    def logprob(self, token: str) -> TokenLogprob | None:
        """The token's log probability, when the body asks for them."""
        return None if self.top is None else token_logprob(token, self.top)

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {**self._head, "choices": choices, **extra}

    def tokens_at(self, position: int) -> list[StreamChunk]:
        """The chunks carrying each candidate's token at ``position``."""
        return [
            self._token_chunk(index, candidate.tokens[position])
            for index, candidate in enumerate(self.candidates)
            if position < len(candidate.tokens)
        ]

    def _token_chunk(self, index: int, token: str) -> StreamChunk:
        raise NotImplementedError

    def prompt_tokens(self) -> int:
        raise NotImplementedError

    def usage(self) -> Usage:
        completion = sum(
            len(c.tokens) + sum(count_tokens(call.arguments) for call in c.calls)
            for c in self.candidates
        )
        prompt = self.prompt_tokens()
        return Usage(prompt, completion, prompt + completion)

    def usage_chunk(self) -> dict[str, Any]:
        """The last chunk when ``stream_options.include_usage`` asks for it."""
        return self.chunk([], usage=usage_json(self.usage()))


class ChatAnswer(_Answer):
    """A chat answer: ``chat.completion.chunk`` objects, or one ``chat.completion``."""

    kind = "chatcmpl"
    object_name = "chat.completion.chunk"

    def __init__(self, body: dict[str, Any], candidates: list[Candidate], sender: Sender) -> None:
        super().__init__(body, candidates, sender)
        if body.get("logprobs"):
            self.top = body.get("top_logprobs") or 0

    def prompt_tokens(self) -> int:
        return chat_prompt_tokens(self.body)

    def _choice(
        self, index: int, delta: dict[str, Any], reason: str | None = None
    ) -> dict[str, Any]:
        return {"index": index, "delta": delta, "logprobs": None, "finish_reason": reason}

    def opening(self) -> list[StreamChunk]:
        """The first chunk of each candidate: the role, and no text."""
        chunks = []
        for index, candidate in enumerate(self.candidates):
            content = None if candidate.calls else ""
            delta = {"role": "assistant", "content": content, "refusal": None}
            chunks.append(StreamChunk(self.chunk([self._choice(index, delta)]), index))
        return chunks

    def _token_chunk(self, index: int, token: str) -> StreamChunk:
        choice = self._choice(index, {"content": token})
        logprob = self.logprob(token)
        if logprob is not None:
            choice["logprobs"] = {"content": [_chat_logprob(logprob)], "refusal": None}
        return StreamChunk(self.chunk([choice]), index, token, logprob)

    def closing(self, index: int, finished: bool = True) -> list[dict[str, Any]]:
        """The last chunks of candidate ``index``: its tool calls streamed piece by piece,
        then its finish_reason (none when the stream ends unfinished)."""
        chunks = []
        for position, call in enumerate(self.candidates[index].calls):
            # Like OpenAI: the first delta names the call, later ones carry argument text.
            head = {
                "index": position,
                "id": self.call_id(index, position),
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            chunks.append(self.chunk([self._choice(index, {"tool_calls": [head]})]))
            for piece in argument_pieces(call.arguments):
                delta = {"tool_calls": [{"index": position, "function": {"arguments": piece}}]}
                chunks.append(self.chunk([self._choice(index, delta)]))
        reason = self.candidates[index].finish_reason if finished else None
        chunks.append(self.chunk([self._choice(index, {}, reason)]))
        return chunks

    def whole(self) -> dict[str, Any]:
        """The ``chat.completion`` object of an answer that is not streamed."""
        choices = []
        for index, candidate in enumerate(self.candidates):
            message: dict[str, Any] = {
                "role": "assistant",
                "content": "".join(candidate.tokens),
                "refusal": None,
            }
            if candidate.calls:
                message["content"] = None
                message["tool_calls"] = [
                    {
                        "id": self.call_id(index, position),
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    }
                    for position, call in enumerate(candidate.calls)
                ]
            logprobs = None
            if self.top is not None:
                content = [_chat_logprob(token_logprob(t, self.top)) for t in candidate.tokens]
                logprobs = {"content": content, "refusal": None}
            choices.append(
                {
                    "index": index,
                    "message": message,
                    "logprobs": logprobs,
                    "finish_reason": candidate.finish_reason,
                }
            )
        return {
            **self.chunk(choices, usage=usage_json(self.usage())),
            "object": "chat.completion",
        }


def _chat_logprob(logprob: TokenLogprob) -> dict[str, Any]:
    return {
        "token": logprob.token,
        "logprob": logprob.logprob,
        "bytes": list(logprob.token.encode()),
        "top_logprobs": [
            {"token": token, "logprob": value, "bytes": list(token.encode())}
            for token, value in logprob.top
        ],
    }


class CompletionAnswer(_Answer):
    """A legacy completion: ``text_completion`` objects, streamed or whole."""

    kind = "cmpl"
    object_name = "text_completion"

    def __init__(self, body: dict[str, Any], candidates: list[Candidate], sender: Sender) -> None:
        super().__init__(body, candidates, sender)
        logprobs = body.get("logprobs")
        if isinstance(logprobs, int) and logprobs >= 0:
            self.top = logprobs
        # Where each choice's next text starts: the legacy logprobs give offsets.
        self.offsets = [0] * len(candidates)

    def prompt_tokens(self) -> int:
        return sum(count_tokens(p) for p in prompt_texts(self.body.get("prompt")))

    def _choice(self, index: int, text: str, reason: str | None = None) -> dict[str, Any]:
        logprobs = self._logprobs([text], self.offsets[index]) if text else None
        self.offsets[index] += len(text)
        return {"text": text, "index": index, "logprobs": logprobs, "finish_reason": reason}

    def _logprobs(self, tokens: list[str], offset: int) -> dict[str, Any] | None:
        if self.top is None:
            return None
        values = [token_logprob(token, self.top) for token in tokens]
        offsets = []
        for token in tokens:
            offsets.append(offset)
            offset += len(token)
        return {
            "tokens": tokens,
            "token_logprobs": [v.logprob for v in values],
            "top_logprobs": [dict(v.top) for v in values],
            "text_offset": offsets,
        }

    def opening(self) -> list[StreamChunk]:
        """With ``echo``, each choice first repeats its prompt."""
        return [
            StreamChunk(
                self.chunk([self._choice(index, c.echo)]), index, c.echo, self.logprob(c.echo)
            )
            for index, c in enumerate(self.candidates)
            if c.echo
        ]

    def _token_chunk(self, index: int, token: str) -> StreamChunk:
        return StreamChunk(
            self.chunk([self._choice(index, token)]), index, token, self.logprob(token)
        )

    def closing(self, index: int, finished: bool = True) -> list[dict[str, Any]]:
        reason = self.candidates[index].finish_reason if finished else None
        return [self.chunk([self._choice(index, "", reason)])]

    def whole(self) -> dict[str, Any]:
        """The ``text_completion`` object of an answer that is not streamed."""
        choices = []
        for index, candidate in enumerate(self.candidates):
            tokens = [candidate.echo, *candidate.tokens] if candidate.echo else candidate.tokens
            choices.append(
                {
                    "text": "".join(tokens),
                    "index": index,
                    "logprobs": self._logprobs(tokens, 0),
                    "finish_reason": candidate.finish_reason,
                }
            )
        return self.chunk(choices, usage=usage_json(self.usage()))


def usage_json(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def embeddings_response(
    body: dict[str, Any], vectors: list[list[float]], sender: Sender
) -> dict[str, Any]:
    """The ``list`` of embeddings; vectors in base64 when ``encoding_format`` asks."""
    data = []
    for index, vector in enumerate(vectors):
        embedding: Any = vector
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = input_tokens(body)
    return {
        "object": "list",
        "data": data,
        "model": sender.model(body, "embedding"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def moderations_response(
    body: dict[str, Any], results: list[dict[str, Any]], sender: Sender
) -> dict[str, Any]:
    return {"id": sender.id("modr"), "model": sender.model(body, "moderation"), "results": results}
