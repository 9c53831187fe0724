"""The language a websocket's frames are written in: the page's own.

Django's LocaleMiddleware picks a page's language per HTTP request; a websocket is one
long request that Django's middleware never sees. This does the same for the socket's
whole life: the language cookie that the switch sets, else the browser's
Accept-Language, else LANGUAGE_CODE, chosen by Django's own rules
(``get_language_from_request``) and active for every frame the consumer renders,
including in the tasks and threads it starts (the active language is a context variable).
"""

from typing import Any

from django.http import HttpRequest
from django.utils import translation


def scope_language(scope: dict[str, Any]) -> str:
    """The language Django would choose for an HTTP request with this scope's cookies and
    headers (``scope["cookies"]`` is channels' CookieMiddleware's)."""
    request = HttpRequest()
    request.COOKIES = dict(scope.get("cookies") or {})
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)


class WebsocketLanguage:
    """ASGI middleware: the inner application runs in the socket's language."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        with translation.override(scope_language(scope)):
            return await self.inner(scope, receive, send)
