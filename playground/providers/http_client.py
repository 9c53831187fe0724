"""The httpx client every provider connection uses (runs, model lists, "Test connection").

It sends through ``AsyncioHTTPTransport`` and honours the proxy environment variables as
httpx's own ``trust_env`` does (httpx reads them only for a client built without a
transport, so they are read here): ``HTTP_PROXY`` for http:// URLs, ``HTTPS_PROXY`` for
https://, ``ALL_PROXY`` for both, each in lower case too (which wins), and ``NO_PROXY``, a
comma-separated list of hosts reached directly. A ``NO_PROXY`` entry names a host and its
subdomains (``example.com``), only subdomains (``.example.com``), an IP address, or ``*``
for every host. The routes are httpx's public ``mounts``, so httpx matches the URLs.
"""

import http.cookiejar
import ipaddress
import urllib.request

import httpx

from playground.providers.asyncio_transport import AsyncioHTTPTransport


def provider_http_client(
    *, timeout: httpx.Timeout | float, limits: httpx.Limits
) -> httpx.AsyncClient:
    """A pooled client for provider URLs, through the environment's proxies."""
    transports: dict[str, AsyncioHTTPTransport] = {}  # one pool per proxy, whatever its schemes
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    for pattern, proxy in environment_proxy_routes().items():
        if proxy is None:
            mounts[pattern] = None  # direct: the client's own transport
        else:
            if proxy not in transports:
                transports[proxy] = AsyncioHTTPTransport(limits=limits, proxy=proxy)
            mounts[pattern] = transports[proxy]
    return httpx.AsyncClient(
        timeout=timeout,
        transport=AsyncioHTTPTransport(limits=limits),
        mounts=mounts,
        # The client is shared by every user (and, per event loop, by providers of the same
        # address): a cookie one upstream sets must not be sent again for anyone else.
        cookies=http.cookiejar.CookieJar(policy=KeepNoCookies()),
    )


class KeepNoCookies(http.cookiejar.DefaultCookiePolicy):
    """A cookie policy that stores no cookie and sends none (standard library API)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


def environment_proxy_routes() -> dict[str, str | None]:
    """httpx ``mounts`` patterns read from the environment: a proxy URL for ``http://``,
    ``https://`` and ``all://``, and ``None`` (no proxy) for each host in NO_PROXY."""
    # The standard library's reading of the variables, as httpx's own (lower case first).
    found = urllib.request.getproxies()
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            url = found[scheme]
            routes[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (entry.strip() for entry in found.get("no", "").split(",")):
        if host == "*":
            return {}
        if host:
            routes[_no_proxy_pattern(host)] = None
    return routes


def _no_proxy_pattern(host: str) -> str:
    """The mounts pattern for one NO_PROXY entry, as httpx writes it."""
    if "://" in host:
        return host
    try:
        address = ipaddress.ip_address(host.split("/")[0])
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address):
        return f"all://[{host}]"
    if address is not None or host.lower() == "localhost":
        return f"all://{host}"
    # "example.com" covers example.com and its subdomains; ".example.com" subdomains only.
    return f"all://*{host}"
