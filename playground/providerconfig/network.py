"""Checks that talk to the network: private-address refusal, "test connection", model lists."""

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from playground.providers.addresses import is_private, private_address_refusal
from playground.providers.base import tls_failure
from playground.providers.http_client import provider_http_client


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
    key_fix: str = "Enter the key again.",
) -> ConnectionReport:
    """Ask GET {base_url}/models and tell, in plain words, what works or what is wrong.

    ``key_fix`` says where a wrong key is put right (the form, or an environment variable)."""
    try:
        await asyncio.to_thread(check_base_url, base_url)
    except UrlRefused as refused:
        return ConnectionReport(False, refused.message)
    headers = dict(extra_headers)
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    url = base_url.rstrip("/") + "/models"
    # The runs' transport, so that the address connected to is checked here too.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    try:
        async with provider_http_client(timeout=wait, limits=limits) as client:
            response = await client.get(url, headers=headers)
    except httpx.ConnectError as error:
        return ConnectionReport(False, _connect_error_words(error, base_url))
    except httpx.TimeoutException:
        return ConnectionReport(
            False,
            f"No route: nothing answered at {base_url} within {wait:g} s. Check the host "
            "and port, and that a firewall or proxy lets this server reach it.",
        )
    except httpx.HTTPError:
        return ConnectionReport(
            False,
            f"The server at {base_url} broke off the connection. Check that it is an "
            "OpenAI-compatible API and that the scheme (http or https) is right.",
        )
    status = response.status_code
    if status == 401:
        return ConnectionReport(
            False, f"Wrong key: the provider refused the API key (401). {key_fix}"
        )
    if status == 403:
        return ConnectionReport(
            False,
            "The key was recognised but is not allowed to list models (403). It may lack "
            "permissions, or the provider may block this region.",
        )
    if status == 404:
        return ConnectionReport(
            False,
            f"Wrong URL: {url} does not exist (404). The base URL of an OpenAI-compatible API "
            "usually ends in /v1.",
        )
    if 300 <= status < 400:  # not followed: the key would go to another address
        location = response.headers.get("location", "another address")[:300]
        return ConnectionReport(
            False,
            f"Wrong URL: {url} redirects to {location}. Use that address as the base URL "
            "(often https:// instead of http://).",
        )
    if status != 200:
        return ConnectionReport(
            False, f"The provider answered {status} to GET /models. Try again in a moment."
        )
    try:
        models = models_from_listing(response.json())
    except ValueError:
        return ConnectionReport(
            False,
            f"Wrong URL: {url} answered, but not with an OpenAI-style model list. Check that "
            "the base URL points at the API (it usually ends in /v1).",
        )
    return ConnectionReport(
        True, f"Connected: the key works and the provider lists {len(models)} models.", models
    )


def _connect_error_words(error: httpx.ConnectError, base_url: str) -> str:
    refusal = private_address_refusal(error)
    if refusal is not None:
        return f"{refusal} Use the provider's public address."
    causes: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and len(causes) < 10:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(c) for c in causes)
    reason = tls_failure(error)
    if reason is not None:
        return (
            f"TLS error: the secure connection to {base_url} failed ({reason}). The "
            "certificate may be self-signed, expired or for another host; or the server "
            "speaks plain http (then use http://)."
        )
    if any(isinstance(c, socket.gaierror) for c in causes) or "Name or service not known" in text:
        return f"Wrong URL: the host in {base_url} was not found. Check its spelling."
    if (
        any(isinstance(c, ConnectionRefusedError) for c in causes)
        or "refused" in text.lower()
        or "Connect call failed" in text
    ):
        return (
            f"No route: {base_url} refused the connection. Check the port, and that the "
            "server is running."
        )
    return f"No route to {base_url}: {_short(text)}. Check the host, the port and the network."


def _short(text: str) -> str:
    return " ".join(text.split())[:160]


def models_from_listing(payload: object) -> list[str]:
    """Model ids from an OpenAI ``GET /models`` answer (ValueError if it is not one)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ValueError("not a model list")
    return sorted(
        {str(item["id"]) for item in payload["data"] if isinstance(item, dict) and "id" in item}
    )
