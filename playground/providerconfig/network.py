"""The Providers page's "Test connection": GET /models, told in the runs' words."""

import asyncio
from dataclasses import dataclass

import httpx

from playground.providerconfig.services import base_url_refusal
from playground.providers.asyncio_transport import AsyncioHTTPTransport
from playground.providers.http_errors import (
    Upstream,
    not_a_model_list,
    status_error,
    transport_error,
)
from playground.providers.openai_compat import models_from_listing


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
    refusal = await asyncio.to_thread(base_url_refusal, base_url)
    if refusal is not None:
        return ConnectionReport(False, refusal)
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
