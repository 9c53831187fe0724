"""The price table's form: non-negative USD per million tokens, one row per provider+model."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from playground.runs.models import Price

if TYPE_CHECKING:  # the type of a lazy translation, for the checker only
    from django_stubs_ext import StrOrPromise


def _per_million(label: "StrOrPromise", *, required: bool = True) -> forms.DecimalField:
    """USD per million tokens: 0 up to a million, six decimals (what the column holds)."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        max_digits=12,
        decimal_places=6,
    )


class PriceForm(forms.ModelForm):
    input_per_million = _per_million(_("Input (USD per million tokens)"))
    cached_input_per_million = _per_million(
        _("Cached input (USD per million tokens; empty: as input)"), required=False
    )
    output_per_million = _per_million(_("Output (USD per million tokens)"))
    priced_on = forms.DateField(
        label=_("Priced on (the date the price was taken)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Price
        fields = [
            "provider",
            "model",
            "input_per_million",
            "cached_input_per_million",
            "output_per_million",
            "priced_on",
        ]
        labels = {"provider": _("Provider"), "model": _("Model")}
        help_texts = {"model": _("The model name as sent, or * for every other model of it.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("provider", "model"):
            if name in data:
                data[name] = (data[name] or "").strip()
        return data
