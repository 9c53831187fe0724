"""A small HTTP proxy for tests, as a corporate proxy behaves, recording what it carries.

- A request in absolute form (``POST http://host:port/v1/chat/completions``) is forwarded
  to host:port in origin form, without the proxy's own headers (``Proxy-Authorization``);
  the answer is relayed as it arrives, so a stream stays a stream. A client that hangs up
  closes the upstream connection too.
- ``CONNECT host:port`` opens a tunnel and relays bytes both ways, untouched (TLS passes
  through: the proxy sees neither the path nor the headers).

``hosts`` stands in for the proxy's own name resolution, which need not agree with the
playground's (``proxy.hosts["provider.test"] = "127.0.0.1"``); with ``refuse_tunnels`` it
answers every CONNECT with 403, as a proxy whose rules forbid the destination.
"""

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Headers meant for the proxy or for one connection only: not passed on.
_HOP_BY_HOP = ("proxy-authorization", "proxy-connection", "connection", "keep-alive")


@dataclass
class ProxiedRequest:
    method: str
    target: str  # an absolute URL, or host:port for CONNECT
    headers: dict[str, str]

    @property
    def line(self) -> str:
        return f"{self.method} {self.target}"


@dataclass
class ForwardingProxy:
    hosts: dict[str, str] = field(default_factory=dict)
    refuse_tunnels: bool = False
    requests: list[ProxiedRequest] = field(default_factory=list)
    port: int = 0

    @contextlib.contextmanager
    def serving(self) -> Iterator["ForwardingProxy"]:
        """Listen on 127.0.0.1 in a thread of its own (the tests' event loops come and go);
        on exit, end the connections still open and stop."""
        loop = asyncio.new_event_loop()

        async def start() -> asyncio.Server:
            server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            return server

        thread = threading.Thread(target=loop.run_forever, name="forwarding-proxy", daemon=True)
        thread.start()
        server = asyncio.run_coroutine_threadsafe(start(), loop).result(5)
        try:
            yield self
        finally:

            async def stop() -> None:
                server.close()
                others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for task in others:
                    task.cancel()
                await asyncio.gather(*others, return_exceptions=True)

            asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def request_lines(self) -> list[str]:
        return [request.line for request in self.requests]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request, lines = _parse(head)
                self.requests.append(request)
                if request.method == "CONNECT" and self.refuse_tunnels:
                    writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    return
                if request.method == "CONNECT":
                    host, port = request.target.rsplit(":", 1)
                    up_reader, upstream = await self._open(host, int(port))
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    await asyncio.gather(_relay(reader, upstream), _relay(up_reader, writer))
                    return
                url = urlsplit(request.target)
                if upstream is None:  # one origin per client connection, as clients pool them
                    up_reader, upstream = await self._open(url.hostname or "", url.port or 80)
                    relaying = asyncio.create_task(_relay(up_reader, writer))
                    relaying.add_done_callback(lambda _: writer.close())
                body = await reader.readexactly(int(request.headers.get("content-length", "0")))
                target = url.path + (f"?{url.query}" if url.query else "")
                kept = [line for line in lines if line.split(":")[0].lower() not in _HOP_BY_HOP]
                upstream.write(
                    "\r\n".join([f"{request.method} {target} HTTP/1.1", *kept, "", ""]).encode(
                        "latin-1"
                    )
                    + body
                )
                await upstream.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            writer.close()
            if upstream is not None:
                upstream.close()

    async def _open(self, host: str, port: int):
        return await asyncio.open_connection(self.hosts.get(host, host), port)


def _parse(head: bytes) -> tuple[ProxiedRequest, list[str]]:
    first, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    method, target, _ = first.split(" ", 2)
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return ProxiedRequest(method, target, headers), lines


async def _relay(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Copy until ``source`` ends, then end ``sink``."""
    with contextlib.suppress(ConnectionError, OSError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    sink.close()
