"""A fake OpenAI-compatible upstream: a real HTTP server on 127.0.0.1.

It answers what the built-in offline model answers, in the same OpenAI shapes
(``playground/providers/offline_answers.py`` and ``openai_format.py``; checked
against the published OpenAPI document by tests/test_fake_upstream.py):

- ``POST /chat/completions``: SSE over chunked HTTP/1.1 (``chat.completion.chunk``
  objects, a final ``data: [DONE]``) or one ``chat.completion`` JSON; tool-call
  deltas when the scenario (or ``tool_choice``) asks for calls; per-token
  ``logprobs`` with ``top_logprobs`` alternatives when the body asks for them.
- ``POST /completions``: legacy ``text_completion`` objects, streamed or not,
  with ``prompt`` lists, ``echo`` and the legacy ``logprobs`` shape.
- ``POST /embeddings``: the offline model's vectors (similar texts point the same
  way), ``dimensions`` honoured, ``encoding_format: base64``.
- ``POST /moderations``: the offline model's verdicts, one per input.
- ``POST /images/generations``: the offline model's PNGs (``offline_images``), as
  ``b64_json``, or for ``response_format: url`` as links to this server (never served:
  the playground must not fetch them).
- ``POST /responses``: the offline model's Responses answer (``offline_responses``): typed
  SSE events (``event:`` and ``data:`` lines) or one ``response`` object; function calls
  when ``tool_choice`` requires one; it remembers the responses it gave, and answers an
  unknown ``previous_response_id`` with OpenAI's 404 (``previous_response_not_found``).
- ``POST /images/edits``: a multipart/form-data upload (``image`` or ``image[]``, and
  ``mask``), answered with the offline model's edit of the first image. The request is
  recorded with its text fields as ``body`` and its files (name, type, SHA-256) as
  ``files``.
- ``POST /audio/transcriptions`` and ``/audio/translations``: a multipart upload (``file``),
  answered with the offline model's transcript of it (``offline_transcription``) in the
  ``response_format`` asked for, or as ``transcript.text.*`` events for ``stream``.
- ``/files`` and ``/fine_tuning/jobs`` (create, list, get, events, checkpoints, cancel):
  fine-tuning files and jobs held in memory, moving through their states as the offline
  model's do (``tests/fake_fine_tuning.py``).
- ``POST /audio/speech``: the offline model's audio (``offline_speech``: wav, mp3 or pcm
  tones of the text), binary in chunks (Transfer-Encoding: chunked), or for
  ``stream_format: sse`` OpenAI's events; the bytes served are recorded as ``served``.

What is its own: the reply's tokens are a script the test chooses (numbered words by
default, so that loss and order show), and it records every request with its headers
and JSON body, notes when the client closed the connection, and can inject each
failure the playground must survive.

Used by the tests (a pytest fixture runs it in a thread) and by the benchmark
(``python -m tests.fake_upstream --port N`` runs it as its own process).
"""

import argparse
import asyncio
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.providers import (
    offline_answers,
    offline_images,
    offline_responses,
    offline_speech,
    offline_transcription,
)
from playground.providers.base import UpstreamError
from playground.providers.offline_answers import Call, Candidate, prompt_texts
from playground.providers.openai_format import (
    ChatAnswer,
    CompletionAnswer,
    Sender,
    embeddings_response,
    moderations_response,
)
from playground.providers.responses_format import ResponsesAnswer
from playground.uploads.references import FileContent

FAKE = Sender("fake")

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
    """The offline model's calls, made only when the request insists (``tool_choice``
    "required" or a named tool): otherwise the scripted text comes back."""
    choice = body.get("tool_choice")
    if choice != "required" and not isinstance(choice, dict):
        return []
    return [
        {"name": call.name, "arguments": call.arguments}
        for call in offline_answers.planned_tool_calls(body)
    ]


