"""``{{ amount|usd }}``: a cost as people read it: $0.0125, $3.50, $0.000023."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def usd(amount: Decimal | float | None) -> str:
    """Dollars with at least two decimals and no trailing zeros beyond (up to 8)."""
    if amount is None:
        return "unknown"
    text = f"{Decimal(str(amount)):.8f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"
