"""What a user reads when an OpenAI-compatible upstream fails, written once.

As openai-python's ``_exceptions.py`` maps statuses to errors in one place, every HTTP
status and transport failure becomes an UpstreamError here, for a run and for the
Providers page's connection check alike. Each message says what happened and what to
do, and names where the user puts it right (``Upstream.key_setting``,
``Upstream.url_setting``). A model listing (``listing=True``) differs from a run only
where the cause differs: a 404 on GET /models is the URL, on a run it may be the model.
Text from the upstream is shown only with the key and secret headers taken out.
"""

import datetime
import email.utils
import json
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils.translation import gettext as _

from playground.jsonpath import depth
from playground.providers.addresses import private_address_refusal
from playground.providers.base import UpstreamError
from playground.secrets_scrub import Scrubber, scrubber_for


@dataclass(frozen=True)
class Upstream:
    """The upstream a message is about, and where its key and its base URL are set."""

    base_url: str
    key_setting: str = "OPENAI_API_KEY"
    url_setting: str = "OPENAI_BASE_URL"


def status_error(
    response: httpx.Response,
    upstream: Upstream,
    *,
    secrets: Iterable[str] | Scrubber = (),
    listing: bool = False,
) -> UpstreamError:
    """The error for an answer other than 200; ``secrets`` are hidden from the text quoted."""
    status = response.status_code
    try:
        payload = answer_json(response.text)
    except ValueError:  # not JSON, or too deep (MalformedAnswer)
        payload = None
    detail = hide_secrets(error_text(payload), secrets)[:500]
    said = " " + _("The provider said: %(detail)s") % {"detail": detail} if detail else ""
    retry = response.headers.get("retry-after")
    if retry is not None:
        retry = hide_secrets(retry, secrets)[:40]
    if status == 401:
        kind = "auth"
        what = _("The provider refused the API key (401). Check %(setting)s.") % {
            "setting": upstream.key_setting
        }
    elif status == 403:
        kind = "forbidden"
        what = (
            _(
                "The provider refused access (403): this key may lack the permission to list "
                "models, or the provider may block this region."
            )
            if listing
            else _(
                "The provider refused access (403): this key may lack the permission to use "
                "this model, or the provider may block this region."
            )
        )
    elif status == 404:
        kind = "not_found"
        what = (
            _(
                "Not found (404): %(url)s does not exist. Check %(setting)s: an "
                "OpenAI-compatible API's base URL usually ends in /v1."
            )
            % {"url": response.request.url, "setting": upstream.url_setting}
            if listing
            else _(
                "Not found (404): the model name may be wrong, or %(setting)s may be missing /v1."
            )
            % {"setting": upstream.url_setting}
        )
    elif status == 429:
        kind = "rate_limited"
        what = (
            _(
                "Rate limited or out of quota (429). Wait %(seconds)s s and run again, or check your plan."
            )
            % {"seconds": retry}
            if retry
            else _(
                "Rate limited or out of quota (429). Wait a moment and run again, or check your plan."
            )
        )
    elif 300 <= status < 400:  # never followed: the key would go to another address
        kind = "bad_response"
        location = hide_secrets(response.headers.get("location", _("another address")), secrets)
        what = _(
            "Wrong URL: %(url)s redirects to %(location)s. Use that address in %(setting)s "
            "(often https:// instead of http://)."
        ) % {
            "url": response.request.url,
            "location": location[:300],
            "setting": upstream.url_setting,
        }
    elif status >= 500:
        kind = "server_error"
        what = _(
            "The provider failed (%(status)s). This is on their side: try again in a moment."
        ) % {"status": status}
    else:
        kind = "bad_request"
        what = (
            _("The provider rejected the request for its model list (%(status)s).")
            if listing
            else _("The provider rejected the request (%(status)s). Check the parameters.")
        ) % {"status": status}
    return UpstreamError(
        kind,
        what + said,
        status=status,
        retry_after=retry_after_seconds(retry),
        param=error_param(payload),
    )


