"""Modes, tools, candidates and probabilities in a real browser."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_playground_page import message_box, run_and_wait
from tests.fake_upstream import FakeUpstream, Scenario

WEATHER_PARAMETERS = json.dumps(
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city", "unit"],
    }
)


def define_weather_tool(page: Page) -> None:
    page.locator("#tools-panel summary").click()
    page.get_by_role("button", name="+ Add function").click()
    page.get_by_label("Function name").fill("get_weather")
    page.get_by_label("Function description").fill("Current weather for a city")
    page.get_by_label("Function parameters (JSON Schema)").fill(WEATHER_PARAMETERS)


def continue_and_wait(page: Page) -> None:
    """Press "Add results and continue" and wait for that run's final status."""
    run_and_wait(page, button="Add results and continue")


def test_tool_round_trip_with_the_offline_model(signed_in_page: Page) -> None:
    page = signed_in_page
    define_weather_tool(page)
    message_box(page, 0).get_by_role("textbox").fill("What is the weather in Paris?")
    run_and_wait(page)
    expect(page.locator("#run-status")).to_contain_text("finish_reason: tool_calls")

    call = page.locator("#tool-calls-0 .tool-call")
    expect(call).to_have_count(1)
    expect(call.locator(".tool-name")).to_have_text("get_weather")
    arguments = json.loads(call.get_attribute("data-arguments"))
    assert arguments == {"city": "Paris", "unit": "c"}
    expect(call.locator(".tool-arguments")).to_contain_text('"city": "Paris"')

    call_id = call.get_attribute("data-call-id")
    assert call_id.startswith("call_offline_")
    call.get_by_role("textbox").fill("18 degrees and sunny")
    continue_and_wait(page)
    # The conversation now holds the call and its result, and the model used the result.
    rows = page.locator("#messages [data-message]")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).locator("select.role")).to_have_value("assistant")
    expect(rows.nth(1).locator(".message-tool-calls")).to_contain_text("get_weather")
    expect(rows.nth(2).locator("select.role")).to_have_value("tool")
    expect(rows.nth(2).locator(".tool-call-id")).to_have_value(call_id)
    expect(rows.nth(2).get_by_role("textbox", name="Message")).to_have_value("18 degrees and sunny")
    expect(page.locator("#reply-0")).to_contain_text("get_weather returned 18 degrees and sunny")


def test_tool_round_trip_reaches_the_upstream_as_openai_messages(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    define_weather_tool(page)
    page.locator("#more-parameters summary").click()  # tool_choice is a rarely used one
    page.locator("#param-tool_choice").select_option("auto")
    message_box(page, 0).get_by_role("textbox").fill("Weather in Oslo?")
    call = {"name": "get_weather", "arguments": '{"city": "Oslo", "unit": "c"}'}
    fake_upstream.answer_next(Scenario(tool_calls=lambda body: [call]))
    run_and_wait(page)
    first = fake_upstream.chat_requests[-1].body
    assert first["tools"][0]["function"]["parameters"] == json.loads(WEATHER_PARAMETERS)
    assert first["tool_choice"] == "auto"

    page.locator("#tool-calls-0 .tool-result").fill("-3 C, snow")
    continue_and_wait(page)
    assert len(fake_upstream.chat_requests) == 2
    second = fake_upstream.chat_requests[-1].body
    assert second["messages"][1:] == [
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": second["messages"][1]["tool_calls"][0]["id"],
                    "type": "function",
                    "function": call,
                }
            ],
        },
        {
            "role": "tool",
            "content": "-3 C, snow",
            "tool_call_id": second["messages"][1]["tool_calls"][0]["id"],
        },
    ]


def test_n_candidates_stream_side_by_side(signed_in_page: Page) -> None:
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Give me a slogan")
    page.locator("#param-n").fill("3")
    page.locator("#param-max_tokens").fill("40")
    run_and_wait(page)
    columns = page.locator("#candidates .candidate")
    expect(columns).to_have_count(3)
    expect(page.locator(".candidate-label")).to_have_text(
        ["Candidate 1", "Candidate 2", "Candidate 3"]
    )
    texts = [page.locator(f"#reply-{i}").text_content() for i in range(3)]
    assert all(t.startswith("(Offline model)") for t in texts)
    assert len(set(texts)) > 1
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # columns, not rows
    assert abs(boxes[0]["y"] - boxes[2]["y"]) < 2


