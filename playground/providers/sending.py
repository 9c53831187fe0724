"""The body as a provider sends it: what the request object holds by reference, read now.

Every provider's ``stream`` starts here, so that the offline model sees what an upstream
would, and a file is read once, at the last moment, off the event loop.
"""

from typing import Any

from channels.db import database_sync_to_async

from playground.message_files import AttachmentUnreadable, files_inlined, has_file_references
from playground.providers.base import UpstreamError


async def body_for_sending(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its file references (images and audio in messages) replaced by the
    files' bytes; a body without any is returned as it is. UpstreamError ("refused") names
    a field whose file cannot be sent."""
    if not has_file_references(body):
        return body
    try:
        return await database_sync_to_async(files_inlined)(body)
    except AttachmentUnreadable as error:
        raise UpstreamError("refused", str(error)) from None
