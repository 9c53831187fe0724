"""Every mode and parameter through the run websocket, as the page sees it."""

import base64
import html
import json
import re

import pytest

from tests.conftest import TEST_API_KEY
from tests.fake_upstream import LITELLM_UNROUTED_MODERATION, Scenario
from tests.openapi import assert_valid_request

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
MESSAGES = [{"role": "user", "content": "hi"}]

# One value per parameter; each must reach the upstream exactly as set.
CHAT_PARAMETERS = [
    ("temperature", 1.3),
    ("top_p", 0.25),
    ("max_tokens", 3),
    ("max_completion_tokens", 4),
    ("n", 3),
    ("stop", "END"),
    ("stop", ["a", "b", "c", "d"]),
    ("presence_penalty", -1.5),
    ("frequency_penalty", 2),
    ("seed", 123456789),
    ("logit_bias", {"50256": -100, "11": 7}),
    ("logprobs", True),
    ("response_format", {"type": "json_object"}),
    (
        "response_format",
        {
            "type": "json_schema",
            "json_schema": {"name": "reply", "schema": {"type": "object"}, "strict": True},
        },
    ),
    ("tools", [TOOL]),
    ("user", "user-42"),
    ("reasoning_effort", "high"),
    ("stream", False),
    ("top_k", 40),  # an extension: passes through untouched
    ("service_tier", "flex"),
    ("store", True),
    ("metadata", {"experiment": "tides-v2", "作者": "李"}),
    ("verbosity", "low"),
    ("safety_identifier", "user-hash-3f2a"),
    ("prompt_cache_key", "museum-guide"),
    ("prediction", {"type": "content", "content": "The Moon pulls the sea."}),
    ("web_search_options", {"search_context_size": "high"}),
    ("prompt_cache_options", {"mode": "implicit"}),
    ("prompt_cache_retention", "in_memory"),
    ("moderation", {"model": "omni-moderation-latest"}),
]


def run_message(mode: str, body: dict, provider: str = "openai") -> dict:
    return {"action": "run", "request": {"mode": mode, "provider": provider, "body": body}}


@pytest.mark.parametrize(("name", "value"), CHAT_PARAMETERS)
async def test_each_chat_parameter_reaches_the_upstream_exactly_as_set(
    run_client, fake_upstream, name, value
):
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, name: value}
    await run_client.send(run_message("chat", body))
    assert await run_client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[0].body == body


async def test_parameters_that_need_another_reach_the_upstream_together(run_client, fake_upstream):
    body = {
        "model": "fake-model",
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
        "logprobs": True,
        "top_logprobs": 20,
        "tools": [TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": False,
    }
    await run_client.send(run_message("chat", body))
    assert await run_client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[0].body == body
    assert_valid_request("chat", fake_upstream.chat_requests[0].body)


async def test_unset_parameters_are_absent_upstream(run_client, fake_upstream):
    await run_client.send(run_message("chat", {"model": "fake-model", "messages": MESSAGES}))
    await run_client.receive_until_state()
    assert set(fake_upstream.chat_requests[0].body) == {"model", "messages"}


@pytest.mark.parametrize(
    ("mode", "body", "records"),
    [
        (
            "completion",
            {
                "model": "m",
                "prompt": "Once",
                "suffix": "end",
                "echo": True,
                "logprobs": 2,
                "best_of": 2,
                "n": 2,
            },
            "completion_requests",
        ),
        (
            "embedding",
            {"model": "m", "input": ["a", "b"], "dimensions": 8, "encoding_format": "base64"},
            "embedding_requests",
        ),
        (
            "moderation",
            {"model": "omni-moderation-latest", "input": ["a", "b"]},
            "moderation_requests",
        ),
        (
            "edit",
            {
                "model": "m",
                "messages": [
                    {"role": "system", "content": "Fix"},
                    {"role": "user", "content": "teh"},
                ],
            },
            "chat_requests",
        ),
    ],
)
async def test_each_mode_sends_its_body_to_its_endpoint(
    run_client, fake_upstream, mode, body, records
):
    await run_client.send(run_message(mode, body))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    assert [r.body for r in getattr(fake_upstream, records)] == [body]
    assert len(fake_upstream.requests) == 1
    assert_valid_request(mode, body)


def frames(client) -> str:
    return "".join(client.frames)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


async def test_tool_calls_are_shown_with_their_arguments_and_a_result_box(
    run_client, fake_upstream
):
    call = {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: [call]))
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, "tools": [TOOL]}
    await run_client.send(run_message("chat", body))
    assert await run_client.receive_until_state() == "done"
    shown = frames(run_client)
    block = re.search(
        r'<div id="tool-calls-0" hx-swap-oob="innerHTML">.*?</button>', shown, re.S
    ).group(0)
    assert 'data-name="get_weather"' in block
    assert '"city": "Paris"' in text_of(block)
    assert 'class="tool-result"' in block and "continue-with-results" in block
    assert "finish_reason: tool_calls" in run_client.status_text()


