"""The estimate under the prompt: its tokens (playground.tokens) and the run's cost range
(the price table)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from playground.providers import Usage
from playground.runs.prices import price_get, usage_cost
from playground.tokens import TokenCount, count_body_tokens


@dataclass(frozen=True)
class RequestEstimate:
    """What the page shows under the prompt: the prompt's tokens and the cost range."""

    count: TokenCount
    # Null when the price is unknown.
    prompt_cost: Decimal | None
    # The prompt plus the most completion the request allows; None when unknown or unbounded.
    max_cost: Decimal | None
    max_completion_tokens: int | None


def request_estimate(*, provider: str, body: dict[str, Any]) -> RequestEstimate:
    """The prompt's tokens and what the run may cost, from the price table."""
    price = price_get(provider=provider, model=str(body.get("model") or ""))
    return estimate_with_price(count_body_tokens(body), body, price)


def estimate_with_price(count: TokenCount, body: dict[str, Any], price: Any) -> RequestEstimate:
    """The cost range of a counted request at ``price`` (None: unknown)."""
    prompt_cost = usage_cost(Usage(count.prompt_tokens, 0, count.prompt_tokens), price)
    limit = body.get("max_completion_tokens", body.get("max_tokens", body.get("max_output_tokens")))
    n = body.get("n")
    candidates = n if isinstance(n, int) and n > 1 else 1
    max_completion = limit * candidates if isinstance(limit, int) else None
    max_cost = None
    if max_completion is not None:
        total = count.prompt_tokens + max_completion
        max_cost = usage_cost(Usage(count.prompt_tokens, max_completion, total), price)
    return RequestEstimate(count, prompt_cost, max_cost, max_completion)
