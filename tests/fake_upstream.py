"""A fake OpenAI-compatible upstream: a real HTTP server on 127.0.0.1.

It answers like OpenAI does, in OpenAI's response shapes (checked against the
published OpenAPI document by tests/test_fake_upstream.py):

- ``POST /chat/completions``: SSE over chunked HTTP/1.1 (``chat.completion.chunk``
  objects, a final ``data: [DONE]``) or one ``chat.completion`` JSON; tool-call
  deltas when the scenario (or ``tool_choice``) asks for calls; per-token
  ``logprobs`` with ``top_logprobs`` alternatives when the body asks for them.
- ``POST /completions``: legacy ``text_completion`` objects, streamed or not,
  with ``prompt`` lists, ``echo``, ``suffix`` and the legacy ``logprobs`` shape.
- ``POST /embeddings``: deterministic vectors (hashed words, so texts sharing
  words point the same way), ``dimensions`` honoured, ``encoding_format: base64``.
- ``POST /moderations``: one result per input with every category and score;
  words listed in ``MODERATION_WORDS`` raise their category.

It records every request with its headers and JSON body, notes when the client
closed the connection, and can inject each failure the playground must survive.

Used by the tests (a pytest fixture runs it in a thread) and by the benchmark
(``python -m tests.fake_upstream --port N`` runs it as its own process).
"""

import argparse
import asyncio
import base64
import hashlib
import json
import math
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TokenSource = Callable[[dict[str, Any]], list[str]]
# A tool call the fake makes: {"name": ..., "arguments": "<JSON text>"}.
ToolCallSource = Callable[[dict[str, Any]], list[dict[str, str]]]


def default_tokens(body: dict[str, Any]) -> list[str]:
    """Twenty numbered words, or ``max_tokens`` of them: easy to check for order and loss."""
    count = body.get("max_tokens") or 20
    return [f" word{i}" for i in range(count)]


def tagged_tokens(body: dict[str, Any]) -> list[str]:
    """Tokens that name their stream (the last message or the prompt) so misrouting shows."""
    tag = body["messages"][-1]["content"] if body.get("messages") else body.get("prompt")
    return [f" {tag}:{i}" for i in range(body.get("max_tokens") or 20)]


def default_tool_calls(body: dict[str, Any]) -> list[dict[str, str]]:
    """Call a tool only when the request insists: ``tool_choice`` "required" or a named one.

    The arguments are an empty object; scenarios that need real arguments pass
    their own ``tool_calls`` source.
    """
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict) and t.get("function")]
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return [{"name": str(choice["function"].get("name")), "arguments": "{}"}]
    if choice == "required" and tools:
        return [{"name": str(tools[0]["function"].get("name")), "arguments": "{}"}]
    return []


@dataclass
class Scenario:
    """How the fake answers one request (of any endpoint).

    tokens: the reply's tokens (chat and legacy completions).
    tool_calls: the calls a chat reply makes instead of text; None means
    ``default_tool_calls`` (only when ``tool_choice`` demands a call).
    failure: None, "cut" (close the connection after ``fail_after`` tokens),
    "malformed" (a line that is not JSON), "error_event" (an error object inside
    the stream), "hang" (never send headers), "no_done" (end without [DONE]).
    """

    status: int = 200
    tokens: TokenSource = default_tokens
    tool_calls: ToolCallSource | None = None
    tokens_per_second: float = 0.0
    first_token_delay: float = 0.0
    failure: str | None = None
    fail_after: int = 3
    error_message: str = "Something went wrong."
    error_type: str = "invalid_request_error"
    error_code: str | None = None
    # The request parameter an error blames (OpenAI's error.param), e.g. "temperature".
    error_param: str | None = None
    retry_after: str | None = None
    # The usage-only chunk (stream_options.include_usage): "empty" sends "choices": [] as
    # OpenAI does; some gateways send "choices": null ("null") or no choices key ("absent").
    usage_choices: str = "empty"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float
    tokens_sent: int = 0
    client_closed_at: float | None = None
    finished_at: float | None = None