async def test_logprobs_become_a_colour_coded_probability_view(run_client, fake_upstream):
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, "max_tokens": 3}
    body.update(logprobs=True, top_logprobs=2)
    await run_client.send(run_message("chat", body))
    await run_client.receive_until_state()
    view = re.search(
        r'<div id="logprobs-0" hx-swap-oob="innerHTML">.*?</p>', frames(run_client), re.S
    ).group(0)
    tokens = re.findall(
        r'<span class="token (p-\w+)" tabindex="0" data-probability="([\d.]+)"', view
    )
    assert len(tokens) == 3
    assert all(0 < float(percent) <= 100 for _, percent in tokens)
    assert view.count('class="alt chosen"') == 3 and view.count('class="alt"') == 3


async def test_embeddings_show_dimensions_and_a_cosine_matrix(run_client, fake_upstream):
    body = {"model": "m", "input": ["cat sat", "cat sat down", "stocks fell"], "dimensions": 32}
    await run_client.send(run_message("embedding", body))
    assert await run_client.receive_until_state() == "done"
    final = run_client.frames[-1]  # results travel with the final frame
    shown = re.search(r'<div id="mode-result".*?</table>\s*</div>', final, re.S).group(0)
    assert shown.count('<td class="dimensions">32</td>') == 3
    matrix = re.search(r'<table class="cosine-matrix">.*?</table>', shown, re.S).group(0)
    values = [float(v) for v in re.findall(r"<td class=\"p-\w+\">(-?[\d.]+)</td>", matrix)]
    assert len(values) == 9 and values[0] == 1.0 and values[1] > values[2]


async def test_moderation_shows_flagged_categories_and_scores(run_client, fake_upstream):
    await run_client.send(run_message("moderation", {"input": ["I will kill you", "nice day"]}))
    assert await run_client.receive_until_state() == "done"
    shown = frames(run_client)
    summary = text_of(re.search(r'<ul class="moderation-summary">.*?</ul>', shown, re.S).group(0))
    assert "I will kill you: flagged (violence)" in " ".join(summary.split())
    assert "nice day: not flagged" in " ".join(summary.split())
    assert '<td class="flagged">0.9000</td>' in shown


async def test_edit_results_are_diffed_against_the_input(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(tokens=lambda body: ["the", " cat", " sat"]))
    body = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Fix"},
            {"role": "user", "content": "teh cat sat"},
        ],
    }
    await run_client.send(run_message("edit", body))
    await run_client.receive_until_state()
    diff = re.search(r'<p class="edit-diff">.*?</p>', frames(run_client), re.S).group(0)
    assert "<del>teh</del>" in diff and "<ins>the</ins>" in diff


async def test_the_offline_model_edits_the_input_so_the_diff_shows_only_the_fixes(run_client):
    body = {
        "model": "offline-1",
        "messages": [
            {"role": "system", "content": "Fix the spelling."},
            {"role": "user", "content": "I recieve teh report tommorow"},
        ],
    }
    await run_client.send(run_message("edit", body, provider="offline"))
    assert await run_client.receive_until_state() == "done"
    diff = re.search(r'<p class="edit-diff">.*?</p>', frames(run_client), re.S).group(0)
    assert re.findall(r"<del>(.*?)</del>", diff) == ["recieve", "teh", "tommorow"]
    assert re.findall(r"<ins>(.*?)</ins>", diff) == ["receive", "the", "tomorrow"]


async def test_the_raw_response_shows_chunks_headers_and_fingerprint_but_never_the_key(
    run_client, fake_upstream
):
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, "max_tokens": 2}
    body["stream_options"] = {"include_usage": True}
    await run_client.send(run_message("chat", body))
    await run_client.receive_until_state()
    raw = re.search(r'<details id="raw-response".*?</details>', run_client.frames[-1], re.S).group(
        0
    )
    shown = html.unescape(raw)
    assert "x-ratelimit-remaining-requests" in shown and "fp_fake" in shown
    assert shown.count('"object": "chat.completion.chunk"') == 5
    assert '"include_usage": true' in shown  # the request body sent
    assert "[DONE]" in shown
    assert TEST_API_KEY not in frames(run_client)


