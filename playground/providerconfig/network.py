"""Checks that talk to the network: private-address refusal, and "test connection"."""

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from playground.providers.addresses import is_private
from playground.providers.asyncio_transport import AsyncioHTTPTransport
from playground.providers.http_errors import (
    Upstream,
    not_a_model_list,
    status_error,
    transport_error,
)
from playground.providers.openai_compat import models_from_listing


class UrlRefused(Exception):
    """A base URL the deployment does not allow; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def check_base_url(url: str) -> None:
    """Raise UrlRefused if the URL is not http(s), or, when PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS
    is on, if its host is or resolves to a private, loopback or link-local address.

    This check at save time tells an admin at once; the one that holds is at connect time
    (asyncio_transport), since the host may resolve elsewhere by then (DNS rebinding)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("The base URL must start with http:// or https:// and name a host.")
    if parts.username or parts.password:
        # The URL is shown on the Providers page and in messages; a secret in it would be too.
        raise UrlRefused(
            "The base URL must not contain a user name or password: put the key in the API "
            "key field, or in an extra header."
        )
    if "?" in url or "#" in url:
        # Paths are appended to the base URL, which a query would swallow; and a key hidden
        # in it would be shown wherever the URL is (not echoed here for the same reason).
        raise UrlRefused(
            "The base URL must not have a query string or fragment (? or #): the "
            "playground appends /chat/completions and /models to it. Put a key in the API "
            "key field, or in an extra header."
        )
    if not settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS:
        return
    host = parts.hostname
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(
            f"The host {host!r} was not found, so it cannot be checked against this "
            "deployment's rule on private addresses. Check the base URL."
        ) from None
    private = sorted(a for a in addresses if is_private(a))
    if private:
        raise UrlRefused(
            f"This deployment does not allow provider URLs on private or loopback addresses, "
            f"and {host} is {', '.join(private)}. Use the provider's public address."
        )


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str
    models: tuple[str, ...] = ()


async def probe_connection(
    base_url: str,
    api_key: str,
    extra_headers: dict[str, str],
    *,
    wait: float = 10.0,
    key_setting: str = "OPENAI_API_KEY",
    url_setting: str = "the base URL",
) -> ConnectionReport:
    """Ask GET {base_url}/models and tell, in the runs' own words, what works or what is
    wrong; ``key_setting`` and ``url_setting`` say where the key and the URL are fixed."""
    try:
        await asyncio.to_thread(check_base_url, base_url)
    except UrlRefused as refused:
        return ConnectionReport(False, refused.message)
    headers = dict(extra_headers)
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    upstream = Upstream(base_url.rstrip("/"), key_setting, url_setting)
    url = f"{upstream.base_url}/models"
    timeout = httpx.Timeout(wait)
    # The runs' transport, so that the address connected to is checked here too.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    try:
        async with httpx.AsyncClient(
            timeout=timeout, transport=AsyncioHTTPTransport(limits=limits)
        ) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError as error:
        failed = transport_error(error, upstream, timeout=timeout, listing=True)
        return ConnectionReport(False, failed.message)
    if response.status_code != 200:
        secrets = [api_key, *extra_headers.values()]
        failed = status_error(response, upstream, secrets=secrets, listing=True)
        return ConnectionReport(False, failed.message)
    try:
        models = models_from_listing(response.json())
    except ValueError:
        return ConnectionReport(False, not_a_model_list(url, upstream).message)
    return ConnectionReport(
        True,
        f"Connected: the key works and the provider lists {len(models)} models.",
        tuple(models),
    )
