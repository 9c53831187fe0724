"""An httpcore network backend whose connections read through plain asyncio.

Why: profiling daphne relaying many streams showed that reading the upstream cost
~100 µs of CPU per token, most of it in anyio's socket stream (a cancel scope per
read, and resume/pause reading, i.e. two ``epoll_ctl`` calls, around every read).
Here a connection is an ``asyncio.Protocol`` with a buffer: a read is a buffer
slice, or one future plus one timer when it has to wait. Measured with
``make bench`` (docs/benchmarks.md): 200 streams cost ~20 % less CPU per token.
``AsyncioBackend`` implements httpcore's public ``AsyncNetworkBackend`` interface; the
pools that use it are built in ``asyncio_transport``.

With PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS on, ``connect_tcp`` resolves the host itself,
refuses if any address is private (``addresses.is_private``), and connects to an address
it checked, so no second lookup can answer differently (DNS rebinding). TLS still names
the host: httpcore passes the URL's host name to ``start_tls`` for SNI and the certificate.
"""

import asyncio
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
from django.conf import settings

from playground.providers.addresses import PrivateAddressRefused, is_private

# Stop reading the socket when this much is buffered and unread (flow control).
_HIGH_WATER = 256 * 1024


class _BufferedProtocol(asyncio.Protocol):
    """Collects what the socket receives until a reader takes it."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reader: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None
        self.transport: asyncio.Transport | None = None
        self.reading_paused = False
        self.writing_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self.reading_paused:
            self.reading_paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close our side too: HTTP/1.1 has no use for a half-open socket

    def connection_lost(self, exc: Exception | None) -> None:
        self.error = exc
        self.eof = True
        self._wake_reader()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def _wake_reader(self) -> None:
        if self.reader is not None and not self.reader.done():
            self.reader.set_result(None)


def _expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection, as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _BufferedProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            loop = asyncio.get_running_loop()
            protocol.reader = loop.create_future()
            timer = None if timeout is None else loop.call_later(timeout, _expire, protocol.reader)
            try:
                await protocol.reader
            except TimeoutError:
                raise httpcore.ReadTimeout() from None
            finally:
                protocol.reader = None
                if timer is not None:
                    timer.cancel()
        if protocol.buffer:
            data = bytes(protocol.buffer[:max_bytes])
            del protocol.buffer[:max_bytes]
            if protocol.reading_paused and len(protocol.buffer) < _HIGH_WATER // 4:
                protocol.reading_paused = False
                self._transport.resume_reading()
            return data
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error))
        return b""  # end of stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        protocol = self._protocol
        if protocol.error is not None or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        if protocol.writing_paused:
            protocol.drained = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(protocol.drained, timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout() from None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport = await asyncio.wait_for(
                loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                ),
                timeout,
            )
        except TimeoutError:
            raise httpcore.ConnectTimeout() from None
        except (OSError, ssl.SSLError) as error:
            raise httpcore.ConnectError(str(error)) from None
        assert transport is not None
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # the pool asks this of idle connections: data or EOF
            return bool(self._protocol.buffer) or self._protocol.eof
        names = {"client_addr": "sockname", "server_addr": "peername"}
        if info in ("ssl_object", "socket", "client_addr", "server_addr"):
            try:
                return self._transport.get_extra_info(names.get(info, info))
            except AttributeError:
                return None  # asyncio's TLS transport, once closed, has no info to give
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens connections with the running loop's ``create_connection``; with
    PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS on, only to addresses ``address_refused`` passes
    (``None``: no check, for the connection to a proxy)."""

    def __init__(self, *, address_refused: Callable[[str], bool] | None = is_private) -> None:
        # A parameter so that tests, which can only reach loopback, can stand in a rule
        # that lets 127.0.0.1 through; the deployment's rule is is_private.
        self._address_refused = address_refused

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        # Read at each connect (settings do not change in production; tests switch it).
        if self._address_refused is not None and settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS:
            connecting = self._connect_checked(host, port, local, self._address_refused)
        else:
            connecting = loop.create_connection(_BufferedProtocol, host, port, local_addr=local)
        try:
            transport, protocol = await asyncio.wait_for(connecting, timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout() from None
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from None
        for option in socket_options or ():
            transport.get_extra_info("socket").setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def _connect_checked(
        self,
        host: str,
        port: int,
        local: tuple[str, int] | None,
        address_refused: Callable[[str], bool],
    ) -> tuple[asyncio.Transport, _BufferedProtocol]:
        """Resolve ``host`` once, refuse it if any address is refused, else connect to the
        addresses found, in order, by number: the address connected to is one checked."""
        loop = asyncio.get_running_loop()
        infos = await resolve_checked(host, port, address_refused)
        errors: list[OSError] = []
        for family, _, proto, _, address in infos:
            try:
                return await loop.create_connection(
                    _BufferedProtocol,
                    address[0],
                    address[1],
                    family=family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST,  # a number: no second lookup, ever
                    local_addr=local,
                )
            except OSError as error:
                errors.append(error)
        if len({str(error) for error in errors}) == 1:
            raise errors[0]
        raise OSError(f"Multiple exceptions: {', '.join(str(error) for error in errors)}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_unix_connection(_BufferedProtocol, path), timeout
            )
        except TimeoutError:
            raise httpcore.ConnectTimeout() from None
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from None
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def resolve_checked(
    host: str, port: int, address_refused: Callable[[str], bool]
) -> list[tuple[Any, ...]]:
    """``host``'s addresses (getaddrinfo's answers), looked up once; PrivateAddressRefused if
    ``address_refused`` refuses any of them."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Any, not just the first: a name that also answers 10.x is not a public provider,
    # and the order of answers is the resolver's (or the attacker's) to choose.
    addresses = dict.fromkeys(str(info[4][0]) for info in infos)  # in order, once each
    refused = tuple(address for address in addresses if address_refused(address))
    if refused:
        raise PrivateAddressRefused(host, refused)
    return infos
