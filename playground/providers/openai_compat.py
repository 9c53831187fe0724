"""Any upstream that speaks OpenAI's API: OpenAI, gateways (APIYI, OpenRouter), Ollama, vLLM.

httpx + httpx-sse, one pooled client per provider and event loop (building a client
per run costs ~20 ms of CPU for the SSL context), deliberate timeouts, and every
failure mapped to an UpstreamError that says what to do. The key is sent only in
the upstream's Authorization header; what an upstream echoes of it is scrubbed where text
leaves the server, with the provider's ``scrubber`` (playground/secrets_scrub.py).
"""

import asyncio
import base64
import json
import struct
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError, aconnect_sse

from playground.modes import DEFAULT_MODE, get_mode
from playground.providers import transcription_reader
from playground.providers.base import (
    AudioDone,
    AudioPiece,
    Embeddings,
    Event,
    Finished,
    GeneratedImage,
    Images,
    Logprobs,
    Moderations,
    RawChunk,
    ResponseHeaders,
    TextDelta,
    TokenLogprob,
    ToolCall,
    ToolCallAssembler,
    ToolCallDelta,
    UpstreamError,
    Usage,
    shown_headers,
)
from playground.providers.base_url import normalized_base_url
from playground.providers.descriptor import DEFAULT_MODERATION_MODEL
from playground.providers.fine_tuning_mode import fine_tuning_events
from playground.providers.http_client import provider_http_client
from playground.providers.http_errors import (
    MalformedAnswer,
    Upstream,
    answer_json,
    error_in_stream,
    error_text,
    malformed_answer,
    not_a_model_list,
    not_a_stream,
    not_json,
    not_openai_shaped,
    status_error,
    stream_cut,
    transport_error,
)
from playground.providers.offline_responses import unknown_previous_response
from playground.providers.responses_reader import ResponsesReader, events_from_response
from playground.providers.sending import body_for_sending
from playground.providers.sent_files import files_for_sending
from playground.request_files import BodyFiles
from playground.secrets_scrub import scrubber_for
from playground.uploads.references import download_name

# One client per (event loop, configuration): connections belong to the loop that opened them.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]]" = weakref.WeakKeyDictionary()


