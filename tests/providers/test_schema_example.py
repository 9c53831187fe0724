"""Values that satisfy a JSON schema, for the offline model's tool arguments and JSON
replies: always valid, and plausible for what each field is called."""

import datetime
import re

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.providers.schema_example import example_for

# The formats of the draft the schemas are written in (2020-12), as the offline model checks.
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def valid(value, schema) -> bool:
    return jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).is_valid(value)


def test_a_string_with_a_pattern_matches_it():
    schema = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"}
    assert example_for(schema, "Weather in Paris") == "AAA-00"


def test_a_pattern_it_cannot_follow_gets_the_prompts_text_as_other_strings_do():
    schema = {"type": "string", "pattern": r"^(\w)\1$", "minLength": 7}
    assert example_for(schema, "Weather in Paris") == "Weather in Paris"


def test_the_person_the_prompt_names_fills_name_and_a_plausible_birth_year():
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "born": {"type": "integer"}},
        "required": ["name", "born"],
    }
    assert example_for(schema, "Tell me about Ada Lovelace") == {
        "name": "Ada Lovelace",
        "born": 1815,
    }


PERSON = {
    "type": "object",
    "properties": {
        "full_name": {"type": "string", "maxLength": 40},
        "email": {"type": "string", "format": "email"},
        "birthDate": {"type": "string", "format": "date"},
        "year": {"type": "integer", "minimum": 1000, "maximum": 2100},
        "age": {"type": "integer", "minimum": 0, "maximum": 130},
        "city": {"type": "string"},
        "country": {"type": "string"},
        "website": {"type": "string", "format": "uri"},
        "id": {"type": "string", "format": "uuid"},
        "occupation": {"type": "string"},
        "rating": {"type": "number", "minimum": 0, "maximum": 5},
        "score": {"type": "integer", "minimum": 0, "maximum": 10, "multipleOf": 2},
        "price": {"type": "number", "exclusiveMinimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": True},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "summary": {"type": "string", "minLength": 20, "maxLength": 200},
        "code": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}$"},
    },
    "required": ["full_name", "email", "birthDate", "year", "age", "city", "tags"],
    "additionalProperties": False,
}


def test_named_fields_look_like_what_they_are_called():
    value = example_for(PERSON, "Write a profile of Ada Lovelace, temperatures in fahrenheit")

    assert valid(value, PERSON)
    assert value["full_name"] == "Ada Lovelace"
    assert value["email"] == "ada.lovelace@example.com"
    assert value["birthDate"] == "1815-12-10"
    assert datetime.date.fromisoformat(value["birthDate"])
    assert value["year"] == 1815 and value["age"] == 36
    assert value["city"] == "London" and value["country"] == "British"
    assert value["website"] == "https://en.wikipedia.org/wiki/Ada_Lovelace"
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value["id"]
    )
    assert value["occupation"] == "mathematician"
    assert value["rating"] == 4.5 and value["score"] == 10 and value["price"] == 19.99
    assert len(set(value["tags"])) == 3 and "lovelace" in value["tags"]
    assert value["unit"] == "fahrenheit"  # the choice the prompt names
    assert "Ada Lovelace" in value["summary"] and "1815" in value["summary"]
    assert re.fullmatch(r"[A-Z]{2}-[0-9]{4}", value["code"])


def test_someone_unknown_still_gets_values_of_the_right_kind():
    value = example_for(PERSON, "Create a customer record")

    assert valid(value, PERSON)
    assert 1900 <= value["year"] <= 2100 and 0 < value["age"] < 100
    assert re.fullmatch(r"[\w.]+@example\.com", value["email"])
    assert value["city"] and not value["city"][0].isdigit()


def test_a_place_the_prompt_names_fills_the_city_and_its_country():
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    }
    assert example_for(schema, "What is the weather in Paris tomorrow?") == {
        "city": "Paris",
        "country": "France",
    }
    assert example_for(schema, "北京明天的天气怎么样？") == {"city": "北京", "country": "中国"}


def test_numbers_stay_inside_their_bounds_even_when_the_name_suggests_otherwise():
    assert example_for({"type": "integer", "maximum": 1800}) == 1
    born = {"type": "object", "properties": {"born": {"type": "integer", "maximum": 1800}}}
    assert example_for(born, "Ada Lovelace") == {"born": 1800}
    price = {
        "type": "object",
        "properties": {"price": {"type": "number", "exclusiveMaximum": 10, "multipleOf": 0.5}},
    }
    assert example_for(price)["price"] == 9.0


