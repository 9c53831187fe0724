"""Values that satisfy a JSON schema, for the offline model's tool arguments and JSON replies."""

from playground.providers.schema_example import example_for


def test_a_string_with_a_pattern_matches_it():
    schema = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"}
    assert example_for(schema, "Weather in Paris") == "AAA-00"


def test_a_pattern_it_cannot_follow_gets_the_hint_word_as_other_strings_do():
    schema = {"type": "string", "pattern": r"^(\w)\1$", "minLength": 7}
    assert example_for(schema, "Weather in Paris") == "Parisxx"