class OpenAICompatibleProvider:
    offline = False

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        api_key: str = "",
        label: str = "OpenAI",
        default_model: str = "gpt-4o-mini",
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        extra_headers: dict[str, str] | None = None,
        key_setting: str = "OPENAI_API_KEY",
        url_setting: str = "OPENAI_BASE_URL",
        moderation_model: str = DEFAULT_MODERATION_MODEL,
        moderation_setting: str = "OPENAI_MODERATION_MODEL",
    ) -> None:
        self.name = name
        self.label = label
        self.default_model = default_model
        self.moderation_model = moderation_model
        self.moderation_setting = moderation_setting
        self.base_url = normalized_base_url(base_url)
        self._api_key = api_key
        # Headers a gateway needs beside the key (e.g. OpenRouter's HTTP-Referer); secret too.
        self._extra_headers = dict(extra_headers or {})
        # Every secret this provider sends, in every form an upstream may echo it in: what
        # leaves the server (frames, terminal, logs, model lists) is scrubbed with it.
        self.scrubber = scrubber_for([api_key, *self._extra_headers.values()])
        # Where the user fixes the key or URL, named in messages ("Check OPENAI_API_KEY").
        self.key_setting = key_setting
        self.url_setting = url_setting
        self._upstream = Upstream(self.base_url, key_setting, url_setting)
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)

    def __repr__(self) -> str:  # never show the key, not even in a traceback
        return f"<OpenAICompatibleProvider {self.name} {self.base_url}>"

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        per_loop = _clients.setdefault(loop, {})
        key = (self.base_url, self._timeout.connect, self._timeout.read)
        client = per_loop.get(key)
        if client is None or client.is_closed:
            limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
            client = provider_http_client(timeout=self._timeout, limits=limits)
            per_loop[key] = client
        return client

    def _headers(self) -> dict[str, str]:
        headers = dict(self._extra_headers)
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    async def list_models(self) -> list[str]:
        """The models GET /models lists; the default model alone when that fails."""
        try:
            models = await self.fetch_models()
        except UpstreamError:
            return [self.default_model]
        return models or [self.default_model]

    async def fetch_models(self, *, wait: float = 5.0) -> list[str]:
        """The model ids GET /models lists, waiting up to ``wait`` s for each step (connect,
        answer); UpstreamError says in plain words what failed."""
        url = f"{self.base_url}/models"
        timeout = httpx.Timeout(wait)
        try:
            response = await self._client().get(url, headers=self._headers(), timeout=timeout)
        except httpx.HTTPError as error:
            raise transport_error(error, self._upstream, timeout=timeout, listing=True) from None
        if response.status_code != 200:
            raise status_error(response, self._upstream, secrets=self.scrubber, listing=True)
        try:
            models = models_from_listing(answer_json(response.text))
        except MalformedAnswer as error:
            raise malformed_answer(str(error)) from None
        except ValueError:
            raise not_a_model_list(url, self._upstream) from None
        # Kept in the cache and shown in pages: a name that echoes a secret is no model.
        return [model for model in models if not self.scrubber.contains(model)]

    async def api_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: dict[str, Any] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    ) -> Any:
        """One call to the provider's API beside the runs (fine-tuning's files and jobs):
        its JSON answer; UpstreamError says in plain words what failed."""
        url = f"{self.base_url}{path}"
        try:
            response = await self._client().request(
                method, url, json=json, data=data, files=files, headers=self._headers()
            )
        except httpx.HTTPError as error:
            raise transport_error(error, self._upstream, timeout=self._timeout) from None
        if response.status_code != 200:
            raise status_error(response, self._upstream, secrets=self.scrubber)
        try:
            return answer_json(response.text)
        except MalformedAnswer as error:
            raise malformed_answer(str(error)) from None
        except ValueError:
            raise not_json() from None

    async def stream(self, body: dict[str, Any], mode: str = DEFAULT_MODE) -> AsyncIterator[Event]:
        url = f"{self.base_url}{get_mode(mode).endpoint_for(body).path}"
        # Files the body refers to (upload:…, @path) go as their bytes, read only now.
        body = await body_for_sending(body)
        try:
            answer = get_mode(mode).answer
            if answer == "speech":
                async for event in self._speech(url, body):
                    yield event
            elif answer == "responses":
                async for event in self._respond(url, body):
                    yield event
            elif answer == "transcription":
                async for event in self._transcribe(url, body, mode):
                    yield event
            elif answer == "fine_tuning":
                async for event in fine_tuning_events(self, body):
                    yield event
            elif not get_mode(mode).generates_text:
                async for event in self._answer(url, body, mode):
                    yield event
            else:
                async for event in self._generate(url, body):
                    yield event
        except httpx.HTTPError as error:
            raise transport_error(error, self._upstream, timeout=self._timeout) from None
        except SSEError:
            raise not_a_stream() from None
        except MalformedAnswer as error:
            # The parsers below name the part of the answer that has the wrong shape.
            raise malformed_answer(str(error)) from None

    async def _answer(self, url: str, body: dict[str, Any], mode: str) -> AsyncIterator[Event]:
        """Embeddings, moderation and images: one JSON answer, no stream. A body with files
        (an image edit) is sent as multipart/form-data, as the SDKs send it."""
        if get_mode(mode).endpoint_for(body).multipart:
            sent = await files_for_sending(mode, body)
            response = await self._client().post(
                url,
                data=multipart_fields(sent.fields),
                files=multipart_files(sent),
                headers=self._headers(),
            )
        else:
            response = await self._client().post(url, json=body, headers=self._headers())
        if response.status_code != 200:
            for event in self._refusal_events(response):
                yield event
            raise status_error(response, self._upstream, secrets=self.scrubber)
        yield ResponseHeaders(response.status_code, shown_headers(response.headers))
        yield RawChunk(response.text)
        payload = self._json(response.text)
        if not isinstance(payload, dict):
            raise not_openai_shaped()
        model = str(payload.get("model") or body.get("model") or "")
        if get_mode(mode).answer == "embedding":
            data = _list(payload.get("data"), "data")
            items = [_object(item, f"data[{i}]") for i, item in enumerate(data)]
            items.sort(key=lambda item: _index(item.get("index"), "data[].index"))
            yield Embeddings(tuple(_vector(item.get("embedding")) for item in items), model)
        elif get_mode(mode).answer == "image":
            yield _images(payload, model)
        else:
            results = payload.get("results")
            if not isinstance(results, list):
                raise not_openai_shaped()
            checked = (_moderation(r, f"results[{i}]") for i, r in enumerate(results))
            yield Moderations(tuple(checked), model)
        if isinstance(payload.get("usage"), dict):
            yield _usage(payload["usage"])

    async def _speech(self, url: str, body: dict[str, Any]) -> AsyncIterator[Event]:
        """Speech: an audio file, passed on piece by piece as it arrives (never held whole
        here); or, with ``stream_format: sse``, events whose base64 deltas are its pieces."""
        model = str(body.get("model") or "")
        response_format = str(body.get("response_format") or "mp3")
        async with self._client().stream(
            "POST", url, json=body, headers=self._headers()
        ) as response:
            if response.status_code != 200:
                await response.aread()
                for event in self._refusal_events(response):
                    yield event
                raise status_error(response, self._upstream, secrets=self.scrubber)
            yield ResponseHeaders(response.status_code, shown_headers(response.headers))
            content_type = response.headers.get("content-type", "")
            if "text/event-stream" in content_type:
                async for event in self._speech_events(response):
                    yield event
            else:
                size = 0
                async for piece in response.aiter_bytes():
                    if piece:
                        size += len(piece)
                        yield AudioPiece(piece)
                # The inspector shows what came, not the bytes themselves.
                yield RawChunk(json.dumps({"content_type": content_type, "audio_bytes": size}))
        yield AudioDone(model, response_format)

    async def _speech_events(self, response: httpx.Response) -> AsyncIterator[Event]:
        """``speech.audio.delta`` events' audio as pieces; ``speech.audio.done``'s usage."""
        done = False
        async for sse in EventSource(response).aiter_sse():
            if not sse.data.strip():
                continue
            yield RawChunk(sse.data)
            event = _object(self._json(sse.data), "a stream event")
            if "error" in event:
                raise error_in_stream(self._scrub(error_text(event)))
            if event.get("type") == "speech.audio.delta":
                try:
                    yield AudioPiece(base64.b64decode(str(event.get("audio") or ""), validate=True))
                except ValueError:  # binascii.Error is one
                    raise MalformedAnswer("a speech.audio.delta's audio is not base64") from None
            elif event.get("type") == "speech.audio.done":
                done = True
                if isinstance(event.get("usage"), dict):
                    yield _usage(event["usage"])
        if not done:
            raise stream_cut()

    async def _transcribe(self, url: str, body: dict[str, Any], mode: str) -> AsyncIterator[Event]:
        """Transcriptions and translations: the audio as a multipart upload; the answer one
        JSON object or text (srt, vtt…), or ``transcript.text.*`` events when streamed."""
        sent = await files_for_sending(mode, body)
        model = str(body.get("model") or "")
        async with self._client().stream(
            "POST",
            url,
            data=multipart_fields(sent.fields),
            files=multipart_files(sent),
            headers=self._headers(),
        ) as response:
            if response.status_code != 200:
                await response.aread()
                for event in self._refusal_events(response):
                    yield event
                raise status_error(response, self._upstream, secrets=self.scrubber)
            yield ResponseHeaders(response.status_code, shown_headers(response.headers))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                await response.aread()
                yield RawChunk(response.text)
                for event in transcription_reader.answer_events(response.text, body, model):
                    yield event
                return
            reader = transcription_reader.StreamReader(body, model)
            async for sse in EventSource(response).aiter_sse():
                if not sse.data.strip():
                    continue
                yield RawChunk(sse.data)
                payload = _object(self._json(sse.data), "a stream event")
                if "error" in payload:
                    raise error_in_stream(self._scrub(error_text(payload)))
                for found in reader.events(payload):
                    yield found
            if not reader.done:
                raise stream_cut()

    async def _generate(self, url: str, body: dict[str, Any]) -> AsyncIterator[Event]:
        """Chat and legacy completions: an SSE stream, or one JSON answer when not streaming."""
        finished = False
        assembler = ToolCallAssembler()
        async with aconnect_sse(
            self._client(), "POST", url, json=body, headers=self._headers()
        ) as source:
            response = source.response
            if response.status_code != 200:
                await response.aread()
                for event in self._refusal_events(response):
                    yield event
                raise status_error(response, self._upstream, secrets=self.scrubber)
            yield ResponseHeaders(response.status_code, shown_headers(response.headers))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                # A non-streaming answer (stream false, or a server that ignores it).
                await response.aread()
                yield RawChunk(response.text)
                for event in _events_from_completion(self._json(response.text)):
                    yield event
                return
            async for sse in source.aiter_sse():
                yield RawChunk(sse.data)
                if sse.data.strip() == "[DONE]":
                    finished = True
                    break
                chunk = self._json(sse.data)
                if isinstance(chunk, dict) and "error" in chunk:
                    raise error_in_stream(self._scrub(error_text(chunk)))
                for event in _events_from_chunk(chunk, assembler):
                    if isinstance(event, Finished):
                        finished = True
                    yield event
        for index in assembler.pending():
            for call in assembler.complete(index):
                yield call
        if not finished:
            raise stream_cut()

    async def _respond(self, url: str, body: dict[str, Any]) -> AsyncIterator[Event]:
        """The Responses API: its typed SSE events, or one response object when not
        streaming. A 404 for the previous_response_id says so, naming the field."""
        reader = ResponsesReader()
        async with aconnect_sse(
            self._client(), "POST", url, json=body, headers=self._headers()
        ) as source:
            response = source.response
            if response.status_code != 200:
                await response.aread()
                for event in self._refusal_events(response):
                    yield event
                if response.status_code == 404 and _blames_previous_response(response, body):
                    raise unknown_previous_response(str(body["previous_response_id"]))
                raise status_error(response, self._upstream, secrets=self.scrubber)
            yield ResponseHeaders(response.status_code, shown_headers(response.headers))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                await response.aread()
                yield RawChunk(response.text)
                for event in self._scrubbed(events_from_response, self._json(response.text)):
                    yield event
                return
            async for sse in source.aiter_sse():
                yield RawChunk(sse.data)
                if sse.data.strip() == "[DONE]":
                    break
                for event in self._scrubbed(reader.read, self._json(sse.data)):
                    yield event
        if not reader.finished:
            raise stream_cut()

    def _scrubbed(self, read: Any, payload: Any) -> list[Event]:
        """``read(payload)``; a failure the provider reports is told without a secret in it."""
        try:
            events: list[Event] = read(payload)
        except UpstreamError as error:
            raise UpstreamError(error.kind, self._scrub(error.message)) from None
        return events

    def _json(self, text: str) -> Any:
        try:
            return answer_json(text)
        except MalformedAnswer:
            raise
        except ValueError:
            raise not_json() from None

    def _scrub(self, text: str) -> str:
        """Upstream text for a message: short, and never with a secret in it (messages are
        also shown in pages, beside the frames the consumer scrubs)."""
        return self.scrubber.scrub(text)[:500]

    def _refusal_events(self, response: httpx.Response) -> tuple[Event, ...]:
        """What the inspector shows of a refused request: the status, the shown headers
        (rate limits, Retry-After) and the error body exactly as answered, minus secrets."""
        return (
            ResponseHeaders(response.status_code, shown_headers(response.headers)),
            RawChunk(response.text),
        )


