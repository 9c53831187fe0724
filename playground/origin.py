"""The websocket's Origin check: a socket opens only for a page of this site.

Browsers send cookies with a websocket handshake whatever page opened it, and cookies are
not isolated by port or (without ``Secure``) by scheme. Channels' ``AllowedHostsOriginValidator``
compares host names only, so a page at ``http://127.0.0.1:9999`` or ``https://localhost``
could open the socket of ``http://127.0.0.1:8000`` as the signed-in user and run their
private presets (cross-site websocket hijacking). Here the whole origin counts — scheme,
host and port — as for Django's CSRF check of a form:

- the site's own origin: the ``Host`` the socket was opened on (it must be in
  ``ALLOWED_HOSTS``, which also stops DNS rebinding) with the scheme the browser used
  (``wss`` or, behind a TLS proxy, ``SECURE_PROXY_SSL_HEADER``, as Django reads it);
- or one of ``CSRF_TRUSTED_ORIGINS`` (``DJANGO_CSRF_TRUSTED_ORIGINS``), with Django's
  ``https://*.example.com`` form for subdomains.

Anything else, a missing Origin and the opaque ``null`` included, is refused before the
socket is accepted (the browser sees the handshake fail with 403).
"""

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}

Scope = Mapping[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def normalized_origin(url: str) -> str | None:
    """``scheme://host:port`` in lower case with the port always written, or None if ``url``
    is not an http(s) origin (``null``, ``file://``, a bad port, credentials)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    if ":" in host:  # an IPv6 address, written in brackets in an origin
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or DEFAULT_PORTS[scheme]}"


def request_scheme(scope: Scope) -> str:
    """The scheme of the page that can legitimately open this socket, as Django's
    ``HttpRequest.scheme`` reads it: behind a TLS proxy, from ``SECURE_PROXY_SSL_HEADER``."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        meta_name, secure_value = proxy_header
        # HTTP_X_FORWARDED_PROTO is the header x-forwarded-proto.
        name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, name)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    # Daphne leaves the websocket scope's scheme out (ASGI's default is "ws"); servers that
    # terminate TLS themselves and say so get "https".
    return "https" if scope.get("scheme") == "wss" else "http"


def allowed_hosts() -> list[str]:
    """``ALLOWED_HOSTS``, with Django's own fallback when DEBUG is on and it is empty."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def own_origin(scope: Scope) -> str | None:
    """This site's origin as the socket's handshake names it, or None if its Host is not
    one the site serves."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts()):
        return None
    return normalized_origin(f"{request_scheme(scope)}://{host}")


def trusted_origin(origin: str) -> bool:
    """Whether ``origin`` (normalized) is one of ``CSRF_TRUSTED_ORIGINS``."""
    scheme, _, netloc = origin.partition("://")
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "://*." in trusted:
            # Django's subdomain form: https://*.example.com matches https://a.example.com.
            pattern_scheme, _, pattern = trusted.partition("://")
            pattern = pattern.removeprefix("*")
            if pattern_scheme.lower() != scheme:
                continue
            if ":" not in pattern.rsplit("]", 1)[-1]:
                pattern = f"{pattern}:{DEFAULT_PORTS.get(scheme, 0)}"
            if is_same_domain(netloc, pattern.lower()):
                return True
        elif normalized_origin(trusted) == origin:
            return True
    return False


def origin_allowed(scope: Scope) -> bool:
    """Whether the page that opens this socket is this site's (see the module's docstring)."""
    sent = _header(scope, b"origin")
    origin = normalized_origin(sent) if sent else None
    # The Host must be one the site serves, whichever origin is then accepted.
    own = own_origin(scope)
    if origin is None or own is None:
        return False
    return origin == own or trusted_origin(origin)


class SameOriginWebsockets:
    """ASGI middleware: refuse a websocket whose page is not this site's."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            logger.warning(
                "Websocket refused: its page (Origin %r) is not this site (Host %r).",
                _header(scope, b"origin"),
                _header(scope, b"host"),
            )
            return await WebsocketDenier.as_asgi()(scope, receive, send)
        return await self.app(scope, receive, send)
