"""Token counts made here: equal to OpenAI's prompt_tokens for its chat models' text."""

import base64
import datetime
import json
from decimal import Decimal

import pytest

from playground.outcome import RunOutcome
from playground.providers import ToolCall
from playground.runs.estimate import request_estimate
from playground.runs.models import Price
from playground.tokens import count_body_tokens, encoding_name, estimate_outcome_usage

# OpenAI's cookbook ("How to count tokens with tiktoken"): these messages report 129
# prompt tokens on gpt-3.5-turbo and gpt-4, and 124 on gpt-4o and gpt-4o-mini.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities "
        "for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]
# OpenAI's API reference (the chat completion example of ../shared/openai-openapi): these
# two messages answer with "prompt_tokens": 19.
SPEC_MESSAGES = [
    {"role": "developer", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Hello!"},
]


@pytest.mark.parametrize(
    ("model", "messages", "reported"),
    [
        ("gpt-3.5-turbo", COOKBOOK_MESSAGES, 129),
        ("gpt-4-0613", COOKBOOK_MESSAGES, 129),
        ("gpt-4", COOKBOOK_MESSAGES, 129),
        ("gpt-4o", COOKBOOK_MESSAGES, 124),
        ("gpt-4o-mini", COOKBOOK_MESSAGES, 124),
        ("gpt-4o", SPEC_MESSAGES, 19),
    ],
)
def test_the_count_equals_the_prompt_tokens_openai_reports(model, messages, reported):
    count = count_body_tokens({"model": model, "messages": messages})
    assert count.prompt_tokens == reported
    assert count.exact


def test_models_pick_their_family_s_encoding():
    assert encoding_name("gpt-4o-2024-08-06") == ("o200k_base", True)
    assert encoding_name("openai/gpt-4.1-mini") == ("o200k_base", True)
    assert encoding_name("o3-mini") == ("o200k_base", True)
    assert encoding_name("gpt-3.5-turbo-0125") == ("cl100k_base", True)
    assert encoding_name("gpt-4-turbo") == ("cl100k_base", True)
    # Another vendor's model: counted with o200k, and not called exact.
    assert encoding_name("llama3.1:8b") == ("o200k_base", False)


def test_what_openai_does_not_publish_is_marked_approximate():
    text = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    assert count_body_tokens(text).exact
    parts = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
    }
    assert not count_body_tokens(parts).exact
    tools = {**text, "tools": [{"type": "function", "function": {"name": "f"}}]}
    assert not count_body_tokens(tools).exact
    other = {"model": "qwen2.5", "messages": [{"role": "user", "content": "Hi"}]}
    assert not count_body_tokens(other).exact
    completion = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"}
    assert (
        count_body_tokens(completion).prompt_tokens == 2 and not count_body_tokens(completion).exact
    )


def test_chinese_is_counted_by_the_encoding_not_by_characters():
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "今天天气很好"}]}
    count = count_body_tokens(body)
    assert 3 + 3 + 1 < count.prompt_tokens < 3 + 3 + 1 + 6
    assert count.exact


def test_a_run_without_reported_usage_is_counted_and_marked_estimated():
    outcome = RunOutcome(
        body={"model": "gpt-4o", "messages": SPEC_MESSAGES},
        text={0: "Hello! How can I assist you today?"},
        tool_calls={0: [ToolCall(0, 0, "call_1", "lookup", '{"q": "x"}')]},
    )
    usage = estimate_outcome_usage(outcome)
    assert usage is not None and usage.estimated
    assert usage.prompt_tokens == 19
    # The reply (9 tokens in o200k_base) and the call's name and arguments.
    assert usage.completion_tokens > 9
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


@pytest.mark.django_db
def test_the_estimate_gives_the_cost_range_from_the_price_table():
    Price.objects.update_or_create(
        provider="gateway",
        model="gpt-4o",
        defaults={
            "input_per_million": Decimal("2.5"),
            "output_per_million": Decimal("10"),
            "priced_on": datetime.date(2026, 12, 1),
        },
    )
    body = {"model": "gpt-4o", "messages": SPEC_MESSAGES, "max_tokens": 100, "n": 2}
    estimate = request_estimate(provider="gateway", body=body)
    assert estimate.prompt_cost == Decimal("0.0000475")  # 19 x 2.5 / 1e6
    assert estimate.max_completion_tokens == 200
    assert estimate.max_cost == Decimal("0.0020475")
    unknown = request_estimate(provider="nobody", body=body)
    assert unknown.prompt_cost is None and unknown.max_cost is None


def test_the_count_command_prints_one_json_object(tmp_path, capsys, db):
    from django.core.management import call_command

    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "mode": "chat",
                "provider": "openai",
                "body": {"model": "gpt-4o", "messages": SPEC_MESSAGES},
            }
        )
    )
    call_command("count_tokens", str(request))
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "prompt_tokens": 19,
        "exact": True,
        "encoding": "o200k_base",
        "estimated_cost_usd": 0.0000475,  # the shipped gpt-4o price: $2.50 per million
        "max_cost_usd": None,
    }
    call_command("count_tokens", str(request), "--model", "gpt-4")
    assert json.loads(capsys.readouterr().out)["encoding"] == "cl100k_base"


def test_the_count_command_refuses_a_bad_file_naming_the_field(tmp_path, capsys, db):
    from django.core.management import call_command

    request = tmp_path / "request.json"
    request.write_text(
        json.dumps({"mode": "chat", "provider": "openai", "body": {"temperature": 9}})
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("count_tokens", str(request))
    assert exit_.value.code == 2
    assert "temperature: 9 is out of range (allowed: 0 to 2)" in capsys.readouterr().err


def _picture(width: int, height: int) -> str:
    from tests.image_edit_samples import picture

    return "data:image/png;base64," + base64.b64encode(picture(width, height)).decode()


@pytest.mark.parametrize(
    ("detail", "size", "image_tokens"),
    [
        # OpenAI's rule for gpt-4o: 85 tokens at low detail; at high, the image is fitted
        # in 2048x2048, its short side scaled to 768, and each 512-pixel tile costs 170.
        ("low", (1024, 1024), 85),
        ("high", (1024, 1024), 85 + 170 * 4),
        ("high", (512, 256), 85 + 170 * 1),
        ("auto", (2048, 4096), 85 + 170 * 6),
    ],
)
def test_an_image_in_a_message_counts_as_openai_counts_it_not_as_its_base64(
    detail, size, image_tokens
):
    url = _picture(*size)
    content = [
        {"type": "text", "text": "Hi"},
        {"type": "image_url", "image_url": {"url": url, "detail": detail}},
    ]
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}
    text_only = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}

    count = count_body_tokens(body)

    assert count.prompt_tokens == count_body_tokens(text_only).prompt_tokens + image_tokens
    assert not count.exact


def test_an_image_whose_size_is_not_known_here_counts_as_a_square_one():
    for url in ("https://example.com/cat.png", "upload:" + "a" * 64):
        content = [{"type": "image_url", "image_url": {"url": url}}]
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}
        empty = {"model": "gpt-4o", "messages": [{"role": "user", "content": ""}]}
        added = count_body_tokens(body).prompt_tokens - count_body_tokens(empty).prompt_tokens
        assert added == 85 + 170 * 4, url