def _blames_previous_response(response: httpx.Response, body: dict[str, Any]) -> bool:
    """A 404 about the previous_response_id the body sent (OpenAI names it as the error's
    param, or code previous_response_not_found), not about the URL."""
    wanted = body.get("previous_response_id")
    if not isinstance(wanted, str) or not wanted:
        return False
    try:
        error = answer_json(response.text).get("error") or {}
    except (ValueError, AttributeError):
        return False
    if not isinstance(error, dict):
        return False
    return (
        error.get("param") == "previous_response_id"
        or error.get("code") == "previous_response_not_found"
        or wanted in str(error.get("message") or "")
    )


def models_from_listing(payload: object) -> list[str]:
    """Model ids from an OpenAI ``GET /models`` answer, sorted (ValueError if it is not one)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ValueError("not a model list")
    return sorted(
        {str(item["id"]) for item in payload["data"] if isinstance(item, dict) and "id" in item}
    )


def _events_from_chunk(chunk: Any, assembler: ToolCallAssembler) -> list[Event]:
    """Events of one streamed chunk: chat (``delta``) or legacy completion (``text``).

    MalformedAnswer names the first part that does not have OpenAI's shape."""
    chunk = _object(chunk, "a stream chunk")
    events: list[Event] = []
    for position, value in enumerate(_list(chunk.get("choices"), "choices")):
        where = f"choices[{position}]"
        choice = _object(value, where)
        index = _index(choice.get("index"), f"{where}.index")
        delta = _object(choice.get("delta") or {}, f"{where}.delta")
        if "delta" in choice:
            text = _text(delta.get("content"), f"{where}.delta.content")
        else:
            text = _text(choice.get("text"), f"{where}.text")
        if text:
            events.append(TextDelta(index, text))
        for number, item in enumerate(_list(delta.get("tool_calls"), f"{where}.delta.tool_calls")):
            call_where = f"{where}.delta.tool_calls[{number}]"
            call = _object(item, call_where)
            function = _object(call.get("function") or {}, f"{call_where}.function")
            piece = ToolCallDelta(
                index,
                _index(call.get("index"), f"{call_where}.index"),
                _text(call.get("id"), f"{call_where}.id"),
                _text(function.get("name"), f"{call_where}.function.name"),
                _text(function.get("arguments"), f"{call_where}.function.arguments") or "",
            )
            assembler.add(piece)
            events.append(piece)
        logprobs = _logprobs(index, choice.get("logprobs"), f"{where}.logprobs")
        if logprobs is not None:
            events.append(logprobs)
        reason = _text(choice.get("finish_reason"), f"{where}.finish_reason")
        if reason:
            events.extend(assembler.complete(index))
            events.append(Finished(index, reason))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        events.append(_usage(usage))
    return events