@dataclass
class FakeUpstream:
    host: str = "127.0.0.1"
    port: int = 0
    default: Scenario = field(default_factory=Scenario)
    models: list[str] = field(default_factory=lambda: ["fake-model", "fake-model-mini"])
    requests: list[RecordedRequest] = field(default_factory=list)
    # When set, only these keys are accepted (a wrong or missing one gets 401), as OpenAI does.
    accepted_keys: set[str] | None = None
    # Connections accepted, request or not: "nothing reached the upstream" means none at all.
    connections: int = 0

    def __post_init__(self) -> None:
        self._queued: list[Scenario] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def answer_next(self, scenario: Scenario) -> None:
        """Use ``scenario`` for the next POST request (then fall back to ``default``)."""
        self._queued.append(scenario)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The recorded requests to ``endpoint`` ("/chat/completions", "/embeddings", ...)."""
        return [r for r in self.requests if r.path.split("?")[0].endswith(endpoint)]

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/chat/completions")

    @property
    def completion_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests_to("/completions") if "/chat/" not in r.path]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/embeddings")

    @property
    def moderation_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/moderations")

    def start_in_thread(self) -> "FakeUpstream":
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-upstream", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            assert self._server is not None
            self._server.close()
            # Handlers of still-open connections would otherwise die with the loop, noisily.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, backlog=1024, limit=2**20
        )
        self.port = self._server.sockets[0].getsockname()[1]

    # --- HTTP ----------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                raw = await reader.readexactly(int(headers.get("content-length", "0")))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                record = RecordedRequest(method, path, headers, body, time.monotonic())
                self.requests.append(record)
                keep_open = await self._route(record, reader, writer)
                if not keep_open:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _route(
        self, record: RecordedRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if self.accepted_keys is not None:
            given = record.headers.get("authorization", "").removeprefix("Bearer ")
            if given not in self.accepted_keys:
                payload = _error("Incorrect API key provided.", "invalid_request_error")
                await self._send_json(writer, 401, payload, "Connection: close\r\n")
                return False
        if record.method == "GET" and record.path == "/v1/models":
            data = [{"id": m, "object": "model", "owned_by": "fake"} for m in self.models]
            await self._send_json(writer, 200, {"object": "list", "data": data})
            return True
        path = record.path.split("?")[0]
        endpoint = next((e for e in _ENDPOINTS if path.endswith(e)), None)
        if record.method == "POST" and endpoint is not None:
            scenario = self._queued.pop(0) if self._queued else self.default
            await self._answer(record, scenario, reader, writer, endpoint)
            return False
        await self._send_json(writer, 404, _error("Unknown path " + record.path, "not_found"))
        return True

    async def _send_json(
        self, writer: asyncio.StreamWriter, status: int, payload: Any, extra: str = ""
    ) -> None:
        data = json.dumps(payload).encode()
        writer.write(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            f"{_RATE_LIMIT_HEADERS}{extra}\r\n".encode()
            + data
        )
        await writer.drain()

    async def _answer(
        self,
        record: RecordedRequest,
        scenario: Scenario,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        endpoint: str,
    ) -> None:
        body = record.body if isinstance(record.body, dict) else {}

        async def watch_close() -> None:
            # The client sends nothing more on this connection: EOF means it hung up.
            try:
                await reader.read(1)
            except ConnectionError:
                pass
            record.client_closed_at = time.monotonic()

        watcher = asyncio.create_task(watch_close())
        try:
            if scenario.failure == "hang":
                await watcher
                return
            if scenario.status != 200:
                # This connection closes after the answer: say so, as real servers do, or a
                # client may reuse it and see it drop (a race that made tests flaky).
                extra = "Connection: close\r\n"
                if scenario.retry_after:
                    extra += f"Retry-After: {scenario.retry_after}\r\n"
                payload = _error(
                    scenario.error_message,
                    scenario.error_type,
                    scenario.error_code,
                    param=scenario.error_param,
                )
                await self._send_json(writer, scenario.status, payload, extra)
                return
            if endpoint == "/embeddings":
                await self._send_json(writer, 200, _embeddings(body), _CLOSE)
            elif endpoint == "/moderations":
                await self._send_json(writer, 200, _moderations(body), _CLOSE)
            elif endpoint == "/completions":
                if body.get("stream"):
                    await self._stream(record, scenario, body, writer, watcher, _TextCompletion)
                else:
                    await self._send_json(
                        writer, 200, _TextCompletion(body, scenario).whole(), _CLOSE
                    )
            elif body.get("stream"):
                await self._stream(record, scenario, body, writer, watcher, _ChatCompletion)
            else:
                await self._send_json(writer, 200, _ChatCompletion(body, scenario).whole(), _CLOSE)
        except ConnectionError:
            pass
        finally:
            record.finished_at = time.monotonic()
            if not watcher.done():
                watcher.cancel()

    async def _stream(
        self,
        record: RecordedRequest,
        scenario: Scenario,
        body: dict[str, Any],
        writer: asyncio.StreamWriter,
        watcher: asyncio.Task,
        shape: "type[_ChatCompletion] | type[_TextCompletion]",
    ) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
            + _RATE_LIMIT_HEADERS.encode()
            + b"\r\n"
        )
        reply = shape(body, scenario, chunk_id_number=len(self.requests))

        def send(payloads: list[dict[str, Any]]) -> None:
            for payload in payloads:
                data = f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()
                writer.write(_chunk(data))

        send(reply.opening())
        await writer.drain()
        loop = asyncio.get_running_loop()
        start = loop.time() + scenario.first_token_delay
        interval = 1 / scenario.tokens_per_second if scenario.tokens_per_second else 0.0
        for i, token in enumerate(reply.tokens):
            # Paced against the clock, not by sleeping a fixed gap, so the rate does not drift.
            wait = start + i * interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if watcher.done():
                return
            if scenario.failure == "cut" and i == scenario.fail_after:
                writer.transport.abort()
                return
            if scenario.failure == "malformed" and i == scenario.fail_after:
                writer.write(_chunk(b"data: {this is not json\n\n"))
                await writer.drain()
                continue
            if scenario.failure == "error_event" and i == scenario.fail_after:
                payload = _error(scenario.error_message, "server_error")
                writer.write(_chunk(f"data: {json.dumps(payload)}\n\n".encode()))
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                return
            send(reply.token_chunks(token))
            record.tokens_sent += 1
            await writer.drain()
        send(reply.closing(finished=scenario.failure is None))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = reply.chunk([], usage=reply.usage())
            if scenario.usage_choices == "null":
                usage_chunk["choices"] = None
            elif scenario.usage_choices == "absent":
                del usage_chunk["choices"]
            send([usage_chunk])
        if scenario.failure != "no_done":
            writer.write(_chunk(b"data: [DONE]\n\n"))
        writer.write(b"0\r\n\r\n")
        await writer.drain()


# --- response shapes ---------------------------------------------------------------


def _logprob(token: str) -> float:
    """A stable log probability for ``token``, between about -0.05 and -2.5."""
    fraction = int(hashlib.sha256(token.encode()).hexdigest()[:4], 16) / 0xFFFF
    return -round(0.05 + fraction * 2.45, 4)


def _alternatives(token: str, count: int) -> list[tuple[str, float]]:
    """The ``count`` likeliest tokens at this position: the chosen one, then runners-up."""
    chosen = _logprob(token)
    options = [(token, chosen)]
    for k in range(1, count):
        options.append((f"{token.strip() or '_'}~{k}", round(chosen - 0.7 * k, 4)))
    return options[:count]


def _chat_logprobs(tokens: list[str], top: int) -> dict[str, Any]:
    content = [
        {
            "token": token,
            "logprob": _logprob(token),
            "bytes": list(token.encode()),
            "top_logprobs": [
                {"token": alt, "logprob": lp, "bytes": list(alt.encode())}
                for alt, lp in _alternatives(token, top)
            ],
        }
        for token in tokens
    ]
    return {"content": content, "refusal": None}


class _ChatCompletion:
    """One chat reply, as stream chunks or as one ``chat.completion`` object."""

    object_name = "chat.completion.chunk"

    def __init__(self, body: dict[str, Any], scenario: Scenario, chunk_id_number: int = 0) -> None:
        self.body = body
        self.n = body.get("n") or 1
        self.id = f"chatcmpl-fake{chunk_id_number}"
        calls = (scenario.tool_calls or default_tool_calls)(body)
        self.tool_calls = [
            {"id": f"call_fake{chunk_id_number}_{i}", **call} for i, call in enumerate(calls)
        ]
        # A reply that calls tools carries no text, as OpenAI's models answer.
        self.tokens = [] if self.tool_calls else scenario.tokens(body)
        self.top_logprobs = (body.get("top_logprobs") or 0) if body.get("logprobs") else None

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": self.object_name,
            "created": int(time.time()),
            "model": self.body.get("model", "fake-model"),
            "system_fingerprint": "fp_fake",
            "choices": choices,
            **extra,
        }

    def _delta_choice(self, index: int, delta: dict, finish_reason: str | None = None) -> dict:
        return {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}

    def opening(self) -> list[dict[str, Any]]:
        content = None if self.tool_calls else ""
        delta = {"role": "assistant", "content": content, "refusal": None}
        return [self.chunk([self._delta_choice(i, dict(delta))]) for i in range(self.n)]

    def token_chunks(self, token: str) -> list[dict[str, Any]]:
        chunks = []
        for index in range(self.n):
            choice = self._delta_choice(index, {"content": token})
            if self.top_logprobs is not None:
                choice["logprobs"] = _chat_logprobs([token], self.top_logprobs)
            chunks.append(self.chunk([choice]))
        return chunks

    def closing(self, finished: bool) -> list[dict[str, Any]]:
        chunks = []
        for index in range(self.n):
            for position, call in enumerate(self.tool_calls):
                # Like OpenAI: the first delta names the call, later ones carry argument text.
                head = {
                    "index": position,
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": ""},
                }
                chunks.append(self.chunk([self._delta_choice(index, {"tool_calls": [head]})]))
                arguments = call["arguments"]
                for start in range(0, len(arguments), 7):
                    piece = {
                        "index": position,
                        "function": {"arguments": arguments[start : start + 7]},
                    }
                    chunks.append(self.chunk([self._delta_choice(index, {"tool_calls": [piece]})]))
        for index in range(self.n):
            reason = self.finish_reason() if finished else None
            chunks.append(self.chunk([self._delta_choice(index, {}, reason)]))
        return chunks

    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"

    def usage(self) -> dict[str, int]:
        completion = (len(self.tokens) + len(self.tool_calls)) * self.n
        return {
            "prompt_tokens": 10,
            "completion_tokens": completion,
            "total_tokens": 10 + completion,
        }

    def whole(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": "".join(self.tokens),
            "refusal": None,
        }
        if self.tool_calls:
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": call["arguments"]},
                }
                for call in self.tool_calls
            ]
        logprobs = None
        if self.top_logprobs is not None:
            logprobs = _chat_logprobs(self.tokens, self.top_logprobs)
        choices = [
            {
                "index": i,
                "message": message,
                "logprobs": logprobs,
                "finish_reason": self.finish_reason(),
            }
            for i in range(self.n)
        ]
        payload = self.chunk(choices, usage=self.usage())
        payload["object"] = "chat.completion"
        return payload


class _TextCompletion:
    """A legacy completion (``text_completion``): one choice per prompt and per ``n``."""

    def __init__(self, body: dict[str, Any], scenario: Scenario, chunk_id_number: int = 0) -> None:
        self.body = body
        self.id = f"cmpl-fake{chunk_id_number}"
        self.prompts = _prompt_texts(body.get("prompt", ""))
        self.choice_count = len(self.prompts) * (body.get("n") or 1)
        self.tokens = scenario.tokens(body)
        logprobs = body.get("logprobs")
        self.logprob_count = logprobs if isinstance(logprobs, int) and logprobs >= 0 else None
        self.offsets = [0] * self.choice_count

    def _prompt_for(self, index: int) -> str:
        return self.prompts[index // (self.body.get("n") or 1)]

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.body.get("model", "fake-model"),
            "system_fingerprint": "fp_fake",
            "choices": choices,
            **extra,
        }

    def _logprobs(self, tokens: list[str], offset: int) -> dict[str, Any] | None:
        if self.logprob_count is None:
            return None
        offsets = []
        for token in tokens:
            offsets.append(offset)
            offset += len(token)
        return {
            "tokens": tokens,
            "token_logprobs": [_logprob(t) for t in tokens],
            "top_logprobs": [dict(_alternatives(t, self.logprob_count)) for t in tokens],
            "text_offset": offsets,
        }

    def _choice(self, index: int, text: str, finish_reason: str | None = None) -> dict:
        logprobs = self._logprobs([text], self.offsets[index]) if text else None
        self.offsets[index] += len(text)
        return {"text": text, "index": index, "logprobs": logprobs, "finish_reason": finish_reason}

    def opening(self) -> list[dict[str, Any]]:
        if not self.body.get("echo"):
            return []
        return [
            self.chunk([self._choice(i, self._prompt_for(i))]) for i in range(self.choice_count)
        ]

    def token_chunks(self, token: str) -> list[dict[str, Any]]:
        return [self.chunk([self._choice(i, token)]) for i in range(self.choice_count)]

    def closing(self, finished: bool) -> list[dict[str, Any]]:
        reason = "stop" if finished else None
        return [self.chunk([self._choice(i, "", reason)]) for i in range(self.choice_count)]

    def usage(self) -> dict[str, int]:
        prompt = sum(len(p.split()) for p in self.prompts)
        completion = len(self.tokens) * self.choice_count
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def whole(self) -> dict[str, Any]:
        choices = []
        for index in range(self.choice_count):
            echoed = [self._prompt_for(index)] if self.body.get("echo") else []
            tokens = echoed + self.tokens
            choices.append(
                {
                    "text": "".join(tokens),
                    "index": index,
                    "logprobs": self._logprobs(tokens, 0),
                    "finish_reason": "stop",
                }
            )
        return self.chunk(choices, usage=self.usage())


def _prompt_texts(prompt: Any) -> list[str]:
    """The prompts of a legacy completion: a string, strings, token ids, or lists of ids."""
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt):
        return [" ".join(map(str, prompt))]
    if isinstance(prompt, list) and prompt:
        return [p if isinstance(p, str) else " ".join(map(str, p)) for p in prompt]
    return [""]


EMBEDDING_DIMENSIONS = 16


def _input_texts(value: Any) -> list[str]:
    """Embedding or moderation inputs as texts (token ids become their numbers)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [" ".join(map(str, value))]
    texts = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, list):
            texts.append(" ".join(map(str, item)))
        elif isinstance(item, dict):
            texts.append(str(item.get("text", "")))
    return texts


