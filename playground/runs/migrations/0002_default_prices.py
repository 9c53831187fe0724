"""The shipped prices (playground/runs/default_prices.py); rows an admin already has stay."""

from decimal import Decimal

from django.db import migrations

from playground.runs.default_prices import DEFAULT_PRICES, PRICED_ON


def add_prices(apps, schema_editor):
    price_model = apps.get_model("runs", "Price")
    for provider, model, input_price, cached, output in DEFAULT_PRICES:
        price_model.objects.get_or_create(
            provider=provider,
            model=model,
            defaults={
                "input_per_million": Decimal(input_price),
                "cached_input_per_million": Decimal(cached) if cached is not None else None,
                "output_per_million": Decimal(output),
                "priced_on": PRICED_ON,
            },
        )


def remove_unedited_prices(apps, schema_editor):
    price_model = apps.get_model("runs", "Price")
    for provider, model, *_ in DEFAULT_PRICES:
        price_model.objects.filter(
            provider=provider, model=model, priced_on=PRICED_ON, updated_by=None
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("runs", "0001_initial")]

    operations = [migrations.RunPython(add_prices, remove_unedited_prices)]