def _events_from_completion(payload: Any) -> list[Event]:
    """Events of a whole (non-streamed) chat or legacy completion answer."""
    payload = _object(payload, "the answer")
    events: list[Event] = []
    for number, value in enumerate(_list(payload.get("choices"), "choices")):
        where = f"choices[{number}]"
        choice = _object(value, where)
        index = _index(choice.get("index"), f"{where}.index")
        message = _object(choice.get("message") or {}, f"{where}.message")
        if "message" in choice:
            text = _text(message.get("content"), f"{where}.message.content")
        else:
            text = _text(choice.get("text"), f"{where}.text")
        if text:
            events.append(TextDelta(index, text))
        logprobs = _logprobs(index, choice.get("logprobs"), f"{where}.logprobs")
        if logprobs is not None:
            events.append(logprobs)
        calls = _list(message.get("tool_calls"), f"{where}.message.tool_calls")
        for position, item in enumerate(calls):
            call = _object(item, f"{where}.message.tool_calls[{position}]")
            function = _object(
                call.get("function") or {}, f"{where}.message.tool_calls[{position}].function"
            )
            events.append(
                ToolCall(
                    index,
                    position,
                    str(call.get("id") or ""),
                    str(function.get("name") or ""),
                    str(function.get("arguments") or ""),
                )
            )
        events.append(Finished(index, choice.get("finish_reason")))
    if isinstance(payload.get("usage"), dict):
        events.append(_usage(payload["usage"]))
    return events