async def test_a_long_raw_answer_is_sent_when_the_inspector_asks_for_it(run_client, fake_upstream):
    # ~80 kB of chunks in every final frame would cost each run, watched or not: a long
    # answer's chunks stay on the server until the page opens the inspector.
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, "max_tokens": 60}
    await run_client.send(run_message("chat", body))
    assert await run_client.receive_until_state() == "done"
    final = html.unescape(run_client.frames[-1])
    assert "chat.completion.chunk" not in final
    assert '"action" value="raw"' in final and "Show the 63 chunks" in final
    assert '"max_tokens": 60' in final  # the summary and the body sent are there at once

    await run_client.send({"action": "raw"})
    chunks = html.unescape(await run_client.receive())
    assert chunks.startswith('<pre class="raw-chunks" id="raw-chunks" hx-swap-oob="outerHTML">')
    assert chunks.count('"object": "chat.completion.chunk"') == 62 and "[DONE]" in chunks
    assert TEST_API_KEY not in chunks


async def test_asking_for_the_raw_answer_before_any_run_says_there_is_none(run_client):
    await run_client.send({"action": "raw"})
    assert "No finished run to show" in html.unescape(await run_client.receive())


async def test_a_parameter_reasoning_models_refuse_is_named_before_sending(
    run_client, fake_upstream
):
    body = {"model": "o3-mini", "messages": MESSAGES, "stream": True, "temperature": 0.5}
    await run_client.send(run_message("chat", body))
    await run_client.receive_until_state()
    shown = text_of(frames(run_client))
    assert "temperature" in shown and "o3-mini is a reasoning model" in shown
    assert fake_upstream.requests == []


async def test_the_offline_model_runs_every_mode_through_the_socket(run_client, fake_upstream):
    for mode, body in [
        ("chat", {"model": "offline-1", "messages": MESSAGES, "tools": [TOOL], "logprobs": True}),
        ("completion", {"model": "offline-1", "prompt": "Once", "max_tokens": 4}),
        ("embedding", {"model": "offline-embed", "input": ["a", "b"]}),
        ("moderation", {"input": "kill"}),
    ]:
        await run_client.send(run_message(mode, body, provider="offline"))
        assert await run_client.receive_until_state() == "done", (mode, run_client.status_text())
    shown = frames(run_client)
    assert 'data-name="get_weather"' in shown and "cosine-matrix" in shown and "flagged" in shown
    assert fake_upstream.requests == []


async def test_the_moderation_switch_keeps_a_flagged_prompt_from_the_upstream(
    run_client, fake_upstream
):
    message = run_message(
        "chat",
        {"model": "fake-model", "messages": [{"role": "user", "content": "I will kill you"}]},
    )
    message["moderate"] = "on"
    await run_client.send(message)
    assert await run_client.receive_until_state() == "error"
    assert (
        "Moderation flagged the prompt (violence), so it was not sent" in run_client.status_text()
    )
    assert [r.path for r in fake_upstream.requests] == ["/v1/moderations"]
    assert fake_upstream.moderation_requests[0].body == {
        "model": "omni-moderation-latest",
        "input": ["I will kill you"],
    }


async def test_the_moderation_switch_checks_the_reply_after_the_run(run_client, fake_upstream):
    fake_upstream.default = Scenario(tokens=lambda body: [" I", " kill", " bugs"])
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True}
    await run_client.send({**run_message("chat", body), "moderate": "on"})
    assert await run_client.receive_until_state() == "done"
    verdict = await run_client.receive()
    assert "Moderation of reply: flagged (violence)" in " ".join(text_of(verdict).split())
    assert [r.path for r in fake_upstream.requests] == [
        "/v1/moderations",
        "/v1/chat/completions",
        "/v1/moderations",
    ]
    assert fake_upstream.chat_requests[0].body == body  # the switch changes nothing sent
    assert fake_upstream.moderation_requests[1].body == {
        "model": "omni-moderation-latest",
        "input": [" I kill bugs"],
    }


