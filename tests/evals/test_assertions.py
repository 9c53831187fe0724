"""promptfoo's checks, with its names and meanings: each passes, fails, and negates."""

import pytest

from playground.evals.assertions import (
    ASSERTION_TYPES,
    Answer,
    AssertionInvalid,
    AssertionResult,
    assertion_check,
    assertion_for_row,
    assertion_parse,
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


def call(name: str, arguments: str) -> dict:
    return {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}


class FakeGrader:
    def __init__(self, similarity: float = 0.9, rubric=(True, 1.0, "meets it")):
        self.score, self.verdict, self.asked = similarity, rubric, []

    async def similarity(self, assertion, expected, output):
        self.asked.append((expected, output))
        return self.score

    async def rubric(self, assertion, output):
        self.asked.append((assertion.value, output))
        return self.verdict


class DownGrader:
    async def similarity(self, assertion, expected, output):
        raise RuntimeError("the embeddings provider answered 503")

    async def rubric(self, assertion, output):
        raise RuntimeError("the grader answered 503")


async def check(data: dict, answer: Answer | str, grader=None) -> AssertionResult:
    if isinstance(answer, str):
        answer = Answer(output=answer)
    return await assertion_check(assertion_parse(data, "a"), answer, grader)


# Each type: (check, an answer that passes, an answer that fails).
CASES = [
    ({"type": "equals", "value": "Oslo"}, "Oslo", "Oslo."),
    ({"type": "equals", "value": 42}, "42", "42.0"),
    ({"type": "equals", "value": {"a": [1, 2]}}, '{ "a": [1, 2] }', '{"a": [2, 1]}'),
    ({"type": "contains", "value": "Oslo"}, "It is Oslo.", "It is oslo."),
    ({"type": "icontains", "value": "OSLO"}, "it is oslo", "it is Bergen"),
    ({"type": "contains-any", "value": ["Oslo", "Bergen"]}, "Bergen!", "Trondheim"),
    ({"type": "contains-any", "value": "Oslo, Bergen"}, "Oslo", "Stavanger"),
    ({"type": "contains-all", "value": ["Oslo", "Bergen"]}, "Oslo and Bergen", "Oslo only"),
    ({"type": "icontains-any", "value": ["OSLO"]}, "oslo", "bergen"),
    ({"type": "icontains-all", "value": "oslo, BERGEN"}, "Oslo, Bergen", "Oslo"),
    ({"type": "starts-with", "value": "Yes"}, "Yes, it is.", "Well, yes."),
    ({"type": "regex", "value": r"^\d{4}-\d{2}$"}, "2026-12", "Dec 2026"),
    ({"type": "is-json"}, ' {"a": 1} ', "{a: 1}"),
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
]


@pytest.mark.parametrize(("data", "passing", "failing"), CASES)
async def test_each_text_check_passes_and_fails_as_promptfoo_means(data, passing, failing):
    passed = await check(data, passing)
    assert passed.passed and passed.score == 1.0, passed.reason
    failed = await check(data, failing)
    assert not failed.passed and failed.score == 0.0
    assert failed.reason


@pytest.mark.parametrize(("data", "passing", "failing"), CASES)
async def test_not_inverts_each_check(data, passing, failing):
    negated = {**data, "type": "not-" + data["type"]}
    assert not (await check(negated, passing)).passed
    result = await check(negated, failing)
    assert result.passed and result.score == 1.0 and result.type == negated["type"]
    assert result.reason.startswith("the opposite was expected")


async def test_a_failing_contains_says_what_was_looked_for_and_found():
    result = await check({"type": "contains", "value": "Oslo"}, "It is Bergen")
    assert result.reason == "'Oslo' not found in 'It is Bergen'"


async def test_a_failing_contains_all_names_what_is_missing():
    result = await check({"type": "contains-all", "value": ["a", "b", "c"]}, "a")
    assert result.reason == "missing ['b', 'c']"


async def test_a_schema_failure_names_the_path_and_the_problem():
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    result = await check({"type": "is-json", "value": schema}, '{"n": "three"}')
    assert "at n: 'three' is not of type 'integer'" in result.reason


async def test_tool_calls_pass_when_named_and_valid_against_the_parameters():
    good = Answer(output="", tool_calls=[call("weather", '{"city": "Oslo"}')], tools=[WEATHER_TOOL])
    assert (await check({"type": "is-valid-openai-tools-call"}, good)).passed


@pytest.mark.parametrize(
    ("calls", "reason"),
    [
        ([], "the answer called no tool"),
        ([call("stocks", "{}")], "called 'stocks', which the request's tools do not declare"),
        ([call("weather", "{city")], "weather: the arguments are not JSON"),
        ([call("weather", '{"town": "Oslo"}')], "'city' is a required property"),
    ],
)
async def test_tool_calls_fail_saying_why(calls, reason):
    answer = Answer(output="", tool_calls=calls, tools=[WEATHER_TOOL])
    result = await check({"type": "is-valid-openai-tools-call"}, answer)
    assert not result.passed and reason in result.reason
    assert (await check({"type": "not-is-valid-openai-tools-call"}, answer)).passed


async def test_latency_passes_at_or_under_the_threshold_in_milliseconds():
    assert (await check({"type": "latency", "threshold": 500}, Answer("x", latency_ms=500))).passed
    slow = await check({"type": "latency", "threshold": 500}, Answer("x", latency_ms=501))
    assert not slow.passed and slow.reason == "501 ms > 500 ms"
    assert (
        await check({"type": "not-latency", "threshold": 500}, Answer("x", latency_ms=900))
    ).passed


async def test_cost_passes_at_or_under_the_threshold_and_fails_when_unknown():
    assert (await check({"type": "cost", "threshold": 0.01}, Answer("x", cost_usd=0.002))).passed
    assert not (
        await check({"type": "cost", "threshold": 0.001}, Answer("x", cost_usd=0.002))
    ).passed
    unknown = await check({"type": "cost", "threshold": 1}, Answer("x"))
    assert not unknown.passed and unknown.reason == "cost unknown (no price for this model)"


async def test_similar_compares_the_similarity_with_the_threshold():
    grader = FakeGrader(similarity=0.8)
    result = await check(
        {"type": "similar", "value": "Oslo is the capital"}, "The capital: Oslo", grader
    )
    assert result.passed and result.score == 0.8 and result.reason == "similarity 0.800 ≥ 0.75"
    assert grader.asked == [("Oslo is the capital", "The capital: Oslo")]
    strict = await check({"type": "similar", "value": "x", "threshold": 0.9}, "y", grader)
    assert not strict.passed
    negated = await check({"type": "not-similar", "value": "x", "threshold": 0.9}, "y", grader)
    assert negated.passed and negated.score == pytest.approx(0.2)


async def test_similar_with_several_values_takes_the_best():
    class Best(FakeGrader):
        async def similarity(self, assertion, expected, output):
            return {"a": 0.1, "b": 0.95}[expected]

    assert (await check({"type": "similar", "value": ["a", "b"]}, "z", Best())).score == 0.95


async def test_llm_rubric_takes_the_graders_verdict():
    grader = FakeGrader(rubric=(False, 0.2, "It is rude."))
    result = await check({"type": "llm-rubric", "value": "Is polite"}, "Go away", grader)
    assert not result.passed and result.score == 0.2 and result.reason == "It is rude."
    assert grader.asked == [("Is polite", "Go away")]
    assert (await check({"type": "not-llm-rubric", "value": "Is polite"}, "Go away", grader)).passed


@pytest.mark.parametrize(
    "data", [{"type": "similar", "value": "x"}, {"type": "llm-rubric", "value": "polite"}]
)
async def test_a_grader_that_fails_fails_the_check_with_its_words(data):
    result = await check(data, "answer", DownGrader())
    assert not result.passed and "answered 503" in result.reason
    assert not (await check({**data, "type": "not-" + data["type"]}, "x", DownGrader())).passed


async def test_without_a_grader_the_model_checks_fail_saying_so():
    result = await check({"type": "llm-rubric", "value": "polite"}, "answer")
    assert not result.passed and "no grading model" in result.reason


# --- Refusals, before anything is sent ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"type": "contain", "value": "x"}, "a.type", "'contain' is not a known check"),
        ({"type": "regex", "value": "(unclosed"}, "a.value", "missing ), unterminated subpattern"),
        ({"type": "is-json", "value": {"type": "objekt"}}, "a.value", "is not a valid JSON Schema"),
        ({"type": "is-json", "value": "{not json"}, "a.value", "must be a JSON Schema"),
        ({"type": "latency"}, "a.threshold", "is required"),
        ({"type": "cost", "threshold": -1}, "a.threshold", "must be 0 or more"),
        ({"type": "contains", "value": "x", "weight": -2}, "a.weight", "must be 0 or more"),
        ({"type": "contains", "value": "x", "weight": "heavy"}, "a.weight", "must be a number"),
        ({"type": "contains", "value": ["x"]}, "a.value", "must be text"),
        ({"type": "contains-any", "value": {"x": 1}}, "a.value", "must be a list of texts"),
        ({"type": "similar", "value": "x", "threshold": 3}, "a.threshold", "from 0 to 1"),
        ({"type": "llm-rubric", "value": ""}, "a.value", "must be the rubric"),
        ({"type": "equals"}, "a.value", "is required"),
        ({"type": "contains", "value": "x", "valu": 1}, "a", "has unknown keys valu"),
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


def test_a_check_that_is_not_an_object_is_refused():
    with pytest.raises(AssertionInvalid) as invalid:
        assertion_parse("contains", "a")
    assert invalid.value.errors == {"a": "must be an object {type, value?, threshold?, weight?}"}


# --- Scoring --------------------------------------------------------------------------------


def result(passed: bool, weight: float = 1.0, score: float | None = None) -> AssertionResult:
    return AssertionResult("t", passed, float(passed) if score is None else score, "", weight)


def test_a_cell_passes_only_when_every_counted_check_passes():
    assert verdict([result(True), result(True)]).passed
    assert not verdict([result(True), result(False)]).passed


def test_the_score_is_the_weighted_mean_and_weight_zero_only_reports():
    scored = verdict([result(True, 3), result(False, 1), result(False, 0)])
    assert scored.passed is False and scored.score == pytest.approx(0.75)
    assert verdict([result(True), result(False, 0)]) == verdict([result(True)])


def test_no_checks_pass_with_a_full_score():
    assert verdict([]).passed and verdict([]).score == 1.0


def test_json_is_found_inside_text_and_fences():
    assert json_values_in('a {"x": 1} b [2] c') == [{"x": 1}, [2]]
    assert json_values_in('```json\n{"y": 2}\n```') == [{"y": 2}, {"y": 2}]


async def test_a_checks_value_is_filled_with_the_rows_variables():
    checked = assertion_for_row(
        assertion_parse({"type": "icontains-any", "value": ["{{capital}}", "{{ other }}"]}, "a"),
        {"capital": "Oslo"},
    )
    assert checked.value == ["Oslo", "{{ other }}"]  # a name the row lacks stays as written
    result = await assertion_check(checked, Answer(output="oslo it is"))
    assert result.passed
    regex = assertion_for_row(assertion_parse({"type": "regex", "value": r"^\{{2}$"}, "a"), {})
    assert regex.value == r"^\{{2}$"