def _logprobs(index: int, data: Any, where: str) -> Logprobs | None:
    """Chat logprobs (``content`` list) or legacy ones (parallel lists) as one event."""
    if not isinstance(data, dict):
        return None
    try:
        return _logprobs_of(index, data)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
        raise MalformedAnswer(f"{where} does not have OpenAI's shape") from None


def _logprobs_of(index: int, data: dict[str, Any]) -> Logprobs | None:
    tokens: list[TokenLogprob] = []
    if isinstance(data.get("content"), list):
        for item in data["content"]:
            top = tuple(
                (str(alt.get("token", "")), float(alt.get("logprob", 0)))
                for alt in item.get("top_logprobs") or []
            )
            tokens.append(TokenLogprob(str(item.get("token", "")), float(item["logprob"]), top))
    elif isinstance(data.get("tokens"), list):
        values = data.get("token_logprobs") or []
        tops = data.get("top_logprobs") or []
        for position, token in enumerate(data["tokens"]):
            value = values[position] if position < len(values) else None
            alternatives = tops[position] if position < len(tops) else None
            top = tuple((str(t), float(lp)) for t, lp in (alternatives or {}).items())
            # The first echoed token has no logprob (null): nothing came before it.
            tokens.append(TokenLogprob(str(token), float(value) if value is not None else 0.0, top))
    return Logprobs(index, tuple(tokens)) if tokens else None


def _vector(value: Any) -> tuple[float, ...]:
    """An embedding as floats, whether sent as a list or as base64 float32."""
    try:
        if isinstance(value, str):
            raw = base64.b64decode(value, validate=True)
            return struct.unpack(f"<{len(raw) // 4}f", raw)  # struct.error unless 4 bytes each
        if isinstance(value, list):
            return tuple(float(v) for v in value)
    except (TypeError, ValueError, OverflowError, struct.error):  # binascii.Error is a ValueError
        raise MalformedAnswer("an embedding is neither numbers nor base64 float32") from None
    raise not_openai_shaped()