async def test_a_failed_moderation_check_does_not_send_the_prompt(run_client, fake_upstream):
    fake_upstream.answer_next(Scenario(status=404, error_message="Unknown path"))
    await run_client.send(
        {**run_message("chat", {"model": "m", "messages": MESSAGES}), "moderate": "on"}
    )
    assert await run_client.receive_until_state() == "error"
    status = " ".join(run_client.status_text().split())
    assert (
        "Fake upstream could not check the prompt with its moderation model "
        "omni-moderation-latest: Not found (404)" in status
    ), status
    assert "The prompt was not sent" in status
    assert fake_upstream.chat_requests == []


async def test_the_moderation_switch_names_a_model_so_a_gateway_can_route_it(
    run_client, fake_upstream
):
    # LiteLLM answers a /moderations request without a model with a 500.
    fake_upstream.default = Scenario(
        moderation_needs_model=True, tokens=lambda body: [" a", " calm", " reply"]
    )
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True}
    await run_client.send({**run_message("chat", body), "moderate": "on"})
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    verdict = await run_client.receive()
    assert "Moderation of reply: not flagged" in " ".join(text_of(verdict).split())
    assert [r.body["model"] for r in fake_upstream.moderation_requests] == [
        "omni-moderation-latest",
        "omni-moderation-latest",
    ]
    for request in fake_upstream.moderation_requests:
        assert_valid_request("moderation", request.body)


async def test_a_gateway_failing_the_moderation_check_reads_as_the_providers_failure(
    run_client, fake_upstream
):
    # A gateway that cannot route the model answers 500 with text about *its* missing
    # OPENAI_API_KEY: the page must say whose check failed, not read as the playground's key.
    fake_upstream.answer_next(
        Scenario(status=500, error_message=LITELLM_UNROUTED_MODERATION, error_type="None")
    )
    await run_client.send(
        {**run_message("chat", {"model": "m", "messages": MESSAGES}), "moderate": "on"}
    )
    assert await run_client.receive_until_state() == "error"
    status = " ".join(run_client.status_text().split())
    assert status.startswith(
        "Fake upstream could not check the prompt with its moderation model "
        "omni-moderation-latest: The provider failed (500)."
    ), status
    assert "The prompt was not sent: turn the check off" in status
    assert "or set another moderation model: OPENAI_MODERATION_MODEL." in status
    assert fake_upstream.chat_requests == []


async def test_legacy_completions_get_the_probability_view_too(run_client, fake_upstream):
    body = {"model": "m", "prompt": "Once", "max_tokens": 2, "stream": True, "logprobs": 2}
    await run_client.send(run_message("completion", body))
    assert await run_client.receive_until_state() == "done"
    view = re.search(
        r'<div id="logprobs-0" hx-swap-oob="innerHTML">.*?</p>', run_client.frames[-1], re.S
    ).group(0)
    assert len(re.findall(r'<span class="token p-\w+" tabindex="0"', view)) == 2
    assert view.count('class="alt chosen"') == 2
    assert run_client.reply() == " word0 word1"


def raw_inspector(run_client) -> str:
    """The raw response inspector as the page last got it, unescaped as a browser shows it."""
    for frame in reversed(run_client.frames):
        match = re.search(r'<details id="raw-response".*?</details>', frame, re.S)
        if match:
            return html.unescape(match.group(0))
    return ""


async def test_a_failed_run_shows_the_body_sent_the_status_and_the_raw_error(
    run_client, fake_upstream
):
    # A 401 that echoes the key, as OpenAI's "Incorrect API key provided: sk-…" does.
    fake_upstream.answer_next(
        Scenario(
            status=400,
            error_message=f"temperature is too hot for key {TEST_API_KEY}",
            error_param="temperature",
        )
    )
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True, "temperature": 1.9}
    await run_client.send(run_message("chat", body))
    assert await run_client.receive_until_state() == "error"
    shown = raw_inspector(run_client)
    assert "hidden" not in shown.split(">")[0]
    assert "400" in shown and "x-ratelimit-remaining-requests" in shown
    assert '"temperature": 1.9' in shown  # the request body sent
    assert "temperature is too hot for key ***" in shown and '"param": "temperature"' in shown
    assert TEST_API_KEY not in "".join(run_client.frames)


