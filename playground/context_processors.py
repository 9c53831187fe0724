"""Values every page's template may need."""

from django.conf import settings
from django.http import HttpRequest


def run_socket(request: HttpRequest) -> dict[str, int]:
    """The run socket's message limit: pages that run requests refuse a larger run before
    sending it (static/playground/run.js), since daphne would drop the socket instead."""
    return {"max_message_bytes": settings.PLAYGROUND_MAX_MESSAGE_BYTES}
