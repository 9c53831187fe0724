"""Dataset files: CSV and JSONL in promptfoo's shapes; a bad file is refused whole, naming
the line and the column of each problem."""

import pytest

from playground.evals.dataset_files import (
    MAX_ROWS,
    DatasetInvalid,
    dataset_csv,
    dataset_parse,
    format_for,
)


def test_a_csv_header_names_the_variables_and_the_special_columns():
    rows = dataset_parse(
        b"\xef\xbb\xbfcity,country,__expected,__notes\nOslo,Norway,icontains: fjord,north\n"
        b'"Rio, de Janeiro",Brazil,,\n',
        "csv",
    )
    assert rows == [
        {
            "vars": {"city": "Oslo", "country": "Norway"},
            "expected": "icontains: fjord",
            "notes": "north",
        },
        {"vars": {"city": "Rio, de Janeiro", "country": "Brazil"}, "expected": "", "notes": ""},
    ]


def test_csv_values_keep_newlines_and_chinese_text():
    rows = dataset_parse('问题,__expected\n"第一行\n第二行",北京\n', "csv")
    assert rows == [{"vars": {"问题": "第一行\n第二行"}, "expected": "北京", "notes": ""}]


def test_blank_lines_at_the_end_are_not_rows():
    assert len(dataset_parse("a\n1\n\n\n", "csv")) == 1


def test_a_row_with_the_wrong_number_of_columns_is_named_by_its_line():
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse("a,b\n1,2\n3\n4,5,6\n", "csv")
    assert invalid.value.problems == {
        "line 3": "has 1 columns where the header has 2",
        "line 4": "has 3 columns where the header has 2",
    }


def test_a_header_column_that_is_no_variable_name_is_named_with_its_position():
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse("city,my var,city\nx,y,z\n", "csv")
    problems = invalid.value.problems
    assert 'line 1, column 2 "my var"' in problems
    assert problems['line 1, column 3 "city"'] == "names a variable twice"


def test_jsonl_reads_promptfoo_tests_and_flat_objects():
    text = (
        '{"vars": {"city": "Oslo", "n": 3}, "expected": "Norway", "description": "capital"}\n'
        "\n"
        '{"city": "Lima", "__expected": "contains: Peru"}\n'
    )
    assert dataset_parse(text, "jsonl") == [
        {"vars": {"city": "Oslo", "n": "3"}, "expected": "Norway", "notes": "capital"},
        {"vars": {"city": "Lima"}, "expected": "contains: Peru", "notes": ""},
    ]


def test_a_jsonl_line_that_is_not_json_is_named_with_its_column():
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse('{"a": 1}\n{"a": }\n[1]\n', "jsonl")
    assert invalid.value.problems == {
        "line 2, column 7": "is not JSON (Expecting value)",
        "line 3": "must be a JSON object of variables",
    }


def test_a_nested_value_is_refused_naming_it():
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse('{"a": {"b": 1}}\n', "jsonl")
    assert invalid.value.problems == {
        'line 1, column "a"': "must be text or a number, not an object"
    }


@pytest.mark.parametrize("text", ["", "a,b\n", "\n\n"])
def test_a_file_with_no_rows_is_refused(text):
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse(text, "csv")
    assert next(iter(invalid.value.problems.values())) in (
        "has no rows (a dataset needs at least one)",
        "must be a header naming the variables",
    )


def test_too_many_rows_are_refused_with_the_limit():
    text = "a\n" + "x\n" * (MAX_ROWS + 1)
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse(text, "csv")
    assert f"at most {MAX_ROWS:,}" in invalid.value.problems["file"]


def test_bytes_that_are_not_utf8_are_refused_saying_where():
    with pytest.raises(DatasetInvalid) as invalid:
        dataset_parse(b"a\n\xff\n", "csv")
    assert invalid.value.problems == {"file": "is not UTF-8 text (byte 3 cannot be read)"}


def test_the_format_comes_from_the_file_name():
    assert format_for("Cities.CSV") == "csv"
    assert format_for("t.jsonl") == "jsonl" and format_for("t.ndjson") == "jsonl"
    assert format_for("t.xlsx") is None


def test_a_dataset_written_as_csv_reads_back_the_same():
    rows = [
        {"vars": {"q": 'a, "quoted"\nline'}, "expected": "x", "notes": ""},
        {"vars": {"q": "b", "extra": "1"}, "expected": "", "notes": "n"},
    ]
    again = dataset_parse(dataset_csv(rows), "csv")
    assert again[0] == {
        "vars": {"q": 'a, "quoted"\nline', "extra": ""},
        "expected": "x",
        "notes": "",
    }
    assert again[1] == rows[1]