async def test_a_rate_limited_embedding_shows_the_429_and_its_headers(
    run_client, fake_upstream, settings
):
    fake_upstream.default = Scenario(
        status=429, error_message="Rate limit reached for requests", retry_after="120"
    )
    body = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    await run_client.send(run_message("embedding", body))
    assert await run_client.receive_until_state() == "error"
    shown = raw_inspector(run_client)
    assert "429" in shown and "retry-after" in shown and "120" in shown
    assert "Rate limit reached for requests" in shown
    assert '"input": [' in shown


async def test_a_failed_check_of_the_reply_is_the_providers_too(run_client, fake_upstream):
    for scenario in (Scenario(), Scenario(), Scenario(status=500, error_message="Upstream down")):
        fake_upstream.answer_next(scenario)
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True}
    await run_client.send({**run_message("chat", body), "moderate": "on"})
    assert await run_client.receive_until_state() == "done"
    verdict = " ".join(text_of(await run_client.receive()).split())
    assert (
        "Fake upstream could not check the reply with its moderation model "
        "omni-moderation-latest: The provider failed (500)." in verdict
    ), verdict


def image_cards(client) -> list[str]:
    final = client.frames[-1]  # results travel with the final frame
    grid = re.search(r'<ul class="image-grid">.*?</ul>', final, re.S)
    assert grid, final[-2000:]
    return re.findall(r'<li class="image-card">.*?</li>', grid.group(0), re.S)


async def test_the_offline_model_draws_images_shown_with_download_links(run_client, fake_upstream):
    body = {"model": "offline-1", "prompt": "A lighthouse at dusk", "size": "256x256", "n": 2}
    await run_client.send(run_message("image", body, provider="offline"))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    cards = image_cards(run_client)
    assert len(cards) == 2
    for number, card in enumerate(cards, 1):
        src = re.search(r'<img src="(data:image/png;base64,[A-Za-z0-9+/=]+)"', card).group(1)
        assert f'href="{src}" download="a-lighthouse-at-dusk-{number}.png"' in card
        assert "A lighthouse at dusk (drawn by the offline model" in text_of(card)
    assert fake_upstream.requests == []


async def test_images_from_a_provider_and_links_that_are_not_fetched(run_client, fake_upstream):
    body = {"model": "gpt-image-1", "prompt": "a fox", "size": "1024x1024", "quality": "low"}
    await run_client.send(run_message("image", body))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    assert 'download="a-fox-1.png"' in image_cards(run_client)[0]
    assert "2 prompt + 256 completion tokens" in run_client.status_text()
    link = {"model": "dall-e-3", "prompt": "a fox", "response_format": "url"}
    await run_client.send(run_message("image", link))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    (card,) = image_cards(run_client)
    url = fake_upstream.base_url + "/generated/0.png"
    assert f'<a class="image-link" href="{url}" target="_blank" rel="noopener noreferrer">' in card
    assert "<img" not in card
    assert [r.path for r in fake_upstream.requests] == ["/v1/images/generations"] * 2


async def test_a_hostile_image_answer_shows_no_markup_and_no_script_link(run_client, fake_upstream):
    svg = base64.b64encode(b"<svg onload=alert(1)>").decode()
    answer = {
        "created": 1,
        "data": [
            {"b64_json": svg, "revised_prompt": "<img src=x onerror=alert(1)>"},
            {"url": "javascript:alert(1)"},
            {"url": "data:text/html;base64," + svg},
        ],
    }
    fake_upstream.answer_next(Scenario(failure="raw", raw_data=json.dumps(answer)))
    await run_client.send(run_message("image", {"model": "m", "prompt": "p"}))
    assert await run_client.receive_until_state() == "done", run_client.status_text()
    svg_card, script_card, html_card = image_cards(run_client)
    assert "<img" not in svg_card and "&lt;img src=x onerror=alert(1)&gt;" in svg_card
    assert "not a PNG, JPEG or WebP image" in text_of(svg_card)
    assert "href" not in script_card and "<code>javascript:alert(1)</code>" in script_card
    assert "href" not in html_card and "data:text" not in html_card


async def test_an_impossible_image_size_is_refused_before_sending(run_client, fake_upstream):
    body = {"model": "dall-e-3", "prompt": "p", "size": "512x512", "n": 2}
    await run_client.send(run_message("image", body))
    assert await run_client.receive_until_state() == "invalid"
    status = run_client.status_text()
    assert "'512x512' is not a size dall-e-3 makes (use 1024x1024, 1792x1024, 1024x1792)" in status
    assert "dall-e-3 makes at most 1 image(s) per request" in status
    assert fake_upstream.requests == []
