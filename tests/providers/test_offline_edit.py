"""The offline model's Edit mode: it answers with the input edited as the instruction
asks, so the page's word diff shows a few sensible changes, never a rewrite."""

import pytest

from playground.fragments import word_diff
from playground.providers import TextDelta
from playground.providers.offline import OfflineProvider
from playground.providers.offline_edit import edited_text
from playground.spec import edit_body


async def reply(instruction: str, text: str, mode: str = "edit", **params) -> str:
    body = edit_body(instruction, text, model="offline-1", **params)
    provider = OfflineProvider(tokens_per_second=0)
    return "".join([e.text async for e in provider.stream(body, mode) if isinstance(e, TextDelta)])


def changes(before: str, after: str) -> list[tuple[str, str]]:
    return [(p["kind"], p["text"]) for p in word_diff(before, after) if p["kind"] != "same"]


async def test_the_edit_modes_example_fixes_the_spelling_in_two_words():
    edited = await reply("Fix the spelling.", "Helo wrld")

    assert edited == "Hello world"
    assert changes("Helo wrld", edited) == [
        ("removed", "Helo"),
        ("added", "Hello"),
        ("removed", "wrld"),
        ("added", "world"),
    ]


@pytest.mark.parametrize(
    ("instruction", "text", "expected"),
    [
        (
            "Fix the spelling",
            "I recieve teh letters tommorow, definately.",
            "I receive the letters tomorrow, definitely.",
        ),
        (
            "Correct the grammar",
            "i think the the report is ready  ,and we can send it",
            "I think the report is ready, and we can send it.",
        ),
        (
            "Make it formal",
            "hey, I don't think we're gonna make it!",
            "Hello, I do not think we are going to make it.",
        ),
        ("Make it more casual", "I do not think we are ready.", "I don't think we're ready."),
        ("Convert to uppercase", "hello world", "HELLO WORLD"),
        ("all lowercase please", "Hello World", "hello world"),
        ("Use title case", "the old man and the sea", "The Old Man and the Sea"),
        (
            "Remove duplicate words",
            "the the cat sat on on the mat",
            "the cat sat on the mat",
        ),
        (
            "Capitalize each sentence",
            "the cat sat. it was happy. i think so",
            "The cat sat. It was happy. I think so",
        ),
        ("Add punctuation", "where are you going", "Where are you going?"),
        (
            "Make it shorter",
            "Basically, I really just wanted to say that it is very good.",
            "I wanted to say that it is good.",
        ),
        ("修正标点", "你好,世界", "你好，世界。"),
        ("改得正式一些", "你能帮我看看吗", "您能帮我看看吗？"),
    ],
)
def test_simple_instructions_are_followed(instruction, text, expected):
    assert edited_text(instruction, text) == expected


@pytest.mark.parametrize("instruction", ["Translate to French", "Make it sound like a pirate", ""])
def test_an_unknown_instruction_gets_a_light_tidy_never_a_rewrite(instruction):
    text = "the  meeting is on monday .we will  recieve the slides before"

    edited = edited_text(instruction, text)

    assert edited == "The meeting is on monday. We will receive the slides before."
    assert len(changes(text, edited)) <= 12  # a handful of words, each changed in place


def test_clean_text_comes_back_unchanged_and_lines_are_kept():
    text = "Dear Sam,\n\nThe build is green. Thanks for the fix.\n\n- Ada"
    assert edited_text("Tidy it up", text) == text
    assert edited_text("Fix the spelling", "Line one\nline twoo\n").splitlines() == [
        "Line one",
        "line two",
    ]


async def test_the_same_edit_is_given_every_time_and_max_tokens_still_cuts_it():
    assert await reply("Fix the spelling", "teh cat") == await reply("Fix the spelling", "teh cat")
    assert await reply("Fix the spelling", "teh cat sat on teh mat", max_tokens=2) == "the cat"


async def test_a_chat_with_a_system_prompt_is_still_answered_as_a_chat():
    answer = await reply("Fix the spelling.", "Helo wrld", mode="chat")
    assert answer.startswith("(Offline model) You said:")


def test_code_given_an_instruction_it_does_not_know_keeps_its_capitals_and_spacing():
    code = "def area(r):  \n    return 3.14  * r * r  # cm\n"

    assert edited_text("Review this", code) == "def area(r):\n    return 3.14  * r * r  # cm\n"


def test_a_chinese_edit_is_diffed_character_by_character_not_as_one_word():
    # Chinese has no spaces between words: the whole sentence was one "word" before.
    assert changes("我今天很高兴", "我今天非常高兴") == [("removed", "很"), ("added", "非常")]
    assert changes("你好，world", "你好，World") == [("removed", "world"), ("added", "World")]
