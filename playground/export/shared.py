"""What every exporter needs: the target URL, the key's variable, the body as JSON."""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from playground.spec import RunRequest, endpoint_path, upstream_body

OPENAI_BASE_URL = "https://api.openai.com/v1"

# JavaScript numbers are doubles: integers beyond this lose digits in a Node snippet.
MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class Target:
    """Where the exported code sends the request; never holds a key, only its variable name."""

    base_url: str
    api_key_env: str
    note: str = ""


def target_for(provider: str | dict[str, Any]) -> Target:
    """Resolve a configured provider name, or an inline ``{base_url, api_key_env}``."""
    if isinstance(provider, dict):
        return Target(
            str(provider.get("base_url") or OPENAI_BASE_URL).rstrip("/"),
            str(provider.get("api_key_env") or "OPENAI_API_KEY"),
        )
    config = settings.PLAYGROUND_PROVIDERS.get(provider) or _stored_provider(provider)
    if config.get("kind") == "offline":
        # The offline model has no HTTP endpoint; export what would run against OpenAI.
        return Target(
            OPENAI_BASE_URL,
            "OPENAI_API_KEY",
            "The offline model exists only inside the playground; pick a real model here.",
        )
    return Target(
        str(config.get("base_url") or OPENAI_BASE_URL).rstrip("/"),
        str(config.get("api_key_env") or "OPENAI_API_KEY"),
    )


def _stored_provider(name: str) -> dict[str, Any]:
    """A provider stored in the database: its base URL only; the key never leaves the server."""
    from playground.providerconfig.models import ProviderConfig

    stored = ProviderConfig.objects.filter(name=name).values("base_url").first()
    return {"kind": "openai", "base_url": stored["base_url"]} if stored else {}


def body_of(request: RunRequest) -> dict[str, Any]:
    """The exact upstream body; exporters render this, never the form."""
    return upstream_body(request)


def endpoint(request: RunRequest) -> str:
    return endpoint_path(request)


def body_json(body: dict[str, Any], indent: int | None = 2) -> str:
    """JSON text of the body; non-ASCII kept readable (every target language accepts UTF-8)."""
    return json.dumps(body, ensure_ascii=False, indent=indent)


def sdk_adds_encoding_format(request: RunRequest, body: dict[str, Any]) -> bool:
    """True when the SDKs' embeddings.create() would add encoding_format="base64" itself.

    Both official SDKs do that when the key is absent, so a snippet calling it
    would not send the playground's body; such snippets post the body as is.
    """
    return request.mode == "embedding" and "encoding_format" not in body


def unsafe_integers(value: Any, path: str = "") -> list[str]:
    """Dotted paths of integers a JavaScript number cannot hold exactly."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path] if abs(value) > MAX_SAFE_INTEGER else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in unsafe_integers(v, f"{path}.{k}".strip("."))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unsafe_integers(v, f"{path}.{i}")]
    return []
