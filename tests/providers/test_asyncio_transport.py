"""The asyncio transport under httpx: plain HTTP, TLS, timeouts, flow control, refusals."""

import asyncio
import ssl

import httpx
import pytest
import trustme

from playground.providers.asyncio_transport import AsyncioHTTPTransport, AsyncioStream

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5)


async def serve(handler, ssl_context: ssl.SSLContext | None = None):
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)
    return server, server.sockets[0].getsockname()[1]


def answer(body: bytes):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    return handler


async def test_requests_go_through_asyncio_streams():
    server, port = await serve(answer(b"hello"))
    async with server, httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
        response = await client.get(f"http://127.0.0.1:{port}/")
    assert response.text == "hello"
    assert isinstance(response.extensions["network_stream"], AsyncioStream)


async def test_a_body_larger_than_the_buffer_limit_arrives_whole():
    body = bytes(range(256)) * 8192  # 2 MiB: reading pauses and resumes on the way
    server, port = await serve(answer(body))
    async with server, httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
        async with client.stream("GET", f"http://127.0.0.1:{port}/") as response:
            await asyncio.sleep(0.2)  # let the socket fill the buffer past its limit
            received = await response.aread()
    assert received == body


async def test_tls_with_a_trusted_certificate_works_and_an_untrusted_one_is_refused():
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    server, port = await serve(answer(b"secure"), server_context)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    async with server:
        transport = AsyncioHTTPTransport(verify=trusting, limits=LIMITS)
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", f"https://127.0.0.1:{port}/") as response:
                stream = response.extensions["network_stream"]
                assert stream.get_extra_info("ssl_object").version().startswith("TLS")
                assert await response.aread() == b"secure"
        # Once closed, the stream answers "nothing to tell" instead of failing.
        assert stream.get_extra_info("ssl_object") is None

        async with httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(f"https://127.0.0.1:{port}/")


async def test_a_silent_server_times_out_on_read():
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(5)
        writer.close()

    server, port = await serve(stall)
    async with server, httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
        async with client.stream(
            "GET", f"http://127.0.0.1:{port}/", timeout=httpx.Timeout(0.3)
        ) as response:
            started = asyncio.get_running_loop().time()
            with pytest.raises(httpx.ReadTimeout):
                await response.aread()
            assert asyncio.get_running_loop().time() - started < 1.5


async def test_a_connection_cut_mid_body_is_a_protocol_error():
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.close()

    server, port = await serve(cut)
    async with server, httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(f"http://127.0.0.1:{port}/")


async def test_a_refused_connection_is_a_connect_error():
    with socket_bound_but_not_listening() as port:
        async with httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/")


class socket_bound_but_not_listening:
    """A port that is certainly closed while the block runs."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()
