"""Capability hints: model families known to refuse some parameters, caught before sending.

The one place that knows them: the consumer refuses such a run, the page flags the
inputs (spec.parameter_inputs) and shows softer warnings with a run.

Sending such a request costs a round trip and ends in a 400 that names one
parameter at a time; naming them all here, before anything leaves the server, is
kinder. The families are matched on the model name (also behind a gateway prefix
such as OpenRouter's ``openai/o3-mini``). A model not listed is never refused.
"""

import re
from typing import Any

from django.utils.translation import gettext as _

from playground.modes import REGISTRY

# OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…); gpt-5-chat variants sample normally.
_REASONING = re.compile(r"(?:^|/)(?:o[134]|gpt-5)(?:$|[-.:])(?!.*\bchat\b)", re.IGNORECASE)
_EMBEDDING = re.compile(r"embed|(?:^|/)text-search-", re.IGNORECASE)
_MODERATION = re.compile(r"(?:^|/)(?:omni|text)-moderation", re.IGNORECASE)

# Parameters reasoning models refuse, with the only value they accept (None: any value refused).
REASONING_REFUSES: dict[str, Any] = {
    "temperature": 1,
    "top_p": 1,
    "presence_penalty": 0,
    "frequency_penalty": 0,
    "logprobs": None,
    "top_logprobs": None,
    "logit_bias": None,
}

# Everything a reasoning model refuses: the above, and max_tokens (it takes
# max_completion_tokens instead). The page flags these inputs for such models.
REASONING_REFUSED = frozenset({*REASONING_REFUSES, "max_tokens"})


# The same rule for the page's script (JavaScript reads this syntax; flags: "i").
REASONING_MODEL_PATTERN = _REASONING.pattern


def _sends_chat(mode: str) -> bool:
    record = REGISTRY.get(mode)
    return record is not None and record.sends_chat


def is_reasoning_model(model: str) -> bool:
    return bool(_REASONING.search(model))


def capability_problems(mode: str, body: dict[str, Any]) -> dict[str, str]:
    """``{parameter: why it will be refused}`` for the request, empty when nothing is known."""
    model = str(body.get("model") or "")
    problems: dict[str, str] = {}
    if not _sends_chat(mode):
        return problems
    if _EMBEDDING.search(model):
        problems["model"] = _(
            "%(model)s is an embeddings model: it turns text into vectors and cannot chat. "
            "Pick a chat model."
        ) % {"model": model}
    elif _MODERATION.search(model):
        problems["model"] = _(
            "%(model)s is a moderation model: it classifies text and cannot chat. Pick a chat model."
        ) % {"model": model}
    if is_reasoning_model(model):
        for name, accepted in REASONING_REFUSES.items():
            if name in body and (accepted is None or body[name] != accepted):
                problems[name] = (
                    _(
                        "%(model)s is a reasoning model and refuses %(name)s (only the default, "
                        "%(accepted)s, is accepted). Clear it and run again."
                    )
                    if accepted is not None
                    else _(
                        "%(model)s is a reasoning model and refuses %(name)s. Clear it and run again."
                    )
                ) % {"model": model, "name": name, "accepted": accepted}
        if "max_tokens" in body:
            problems["max_tokens"] = _(
                "%(model)s is a reasoning model and refuses max_tokens; it takes "
                "max_completion_tokens instead (which also counts its hidden reasoning tokens). "
                "Clear max_tokens and set max_completion_tokens."
            ) % {"model": model}
    return problems


def capability_warnings(mode: str, body: dict[str, Any]) -> dict[str, str]:
    """Softer hints: parameters a model may refuse, shown with the run but still sent."""
    model = str(body.get("model") or "")
    if _sends_chat(mode) and "reasoning_effort" in body and model and not is_reasoning_model(model):
        return {
            "reasoning_effort": _("only reasoning models accept it; %(model)s may refuse it")
            % {"model": model}
        }
    return {}