def transport_error(
    error: httpx.HTTPError, upstream: Upstream, *, timeout: httpx.Timeout, listing: bool = False
) -> UpstreamError:
    """The error for a request that got no answer: not connected, no reply in time, cut off."""
    base = upstream.base_url
    if isinstance(error, httpx.ConnectTimeout):
        return UpstreamError(
            "connect_timeout",
            _(
                "Could not connect to %(base)s within %(seconds)s. Check that the server is up, "
                "that %(setting)s is right, and that a firewall or proxy lets this server reach it."
            )
            % {
                "base": base,
                "seconds": seconds_text(timeout.connect or 0),
                "setting": upstream.url_setting,
            },
        )
    if isinstance(error, httpx.TimeoutException):
        return UpstreamError(
            "timeout",
            _(
                "The provider at %(base)s stopped answering for %(seconds)s. It may be "
                "overloaded: try again in a moment."
            )
            % {"base": base, "seconds": seconds_text(timeout.read or 0)},
        )
    if isinstance(error, httpx.ProxyError):
        # A proxy from HTTPS_PROXY / HTTP_PROXY answered, but would not carry the request.
        return UpstreamError(
            "proxy",
            _(
                "The proxy refused to connect this server to %(base)s (%(reason)s). Check "
                "HTTPS_PROXY, HTTP_PROXY and NO_PROXY on the server, or ask the proxy's admin "
                "to allow the provider's host."
            )
            % {"base": base, "reason": _short(str(error)) or _("no reason given")},
        )
    if isinstance(error, httpx.ConnectError):
        return _connect_error(error, upstream)
    if isinstance(error, httpx.ReadError | httpx.RemoteProtocolError):
        if not listing:
            return stream_cut()
        return UpstreamError(
            "bad_response",
            _(
                "The server at %(base)s broke off the connection. Check that it is an "
                "OpenAI-compatible API and that the scheme (http or https) in %(setting)s is right."
            )
            % {"base": base, "setting": upstream.url_setting},
        )
    return UpstreamError(
        "unreachable",
        _(
            "The connection to %(base)s failed (%(reason)s). Check the host and port in "
            "%(setting)s, and the network."
        )
        % {
            "base": base,
            "reason": _short(str(error)) or type(error).__name__,
            "setting": upstream.url_setting,
        },
    )


def _connect_error(error: httpx.ConnectError, upstream: Upstream) -> UpstreamError:
    base, where = upstream.base_url, upstream.url_setting
    refusal = private_address_refusal(error)
    if refusal is not None:  # PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS, at connect time
        return UpstreamError(
            "private_address",
            f"{refusal} "
            + _("Use the provider's public address in %(setting)s.") % {"setting": where},
        )
    reason = tls_failure(error)
    if reason is not None:  # not retried: a certificate does not fix itself
        return UpstreamError(
            "tls",
            _(
                "TLS error: the secure connection to %(base)s failed (%(reason)s). The "
                "certificate may be self-signed, expired or for another host; or the server "
                "speaks plain http (then use http:// in %(setting)s)."
            )
            % {"base": base, "reason": reason, "setting": where},
        )
    causes = _causes(error)
    text = " ".join(str(cause) for cause in causes)
    if any(isinstance(c, socket.gaierror) for c in causes) or "Name or service not known" in text:
        why = _("the host was not found. Check its spelling in %(setting)s.") % {"setting": where}
    elif (
        any(isinstance(c, ConnectionRefusedError) for c in causes)
        or "refused" in text.lower()
        or "Connect call failed" in text
    ):
        why = _(
            "the connection was refused. Check the port in %(setting)s, and that the server is running."
        ) % {"setting": where}
    else:
        why = _("%(reason)s. Check the host and port in %(setting)s, and the network.") % {
            "reason": _short(text),
            "setting": where,
        }
    return UpstreamError(
        "unreachable", _("Could not reach %(base)s: %(why)s") % {"base": base, "why": why}
    )


def stream_cut() -> UpstreamError:
    return UpstreamError(
        "stream_cut",
        _(
            "The connection to the provider was cut before the reply was complete. "
            "The partial reply is kept; run again to get a complete one."
        ),
    )


def not_a_stream() -> UpstreamError:
    return UpstreamError(
        "bad_response",
        _(
            "The provider did not answer with a stream of events. Check that the base URL "
            "points at an OpenAI-compatible API (it usually ends in /v1)."
        ),
    )