@dataclass
class Scenario:
    """How the fake answers one request (of any endpoint).

    tokens: the reply's tokens (chat and legacy completions).
    tool_calls: the calls a chat reply makes instead of text; None means
    ``default_tool_calls`` (only when ``tool_choice`` demands a call).
    failure: None, "cut" (close the connection after ``fail_after`` tokens),
    "malformed" (a line that is not JSON), "error_event" (an error object inside
    the stream), "hang" (never send headers), "no_done" (end without [DONE]), "raw"
    (``raw_data`` as one event's data, in place of the token at ``fail_after``; as the
    whole answer when the request does not stream, and for embeddings and moderations).
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
    # The data of the event that failure "raw" sends (any text: a chunk of the wrong shape).
    raw_data: str = ""
    # The usage-only chunk (stream_options.include_usage): "empty" sends "choices": [] as
    # OpenAI does; some gateways send "choices": null ("null") or no choices key ("absent").
    usage_choices: str = "empty"
    # Merged into the usage object (e.g. prompt_tokens_details.cached_tokens).
    usage_extra: dict[str, Any] | None = None
    # Embeddings as float lists even when the request asks for base64, as LiteLLM does.
    float_embeddings: bool = False
    # /moderations without a "model" fails with a 500, as LiteLLM does (it cannot route
    # the request, falls back to OpenAI without a key, and says so).
    moderation_needs_model: bool = False


@dataclass(frozen=True)
class RecordedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    # The JSON body; for a multipart request, its text fields ({name: value}).
    body: Any
    received_at: float
    tokens_sent: int = 0
    client_closed_at: float | None = None
    finished_at: float | None = None
    # A multipart request's file parts, by field name ("image[]" for each of a list).
    files: dict[str, list[RecordedFile]] = field(default_factory=dict)
    # The file a binary answer carried (a speech answer's audio), as served.
    served: bytes = b""


def multipart_parts(
    raw: bytes, content_type: str
) -> tuple[dict[str, str | list[str]], dict[str, list[RecordedFile]]]:
    """A multipart/form-data body's text fields (a list for ``name[]``) and file parts."""
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip().strip('"')
    fields: dict[str, str | list[str]] = {}
    files: dict[str, list[RecordedFile]] = {}
    for part in raw.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = dict(_DISPOSITION_PARAM.findall(headers.get("content-disposition", "")))
        if "filename" in disposition:
            files.setdefault(disposition["name"], []).append(
                RecordedFile(
                    disposition["filename"],
                    headers.get("content-type", ""),
                    data,
                )
            )
        else:
            name, value = disposition.get("name", ""), data.decode("utf-8", "replace")
            if name.endswith("[]"):  # a list: one field per item (timestamp_granularities[])
                listed = fields.setdefault(name, [])
                assert isinstance(listed, list)
                listed.append(value)
            else:
                fields[name] = value
    return fields, files


