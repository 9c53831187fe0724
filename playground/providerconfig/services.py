"""Saving stored providers, and turning one into the configuration a provider is built from."""

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from playground.providerconfig.crypto import KeyUnreadable
from playground.providerconfig.models import ProviderConfig
from playground.providers.base import UpstreamError
from playground.providers.base_url import base_url_problem, private_address_problem

# What HTTP can carry (RFC 9110): a name is a token, a value visible ASCII with spaces.
# Anything else would fail every request to the provider, so it is refused when saved.
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")

logger = logging.getLogger(__name__)


# Headers the HTTP client writes itself, or that concern one connection rather than the
# request (hop-by-hop, RFC 9110 section 7.6.1): stored as an extra header, one would break
# the framing of every request to the provider (Content-Length, Transfer-Encoding), send it
# to another virtual host (Host), or speak to a proxy on the way. The one list, read when a
# provider is saved (``extra_header_problem``) and when its headers are sent
# (``provider_settings`` drops such a header stored before this rule).
# The reasons are marked here and translated where they are shown (forbidden_header_problem).
_HOP_BY_HOP = gettext_noop(
    "it is hop-by-hop: it concerns one connection, which the HTTP client manages"
)
FORBIDDEN_HEADERS: dict[str, str] = {
    "host": gettext_noop("the HTTP client sets it for each request, from the base URL"),
    "content-length": gettext_noop(
        "the HTTP client sets it for each request, from the body it sends"
    ),
    "transfer-encoding": gettext_noop(
        "the HTTP client sets it for each request, from the body it sends"
    ),
    "trailer": gettext_noop(
        "the HTTP client sets it for each request; the playground sends no trailers"
    ),
    "expect": gettext_noop(
        "the HTTP client sets it for each request; waiting for 100-continue is its decision"
    ),
    "connection": _HOP_BY_HOP,
    "keep-alive": _HOP_BY_HOP,
    "proxy-connection": _HOP_BY_HOP,
    "te": _HOP_BY_HOP,
    "upgrade": _HOP_BY_HOP,
    "proxy-authorization": gettext_noop(
        "it is meant for a proxy on the way, not the provider: put a proxy's credentials in "
        "HTTPS_PROXY (http://user:password@proxy:port)"
    ),
    "proxy-authenticate": gettext_noop("it is a proxy's answer, not part of a request"),
    "authorization": gettext_noop(
        "the playground sends the API key in it (as 'Bearer <key>'); put the key in the API "
        "key field"
    ),
}


def forbidden_header_problem(name: str) -> str | None:
    """Why ``name`` may not be a provider's extra header, in words (None when it may)."""
    why = FORBIDDEN_HEADERS.get(name.strip().lower())
    if not why:
        return None
    return _("%(name)s cannot be set as an extra header: %(why)s.") % {"name": name, "why": _(why)}


def extra_header_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be a provider's extra header (None when it can)."""
    return header_problem(name, value) or forbidden_header_problem(name)