def _images(payload: dict[str, Any], model: str) -> Images:
    """The images of an ``ImagesResponse``: each one's base64 or link, and revised prompt."""
    images = []
    for position, value in enumerate(_list(payload.get("data"), "data")):
        where = f"data[{position}]"
        item = _object(value, where)
        images.append(
            GeneratedImage(
                _text(item.get("b64_json"), f"{where}.b64_json"),
                _text(item.get("url"), f"{where}.url"),
                _text(item.get("revised_prompt"), f"{where}.revised_prompt"),
            )
        )
    output_format = _text(payload.get("output_format"), "output_format")
    return Images(tuple(images), model, output_format)


def _moderation(value: Any, where: str) -> dict[str, Any]:
    """One moderation result, its category flags and scores of the types the page reads."""
    result = _object(value, where)
    categories = _object(result.get("categories") or {}, f"{where}.categories")
    scores = _object(result.get("category_scores") or {}, f"{where}.category_scores")
    for name, score in scores.items():
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
            raise MalformedAnswer(f"{where}.category_scores.{name} is not a number")
    for name, flag in categories.items():
        if flag is not None and not isinstance(flag, bool):
            raise MalformedAnswer(f"{where}.categories.{name} is not true or false")
    return result


def _usage(usage: dict[str, Any]) -> Usage:
    # The images endpoint (like the Responses API) counts input and output tokens.
    prompt_key = "prompt_tokens" if "prompt_tokens" in usage else "input_tokens"
    completion_key = "completion_tokens" if "completion_tokens" in usage else "output_tokens"
    prompt = _count(usage.get(prompt_key), f"usage.{prompt_key}")
    completion = _count(usage.get(completion_key), f"usage.{completion_key}")
    total = _count(usage.get("total_tokens"), "usage.total_tokens") or prompt + completion
    return Usage(
        prompt,
        completion,
        total,
        cached_tokens=_detail(usage, "prompt_tokens_details", "cached_tokens"),
        reasoning_tokens=_detail(usage, "completion_tokens_details", "reasoning_tokens"),
    )


def _detail(usage: dict[str, Any], group: str, name: str) -> int | None:
    """A count inside one of usage's detail objects, None when absent (gateways often omit
    them, or send null)."""
    details = usage.get(group)
    if not isinstance(details, dict) or details.get(name) is None:
        return None
    return _count(details.get(name), f"usage.{group}.{name}")


# Shape checks of the parsers above: each names the part of the answer that is wrong.
# Choice and tool-call indexes key dictionaries and page rows: a sane bound, not 10**30.
_MAX_INDEX = 2**16


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedAnswer(f"{where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    """A list, or none at all (absent or null: some gateways send ``"choices": null``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedAnswer(f"{where} is not a list")
    return value


def _index(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_INDEX:
        raise MalformedAnswer(f"{where} is not a whole number from 0 to {_MAX_INDEX}")
    return value


def _count(value: Any, where: str) -> int:
    """A token count: a whole number, or a float that is one (some servers send 12.0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise MalformedAnswer(f"{where} is not a number")
    if not 0 <= value <= 2**53 or value != int(value):
        raise MalformedAnswer(f"{where} is not a whole number of tokens")
    return int(value)


def _text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedAnswer(f"{where} is not text")


def multipart_fields(fields: dict[str, Any]) -> dict[str, str | list[str]]:
    """A body's other keys as form fields, spelled as the SDKs spell them: text as is,
    true and false in lower case, numbers as digits, a list of texts or numbers as one
    ``key[]`` field per item (``timestamp_granularities[]``), anything else as JSON."""
    spelled: dict[str, str | list[str]] = {}
    for key, value in fields.items():
        if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
            spelled[f"{key}[]"] = [_form_text(item) for item in value]
        else:
            spelled[key] = _form_text(value)
    return spelled


def _form_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def multipart_files(sent: BodyFiles) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The file parts: one per file, with its file name (its real type's extension) and
    media type (``image[]`` for each of a list of images, as the SDKs send a list)."""
    return [
        (name, (download_name(content), content.data, content.media_type))
        for name, content in sent.parts()
    ]
