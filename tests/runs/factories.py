"""Small makers of runs and users for the runs tests."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from playground.runs.models import Run
from playground.runs.search import searchable_text


def make_user(name: str, **fields: Any) -> User:
    # No password: hashing one costs ~0.3 s per user; tests sign in with force_login.
    return User.objects.create_user(username=name, **fields)


def make_run(
    *,
    user: User | None,
    prompt: str = "Hello",
    reply: str = "Hi there",
    model: str = "gpt-4o",
    provider: str = "openai",
    mode: str = "chat",
    status: str = "finished",
    cost: str | None = "0.001",
    tokens: tuple[int, int] = (10, 5),
    created: datetime.datetime | None = None,
    **fields: Any,
) -> Run:
    request = {
        "mode": mode,
        "provider": provider,
        "body": {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True},
    }
    output = {
        "candidates": [{"index": 0, "text": reply, "finish_reason": "stop", "tool_calls": []}]
    }
    fields.setdefault("request", request)
    fields.setdefault("output", output)
    return Run.objects.create(
        created_at=created or timezone.now(),
        user=user,
        provider=provider,
        model=model,
        mode=mode,
        status=status,
        search_text=searchable_text(fields["request"], fields["output"]),
        prompt_tokens=tokens[0],
        completion_tokens=tokens[1],
        total_tokens=sum(tokens),
        total_ms=100,
        cost_usd=Decimal(cost) if cost is not None else None,
        **fields,
    )
