"""The prices shipped with the playground: OpenAI's public prices, and the offline model's 0.

USD per million tokens: (model, input, cached input or None, output). Taken from
https://openai.com/api/pricing (standard tier) on PRICED_ON. Prices change: admins
correct them on /usage/prices/ (an edited row is never overwritten by an upgrade), and
add a gateway's own (APIYI, OpenRouter) under that provider's name. A model that is not
in the table has an unknown cost, shown as "unknown", never as 0.
"""

import datetime

PRICED_ON = datetime.date(2025, 8, 7)

OPENAI = "openai"
OFFLINE = "offline"
# Matches every model of its provider (prices.price_get tries the model's own row first).
ANY_MODEL = "*"

OPENAI_PRICES: list[tuple[str, str, str | None, str]] = [
    ("gpt-5", "1.25", "0.125", "10.00"),
    ("gpt-5-mini", "0.25", "0.025", "2.00"),
    ("gpt-5-nano", "0.05", "0.005", "0.40"),
    ("gpt-5-chat-latest", "1.25", "0.125", "10.00"),
    ("gpt-4.1", "2.00", "0.50", "8.00"),
    ("gpt-4.1-mini", "0.40", "0.10", "1.60"),
    ("gpt-4.1-nano", "0.10", "0.025", "0.40"),
    ("gpt-4o", "2.50", "1.25", "10.00"),
    ("gpt-4o-mini", "0.15", "0.075", "0.60"),
    ("chatgpt-4o-latest", "5.00", None, "15.00"),
    ("o1", "15.00", "7.50", "60.00"),
    ("o1-mini", "1.10", "0.55", "4.40"),
    ("o3", "2.00", "0.50", "8.00"),
    ("o3-mini", "1.10", "0.55", "4.40"),
    ("o4-mini", "1.10", "0.275", "4.40"),
    ("gpt-4-turbo", "10.00", None, "30.00"),
    ("gpt-4", "30.00", None, "60.00"),
    ("gpt-3.5-turbo", "0.50", None, "1.50"),
    ("gpt-3.5-turbo-instruct", "1.50", None, "2.00"),
    ("davinci-002", "2.00", None, "2.00"),
    ("babbage-002", "0.40", None, "0.40"),
    ("text-embedding-3-small", "0.02", None, "0"),
    ("text-embedding-3-large", "0.13", None, "0"),
    ("text-embedding-ada-002", "0.10", None, "0"),
    # Moderation is free.
    ("omni-moderation-latest", "0", None, "0"),
    ("text-moderation-latest", "0", None, "0"),
]

DEFAULT_PRICES: list[tuple[str, str, str, str | None, str]] = [
    (OPENAI, model, input_price, cached, output)
    for model, input_price, cached, output in OPENAI_PRICES
] + [
    # The built-in model runs on this machine: free, whatever model name it is sent.
    (OFFLINE, ANY_MODEL, "0", None, "0"),
]
