"""The files a body sends, read for a provider: a refusal becomes the run's error.

``playground.request_files`` reads and checks them (the page and the terminal did so
before the run started; an evaluation, a comparison or a file removed meanwhile meet the
check here). Read off the event loop: uploads live in the database.
"""

from typing import Any

from channels.db import database_sync_to_async

from playground.providers.base import UpstreamError
from playground.request_files import BodyFiles, body_files_read
from playground.spec_errors import RequestInvalid


async def files_for_sending(mode: str, body: dict[str, Any]) -> BodyFiles:
    """The body's files and other fields; UpstreamError ("refused", naming the field) when
    a file cannot be read or is not what the endpoint takes. Nothing is sent then."""
    try:
        return await database_sync_to_async(body_files_read)(mode, body)
    except RequestInvalid as invalid:
        field = next(iter(invalid.errors))
        raise UpstreamError("refused", str(invalid), param=field) from None