_DISPOSITION_PARAM = re.compile(r'(\w+)="([^"]*)"')


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    """The request's body: Content-Length bytes, or chunks (Transfer-Encoding: chunked)."""
    if headers.get("transfer-encoding", "").lower() != "chunked":
        return await reader.readexactly(int(headers.get("content-length", "0")))
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
        if size == 0:
            return b"".join(chunks)


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
    # Sent with every answer, e.g. {"Set-Cookie": "..."}: what a client must not keep.
    response_headers: dict[str, str] = field(default_factory=dict)
    # When set, GET /models answers this text (JSON of any shape) instead of the model list.
    models_answer: str | None = None
    # The responses it gave, for previous_response_id (its own, not the offline model's).
    memory: offline_responses.ResponseMemory = field(
        default_factory=offline_responses.ResponseMemory
    )
    # Its fine-tuning files and jobs (its own, not the offline model's), made at first use:
    # they need Django's models, which the benchmark's standalone fake does not load.
    fine_tuning: Any = None

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
                raw = await _read_body(reader, headers)
                files: dict[str, list[RecordedFile]] = {}
                content_type = headers.get("content-type", "")
                if content_type.startswith("multipart/form-data"):
                    body, files = multipart_parts(raw, content_type)
                else:
                    try:
                        body = json.loads(raw) if raw else None
                    except ValueError:
                        body = raw.decode("utf-8", "replace")
                record = RecordedRequest(method, path, headers, body, time.monotonic())
                record.files = files
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
        if record.method == "GET" and record.path == "/v1/models" and self.models_answer:
            await self._send_text(writer, 200, self.models_answer)
            return True
        if record.method == "GET" and record.path == "/v1/models":
            data = [{"id": m, "object": "model", "owned_by": "fake"} for m in self.models]
            await self._send_json(writer, 200, {"object": "list", "data": data})
            return True
        path = record.path.split("?")[0]
        if path.startswith(("/v1/files", "/v1/fine_tuning/")):
            if self.fine_tuning is None:
                from tests.fake_fine_tuning import FakeFineTuning

                self.fine_tuning = FakeFineTuning()
            status, payload = self.fine_tuning.answer(
                record.method, path, record.body, record.files
            )
            await self._send_json(writer, status, payload)
            return True
        endpoint = next((e for e in _ENDPOINTS if path.endswith(e)), None)
        if record.method == "POST" and endpoint is not None:
            scenario = self._queued.pop(0) if self._queued else self.default
            await self._answer(record, scenario, reader, writer, endpoint)
            return False
        await self._send_json(writer, 404, _error("Unknown path " + record.path, "not_found"))
        return True

    def _own_headers(self) -> str:
        return "".join(f"{name}: {value}\r\n" for name, value in self.response_headers.items())

    async def _send_json(
        self, writer: asyncio.StreamWriter, status: int, payload: Any, extra: str = ""
    ) -> None:
        await self._send_text(writer, status, json.dumps(payload), extra)

    async def _send_text(
        self, writer: asyncio.StreamWriter, status: int, text: str, extra: str = ""
    ) -> None:
        data = text.encode()
        writer.write(
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
            f"{_RATE_LIMIT_HEADERS}{self._own_headers()}{extra}\r\n".encode()
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
            if scenario.failure == "raw" and endpoint in _ONE_ANSWER_ENDPOINTS:
                await self._send_text(writer, 200, scenario.raw_data, _CLOSE)
            elif endpoint in {"/images/generations", "/images/edits"}:
                images = record.files.get("image") or record.files.get("image[]") or []
                masks = record.files.get("mask") or []
                answer = offline_images.images_response(
                    body,
                    FAKE,
                    url_for=lambda index, png: f"{self.base_url}/generated/{index}.png",
                    source=images[0].data if images else None,
                    mask=masks[0].data if masks else None,
                )
                await self._send_json(writer, 200, answer, _CLOSE)
            elif endpoint == "/audio/speech":
                await self._speech(record, scenario, body, writer)
            elif endpoint in {"/audio/transcriptions", "/audio/translations"}:
                await self._transcribe(record, body, writer, endpoint)
            elif endpoint == "/responses":
                await self._respond(record, scenario, body, writer, watcher)
            elif endpoint == "/embeddings":
                if scenario.float_embeddings:
                    body = {k: v for k, v in body.items() if k != "encoding_format"}
                await self._send_json(writer, 200, _embeddings(body), _CLOSE)
            elif (
                endpoint == "/moderations"
                and scenario.moderation_needs_model
                and not (isinstance(body, dict) and body.get("model"))
            ):
                payload = _error(LITELLM_UNROUTED_MODERATION, "None", "500")
                await self._send_json(writer, 500, payload, _CLOSE)
            elif endpoint == "/moderations":
                results = offline_answers.moderation_results(body)
                await self._send_json(
                    writer, 200, moderations_response(body, results, FAKE), _CLOSE
                )
            else:
                shape = _completion if endpoint == "/completions" else _chat
                answer = shape(body, scenario)
                if body.get("stream"):
                    await self._stream(record, scenario, answer, writer, watcher)
                elif scenario.failure == "raw":
                    await self._send_text(writer, 200, scenario.raw_data, _CLOSE)
                else:
                    await self._send_json(writer, 200, answer.whole(), _CLOSE)
        except UpstreamError as refused:
            # The offline model's refusals (too many dimensions) are a provider's 400s.
            payload = _error(refused.message, "invalid_request_error", param=refused.param)
            await self._send_json(writer, refused.status or 400, payload, _CLOSE)
        except ConnectionError:
            pass
        finally:
            record.finished_at = time.monotonic()
            if not watcher.done():
                watcher.cancel()

    async def _speech(
        self,
        record: RecordedRequest,
        scenario: Scenario,
        body: dict[str, Any],
        writer: asyncio.StreamWriter,
    ) -> None:
        """The audio in chunks of 16 KiB (``cut`` aborts after ``fail_after`` of them), or
        as OpenAI's sse events for ``stream_format: sse``."""
        audio = offline_speech.speech_audio(body)
        sse = body.get("stream_format") == "sse"
        media_type = offline_speech.MEDIA_TYPES[str(body.get("response_format") or "mp3")]
        # Recorded before it is sent: a client may have read it all before this task runs
        # again after the last write.
        record.served = audio
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: {'text/event-stream' if sse else media_type}\r\n"
            f"Transfer-Encoding: chunked\r\nConnection: close\r\n".encode()
            + _RATE_LIMIT_HEADERS.encode()
            + self._own_headers().encode()
            + b"\r\n"
        )
        if sse:
            pieces = [
                f"data: {json.dumps(event)}\n\n".encode()
                for event in offline_speech.sse_events(body, audio)
            ]
        else:
            pieces = offline_speech.audio_pieces(audio)
        for number, piece in enumerate(pieces):
            if scenario.failure == "cut" and number == scenario.fail_after:
                writer.transport.abort()
                return
            writer.write(_chunk(piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        record.served = audio

    async def _transcribe(
        self,
        record: RecordedRequest,
        fields: dict[str, Any],
        writer: asyncio.StreamWriter,
        endpoint: str,
    ) -> None:
        """The offline model's transcript of the uploaded ``file``: one answer in the
        response format asked for, or ``transcript.text.*`` events when ``stream`` is true."""
        uploaded = (record.files.get("file") or [None])[0]
        if uploaded is None:
            payload = _error("Missing file: upload the audio as 'file'.", "invalid_request_error")
            await self._send_json(writer, 400, payload, _CLOSE)
            return
        content = FileContent(
            uploaded.data, uploaded.filename, uploaded.content_type, uploaded.sha256
        )
        body = {
            **fields,
            "stream": fields.get("stream") == "true",
            "timestamp_granularities": fields.get("timestamp_granularities[]"),
        }
        translate = endpoint == "/audio/translations"
        events = offline_transcription.transcription_events(body, content, translate=translate)
        if events is None:
            text, media_type = offline_transcription.transcription_answer(
                body, content, translate=translate
            )
            data = text.encode()
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: {media_type}\r\n"
                f"Content-Length: {len(data)}\r\n{_RATE_LIMIT_HEADERS}{self._own_headers()}"
                f"{_CLOSE}\r\n".encode()
                + data
            )
            await writer.drain()
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n"
            + _RATE_LIMIT_HEADERS.encode()
            + self._own_headers().encode()
            + b"\r\n"
        )
        for event in events:
            writer.write(_chunk(f"data: {json.dumps(event)}\n\n".encode()))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _respond(
        self,
        record: RecordedRequest,
        scenario: Scenario,
        body: dict[str, Any],
        writer: asyncio.StreamWriter,
        watcher: asyncio.Task,
    ) -> None:
        """POST /responses: the offline model's response, streamed as typed events or whole."""
        previous = body.get("previous_response_id")
        try:
            plan = offline_responses.plan_response(body, self.memory)
        except UpstreamError:
            # OpenAI's answer to an id it does not know.
            payload = _error(
                f"Previous response with id '{previous}' not found.",
                "invalid_request_error",
                "previous_response_not_found",
                param="previous_response_id",
            )
            await self._send_json(writer, 404, payload, _CLOSE)
            return
        answer = ResponsesAnswer(body, plan, FAKE)
        if not body.get("stream"):
            await self._send_json(writer, 200, answer.whole(), _CLOSE)
            return
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
            + _RATE_LIMIT_HEADERS.encode()
            + self._own_headers().encode()
            + b"\r\n"
        )
        interval = 1 / scenario.tokens_per_second if scenario.tokens_per_second else 0.0
        for number, payload in enumerate(answer.all_events()):
            if watcher.done():
                return
            if scenario.failure == "error_event" and number == scenario.fail_after:
                error = {
                    "type": "error",
                    "sequence_number": number,
                    "code": "server_error",
                    "message": scenario.error_message,
                    "param": None,
                }
                writer.write(_chunk(f"event: error\ndata: {json.dumps(error)}\n\n".encode()))
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                return
            if payload["type"] == "response.output_text.delta":
                record.tokens_sent += 1
                if interval:
                    await asyncio.sleep(interval)
            data = json.dumps(payload, ensure_ascii=False)
            writer.write(_chunk(f"event: {payload['type']}\ndata: {data}\n\n".encode()))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def _stream(
        self,
        record: RecordedRequest,
        scenario: Scenario,
        answer: ChatAnswer | CompletionAnswer,
        writer: asyncio.StreamWriter,
        watcher: asyncio.Task,
    ) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            b"Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
            + _RATE_LIMIT_HEADERS.encode()
            + self._own_headers().encode()
            + b"\r\n"
        )

        def send(payloads: list[dict[str, Any]]) -> None:
            for payload in payloads:
                data = f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()
                writer.write(_chunk(data))

        send([streamed.chunk for streamed in answer.opening()])
        await writer.drain()
        loop = asyncio.get_running_loop()
        start = loop.time() + scenario.first_token_delay
        interval = 1 / scenario.tokens_per_second if scenario.tokens_per_second else 0.0
        for i in range(answer.longest):
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
            if scenario.failure == "raw" and i == scenario.fail_after:
                writer.write(_chunk(f"data: {scenario.raw_data}\n\n".encode()))
                await writer.drain()
                continue
            if scenario.failure == "error_event" and i == scenario.fail_after:
                payload = _error(scenario.error_message, "server_error")
                writer.write(_chunk(f"data: {json.dumps(payload)}\n\n".encode()))
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                return
            send([streamed.chunk for streamed in answer.tokens_at(i)])
            record.tokens_sent += 1
            await writer.drain()
        for index in range(len(answer.candidates)):
            send(answer.closing(index, finished=scenario.failure is None))
        if (answer.body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = answer.usage_chunk()
            if scenario.usage_choices == "null":
                usage_chunk["choices"] = None
            elif scenario.usage_choices == "absent":
                del usage_chunk["choices"]
            if scenario.usage_extra:
                usage_chunk["usage"].update(scenario.usage_extra)
            send([usage_chunk])
        if scenario.failure != "no_done":
            writer.write(_chunk(b"data: [DONE]\n\n"))
        writer.write(b"0\r\n\r\n")
        await writer.drain()


def _chat(body: dict[str, Any], scenario: Scenario) -> ChatAnswer:
    """The scripted reply (or calls) as a chat answer, the same for each of ``n`` choices."""
    calls = [
        Call(call["name"], call["arguments"])
        for call in (scenario.tool_calls or default_tool_calls)(body)
    ]
    # A reply that calls tools carries no text, as OpenAI's models answer.
    tokens = [] if calls else scenario.tokens(body)
    candidate = Candidate(tokens, "tool_calls" if calls else "stop", calls)
    return ChatAnswer(body, [candidate] * (body.get("n") or 1), FAKE)


def _completion(body: dict[str, Any], scenario: Scenario) -> CompletionAnswer:
    """The scripted reply as a legacy completion: one choice per prompt and per ``n``."""
    n = body.get("n") or 1
    tokens = scenario.tokens(body)
    candidates = [
        Candidate(tokens, "stop", echo=prompt if body.get("echo") else "")
        for prompt in prompt_texts(body.get("prompt", ""))
        for _ in range(n)
    ]
    return CompletionAnswer(body, candidates, FAKE)


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    offline_answers.check_embedding_dimensions(body)
    return embeddings_response(body, offline_answers.embedding_vectors(body), FAKE)


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


# What LiteLLM answers (500) to a moderation request that names no model.
LITELLM_UNROUTED_MODERATION = (
    "litellm.AuthenticationError: AuthenticationError: OpenAIException - The api_key client "
    "option must be set either by passing api_key to the client or by setting the "
    "OPENAI_API_KEY environment variable"
)

# Answers to POST close the connection afterwards, and say so: a client that was not
# told would reuse the closed connection for its next request and see it cut.
_CLOSE = "Connection: close\r\n"
# Longest first: "/chat/completions" also ends with "/completions".
_ENDPOINTS = (
    "/chat/completions",
    "/completions",
    "/embeddings",
    "/moderations",
    "/images/generations",
    "/images/edits",
    "/audio/speech",
    "/audio/transcriptions",
    "/audio/translations",
    "/responses",
)
_ONE_ANSWER_ENDPOINTS = frozenset(
    {
        "/embeddings",
        "/moderations",
        "/images/generations",
        "/images/edits",
        "/audio/speech",
        "/audio/transcriptions",
        "/audio/translations",
    }
)
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
