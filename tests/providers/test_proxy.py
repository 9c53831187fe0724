"""Provider connections go through the proxies named in the environment, as httpx's trust_env
reads them, through a real forwarding proxy on 127.0.0.1 that records what it carries."""

import asyncio
import base64
import json
import ssl
import time
from collections.abc import Iterator

import httpx
import pytest
import trustme

from playground.providerconfig.connection import probe_connection
from playground.providers.asyncio_backend import AsyncioStream
from playground.providers.asyncio_transport import AsyncioHTTPTransport
from playground.providers.http_client import environment_proxy_routes
from playground.providers.openai_compat import OpenAICompatibleProvider
from tests.conftest import TEST_API_KEY, chat_request, serving_in_thread
from tests.fake_upstream import Scenario
from tests.forwarding_proxy import ForwardingProxy

LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5)


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    with ForwardingProxy().serving() as forwarding:
        yield forwarding


async def wait_for(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_with_http_proxy_set_a_run_streams_through_the_proxy(
    monkeypatch, proxy, fake_upstream, run_client
):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    fake_upstream.answer_next(Scenario(tokens_per_second=50, tokens=lambda b: [" x"] * 500))
    await run_client.send(chat_request())
    # The page shows the reply while the upstream is still sending: relayed, not buffered.
    while not run_client.reply().startswith(" x x x"):
        await run_client.receive()
    record = fake_upstream.chat_requests[0]
    assert record.tokens_sent < 500
    await run_client.send({"action": "stop"})
    assert await run_client.receive_until_state() == "stopped"
    # Stop reaches the upstream through the proxy too.
    await wait_for(lambda: record.client_closed_at is not None)
    assert proxy.request_lines == [f"POST {fake_upstream.base_url}/chat/completions"]
    assert record.headers["authorization"] == f"Bearer {TEST_API_KEY}"


async def test_a_host_in_no_proxy_is_reached_directly(
    monkeypatch, proxy, fake_upstream, run_client
):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.com,127.0.0.1")
    await run_client.send(chat_request(max_tokens=3))
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply() == " word0 word1 word2"
    assert proxy.requests == []
    assert len(fake_upstream.chat_requests) == 1


async def test_credentials_in_the_proxy_url_go_to_the_proxy_only(
    monkeypatch, proxy, fake_upstream, run_client
):
    monkeypatch.setenv("HTTP_PROXY", f"http://alice:s3cret@127.0.0.1:{proxy.port}")
    await run_client.send(chat_request(max_tokens=3))
    assert await run_client.receive_until_state() == "done"
    expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert proxy.requests[0].headers["proxy-authorization"] == expected
    assert "proxy-authorization" not in fake_upstream.chat_requests[0].headers
    assert "s3cret" not in "".join(run_client.frames)


@pytest.fixture
def tls_provider(tmp_path, monkeypatch) -> Iterator[tuple[str, list[bytes]]]:
    """An HTTPS provider on 127.0.0.1 whose certificate the playground trusts (through
    SSL_CERT_FILE, as a deployment behind a company CA does); yields its base URL and the
    request heads it received."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    heads: list[bytes] = []

    async def models(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        body = json.dumps({"object": "list", "data": [{"id": "tls-model"}]}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    with serving_in_thread(models, server_context) as port:
        yield f"https://127.0.0.1:{port}/v1", heads


async def test_with_https_proxy_set_an_https_provider_is_reached_through_a_connect_tunnel(
    monkeypatch, proxy, tls_provider
):
    base_url, heads = tls_provider
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    provider = OpenAICompatibleProvider(
        name="tls", base_url=base_url, api_key="sk-tunnelled-key", default_model="m"
    )
    report = await probe_connection(provider)
    assert report.message == "Connected: the key works and the provider lists 1 models."
    assert list(report.models) == ["tls-model"]
    port = base_url.split(":")[2].split("/")[0]
    # The proxy saw where to, nothing more: the path and the key crossed it encrypted.
    assert proxy.request_lines == [f"CONNECT 127.0.0.1:{port}"]
    assert "authorization" not in proxy.requests[0].headers
    assert heads[0].startswith(b"GET /v1/models HTTP/1.1\r\n")
    assert b"Authorization: Bearer sk-tunnelled-key" in heads[0]


async def test_through_a_proxy_connections_still_read_through_asyncio_streams(proxy, fake_upstream):
    transport = AsyncioHTTPTransport(limits=LIMITS, proxy=proxy.url)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"{fake_upstream.base_url}/models")
    assert response.json()["data"][0]["id"] == "fake-model"
    assert isinstance(response.extensions["network_stream"], AsyncioStream)
    assert proxy.request_lines == [f"GET {fake_upstream.base_url}/models"]


async def test_a_proxy_that_refuses_the_tunnel_is_an_httpx_proxy_error(proxy, tls_provider):
    base_url, heads = tls_provider
    proxy.refuse_tunnels = True
    transport = AsyncioHTTPTransport(limits=LIMITS, proxy=proxy.url)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ProxyError, match="403 Forbidden"):
            await client.get(f"{base_url}/models")
    assert heads == []


async def test_a_proxy_that_refuses_the_tunnel_is_named_in_plain_words(
    monkeypatch, proxy, tls_provider
):
    base_url, heads = tls_provider
    proxy.refuse_tunnels = True
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    provider = OpenAICompatibleProvider(
        name="tls", base_url=base_url, api_key="sk-tunnelled-key", default_model="m"
    )
    report = await probe_connection(provider)
    assert not report.ok
    assert report.message == (
        f"The proxy refused to connect this server to {base_url} (403 Forbidden). Check "
        "HTTPS_PROXY, HTTP_PROXY and NO_PROXY on the server, or ask the proxy's admin to "
        "allow the provider's host."
    )
    assert heads == []


# --- PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS through a proxy -----------------------------------
# The proxy resolves the provider's name itself: the playground checks the name before handing
# the request over, and does not check the proxy's own address (an operator's setting).


async def test_with_the_rule_on_a_proxy_on_a_loopback_address_carries_runs_to_a_public_host(
    settings, monkeypatch, proxy, fake_upstream, fake_dns, run_client
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    settings.PLAYGROUND_PROVIDERS["openai"]["base_url"] = (
        f"http://provider.test:{fake_upstream.port}/v1"
    )
    fake_dns.answer("provider.test", "93.184.215.14")  # public, as the playground resolves it
    proxy.hosts["provider.test"] = "127.0.0.1"  # where the proxy's resolver sends it
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await run_client.send(chat_request(max_tokens=3))
    assert await run_client.receive_until_state() == "done"
    assert run_client.reply() == " word0 word1 word2"
    assert proxy.request_lines == [
        f"POST http://provider.test:{fake_upstream.port}/v1/chat/completions"
    ]


async def test_with_the_rule_on_a_host_resolving_to_a_private_address_never_reaches_the_proxy(
    settings, monkeypatch, proxy, fake_upstream, fake_dns, run_client
):
    settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = True
    settings.PLAYGROUND_PROVIDERS["openai"]["base_url"] = (
        f"http://internal.test:{fake_upstream.port}/v1"
    )
    fake_dns.answer("internal.test", "10.0.0.7")
    proxy.hosts["internal.test"] = "127.0.0.1"
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await run_client.send(chat_request(max_tokens=3))
    assert await run_client.receive_until_state() == "error"
    assert (
        "This deployment does not allow provider URLs on private or loopback addresses, "
        "and internal.test resolved to 10.0.0.7 when connecting. Use the provider's public "
        "address in OPENAI_BASE_URL." in run_client.status_text()
    )
    assert proxy.requests == []
    assert fake_upstream.chat_requests == []


# --- which proxy a URL takes: the environment as httpx reads it --------------------------------


def test_each_scheme_takes_its_own_proxy_and_lower_case_names_win(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://upper:3128")
    monkeypatch.setenv("http_proxy", "http://lower:3128")
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:8080")  # no scheme: http:// is meant
    monkeypatch.setenv("ALL_PROXY", "socks5://socks.example:1080")
    assert environment_proxy_routes() == {
        "http://": "http://lower:3128",
        "https://": "http://proxy.example:8080",
        "all://": "socks5://socks.example:1080",
    }


def test_no_proxy_names_hosts_domains_and_addresses_and_a_star_turns_proxies_off(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:8080")
    monkeypatch.setenv("NO_PROXY", " localhost, .internal.example,example.com,10.1.2.3,::1 ")
    assert environment_proxy_routes() == {
        "https://": "http://proxy.example:8080",
        "all://localhost": None,
        "all://*.internal.example": None,
        "all://*example.com": None,
        "all://10.1.2.3": None,
        "all://[::1]": None,
    }
    monkeypatch.setenv("NO_PROXY", "example.com,*")
    assert environment_proxy_routes() == {}


def test_without_proxy_variables_there_are_no_routes():
    assert environment_proxy_routes() == {}
