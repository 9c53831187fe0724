"""The offline moderation model flags each category's words, hyphenated words included."""

import pytest

from playground.providers.offline_answers import MODERATION_WORDS, moderation_result


@pytest.mark.parametrize(
    ("category", "word"),
    [(category, word) for category, words in MODERATION_WORDS.items() for word in words],
)
def test_every_listed_word_flags_its_category(category, word):
    verdict = moderation_result(f"Some text about {word} here.")

    assert verdict["categories"][category], (category, word)
    assert verdict["flagged"]