def test_probability_view_shows_alternatives_on_hover_and_focus(signed_in_page: Page) -> None:
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#more-parameters summary").click()  # logprobs are folded away
    page.locator("#param-logprobs").select_option("true")
    page.locator("#param-top_logprobs").fill("3")
    page.locator("#param-max_tokens").fill("6")
    run_and_wait(page)
    tokens = page.locator("#logprobs-0 .token")
    expect(tokens).to_have_count(6)
    first = tokens.first
    colour = first.evaluate("t => getComputedStyle(t).backgroundColor")
    assert colour not in {"rgba(0, 0, 0, 0)", "transparent"}
    alternatives = first.locator(".alternatives")
    expect(alternatives).to_be_hidden()
    first.hover()
    expect(alternatives).to_be_visible()
    expect(alternatives.locator(".alt")).to_have_count(3)
    expect(alternatives.locator(".alt.chosen")).to_have_count(1)
    page.mouse.move(0, 0)
    expect(alternatives).to_be_hidden()
    tokens.nth(2).focus()
    expect(tokens.nth(2).locator(".alternatives")).to_be_visible()


def _shown_on_top(page: Page, locator) -> bool:
    """Whether the element is what a user sees at its centre (not clipped or covered)."""
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect();
                   const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                   return r.height > 0 && (hit === el || el.contains(hit)); }"""
    )


@pytest.mark.parametrize("candidates", ["1", "2"])
def test_every_alternative_can_be_read_on_a_one_line_reply(
    signed_in_page: Page, candidates: str
) -> None:
    # The reply columns scroll sideways; the alternatives must not be cut off by them.
    page = signed_in_page
    message_box(page, 0).get_by_role("textbox").fill("Hello")
    page.locator("#more-parameters summary").click()
    page.locator("#param-logprobs").select_option("true")
    page.locator("#param-top_logprobs").fill("5")
    page.locator("#param-max_tokens").fill("3")
    page.locator("#param-n").fill(candidates)
    run_and_wait(page)
    for index in range(int(candidates)):
        token = page.locator(f"#logprobs-{index} .token").last
        token.focus()
        alternatives = token.locator(".alternatives .alt")
        expect(alternatives).to_have_count(5)
        assert _shown_on_top(page, alternatives.last), f"candidate {index + 1}: cut off"
        token.blur()
        token.hover()
        assert _shown_on_top(page, alternatives.last), f"candidate {index + 1}: cut off"
        page.mouse.move(0, 0)


def test_embeddings_mode_shows_a_cosine_matrix(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("embedding")
    expect(page.locator("#messages")).to_be_hidden()
    page.get_by_label("Inputs").fill(
        "The cat sat on the mat.\nA cat was sitting on a mat.\nRevenue fell 4%."
    )
    page.locator("#embedding-param-dimensions").fill("64")
    run_and_wait(page)
    expect(page.locator(".embeddings .dimensions")).to_have_text(["64", "64", "64"])
    cells = page.locator(".cosine-matrix td")
    expect(cells).to_have_count(9)
    values = [float(v) for v in cells.all_text_contents()]
    assert values[0] == 1.0 and values[1] > values[2]


def test_moderation_mode_flags_and_edit_mode_diffs(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("moderation")
    page.get_by_label("Inputs").fill("I will kill you\nWhat a lovely day")
    run_and_wait(page)
    expect(page.locator(".moderation-summary li").first).to_contain_text("flagged (violence)")
    expect(page.locator(".moderation-summary li").nth(1)).to_contain_text("not flagged")

    page.get_by_label("Mode", exact=True).select_option("edit")
    page.get_by_label("Instruction", exact=True).fill("Fix the spelling.")
    page.locator("#edit-input").fill("teh cat")
    run_and_wait(page)
    expect(page.locator(".edit-diff")).to_be_visible()
    expect(page.locator(".edit-diff del").first).to_be_visible()


def test_raw_response_inspector_shows_chunks_and_rate_limit_headers(
    signed_in_page: Page, fake_upstream: FakeUpstream
) -> None:
    page = signed_in_page
    page.get_by_label("Provider").select_option("openai")
    message_box(page, 0).get_by_role("textbox").fill("Hi")
    page.locator("#param-max_tokens").fill("2")
    run_and_wait(page)
    inspector = page.locator("#raw-response")
    inspector.locator("summary").click()
    expect(inspector).to_contain_text("x-ratelimit-remaining-requests")
    expect(inspector).to_contain_text("fp_fake")
    expect(inspector.locator(".raw-chunks")).to_contain_text('"object": "chat.completion.chunk"')
    expect(inspector.locator(".raw-chunks")).to_contain_text("[DONE]")
    assert "sk-fake-browser-test-key" not in page.content()

    # A long answer's chunks come from the server when the inspector is opened.
    page.locator("#param-max_tokens").fill("60")
    run_and_wait(page)
    # 60 tokens, the role and finish chunks, the usage chunk (a new request asks for it) and
    # [DONE].
    expect(inspector.locator(".raw-load")).to_have_text(
        re.compile(r"Show the 64 chunks \(1\d KiB\)")
    )
    inspector.locator("summary").click()
    expect(inspector.locator("pre.raw-chunks")).to_contain_text(" word59")
    expect(inspector.locator("pre.raw-chunks")).to_contain_text("[DONE]")
    assert "sk-fake-browser-test-key" not in page.content()


def test_the_moderation_switch_checks_prompt_and_reply(signed_in_page: Page) -> None:
    page = signed_in_page
    page.get_by_label("Check the prompt and the reply with moderation").check()
    message_box(page, 0).get_by_role("textbox").fill("I will kill you")
    run_and_wait(page, state="error")
    expect(page.locator("#run-status")).to_contain_text("Moderation flagged the prompt (violence)")
    expect(page.locator("#reply-0")).to_have_text("")

    message_box(page, 0).get_by_role("textbox").fill("Tell me about tides")
    run_and_wait(page)
    expect(page.locator("#moderation-check")).to_contain_text("Moderation of reply: not flagged")


def test_reasoning_models_are_recognised_by_the_servers_rule(signed_in_page: Page) -> None:
    page = signed_in_page
    model = page.locator("#model")
    badge = page.locator("#reasoning-badge")
    temperature_note = page.locator('[data-parameter="temperature"] .family-note')

    for name, reasoning in [
        ("openai/o3-mini", True),
        ("gpt-5-chat-latest", False),
        ("O4-Mini", True),
    ]:
        model.fill(name)
        model.dispatch_event("input")
        if reasoning:
            expect(badge).to_be_visible()
            expect(temperature_note).to_be_visible()
        else:
            expect(badge).to_be_hidden()
            expect(temperature_note).to_be_hidden()


def test_image_mode_shows_the_offline_models_image_with_a_download_link(
    signed_in_page: Page,
) -> None:
    page = signed_in_page
    page.get_by_label("Mode", exact=True).select_option("image")
    expect(page.locator("#messages")).to_be_hidden()
    page.get_by_label("Describe the image").fill("A lighthouse at dusk")
    page.locator("#image-param-size").fill("320x200")
    page.locator("#image-param-n").fill("2")
    run_and_wait(page)
    images = page.locator("#mode-result img.generated-image")
    expect(images).to_have_count(2)
    # Decoded and drawn by the browser (a data: URL the page's policy allows).
    page.wait_for_function(
        "() => [...document.querySelectorAll('#mode-result img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    widths = images.evaluate_all("all => all.map(i => i.naturalWidth)")
    assert widths == [320, 320], widths
    link = page.get_by_role("link", name="Download a-lighthouse-at-dusk-1.png")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("download", "a-lighthouse-at-dusk-1.png")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "a-lighthouse-at-dusk-1.png"
    expect(page.locator("#mode-result .revised-prompt").first).to_contain_text(
        "A lighthouse at dusk (drawn by the offline model"
    )
