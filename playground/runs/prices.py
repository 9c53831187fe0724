"""What a run cost: its usage times the price table's price for its provider and model.

An unknown price gives None ("unknown" on every page), never 0. A dated model name
(``gpt-4o-2024-08-06``) takes its family's price (``gpt-4o``) when it has none of its own,
and a provider's ``*`` row prices every other model of it (the offline model's 0).
"""

import re
from decimal import Decimal

from playground.providers import Usage
from playground.runs.default_prices import ANY_MODEL
from playground.runs.models import Price

MILLION = Decimal(1_000_000)

# The date suffixes OpenAI gives snapshots: -2024-08-06, -0125.
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def price_get(*, provider: str, model: str) -> Price | None:
    """The price for this provider's model, or its family's (the name without a date)."""
    names = [model]
    family = _SNAPSHOT.sub("", model)
    if family != model:
        names.append(family)
    names.append(ANY_MODEL)
    found = {p.model: p for p in Price.objects.filter(provider=provider, model__in=names)}
    for name in names:
        if name in found:
            return found[name]
    return None


def usage_cost(usage: Usage, price: Price | None) -> Decimal | None:
    """USD for ``usage`` at ``price``; None when the price is unknown."""
    if price is None:
        return None
    cached = min(usage.cached_tokens or 0, usage.prompt_tokens)
    cached_price = (
        price.cached_input_per_million
        if price.cached_input_per_million is not None
        else price.input_per_million
    )
    total = (
        Decimal(usage.prompt_tokens - cached) * price.input_per_million
        + Decimal(cached) * cached_price
        + Decimal(usage.completion_tokens) * price.output_per_million
    )
    return (total / MILLION).quantize(Decimal("0.00000001"))
