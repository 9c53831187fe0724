"""Any upstream that speaks OpenAI's API: OpenAI, gateways (APIYI, OpenRouter), Ollama, vLLM.

httpx + httpx-sse, one pooled client per provider and event loop (building a client
per run costs ~20 ms of CPU for the SSL context), deliberate timeouts, and every
failure mapped to an UpstreamError that says what to do. The key is sent only in
the upstream's Authorization header and scrubbed from any text shown to the user.
"""

import asyncio
import base64
import datetime
import email.utils
import json
import struct
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse

from playground.modes import get_mode
from playground.providers.addresses import private_address_refusal
from playground.providers.base import (
    Embeddings,
    Event,
    Finished,
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
    tls_failure,
)
from playground.providers.http_client import provider_http_client

# One client per (event loop, configuration): connections belong to the loop that opened them.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, httpx.AsyncClient]]" = (
    weakref.WeakKeyDictionary()
)


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
    ) -> None:
        self.name = name
        self.label = label
        self.default_model = default_model
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        # Headers a gateway needs beside the key (e.g. OpenRouter's HTTP-Referer); secret too.
        self._extra_headers = dict(extra_headers or {})
        # What is scrubbed from every upstream text shown (checked once per SSE chunk).
        self._secrets = tuple(
            secret for secret in [api_key, *self._extra_headers.values()] if len(secret or "") >= 4
        )
        # Where the user fixes the key or URL, named in messages ("Check OPENAI_API_KEY").
        self.key_setting = key_setting
        self.url_setting = url_setting
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
        try:
            response = await self._client().get(
                f"{self.base_url}/models", headers=self._headers(), timeout=5.0
            )
        except httpx.HTTPError:
            return [self.default_model]
        if response.status_code != 200:
            return [self.default_model]
        try:
            data = response.json().get("data", [])
            models = sorted({str(item["id"]) for item in data if isinstance(item, dict)})
        except (ValueError, KeyError, AttributeError):
            return [self.default_model]
        return models or [self.default_model]

    async def stream(self, body: dict[str, Any], mode: str = "chat") -> AsyncIterator[Event]:
        url = f"{self.base_url}{get_mode(mode).endpoint}"
        try:
            if not get_mode(mode).generates_text:
                async for event in self._answer(url, body, mode):
                    yield event
            else:
                async for event in self._generate(url, body):
                    yield event
        except httpx.ConnectTimeout:
            raise UpstreamError(
                "connect_timeout",
                f"Could not connect to {self.base_url} in time. Check that the server is up "
                "and the base URL is right.",
            ) from None
        except httpx.ReadTimeout:
            raise UpstreamError(
                "timeout",
                f"The provider stopped answering for {self._timeout.read:g} s. It may be "
                "overloaded: try again, or raise PLAYGROUND_READ_TIMEOUT for slow models.",
            ) from None
        except httpx.ConnectError as error:
            refusal = private_address_refusal(error)
            if refusal is not None:  # PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS, at connect time
                raise UpstreamError(
                    "private_address", f"{refusal} Use a public address in {self.url_setting}."
                ) from None
            reason = tls_failure(error)
            if reason is not None:  # not retried: a certificate does not fix itself
                raise UpstreamError(
                    "tls",
                    f"TLS error: the secure connection to {self.base_url} failed ({reason}). "
                    "The certificate may be self-signed, expired or for another host; or the "
                    f"server speaks plain http (then use http:// in {self.url_setting}).",
                ) from None
            raise UpstreamError(
                "unreachable",
                f"Could not reach {self.base_url}: the connection was refused or the host "
                f"was not found. Check {self.url_setting} and that the server is running.",
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise _stream_cut() from None
        except SSEError:
            raise UpstreamError(
                "bad_response",
                "The provider did not answer with a stream of events. Check that the base URL "
                "points at an OpenAI-compatible API (it usually ends in /v1).",
            ) from None

    async def _answer(self, url: str, body: dict[str, Any], mode: str) -> AsyncIterator[Event]:
        """Embeddings and moderation: one JSON answer, no stream."""
        response = await self._client().post(url, json=body, headers=self._headers())
        if response.status_code != 200:
            for event in self._refusal_events(response):
                yield event
            raise self._status_error(response)
        yield ResponseHeaders(response.status_code, shown_headers(response.headers))
        yield RawChunk(self._scrub_raw(response.text))
        payload = self._json(response.text)
        if not isinstance(payload, dict):
            raise _not_openai_shaped()
        model = str(payload.get("model") or body.get("model") or "")
        if get_mode(mode).answer == "embedding":
            items = sorted(payload.get("data") or [], key=lambda item: item.get("index", 0))
            yield Embeddings(tuple(_vector(item.get("embedding")) for item in items), model)
        else:
            results = payload.get("results")
            if not isinstance(results, list):
                raise _not_openai_shaped()
            yield Moderations(tuple(r for r in results if isinstance(r, dict)), model)
        if isinstance(payload.get("usage"), dict):
            yield _usage(payload["usage"])

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
                raise self._status_error(response)
            yield ResponseHeaders(response.status_code, shown_headers(response.headers))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                # A non-streaming answer (stream false, or a server that ignores it).
                await response.aread()
                yield RawChunk(self._scrub_raw(response.text))
                for event in _events_from_completion(self._json(response.text)):
                    yield event
                return
            async for sse in source.aiter_sse():
                yield RawChunk(self._scrub_raw(sse.data))
                if sse.data.strip() == "[DONE]":
                    finished = True
                    break
                chunk = self._json(sse.data)
                if isinstance(chunk, dict) and "error" in chunk:
                    raise UpstreamError(
                        "server_error",
                        "The provider reported an error in the middle of the reply: "
                        f"{self._scrub(_error_text(chunk))}. Try again.",
                    )
                for event in _events_from_chunk(chunk, assembler):
                    if isinstance(event, Finished):
                        finished = True
                    yield event
        for index in assembler.pending():
            for call in assembler.complete(index):
                yield call
        if not finished:
            raise _stream_cut()

    def _json(self, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise UpstreamError(
                "bad_response",
                "The provider sent something that is not valid JSON. Check that the base URL "
                "points at an OpenAI-compatible API.",
            ) from None

    def _scrub(self, text: str) -> str:
        """Upstream text for a message: short, and never with a secret in it."""
        return self._scrub_raw(text)[:500]

    def _scrub_raw(self, text: str) -> str:
        """Raw answers are shown whole, but never with the key (or a header secret) in them."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def _refusal_events(self, response: httpx.Response) -> tuple[Event, ...]:
        """What the inspector shows of a refused request: the status, the shown headers
        (rate limits, Retry-After) and the error body exactly as answered, minus secrets."""
        return (
            ResponseHeaders(response.status_code, shown_headers(response.headers)),
            RawChunk(self._scrub_raw(response.text)),
        )

    def _status_error(self, response: httpx.Response) -> UpstreamError:
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        detail = self._scrub(_error_text(payload))
        param = _error_param(payload)
        said = f" The provider said: {detail}" if detail else ""
        if status == 401:
            kind, what = (
                "auth",
                f"The provider refused the API key (401). Check {self.key_setting}.",
            )
        elif status == 403:
            kind, what = (
                "forbidden",
                ("The provider refused access (403): this key may not use this model or region."),
            )
        elif status == 404:
            kind, what = (
                "not_found",
                (
                    "Not found (404): the model name may be wrong, or the base URL may be missing /v1."
                ),
            )
        elif status == 429:
            retry = response.headers.get("retry-after")
            wait = f" Wait {retry} s and" if retry else " Wait a moment and"
            kind, what = (
                "rate_limited",
                (f"Rate limited or out of quota (429).{wait} run again, or check your plan."),
            )
        elif 300 <= status < 400:  # never followed: the key would go to another address
            location = self._scrub(response.headers.get("location", "another address")[:300])
            kind, what = (
                "bad_response",
                f"Wrong URL: the provider redirects {response.request.url} to {location}. "
                f"Use that address in {self.url_setting} (often https:// instead of http://).",
            )
        elif status >= 500:
            kind, what = (
                "server_error",
                (f"The provider failed ({status}). This is on their side: try again in a moment."),
            )
        else:
            kind, what = (
                "bad_request",
                (f"The provider rejected the request ({status}). Check the parameters."),
            )
        return UpstreamError(
            kind,
            what + said,
            status=status,
            retry_after=_retry_after_seconds(response.headers.get("retry-after")),
            param=param,
        )


def _stream_cut() -> UpstreamError:
    return UpstreamError(
        "stream_cut",
        "The connection to the provider was cut before the reply was complete. "
        "The partial reply is kept; run again to get a complete one.",
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def _error_param(payload: Any) -> str | None:
    """The parameter an OpenAI-style error names (``error.param``), if it names one."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        param = payload["error"].get("param")
        if isinstance(param, str) and param.strip():
            return param.strip()[:100]
    return None


def _error_text(payload: Any) -> str:
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("type") or "")
        return str(error)
    return ""


def _not_openai_shaped() -> UpstreamError:
    return UpstreamError(
        "bad_response",
        "The provider's answer does not have OpenAI's shape. Check that the base URL points "
        "at an OpenAI-compatible API and that the model serves this mode.",
    )


def _events_from_chunk(chunk: Any, assembler: ToolCallAssembler) -> list[Event]:
    """Events of one streamed chunk: chat (``delta``) or legacy completion (``text``)."""
    if not isinstance(chunk, dict):
        return []
    events: list[Event] = []
    for choice in chunk.get("choices") or []:
        if not isinstance(choice, dict):
            continue
        index = int(choice.get("index", 0) or 0)
        delta = choice.get("delta") or {}
        text = delta.get("content") if "delta" in choice else choice.get("text")
        if text:
            events.append(TextDelta(index, text))
        for call in delta.get("tool_calls") or []:
            function = call.get("function") or {}
            piece = ToolCallDelta(
                index,
                int(call.get("index", 0) or 0),
                call.get("id"),
                function.get("name"),
                function.get("arguments") or "",
            )
            assembler.add(piece)
            events.append(piece)
        logprobs = _logprobs(index, choice.get("logprobs"))
        if logprobs is not None:
            events.append(logprobs)
        if choice.get("finish_reason"):
            events.extend(assembler.complete(index))
            events.append(Finished(index, choice["finish_reason"]))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        events.append(_usage(usage))
    return events


def _events_from_completion(payload: Any) -> list[Event]:
    """Events of a whole (non-streamed) chat or legacy completion answer."""
    if not isinstance(payload, dict):
        return []
    events: list[Event] = []
    for choice in payload.get("choices") or []:
        if not isinstance(choice, dict):
            continue
        index = int(choice.get("index", 0) or 0)
        message = choice.get("message") or {}
        text = message.get("content") if "message" in choice else choice.get("text")
        if text:
            events.append(TextDelta(index, text))
        logprobs = _logprobs(index, choice.get("logprobs"))
        if logprobs is not None:
            events.append(logprobs)
        for position, call in enumerate(message.get("tool_calls") or []):
            function = call.get("function") or {}
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


def _logprobs(index: int, data: Any) -> Logprobs | None:
    """Chat logprobs (``content`` list) or legacy ones (parallel lists) as one event."""
    if not isinstance(data, dict):
        return None
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
    if isinstance(value, str):
        raw = base64.b64decode(value)
        return struct.unpack(f"<{len(raw) // 4}f", raw)
    if isinstance(value, list):
        return tuple(float(v) for v in value)
    raise _not_openai_shaped()


def _usage(usage: dict[str, Any]) -> Usage:
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    return Usage(prompt, completion, int(usage.get("total_tokens") or prompt + completion))