def parse_extra_headers(text: str) -> dict[str, str]:
    """``Name: value`` lines into a dict (ValidationError naming the bad line)."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or not value or any(c in name for c in " \t\r\n"):
            raise ValidationError(
                _("Line %(number)s: write each header as 'Name: value' (got %(line)s).")
                % {"number": number, "line": repr(line.strip()[:40])}
            )
        problem = extra_header_problem(name, value)
        if problem:
            raise ValidationError(
                _("Line %(number)s: %(problem)s") % {"number": number, "problem": problem}
            )
        headers[name] = value
    return headers


def header_problem(name: str, value: str) -> str | None:
    """Why HTTP cannot carry this header, in words (None when it can)."""
    if not HEADER_NAME.fullmatch(name):
        return _(
            "a header name may contain only ASCII letters, digits and - _ . (got %(name)s)."
        ) % {"name": repr(name[:40])}
    if not HEADER_VALUE.fullmatch(value):
        return _(
            "HTTP sends header values as ASCII, so %(name)s cannot carry %(value)s. "
            "Write it in ASCII (e.g. an English title)."
        ) % {"name": name, "value": repr(value[:40])}
    return None


def base_url_refusal(url: str, *, resolve: bool = True) -> str | None:
    """Why a stored provider may not use ``url``, in a sentence; None if it may.

    With PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS on, a host that is (or, with ``resolve``,
    resolves to) a private address is refused too."""
    problem = base_url_problem(
        url, key_hint=_("Put the key in the API key field, or in an extra header.")
    )
    if problem is not None:
        # Translators: the problem reads on from the field's name ("must start with http://…").
        return _("The base URL %(problem)s") % {"problem": problem}
    if settings.PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS:
        return private_address_problem(url, resolve=resolve)
    return None


def validate_base_url(url: str) -> None:
    refusal = base_url_refusal(url)
    if refusal is not None:
        raise ValidationError({"base_url": refusal})


@sensitive_variables("api_key", "extra_headers")
@transaction.atomic
def provider_config_save(
    *,
    config: ProviderConfig,
    api_key: str | None = None,
    clear_api_key: bool = False,
    extra_headers: dict[str, str] | None = None,
    teams: Any = None,
) -> ProviderConfig:
    """Save ``config``; a key or headers of None keep the stored ones (they are never shown)."""
    if config.name in settings.PLAYGROUND_PROVIDERS:
        raise ValidationError(
            {
                "name": _("%(name)s is taken by a provider set in the environment.")
                % {"name": repr(config.name)}
            }
        )
    validate_base_url(config.base_url)
    # The form checks each line; this holds for every other way in (a shell, an import).
    for name, value in (extra_headers or {}).items():
        problem = extra_header_problem(name, value)
        if problem:
            raise ValidationError({"extra_headers": problem})
    if clear_api_key:
        config.set_api_key("")
    elif api_key:
        config.set_api_key(api_key)
    if extra_headers is not None:
        config.set_extra_headers(extra_headers)
    config.full_clean()
    config.save()
    if teams is not None:
        config.teams.set(teams)
    return config


def stored_provider_entry(config: ProviderConfig) -> dict[str, Any]:
    """The ``PLAYGROUND_PROVIDERS``-style entry of a stored provider, without its secrets:
    enough to list it (``descriptor.describe``), and the base of ``provider_settings``."""
    entry: dict[str, Any] = {
        "kind": "openai",
        "label": config.label or config.name,
        "base_url": config.base_url,
        "default_model": config.default_model,
        "key_setting": f"the API key of provider '{config.name}' (Providers page)",
        "url_setting": f"the base URL of provider '{config.name}' (Providers page)",
        "moderation_setting": (
            f"the moderation model of provider '{config.name}' on the Providers page"
        ),
    }
    if config.moderation_model:
        entry["moderation_model"] = config.moderation_model
    for field in ("connect_timeout", "first_token_timeout", "token_gap_timeout"):
        value = getattr(config, field)
        if value is not None:
            entry[field] = value
    return entry


@sensitive_variables("api_key", "extra_headers", "entry")
def provider_settings(config: ProviderConfig) -> dict[str, Any]:
    """The ``PLAYGROUND_PROVIDERS``-style entry for a stored provider (secrets decrypted)."""
    try:
        api_key = config.api_key()
        extra_headers = config.extra_headers()
    except KeyUnreadable:
        raise UpstreamError(
            "auth",
            _(
                "The stored API key of provider '%(name)s' cannot be decrypted: "
                "PLAYGROUND_ENCRYPTION_KEY changed. An admin must enter the key again under "
                "Providers."
            )
            % {"name": config.name},
        ) from None
    refusal = base_url_refusal(config.base_url)
    if refusal is not None:
        raise UpstreamError("unreachable", refusal)
    # Saved before such keys and headers were refused at saving: say which, not "internal error".
    if not HEADER_VALUE.fullmatch(api_key):
        raise UpstreamError(
            "auth",
            _(
                "The stored API key of provider '%(name)s' contains a character HTTP cannot "
                "send (a zero-width or full-width one, pasted by mistake?). An admin must enter "
                "the key again on the Providers page."
            )
            % {"name": config.name},
        )
    for name in list(extra_headers):
        with translation.override("en"):  # for the log, which stays English
            refusal = forbidden_header_problem(name)
        if refusal:
            # Stored before the rule: send the request without it rather than a broken
            # one (or none); the value is not logged, it may be a secret.
            logger.warning(
                "An extra header of provider '%s' was not sent: %s An admin can remove it "
                "on the Providers page.",
                config.name,
                refusal,
            )
            del extra_headers[name]
    for name, value in extra_headers.items():
        problem = header_problem(name, value)
        if problem:
            raise UpstreamError(
                "bad_request",
                _(
                    "An extra header of provider '%(name)s' cannot be sent: %(problem)s An "
                    "admin can fix it on the Providers page."
                )
                % {"name": config.name, "problem": problem},
            )
    entry = stored_provider_entry(config)
    entry.update(api_key=api_key, extra_headers=extra_headers)
    return entry
