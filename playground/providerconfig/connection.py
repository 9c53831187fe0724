"""The Providers page's "Test connection" and "Refresh models": GET /models, told in words.

The request and its failures are the runs' own (``OpenAICompatibleProvider.fetch_models``,
worded by ``providers.http_errors``), so the check says what a run would meet.
"""

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from playground.providers.base import UpstreamError


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str
    models: tuple[str, ...] = ()


class ListsModels(Protocol):
    async def fetch_models(self, *, wait: float = ...) -> list[str]: ...


async def probe_connection(provider: ListsModels, *, wait: float = 10.0) -> ConnectionReport:
    """Ask the provider for its models (waiting up to ``wait`` s); say what works or what
    is wrong."""
    try:
        models = await provider.fetch_models(wait=wait)
    except UpstreamError as error:
        return ConnectionReport(False, error.message)
    return ConnectionReport(
        True,
        _("Connected: the key works and the provider lists %(count)s models.")
        % {"count": len(models)},
        tuple(models),
    )
