"""The bare Channels relay: the floor the playground is measured against (docs/benchmarks.md).

Run by the benchmark as ``daphne bench.bare_relay:application`` with ``OPENAI_BASE_URL``
set: a plain ``AsyncWebsocketConsumer`` with no sign-in, no session, no validation and
no coalescing. On ``{"action": "run", "request": {"body": …}}`` it streams the body from
the upstream (one shared httpx client, httpx-sse) and sends every token as its own
frame, in the playground's HTML so that ``bench.parse`` reads both alike, then a final
status frame. What it costs is what any Channels app that relays a stream pays.
"""

import asyncio
import json
import os
from html import escape
from typing import Any

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=[],
    CHANNEL_LAYERS={},
    LOGGING_CONFIG=None,
)
django.setup()

import httpx  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from httpx_sse import aconnect_sse  # noqa: E402

UPSTREAM = os.environ["OPENAI_BASE_URL"].rstrip("/")
_client: httpx.AsyncClient | None = None


def client() -> httpx.AsyncClient:
    global _client
    if _client is None:
        _client = httpx.AsyncClient(
            timeout=httpx.Timeout(60.0),
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
            trust_env=False,
        )
    return _client


class Relay(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.task: asyncio.Task | None = None
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.task is not None:
            self.task.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        body = json.loads(text_data or "{}")["request"]["body"]
        self.task = asyncio.create_task(self.relay(body))

    async def relay(self, body: dict[str, Any]) -> None:
        headers = {"Authorization": "Bearer sk-bench-bare"}
        url = f"{UPSTREAM}/chat/completions"
        async with aconnect_sse(client(), "POST", url, json=body, headers=headers) as source:
            async for sse in source.aiter_sse():
                if sse.data == "[DONE]":
                    break
                for choice in json.loads(sse.data).get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        await self.send(
                            text_data=f'<span id="reply-{choice.get("index", 0)}"'
                            f' hx-swap-oob="beforeend">{escape(text)}</span>'
                        )
        await self.send(text_data='<div id="run-status" data-state="done"></div>')


application = ProtocolTypeRouter({"websocket": Relay.as_asgi()})