def not_json() -> UpstreamError:
    return UpstreamError(
        "bad_response",
        _(
            "The provider sent something that is not valid JSON. Check that the base URL "
            "points at an OpenAI-compatible API."
        ),
    )


def not_openai_shaped() -> UpstreamError:
    return UpstreamError(
        "bad_response",
        _(
            "The provider's answer does not have OpenAI's shape. Check that the base URL "
            "points at an OpenAI-compatible API and that the model serves this mode."
        ),
    )


class MalformedAnswer(ValueError):
    """Raised by the answer parsers: the upstream's answer is JSON, but not of the shape the
    API documents; the text names the part ("choices[0].delta is not an object")."""


# Deeper than any OpenAI answer goes (logprobs, moderation results: under 10 levels); a
# deeper answer is refused before anything walks it (Python's parser stops near 1000).
MAX_ANSWER_DEPTH = 64


def answer_json(text: str) -> Any:
    """The JSON value of an upstream answer: ValueError when it is not JSON, MalformedAnswer
    (a ValueError too) when it nests deeper than MAX_ANSWER_DEPTH, so that nothing
    downstream recurses through it."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise MalformedAnswer(f"JSON nested deeper than {MAX_ANSWER_DEPTH} levels") from None
    # Counting brackets is cheap and bounds the depth: a typical stream chunk has a handful.
    if text.count("[") + text.count("{") > MAX_ANSWER_DEPTH and depth(value) > MAX_ANSWER_DEPTH:
        raise MalformedAnswer(f"JSON nested deeper than {MAX_ANSWER_DEPTH} levels")
    return value


def malformed_answer(where: str) -> UpstreamError:
    return UpstreamError(
        "bad_response",
        _(
            "The provider sent a malformed answer: %(where)s. Check that the base URL points "
            "at an OpenAI-compatible API and that the model serves this mode."
        )
        % {"where": where},
    )


def not_a_model_list(url: str, upstream: Upstream) -> UpstreamError:
    return UpstreamError(
        "bad_response",
        _(
            "Wrong URL: %(url)s answered, but not with an OpenAI-style model list. Check that "
            "%(setting)s points at the API (it usually ends in /v1)."
        )
        % {"url": url, "setting": upstream.url_setting},
    )


def error_in_stream(detail: str) -> UpstreamError:
    """An error event in the middle of a streamed reply; ``detail`` already without secrets."""
    return UpstreamError(
        "server_error",
        _("The provider reported an error in the middle of the reply: %(detail)s. Try again.")
        % {"detail": detail},
    )


def error_text(payload: Any) -> str:
    """The message of an OpenAI-style error answer (``error.message``), or "" if none."""
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("type") or "")
        return str(error)
    return ""


def error_param(payload: Any) -> str | None:
    """The parameter an OpenAI-style error names (``error.param``), if it names one."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        param = payload["error"].get("param")
        if isinstance(param, str) and param.strip():
            return param.strip()[:100]
    return None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


def hide_secrets(text: str, secrets: Iterable[str] | Scrubber) -> str:
    """``text`` with every secret in it, in any form, replaced by *** (secrets_scrub)."""
    scrubber = secrets if isinstance(secrets, Scrubber) else scrubber_for(secrets)
    return scrubber.scrub(text)


def tls_failure(error: BaseException) -> str | None:
    """The TLS reason behind a connection error (a certificate not trusted, expired or for
    another host; plain http spoken on an https port), or None if it was not TLS.

    The transport re-raises the ssl error without its cause, so its context is followed."""
    for cause in _causes(error):
        text = str(cause)
        if isinstance(cause, ssl.SSLError) or "CERTIFICATE_VERIFY" in text or "[SSL" in text:
            return _short(text)
    return None


def seconds_text(value: float) -> str:
    """A duration as people read it: "30 s", "2.5 s"."""
    return f"{value:.0f} s" if value >= 10 else f"{value:.2g} s"


def _causes(error: BaseException) -> list[BaseException]:
    """``error`` and what it was raised from or during, nearest first (at most ten)."""
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def _short(text: str) -> str:
    return " ".join(text.split())[:160]
