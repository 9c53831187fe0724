"""Any upstream that speaks OpenAI's API: OpenAI, gateways (APIYI, OpenRouter), Ollama, vLLM.

httpx + httpx-sse, one pooled client per provider and event loop (building a client
per run costs ~20 ms of CPU for the SSL context), deliberate timeouts, and every
failure mapped to an UpstreamError that says what to do. The key is sent only in
the upstream's Authorization header and scrubbed from any text shown to the user.
"""

import asyncio
import datetime
import email.utils
import json
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import SSEError, aconnect_sse

from playground.providers.asyncio_transport import AsyncioHTTPTransport
from playground.providers.base import Event, Finished, TextDelta, UpstreamError, Usage

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
            client = httpx.AsyncClient(
                timeout=self._timeout, transport=AsyncioHTTPTransport(limits=limits)
            )
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

    async def stream(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        url = f"{self.base_url}/chat/completions"
        finished = False
        try:
            async with aconnect_sse(
                self._client(), "POST", url, json=body, headers=self._headers()
            ) as source:
                response = source.response
                if response.status_code != 200:
                    await response.aread()
                    raise self._status_error(response)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # A non-streaming answer (stream false, or a server that ignores it).
                    await response.aread()
                    for event in _events_from_completion(self._json(response.text)):
                        yield event
                    return
                async for sse in source.aiter_sse():
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
                    for event in _events_from_chunk(chunk):
                        if isinstance(event, Finished):
                            finished = True
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
        except httpx.ConnectError:
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
        """Remove the key (and extra header values) from upstream text before anyone sees it."""
        for secret in [self._api_key, *self._extra_headers.values()]:
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text[:500]

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


def _events_from_chunk(chunk: Any) -> list[Event]:
    if not isinstance(chunk, dict):
        return []
    events: list[Event] = []
    for choice in chunk.get("choices") or []:
        index = int(choice.get("index", 0) or 0)
        delta = choice.get("delta") or {}
        text = delta.get("content")
        if text:
            events.append(TextDelta(index, text))
        if choice.get("finish_reason"):
            events.append(Finished(index, choice["finish_reason"]))
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        events.append(_usage(usage))
    return events


def _events_from_completion(payload: Any) -> list[Event]:
    if not isinstance(payload, dict):
        return []
    events: list[Event] = []
    for choice in payload.get("choices") or []:
        index = int(choice.get("index", 0) or 0)
        text = (choice.get("message") or {}).get("content")
        if text:
            events.append(TextDelta(index, text))
        events.append(Finished(index, choice.get("finish_reason")))
    if isinstance(payload.get("usage"), dict):
        events.append(_usage(payload["usage"]))
    return events


def _usage(usage: dict[str, Any]) -> Usage:
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    return Usage(prompt, completion, int(usage.get("total_tokens") or prompt + completion))
