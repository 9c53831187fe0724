"""``{{ amount|usd }}``: a cost as people read it: $0.0125, $3.50, $0.000023."""

from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def usd(amount: Decimal | float | None) -> str:
    """Dollars with at least two decimals and no trailing zeros beyond (up to 8)."""
    if amount is None:
        return pgettext("cost", "unknown")
    text = f"{Decimal(str(amount)):.8f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


@register.simple_tag
def cost_shown(cost: Decimal | None, unpriced: int = 0) -> SafeString:
    """``runs/_cost.html`` as a value, for a sentence that holds a cost
    (``{% cost_shown cost unpriced as cost_text %}``, then ``{{ cost_text }}`` in it)."""
    return render_to_string("runs/_cost.html", {"cost": cost, "unpriced": unpriced})
