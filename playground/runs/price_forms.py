"""The price table's form: non-negative USD per million tokens, one row per provider+model."""

from decimal import Decimal
from typing import Any

from django import forms

from playground.runs.models import Price

_PER_MILLION = {
    "min_value": Decimal(0),
    "max_value": Decimal(1_000_000),
    "max_digits": 12,
    "decimal_places": 6,
}


class PriceForm(forms.ModelForm):
    input_per_million = forms.DecimalField(label="Input (USD per million tokens)", **_PER_MILLION)
    cached_input_per_million = forms.DecimalField(
        label="Cached input (USD per million tokens; empty: as input)",
        required=False,
        **_PER_MILLION,
    )
    output_per_million = forms.DecimalField(
        label="Output (USD per million tokens)", **_PER_MILLION
    )
    priced_on = forms.DateField(
        label="Priced on (the date the price was taken)",
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
        help_texts = {"model": "The model name as sent, or * for every other model of it."}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("provider", "model"):
            value = (data.get(name) or "").strip()
            if name in data:
                data[name] = value
        return data
