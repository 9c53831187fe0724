"""The offline model builds strings that a JSON schema's ``pattern`` matches."""

import re
import time

import pytest

from playground.providers.regex_example import example_matching


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^ORD-[0-9]{6}$", "ORD-000000"),
        (r"^\+?\d{2,3}[ -]\d{4}-\d{4}$", "00 0000-0000"),
        ("^(?:[A-Z]{2}|x+)_[a-f0-9]{4,}$", "AA_aaaa"),
        ("^#[0-9A-Fa-f]{6}$", "#000000"),
        ("[^aeiou ]{3}", "xxx"),
        (r"^[^\d\sx]+$", "z"),
        (r"^[\w.-]+@[\w-]+\.[a-z]{2,}$", "a@a.aa"),
        (r"(?P<year>\d{4})-(?P<month>\d\d)", "0000-00"),
        (r"^\$\d+\.\d{2}$", "$0.00"),
        (r"^\u00e9\x41\t\.$", "éA\t."),
        ("^[]a]$", "]"),
        ("^a{,3}b{2}c{1,}?$", "bbc"),
        (r"^\bcat|dog\b$", "cat"),
        ("^(?:)$", ""),
        ("x{y}", "x{y}"),
    ],
)
def test_a_pattern_gets_its_shortest_match(pattern, expected):
    assert example_matching(pattern, "", 0, None) == expected
    assert re.search(pattern, expected)


def test_the_hint_is_kept_when_it_already_matches():
    assert example_matching("^[A-Z][a-z]+$", "Paris", 0, None) == "Paris"
    assert example_matching("^[A-Z][a-z]+$", "paris", 0, None) == "Aa"


def test_repeats_are_taken_more_often_to_reach_the_minimum_length():
    text = example_matching("^a+_[0-9]*$", "", 6, None)
    assert text is not None and len(text) >= 6 and re.fullmatch("a+_[0-9]*", text)


def test_no_string_is_offered_when_the_lengths_cannot_be_met():
    assert example_matching("^[0-9]{6}$", "", 7, None) is None
    assert example_matching("^[0-9]{6}$", "", 0, 5) is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(a)\1$",  # a back reference
        "^(?=a)a$",  # a lookahead
        "(?<=a)b",  # a lookbehind
        "(?i)^abc$",  # an inline flag
        r"^\p{L}+$",  # a Unicode property (not Python syntax either)
        "^(a)?(?(1)b|c)$",  # a conditional
        "[^\\w\\W]",  # a class nothing is outside of
        "(",  # not a regular expression
    ],
)
def test_a_pattern_it_cannot_follow_gives_none(pattern):
    assert example_matching(pattern, "", 0, None) is None


def test_a_huge_repeat_gives_none_without_building_the_string():
    started = time.monotonic()
    assert example_matching("^a{1000000000}$", "", 0, None) is None
    assert example_matching("^(?:ab{99999}){99999}$", "", 0, None) is None
    assert time.monotonic() - started < 1
