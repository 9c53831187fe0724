"""The httpx transport of every provider connection: httpcore's pools on ``AsyncioBackend``.

Only public APIs: ``AsyncioHTTPTransport`` implements httpx's ``AsyncBaseTransport`` on
httpcore's documented ``AsyncConnectionPool`` and ``AsyncHTTPProxy`` (``AsyncSOCKSProxy``
for socks5://), given the backend through their ``network_backend`` parameter (httpx's own
transport has no such parameter). HTTP/1.1, pooling, timeouts and TLS verification stay
httpcore's; the reads are ``asyncio_backend``'s, which is the CPU win. With ``proxy`` every
request goes through that proxy (forwarding for http://, a CONNECT tunnel for https://);
which proxy a URL takes, as httpx's ``trust_env`` reads HTTP_PROXY, HTTPS_PROXY, ALL_PROXY
and NO_PROXY, is decided by ``playground.providers.http_client``.

PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS: direct, the backend checks the address it connects
to (see ``asyncio_backend``). Through a proxy, the proxy resolves the provider's name and
connects, so the check cannot be on the address connected to: the provider's host is
resolved here and refused if any address is private before the request is handed to the
proxy, and a name that answers the proxy's own lookup differently (DNS rebinding) is the
proxy's to refuse (docs/deploy.md). The connection to the proxy itself is not checked: the
proxy is the operator's setting, often on a private address, not a provider URL.
"""

import asyncio
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

import httpcore
import httpx
from django.conf import settings

from playground.providers.addresses import is_private
from playground.providers.asyncio_backend import AsyncioBackend, resolve_checked

# httpcore's errors as httpx raises them (subclasses before their bases: the first match
# wins), so that callers catch httpx.ConnectError, httpx.ReadTimeout... as with httpx's own
# transport. The httpcore error stays the cause (``private_address_refusal`` reads it).
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)
_HTTPCORE_ERRORS = tuple(core for core, _ in _HTTPX_ERRORS)


def _as_httpx_error(error: Exception) -> httpx.TransportError:
    for core, mapped in _HTTPX_ERRORS:
        if isinstance(error, core):
            return mapped(str(error))
    raise AssertionError(f"not an httpcore error: {error!r}")  # pragma: no cover


class AsyncioHTTPTransport(httpx.AsyncBaseTransport):
    """An httpx transport on an httpcore pool of ``AsyncioBackend`` connections: direct, or
    through one HTTP(S) proxy when ``proxy`` (a URL, credentials allowed) is given."""

    def __init__(
        self,
        *,
        limits: httpx.Limits,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
        address_refused: Callable[[str], bool] = is_private,
    ) -> None:
        # httpx's own context: certifi, or SSL_CERT_FILE / SSL_CERT_DIR when set.
        ssl_context = httpx.create_ssl_context(verify=verify)
        sizes: dict[str, Any] = {
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
        }
        self._address_refused = address_refused
        self._proxied = proxy is not None
        self._pool: httpcore.AsyncConnectionPool
        if proxy is None:
            backend = AsyncioBackend(address_refused=address_refused)
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context, network_backend=backend, **sizes
            )
            return
        via = httpx.Proxy(proxy)  # validates the scheme; takes user:password out of the URL
        proxy_url = httpcore.URL(
            scheme=via.url.raw_scheme,
            host=via.url.raw_host,
            port=via.url.port,
            target=via.url.raw_path,
        )
        # No check on the hop to the proxy: see the module docstring.
        backend = AsyncioBackend(address_refused=None)
        if via.url.scheme in ("socks5", "socks5h"):  # needs the socksio package, as in httpx
            self._pool = httpcore.AsyncSOCKSProxy(
                proxy_url=proxy_url,
                proxy_auth=via.raw_auth,
                ssl_context=ssl_context,
                network_backend=backend,
                **sizes,
            )
        else:
            self._pool = httpcore.AsyncHTTPProxy(
                proxy_url=proxy_url,
                proxy_auth=via.raw_auth,
                # An https:// proxy is verified with the providers' trust (SSL_CERT_FILE too).
                proxy_ssl_context=ssl_context if via.url.scheme == "https" else None,
                ssl_context=ssl_context,
                network_backend=backend,
                **sizes,
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            if self._proxied and settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS:
                await self._check_provider_host(request)
            response = await self._pool.handle_async_request(core_request)
        except _HTTPCORE_ERRORS as error:
            raise _as_httpx_error(error) from error
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),  # type: ignore[arg-type]
            extensions=response.extensions,
        )

    async def _check_provider_host(self, request: httpx.Request) -> None:
        """Through a proxy: refuse a provider host that resolves, here, to a refused address
        (the proxy looks the name up again itself: see the module docstring)."""
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        timeout = request.extensions.get("timeout", {}).get("connect")
        try:
            await asyncio.wait_for(
                resolve_checked(request.url.host, port, self._address_refused), timeout
            )
        except TimeoutError:
            raise httpcore.ConnectTimeout() from None
        except OSError as error:  # not found: with the rule on, what cannot be checked is refused
            raise httpcore.ConnectError(str(error)) from None

    async def aclose(self) -> None:
        await self._pool.aclose()


class _ResponseStream(httpx.AsyncByteStream):
    """A response body as httpcore reads it, its errors raised as httpx's."""

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:  # one try around the loop, not one context manager per chunk
            async for chunk in self._chunks:
                yield chunk
        except _HTTPCORE_ERRORS as error:
            raise _as_httpx_error(error) from error

    async def aclose(self) -> None:
        closing = getattr(self._chunks, "aclose", None)  # httpcore's streams can be closed
        if closing is not None:
            await closing()