# --- any schema: a property-based check --------------------------------------------------

NAMES = st.sampled_from(
    "name born year email date birthday age city country price rating score tags id url "
    "website summary description title phone username first_name last_name latitude "
    "longitude created_at count colour language zone value x".split()
)
PATTERNS = st.sampled_from(
    ["^[A-Z]{3}-[0-9]{2}$", "^a+$", "[0-9]", r"^\w+@\w+\.com$", "^(ab|cd)*$"]
)
FORMATS = st.sampled_from(["date", "date-time", "time", "email", "uri", "uuid", "ipv4", "ipv6"])


@st.composite
def string_schemas(draw, patterns=True, least_max=0):
    schema = {"type": "string"}
    choice = draw(st.integers(0, 3))
    if choice == 2 and not patterns:
        choice = 3
    if choice == 1:
        schema["format"] = draw(FORMATS)
    elif choice == 2:
        schema["pattern"] = draw(PATTERNS)
    else:
        low = draw(st.integers(0, 30))
        schema["minLength"] = low
        if draw(st.booleans()):
            schema["maxLength"] = max(low + draw(st.integers(0, 30)), least_max)
    return schema


@st.composite
def number_schemas(draw):
    kind = draw(st.sampled_from(["integer", "number"]))
    schema = {"type": kind}
    low = draw(st.one_of(st.none(), st.integers(-3000, 3000)))
    span = draw(st.integers(2, 5000))
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
    if draw(st.booleans()):
        top = (low if low is not None else draw(st.integers(-3000, 3000))) + span
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = top
    if draw(st.booleans()):
        schema["multipleOf"] = draw(
            st.sampled_from([1, 2, 5, 0.5, 0.25] if kind == "number" else [1, 2, 5])
        )
        if "maximum" in schema or "exclusiveMaximum" in schema:
            key = "maximum" if "maximum" in schema else "exclusiveMaximum"
            schema[key] += 10  # room for a multiple
    return schema


LEAVES = st.one_of(
    string_schemas(),
    number_schemas(),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.lists(
        st.sampled_from(["a", "b", 3, "celsius", None]), min_size=1, max_size=4, unique=True
    ).map(lambda values: {"enum": values}),
    st.builds(lambda v: {"const": v}, st.sampled_from(["x", 1, True])),
)


def extend(children):
    def objects(draw):
        properties = draw(st.dictionaries(NAMES, children, max_size=6))
        required = (
            draw(st.lists(st.sampled_from(sorted(properties)), unique=True)) if properties else []
        )
        schema = {"type": "object", "properties": properties, "required": required}
        if draw(st.booleans()):
            schema["additionalProperties"] = False
        if draw(st.booleans()):
            schema["maxProperties"] = len(required) + draw(st.integers(0, 2))
        if draw(st.booleans()) and schema.get("additionalProperties") is not False:
            schema["minProperties"] = draw(st.integers(0, schema.get("maxProperties", 8)))
        return schema

    def arrays(draw):
        low = draw(st.integers(0, 4))
        unique = draw(st.booleans())
        # Distinct strings under a pattern are out of reach: its example is the one match.
        items = draw(
            st.one_of(
                string_schemas(patterns=False, least_max=1),
                st.just({"type": "integer", "minimum": 0}),
            )
            if unique
            else children
        )
        schema = {"type": "array", "items": items, "minItems": low, "uniqueItems": unique}
        if draw(st.booleans()):
            schema["maxItems"] = low + draw(st.integers(0, 3))
        return schema

    return st.one_of(
        st.composite(objects)(),
        st.composite(arrays)(),
        st.builds(lambda a, b: {"anyOf": [{"type": "null"}, a, b]}, children, children),
        children.map(nullable),
    )


def nullable(schema):
    """The schema with null allowed too, as structured outputs write an optional field."""
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return schema


SCHEMAS = st.recursive(LEAVES, extend, max_leaves=12)
HINTS = st.sampled_from(
    ["", "Tell me about Ada Lovelace", "Weather in Paris?", "北京明天的天气怎么样？", "list 3 tags"]
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=SCHEMAS, hint=HINTS)
def test_every_generated_schema_gets_a_value_valid_under_it(schema, hint):
    value = example_for(schema, hint)

    errors = [
        e.message
        for e in jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).iter_errors(
            value
        )
    ]
    assert not errors, (value, errors)