def _words(text: str) -> list[str]:
    return [w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if w]


def embedding_vector(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A unit vector: the sum of one stable random direction per word of ``text``."""
    vector = [0.0] * dimensions
    for word in _words(text) or [""]:
        seed = hashlib.sha256(word.encode()).digest()
        # Expand the hash to as many numbers as needed, each in [-1, 1).
        stream = b"".join(
            hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
            for i in range(math.ceil(dimensions * 2 / 32))
        )
        for d in range(dimensions):
            vector[d] += int.from_bytes(stream[2 * d : 2 * d + 2], "big") / 32768 - 1
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 6) for v in vector]


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    dimensions = body.get("dimensions") or EMBEDDING_DIMENSIONS
    texts = _input_texts(body.get("input"))
    data = []
    for index, text in enumerate(texts):
        vector: Any = embedding_vector(text, dimensions)
        if body.get("encoding_format") == "base64":
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(len(_words(t)) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model", "fake-embedding"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
# A word in the input raises its category's score to 0.9 (flagged); others stay low.
MODERATION_WORDS = {
    "idiot": "harassment",
    "hate": "hate",
    "steal": "illicit",
    "suicide": "self-harm",
    "kill": "violence",
    "gore": "violence/graphic",
}


def _moderations(body: dict[str, Any]) -> dict[str, Any]:
    results = []
    for text in _input_texts(body.get("input")):
        raised = {MODERATION_WORDS[w] for w in _words(text) if w in MODERATION_WORDS}
        scores = {
            name: 0.9 if name in raised else round(abs(_logprob(text + name)) / 1000, 6)
            for name in MODERATION_CATEGORIES
        }
        categories = {name: score > 0.5 for name, score in scores.items()}
        results.append(
            {
                "flagged": any(categories.values()),
                "categories": categories,
                "category_scores": scores,
                "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
            }
        )
    return {
        "id": "modr-fake",
        "model": body.get("model", "omni-moderation-latest"),
        "results": results,
    }


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


# Answers to POST close the connection afterwards, and say so: a client that was not
# told would reuse the closed connection for its next request and see it cut.
_CLOSE = "Connection: close\r\n"
# Longest first: "/chat/completions" also ends with "/completions".
_ENDPOINTS = ("/chat/completions", "/completions", "/embeddings", "/moderations")
_RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit-requests: 100\r\nx-ratelimit-remaining-requests: 99\r\n"
    "x-ratelimit-reset-requests: 600ms\r\nx-request-id: req_fake\r\n"
)


def _error(message: str, kind: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake OpenAI-compatible upstream.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    args = parser.parse_args()
    upstream = FakeUpstream(
        port=args.port,
        default=Scenario(tokens=tagged_tokens, tokens_per_second=args.tokens_per_second),
    )

    async def serve() -> None:
        await upstream._start()
        print(f"listening {upstream.base_url}", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
