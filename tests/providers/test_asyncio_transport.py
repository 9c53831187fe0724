"""The asyncio transport under httpx: plain HTTP, TLS, timeouts, flow control, refusals."""

import asyncio
import ssl

import httpx
import pytest
import trustme

from playground.providers.addresses import private_address_refusal
from playground.providers.asyncio_backend import AsyncioStream
from playground.providers.asyncio_transport import AsyncioHTTPTransport

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


# --- PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS: the address connected to is the one checked ---


def only_127_0_0_1_is_public(address: str) -> bool:
    """A rule for tests that can only reach loopback: 127.0.0.1 passes, any other is refused."""
    return address != "127.0.0.1"


async def test_with_the_rule_on_the_connection_goes_to_the_address_that_was_checked(
    settings, fake_dns
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    server, port = await serve(answer(b"checked"))
    # A rebinding name: the address checked first, then one the rule refuses (nothing listens
    # there). Connecting by name after the check would resolve again and land on the second.
    fake_dns.answer("rebind.test", "127.0.0.1", "127.0.0.2")
    transport = AsyncioHTTPTransport(limits=LIMITS, address_refused=only_127_0_0_1_is_public)
    async with server, httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"http://rebind.test:{port}/")
        assert response.text == "checked"
        assert response.extensions["network_stream"].get_extra_info("server_addr") == (
            "127.0.0.1",
            port,
        )
    assert fake_dns.lookups["rebind.test"] == 1


async def test_with_the_rule_on_a_refused_address_is_never_connected_to(settings, fake_dns):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    connections = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        writer.close()

    server, port = await serve(record)
    fake_dns.answer("rebind.test", "127.0.0.2")
    transport = AsyncioHTTPTransport(limits=LIMITS, address_refused=only_127_0_0_1_is_public)
    async with server, httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://rebind.test:{port}/")
        # The deployment's own rule (private, loopback…) refuses 127.0.0.1 by name or number.
        async with httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as default:
            for host in ("localhost", "127.0.0.1"):
                with pytest.raises(httpx.ConnectError) as refused:
                    await default.get(f"http://{host}:{port}/")
                found = private_address_refusal(refused.value)
                assert found is not None
                assert (found.host, found.addresses) == (host, ("127.0.0.1",))
    found = private_address_refusal(caught.value)
    assert found is not None
    assert (found.host, found.addresses) == ("rebind.test", ("127.0.0.2",))
    assert "does not allow provider URLs on private or loopback addresses" in str(found)
    assert "rebind.test resolved to 127.0.0.2" in str(found)
    assert connections == []


async def test_with_the_rule_on_tls_still_checks_the_certificate_against_the_host_name(
    settings, fake_dns
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("provider.test").configure_cert(server_context)
    server, port = await serve(answer(b"secure"), server_context)
    fake_dns.answer("provider.test", "127.0.0.1")
    fake_dns.answer("impostor.test", "127.0.0.1")
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    transport = AsyncioHTTPTransport(
        verify=trusting, limits=LIMITS, address_refused=only_127_0_0_1_is_public
    )
    async with server, httpx.AsyncClient(transport=transport) as client:
        # Connected by address, yet the certificate is checked for the name in the URL…
        assert (await client.get(f"https://provider.test:{port}/")).text == "secure"
        # …so a name the certificate does not cover is still refused.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"https://impostor.test:{port}/")


async def test_with_the_rule_off_loopback_names_connect_as_before(fake_dns):
    server, port = await serve(answer(b"local"))
    fake_dns.answer("ollama.test", "127.0.0.1")
    async with server, httpx.AsyncClient(transport=AsyncioHTTPTransport(limits=LIMITS)) as client:
        assert (await client.get(f"http://ollama.test:{port}/")).text == "local"
        assert (await client.get(f"http://localhost:{port}/")).text == "local"
