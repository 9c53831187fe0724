"""What a provider's base URL may be, written once for OPENAI_BASE_URL (settings.py), a
provider stored on the Providers page, and an inline provider in an export request.

The playground and the SDKs append paths (/chat/completions, /models) to a base URL, and
show it wherever the provider is named, so it must be a plain http(s) URL with a host and
nothing that could hide a credential: no user:password@, no query string, no fragment.
Those parts are never echoed in a message. A deployment may also refuse private
addresses (PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS): see ``private_address_problem``.

Loaded by settings.py, so nothing here touches Django while it loads: messages go through
``gettext_once_configured`` (English while settings.py checks OPENAI_BASE_URL).
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from playground.providers.addresses import is_private, private_address_refusal_text
from playground.translation_marks import gettext_once_configured as _

OPENAI_BASE_URL = "https://api.openai.com/v1"

# Characters no URL needs, and that would break out of the code an export writes it into.
_NEVER_IN_A_URL = frozenset("\"'<>`\\")


def base_url_problem(url: object, *, key_hint: str) -> str | None:
    """What makes ``url`` unusable as a base URL, in words that follow its name ("must …"),
    or None. ``key_hint`` says where the key goes instead of the URL (a full sentence)."""
    if isinstance(url, str) and _has_userinfo(url):
        return _("must not contain a user name or password (user:password@). %(key_hint)s") % {
            "key_hint": key_hint
        }
    if isinstance(url, str) and ("?" in url or "#" in url):
        # A query would swallow the paths appended to the URL, and a key hidden in it
        # would be shown wherever the URL is.
        return _(
            "must not have a query string or fragment (? or #): paths such as "
            "/chat/completions are appended to it. %(key_hint)s"
        ) % {"key_hint": key_hint}
    if not isinstance(url, str) or _http_parts(url) is None:
        return _(
            "must start with http:// or https:// and name a host, with no spaces or quotes "
            "(got %(url)s), e.g. https://api.deepseek.com/v1, or http://127.0.0.1:11434/v1 "
            "for Ollama."
        ) % {"url": repr(url)}
    return None


def normalized_base_url(url: str) -> str:
    """The form paths are appended to: without a trailing slash."""
    return url.rstrip("/")


def private_address_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why a deployment that refuses private addresses refuses ``url``: its host is, or
    resolves to, a private, loopback or link-local address. None if it does not.

    ``resolve=False`` judges only an address written in the URL, with no DNS lookup. A
    lookup here only tells an admin early: the check that holds is the one at connect
    time (asyncio_transport), since a name may resolve elsewhere by then (DNS rebinding)."""
    parts = _http_parts(url)
    if parts is None or parts.hostname is None:
        return None
    host = parts.hostname
    try:
        addresses = {str(ipaddress.ip_address(host))}
    except ValueError:
        if not resolve:
            return None
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 443)}
        except (socket.gaierror, UnicodeError):
            return _(
                "The host %(host)s was not found, so it cannot be checked against this "
                "deployment's rule on private addresses. Check the base URL."
            ) % {"host": repr(host)}
    private = sorted(address for address in addresses if is_private(address))
    if not private:
        return None
    return _("%(refusal)s Use the provider's public address.") % {
        "refusal": private_address_refusal_text(host, private)
    }


def _has_userinfo(url: str) -> bool:
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


def _http_parts(url: str) -> SplitResult | None:
    """``url`` split, if it is an http(s) URL with a host and a valid port."""
    if any(ch.isspace() or ord(ch) < 0x20 or ch in _NEVER_IN_A_URL for ch in url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number up to 65535 raises ValueError
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts
