"""promptfoo's checks, with its names and meanings: each passes, fails, and negates."""

from typing import Any

import pytest

from playground.evals.assertions import (
    ASSERTION_TYPES,
    Answer,
    Assertion,
    AssertionInvalid,
    AssertionResult,
    assertion_check,
    assertion_for_row,
    assertion_parse,
    cosine_similarity,
    json_values_in,
    verdict,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def call(name: str, arguments: str) -> dict[str, Any]:
    return {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}


def tools_answer(*calls: dict[str, Any]) -> Answer:
    return Answer(output="", tool_calls=list(calls), tools=[WEATHER_TOOL])


class FakeGrader:
    """Answers from a table, and remembers what it was asked."""

    def __init__(
        self,
        similarities: dict[str, float] | None = None,
        rubric: tuple[bool, float, str] = (True, 1.0, "It meets the rubric."),
    ) -> None:
        self.similarities = similarities or {}
        self.verdict = rubric
        self.asked: list[tuple[str, str]] = []

    async def similarity(self, assertion: Assertion, expected: str, output: str) -> float:
        self.asked.append((expected, output))
        return self.similarities.get(expected, 0.9)

    async def rubric(self, assertion: Assertion, output: str) -> tuple[bool, float, str]:
        self.asked.append((assertion.value, output))
        return self.verdict


class DownGrader:
    async def similarity(self, assertion: Assertion, expected: str, output: str) -> float:
        raise RuntimeError("the embeddings provider answered 503")

    async def rubric(self, assertion: Assertion, output: str) -> tuple[bool, float, str]:
        raise RuntimeError("the grading model answered 503")


async def check(data: dict[str, Any], answer: Answer | str, grader: Any = None) -> AssertionResult:
    if isinstance(answer, str):
        answer = Answer(output=answer)
    return await assertion_check(assertion_parse(data, "a"), answer, grader)


def negated(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "type": "not-" + data["type"]}


# Every type: (check, an answer that passes it, an answer that fails it).
CASES: list[tuple[dict[str, Any], Answer | str, Answer | str]] = [
    ({"type": "equals", "value": "Oslo"}, "Oslo", "Oslo."),
    ({"type": "equals", "value": 42}, "42", "42.0"),
    ({"type": "equals", "value": {"a": [1, 2]}}, '{ "a": [1, 2] }', '{"a": [2, 1]}'),
    ({"type": "contains", "value": "Oslo"}, "It is Oslo.", "It is oslo."),
    ({"type": "contains", "value": 7}, "Room 7", "Room 8"),
    ({"type": "icontains", "value": "OSLO"}, "it is oslo", "it is Bergen"),
    ({"type": "contains-any", "value": ["Oslo", "Bergen"]}, "Bergen!", "Trondheim"),
    ({"type": "contains-any", "value": "Oslo, Bergen"}, "Oslo", "Stavanger"),
    ({"type": "contains-all", "value": ["Oslo", "Bergen"]}, "Oslo and Bergen", "Oslo only"),
    ({"type": "icontains-any", "value": ["OSLO"]}, "oslo", "bergen"),
    ({"type": "icontains-all", "value": "oslo, BERGEN"}, "Oslo, Bergen", "Oslo"),
    ({"type": "starts-with", "value": "Yes"}, "Yes, it is.", "Well, yes."),
    ({"type": "regex", "value": r"^\d{4}-\d{2}$"}, "2026-12", "Dec 2026"),
    ({"type": "is-json"}, ' {"a": 1} \n', "{a: 1}"),
    (
        {"type": "is-json", "value": {"type": "object", "required": ["city"]}},
        '{"city": "Oslo"}',
        '{"town": "Oslo"}',
    ),
    ({"type": "contains-json"}, 'Here: {"a": 1} done', "no json here"),
    ({"type": "contains-json"}, "```json\n[1, 2]\n```", "[1, 2"),
    (
        {"type": "contains-json", "value": '{"type": "object", "required": ["ok"]}'},
        'a {"no": 1} b {"ok": true}',
        'a {"no": 1}',
    ),
    (
        {"type": "is-valid-openai-tools-call"},
        tools_answer(call("weather", '{"city": "Oslo"}')),
        tools_answer(),
    ),
    (
        {"type": "latency", "threshold": 500},
        Answer("x", latency_ms=500),
        Answer("x", latency_ms=501),
    ),
    ({"type": "cost", "threshold": 0.01}, Answer("x", cost_usd=0.002), Answer("x", cost_usd=0.02)),
]


def test_every_type_without_a_grader_has_a_case_here():
    graded = {"similar", "llm-rubric"}  # tested below, with a fake grader
    assert {data["type"] for data, _, _ in CASES} == set(ASSERTION_TYPES) - graded


@pytest.mark.parametrize(("data", "passing", "failing"), CASES)
async def test_each_check_passes_and_fails_as_promptfoo_means(data, passing, failing):
    passed = await check(data, passing)
    assert passed.passed and passed.score == 1.0, passed.reason
    failed = await check(data, failing)
    assert not failed.passed and failed.score == 0.0 and failed.reason


@pytest.mark.parametrize(("data", "passing", "failing"), CASES)
async def test_not_inverts_each_check(data, passing, failing):
    failed = await check(negated(data), passing)
    assert not failed.passed and failed.score == 0.0
    assert failed.reason.endswith(f"{negated(data)['type']} expects the opposite")
    passed = await check(negated(data), failing)
    assert passed.passed and passed.score == 1.0 and passed.type == negated(data)["type"]


async def test_a_failing_contains_says_what_was_looked_for_and_what_was_found():
    result = await check({"type": "contains", "value": "Lima"}, "You asked: Capital of Peru?")
    assert result.reason == "'Lima' not found in 'You asked: Capital of Peru?'"


async def test_icontains_ignores_case_by_casefolding():
    assert (await check({"type": "icontains", "value": "straße"}, "STRASSE 1")).passed


async def test_a_long_output_is_cut_short_in_the_reason():
    result = await check({"type": "contains", "value": "z"}, "a" * 5000)
    assert not result.passed and len(result.reason) < 300 and result.reason.endswith("…'")


async def test_equals_compares_numbers_as_javascript_writes_them():
    assert (await check({"type": "equals", "value": 1.0}, "1")).passed
    assert (await check({"type": "equals", "value": True}, "true")).passed


async def test_equals_with_json_compares_structure_and_fails_on_text():
    assert not (await check({"type": "equals", "value": {"ok": 1}}, '{"ok": true}')).passed
    result = await check({"type": "equals", "value": [1]}, "one")
    assert not result.passed and "not JSON" in result.reason


async def test_a_failing_contains_all_names_what_is_missing():
    result = await check({"type": "contains-all", "value": ["a", "b", "c"]}, "a")
    assert result.reason == "missing ['b', 'c']"


async def test_a_comma_separated_list_is_split_and_stripped():
    result = await check({"type": "contains-all", "value": " Oslo ,Bergen "}, "Oslo-Bergen")
    assert result.passed and result.reason == "all of ['Oslo', 'Bergen'] found"


async def test_regex_searches_anywhere_unless_anchored():
    assert (await check({"type": "regex", "value": r"\d+"}, "It is 42.")).passed


async def test_a_schema_failure_names_the_path_and_the_problem():
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    result = await check({"type": "is-json", "value": schema}, '{"n": "three"}')
    assert "at n: 'three' is not of type 'integer'" in result.reason


async def test_contains_json_with_a_schema_fails_naming_the_problem():
    schema = {"type": "object", "required": ["ok"]}
    result = await check({"type": "contains-json", "value": schema}, 'Done: {"no": 1}')
    assert not result.passed and "'ok' is a required property" in result.reason


def test_json_is_found_inside_text_and_fences():
    assert json_values_in('a {"x": 1} b [2] c {broken') == [{"x": 1}, [2]]
    assert json_values_in('Here:\n```json\n{"y": {"z": 2}}\n```') == [{"y": {"z": 2}}]


@pytest.mark.parametrize(
    ("calls", "reason"),
    [
        ([], "the answer called no tool"),
        ([call("stocks", "{}")], "called 'stocks', which the request's tools do not declare"),
        ([call("weather", "{city")], "weather: the arguments are not JSON"),
        ([call("weather", '{"town": "Oslo"}')], "'city' is a required property"),
        (
            [call("weather", '{"city": "Oslo"}'), call("weather", '{"city": 1}')],
            "1 is not of type 'string'",
        ),
    ],
)
async def test_tool_calls_fail_naming_the_call_and_the_problem(calls, reason):
    result = await check({"type": "is-valid-openai-tools-call"}, tools_answer(*calls))
    assert not result.passed and reason in result.reason


async def test_latency_unknown_fails():
    result = await check({"type": "latency", "threshold": 500}, Answer("x"))
    assert not result.passed and result.reason == "latency unknown"
    slow = await check({"type": "latency", "threshold": 500}, Answer("x", latency_ms=501))
    assert slow.reason == "501 ms > 500 ms"


async def test_cost_unknown_fails_saying_there_is_no_price():
    unknown = await check({"type": "cost", "threshold": 1}, Answer("x"))
    assert not unknown.passed and unknown.reason == "cost unknown (no price for this model)"


async def test_similar_passes_at_the_default_threshold_of_0_75():
    grader = FakeGrader({"Oslo is the capital": 0.8})
    result = await check(
        {"type": "similar", "value": "Oslo is the capital"}, "Capital: Oslo", grader
    )
    assert result.passed and result.score == 0.8 and result.reason == "similarity 0.800 ≥ 0.75"
    assert grader.asked == [("Oslo is the capital", "Capital: Oslo")]


async def test_similar_fails_under_its_threshold_and_not_similar_inverts_the_score():
    grader = FakeGrader({"x": 0.8})
    strict = await check({"type": "similar", "value": "x", "threshold": 0.9}, "y", grader)
    assert not strict.passed and strict.score == 0.8 and strict.reason == "similarity 0.800 < 0.9"
    inverse = await check({"type": "not-similar", "value": "x", "threshold": 0.9}, "y", grader)
    assert inverse.passed and inverse.score == pytest.approx(0.2)
    assert not (await check({"type": "not-similar", "value": "x"}, "y", grader)).passed


async def test_similar_with_several_values_takes_the_best():
    grader = FakeGrader({"a": 0.1, "b": 0.95})
    result = await check({"type": "similar", "value": ["a", "b"]}, "z", grader)
    assert result.passed and result.score == 0.95


async def test_llm_rubric_takes_the_graders_verdict():
    grader = FakeGrader(rubric=(False, 0.2, "It is rude."))
    result = await check({"type": "llm-rubric", "value": "Is polite"}, "Go away", grader)
    assert not result.passed and result.score == 0.2 and result.reason == "It is rude."
    assert grader.asked == [("Is polite", "Go away")]
    inverse = await check({"type": "not-llm-rubric", "value": "Is polite"}, "Go away", grader)
    assert inverse.passed and inverse.score == pytest.approx(0.8)


async def test_llm_rubric_passes_when_the_grader_says_so():
    result = await check({"type": "llm-rubric", "value": "Is polite"}, "Hello!", FakeGrader())
    assert result.passed and result.score == 1.0 and result.reason == "It meets the rubric."
    assert not (
        await check({"type": "not-llm-rubric", "value": "Is polite"}, "Hi", FakeGrader())
    ).passed


async def test_llm_rubric_with_a_threshold_needs_the_score_to_reach_it():
    grader = FakeGrader(rubric=(True, 0.6, "Mostly polite."))
    result = await check({"type": "llm-rubric", "value": "polite", "threshold": 0.8}, "Hm", grader)
    assert not result.passed and result.reason == "score 0.6 < 0.8: Mostly polite."


@pytest.mark.parametrize(
    "data", [{"type": "similar", "value": "x"}, {"type": "llm-rubric", "value": "polite"}]
)
async def test_a_grader_that_raises_fails_the_check_and_its_negation_saying_why(data):
    result = await check(data, "answer", DownGrader())
    assert not result.passed and result.score == 0.0
    assert result.reason.startswith("the grader could not be reached:") and "503" in result.reason
    assert not (await check(negated(data), "answer", DownGrader())).passed


@pytest.mark.parametrize(
    "data", [{"type": "similar", "value": "x"}, {"type": "llm-rubric", "value": "polite"}]
)
async def test_without_a_grader_the_model_checks_fail_saying_so(data):
    result = await check(data, "answer")
    assert not result.passed
    assert result.reason == "the grader could not be reached: no grader was given to ask"


async def test_a_check_built_by_hand_with_a_bad_value_fails_rather_than_raises():
    bad = Assertion(type="regex", base="regex", negate=False, value="(")
    result = await assertion_check(bad, Answer("x"))
    assert not result.passed and result.reason.startswith("could not be checked")


def test_cosine_similarity():
    assert cosine_similarity([1, 0], [1, 0]) == pytest.approx(1.0)
    assert cosine_similarity([1, 0], [0, 1]) == pytest.approx(0.0)
    assert cosine_similarity([1, 1], [-1, -1]) == pytest.approx(-1.0)
    assert cosine_similarity([0, 0], [1, 1]) == 0.0


# --- Refusals, before anything is sent -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"type": "contain", "value": "x"}, "a.type", "'contain' is not a known check"),
        ({"value": "x"}, "a.type", "None is not a known check"),
        ({"type": "regex", "value": "(unclosed"}, "a.value", "missing ), unterminated subpattern"),
        ({"type": "regex", "value": 3}, "a.value", "must be a regular expression"),
        ({"type": "is-json", "value": {"type": "objekt"}}, "a.value", "is not a valid JSON Schema"),
        ({"type": "contains-json", "value": "{not json"}, "a.value", "must be a JSON Schema"),
        ({"type": "is-json", "value": [1]}, "a.value", "must be a JSON Schema"),
        ({"type": "latency"}, "a.threshold", "is required"),
        ({"type": "cost", "value": 1}, "a.threshold", "is required"),
        ({"type": "cost", "threshold": -1}, "a.threshold", "must be 0 or more"),
        ({"type": "latency", "threshold": "fast"}, "a.threshold", "must be a number"),
        ({"type": "contains", "value": "x", "weight": -2}, "a.weight", "must be 0 or more"),
        ({"type": "contains", "value": "x", "weight": "heavy"}, "a.weight", "must be a number"),
        ({"type": "contains", "value": "x", "weight": True}, "a.weight", "must be a number"),
        ({"type": "contains", "value": ["x"]}, "a.value", "must be text"),
        ({"type": "starts-with"}, "a.value", "must be text"),
        ({"type": "contains-any", "value": {"x": 1}}, "a.value", "must be a list of texts"),
        ({"type": "icontains-all", "value": []}, "a.value", "must be a list of texts"),
        ({"type": "similar", "value": "x", "threshold": 3}, "a.threshold", "from 0 to 1"),
        ({"type": "similar"}, "a.value", "must be the expected text"),
        ({"type": "similar", "value": "x", "provider": 1}, "a.provider", "must be a name"),
        ({"type": "llm-rubric", "value": ""}, "a.value", "must be the rubric"),
        ({"type": "equals"}, "a.value", "is required"),
        ({"type": "contains", "value": "x", "valu": 1}, "a.valu", "is not a known key"),
    ],
)
def test_a_bad_check_is_refused_naming_the_field(data, field, words):
    with pytest.raises(AssertionInvalid) as invalid:
        assertion_parse(data, "a")
    assert words in invalid.value.errors[field]


def test_an_unknown_type_lists_the_allowed_ones_and_the_not_prefix():
    with pytest.raises(AssertionInvalid) as invalid:
        assertion_parse({"type": "javascript"}, "tests[0].assert[2]")
    message = invalid.value.errors["tests[0].assert[2].type"]
    assert all(name in message for name in ASSERTION_TYPES) and "not-" in message


def test_every_bad_field_is_named_at_once():
    with pytest.raises(AssertionInvalid) as invalid:
        assertion_parse({"type": "latency", "weight": -1, "extra": 1}, "tests[2].assert[0]")
    assert set(invalid.value.errors) == {
        "tests[2].assert[0].threshold",
        "tests[2].assert[0].weight",
        "tests[2].assert[0].extra",
    }
    assert "tests[2].assert[0].threshold" in str(invalid.value)


def test_a_check_that_is_not_an_object_is_refused():
    with pytest.raises(AssertionInvalid) as invalid:
        assertion_parse("contains", "a")
    assert invalid.value.errors == {"a": "must be an object {type, value?, threshold?, weight?}"}


def test_a_parsed_check_keeps_its_name_and_fills_defaults():
    parsed = assertion_parse({"type": "not-similar", "value": "x", "model": "e5"}, "a")
    assert (parsed.type, parsed.base, parsed.negate) == ("not-similar", "similar", True)
    assert (parsed.threshold, parsed.weight, parsed.model, parsed.provider) == (
        0.75,
        1.0,
        "e5",
        None,
    )
    schema = assertion_parse({"type": "is-json", "value": '{"type": "object"}', "weight": 0}, "a")
    assert schema.weight == 0.0 and not schema.negate


def test_promptfoos_metric_label_is_accepted():
    assert assertion_parse({"type": "contains", "value": "x", "metric": "accuracy"}, "a")


# --- Scoring -------------------------------------------------------------------------------


def result(passed: bool, weight: float = 1.0, score: float | None = None) -> AssertionResult:
    return AssertionResult("t", passed, float(passed) if score is None else score, "", weight)


def test_a_cell_passes_only_when_every_counted_check_passes():
    assert verdict([result(True), result(True)]).passed
    assert not verdict([result(True), result(False)]).passed


def test_the_score_is_the_weighted_mean():
    scored = verdict([result(True, 3), result(False, 1), result(True, 2, score=0.5)])
    assert scored.passed is False and scored.score == pytest.approx(4 / 6)


def test_weight_zero_only_reports():
    assert verdict([result(True), result(False, 0)]) == verdict([result(True)])


def test_no_checks_or_only_weight_zero_pass_with_a_full_score():
    assert verdict([]) == verdict([result(False, 0)])
    assert verdict([]).passed and verdict([]).score == 1.0


# --- A row's variables ---------------------------------------------------------------------


async def test_a_checks_value_is_filled_with_the_rows_variables():
    checked = assertion_for_row(
        assertion_parse({"type": "icontains-any", "value": ["{{capital}}", "{{ other }}"]}, "a"),
        {"capital": "Oslo"},
    )
    assert checked.value == ["Oslo", "{{ other }}"]  # a name the row lacks stays as written
    assert (await assertion_check(checked, Answer(output="oslo it is"))).passed
    regex = assertion_for_row(assertion_parse({"type": "regex", "value": r"^\{{2}$"}, "a"), {})
    assert regex.value == r"^\{{2}$"
