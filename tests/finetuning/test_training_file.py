"""A training file is checked line by line before it is uploaded; each problem names its line."""

import json

import pytest

from playground.training_file import TrainingFileInvalid, training_file_check
from tests.finetuning.samples import example, training_jsonl


def problems(data: bytes) -> list[str]:
    with pytest.raises(TrainingFileInvalid) as refused:
        training_file_check(data)
    return refused.value.problems


def with_line(number: int, line: str) -> bytes:
    lines = training_jsonl(12).decode().splitlines()
    lines[number - 1] = line
    return ("\n".join(lines) + "\n").encode()


def test_a_chat_format_file_is_counted_in_examples():
    assert training_file_check(training_jsonl(12)) == 12
    # Blank lines are not examples; weights and tool calls are allowed.
    weighted = example(99)
    weighted["messages"][2]["weight"] = 0
    weighted["messages"].append(
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c", "type": "function"}]}
    )
    data = training_jsonl(10) + b"\n" + json.dumps(weighted).encode() + b"\n"
    assert training_file_check(data) == 11


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "line 7: is not JSON (one JSON object per line)"),
        ("[1, 2]", 'line 7: must be a JSON object such as {"messages": [...]}'),
        ('{"prompt": "x", "completion": "y"}', "line 7: messages must be a non-empty list"),
        (
            '{"messages": [{"role": "robot", "content": "hi"}]}',
            "line 7: messages[0]: role must be one of system, user, assistant, tool",
        ),
        (
            '{"messages": [{"role": "user", "content": "hi"}]}',
            "line 7: has no assistant message to learn from",
        ),
        (
            '{"messages": [{"role": "user"}, {"role": "assistant", "content": "a"}]}',
            "line 7: messages[0]: content is missing",
        ),
        (
            '{"messages": [{"role": "user", "content": "q", "weight": 1},'
            ' {"role": "assistant", "content": "a"}]}',
            "line 7: messages[0]: weight is only for assistant messages",
        ),
        (
            '{"messages": [{"role": "user", "content": "q"},'
            ' {"role": "assistant", "content": "a", "weight": 2}]}',
            "line 7: messages[1]: weight must be 0 or 1",
        ),
    ],
)
def test_each_bad_line_is_named_with_what_is_wrong(line, problem):
    assert problems(with_line(7, line))[0].startswith(problem)


def test_too_few_examples_or_not_text_is_refused():
    assert problems(training_jsonl(3)) == [
        "The file has 3 examples; fine-tuning needs at least 10."
    ]
    assert problems(b"\xff\xfe\x00binary") == ["The file is not UTF-8 text."]


def test_a_file_full_of_mistakes_lists_the_first_twenty():
    listed = problems(b"nope\n" * 100)
    assert len(listed) == 21
    assert listed[0].startswith("line 1:") and listed[19].startswith("line 20:")
    assert listed[20] == "(only the first 20 problems are listed)"
