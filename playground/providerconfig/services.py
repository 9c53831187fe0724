"""Saving stored providers, and turning one into the configuration a provider is built from."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from playground.providerconfig.crypto import KeyUnreadable
from playground.providerconfig.models import ProviderConfig
from playground.providers.base import UpstreamError
from playground.providers.base_url import base_url_problem, private_address_problem

# What HTTP can carry (RFC 9110): a name is a token, a value visible ASCII with spaces.
# Anything else would fail every request to the provider, so it is refused when saved.
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")


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
                f"Line {number}: write each header as 'Name: value' (got {line.strip()[:40]!r})."
            )
        problem = header_problem(name, value)
        if problem:
            raise ValidationError(f"Line {number}: {problem}")
        if name.lower() == "authorization":
            raise ValidationError(
                f"Line {number}: put the key in the API key field, not in an Authorization header."
            )
        headers[name] = value
    return headers


def header_problem(name: str, value: str) -> str | None:
    """Why HTTP cannot carry this header, in words (None when it can)."""
    if not HEADER_NAME.fullmatch(name):
        return (
            f"a header name may contain only ASCII letters, digits and - _ . (got {name[:40]!r})."
        )
    if not HEADER_VALUE.fullmatch(value):
        return (
            f"HTTP sends header values as ASCII, so {name} cannot carry {value[:40]!r}. "
            "Write it in ASCII (e.g. an English title)."
        )
    return None


def base_url_refusal(url: str, *, resolve: bool = True) -> str | None:
    """Why a stored provider may not use ``url``, in a sentence; None if it may.

    With PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS on, a host that is (or, with ``resolve``,
    resolves to) a private address is refused too."""
    problem = base_url_problem(
        url, key_hint="Put the key in the API key field, or in an extra header."
    )
    if problem is not None:
        return f"The base URL {problem}"
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
            {"name": f"{config.name!r} is taken by a provider set in the environment."}
        )
    validate_base_url(config.base_url)
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
    }
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
            f"The stored API key of provider '{config.name}' cannot be decrypted: "
            "PLAYGROUND_ENCRYPTION_KEY changed. An admin must enter the key again under "
            "Providers.",
        ) from None
    refusal = base_url_refusal(config.base_url)
    if refusal is not None:
        raise UpstreamError("unreachable", refusal)
    # Saved before such keys and headers were refused at saving: say which, not "internal error".
    if not HEADER_VALUE.fullmatch(api_key):
        raise UpstreamError(
            "auth",
            f"The stored API key of provider '{config.name}' contains a character HTTP cannot "
            "send (a zero-width or full-width one, pasted by mistake?). An admin must enter "
            "the key again on the Providers page.",
        )
    for name, value in extra_headers.items():
        problem = header_problem(name, value)
        if problem:
            raise UpstreamError(
                "bad_request",
                f"An extra header of provider '{config.name}' cannot be sent: {problem} "
                "An admin can fix it on the Providers page.",
            )
    entry = stored_provider_entry(config)
    entry.update(api_key=api_key, extra_headers=extra_headers)
    return entry
