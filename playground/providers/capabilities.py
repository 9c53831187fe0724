"""Capability refusals: requests a model family cannot serve at all, stopped before sending.

Parameters a family is known to refuse (reasoning models and temperature…) are a
warning, not a refusal: ``spec.parameter_warnings`` names them when the run starts
and the request goes out as written, because gateways differ in what they accept.
A chat with an embeddings or moderation model cannot work anywhere, so it is
refused here with what to do instead. Models are matched on their name, also
behind a gateway prefix such as OpenRouter's ``openai/text-embedding-3-small``.
"""

import re
from typing import Any

_EMBEDDING = re.compile(r"embed|(?:^|/)text-search-", re.IGNORECASE)
_MODERATION = re.compile(r"(?:^|/)(?:omni|text)-moderation", re.IGNORECASE)
# Modes that send a conversation to a model that writes text.
_GENERATING_MODES = {"chat", "edit", "completion"}


def capability_problems(mode: str, body: dict[str, Any]) -> dict[str, str]:
    """``{field: why the request cannot work}``; empty when nothing is known against it."""
    model = str(body.get("model") or "")
    if mode not in _GENERATING_MODES:
        return {}
    if _EMBEDDING.search(model):
        return {
            "model": f"{model} is an embeddings model: it turns text into vectors and cannot "
            f"generate text. Pick a chat model, or switch the mode to embedding."
        }
    if _MODERATION.search(model):
        return {
            "model": f"{model} is a moderation model: it classifies text and cannot generate "
            "text. Pick a chat model, or switch the mode to moderation."
        }
    return {}
