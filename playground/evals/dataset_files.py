"""Dataset files: CSV and JSONL in, rows of variables (plus expected output and notes) out.

A row is ``{"vars": {name: text}, "expected": text, "notes": text}``. The shapes follow
promptfoo's test files, so a team can bring theirs:

- CSV: the header names the variables; the columns ``__expected`` and ``__notes`` (or
  ``__description``) are the row's expected output and notes, not variables.
- JSONL: one JSON object per line, either ``{"vars": {...}, "expected"?, "notes"?}`` or a
  flat object of variables (``__expected`` and ``__notes`` read as in CSV).

A file is refused as a whole, naming the line (and the column where there is one) of
every problem found, up to ``MAX_PROBLEMS``: nothing half-imported.
"""

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from playground.variables import NAME_PATTERN

# Limits (docs/usage.md, "Datasets"): enough for an evaluation that a team runs by hand
# or in CI; a bigger table belongs in several datasets.
MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 100
MAX_VALUE_CHARS = 100_000
MAX_PROBLEMS = 10

EXPECTED_COLUMN = "__expected"
NOTES_COLUMNS = ("__notes", "__description")


class DatasetInvalid(ValueError):
    """``problems``: where (``line 3, column "city"``) to what is wrong, in file order."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class FileFormat:
    name: str
    suffixes: tuple[str, ...]


FORMATS = (FileFormat("csv", (".csv",)), FileFormat("jsonl", (".jsonl", ".ndjson")))


def format_for(filename: str) -> str | None:
    """``csv`` or ``jsonl`` from a file name's suffix; None when it is neither."""
    lowered = filename.lower()
    return next((f.name for f in FORMATS if lowered.endswith(f.suffixes)), None)


def dataset_parse(data: bytes | str, file_format: str) -> list[dict[str, Any]]:
    """The rows of a CSV or JSONL file; DatasetInvalid names each bad line and column."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise DatasetInvalid({"file": f"is {len(data):,} bytes (at most {MAX_BYTES:,})"})
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DatasetInvalid(
                {"file": f"is not UTF-8 text (byte {error.start + 1} cannot be read)"}
            ) from None
    else:
        text = data.removeprefix("\ufeff")
        if len(text.encode()) > MAX_BYTES:
            raise DatasetInvalid({"file": f"is over {MAX_BYTES:,} bytes"})
    if file_format == "csv":
        rows = _csv_rows(text)
    elif file_format == "jsonl":
        rows = _jsonl_rows(text)
    else:
        raise DatasetInvalid({"file": "must be CSV (.csv) or JSONL (.jsonl)"})
    if not rows:
        raise DatasetInvalid({"file": "has no rows (a dataset needs at least one)"})
    if len(rows) > MAX_ROWS:
        raise DatasetInvalid({"file": f"has {len(rows):,} rows (at most {MAX_ROWS:,})"})
    return rows


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: dict[str, str] = {}
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DatasetInvalid({"line 1": f"is not CSV ({error})"}) from None
    if not header or not any(cell.strip() for cell in header):
        raise DatasetInvalid({"line 1": "must be a header naming the variables"})
    names = [cell.strip() for cell in header]
    for number, name in enumerate(names, 1):
        problem = _column_problem(name, names[: number - 1])
        if problem:
            problems[f'line 1, column {number} "{name}"'] = problem
    if len(names) > MAX_COLUMNS:
        problems["line 1"] = f"has {len(names)} columns (at most {MAX_COLUMNS})"
    _raise_if(problems)
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) != len(names):
                problems[f"line {line}"] = (
                    f"has {len(cells)} columns where the header has {len(names)}"
                )
            else:
                values = dict(zip(names, cells, strict=True))
                problems.update(_value_problems(values, f"line {line}"))
                rows.append(_row(values))
            if len(problems) >= MAX_PROBLEMS or len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        problems[f"line {reader.line_num}"] = f"is not CSV ({error})"
    _raise_if(problems)
    return rows


def _jsonl_rows(text: str) -> list[dict[str, Any]]:
    rows, problems = [], {}
    for line, content in enumerate(text.splitlines(), 1):
        if not content.strip():
            continue
        try:
            value = json.loads(content)
        except json.JSONDecodeError as error:
            problems[f"line {line}, column {error.colno}"] = f"is not JSON ({error.msg})"
            continue
        if not isinstance(value, dict):
            problems[f"line {line}"] = "must be a JSON object of variables"
            continue
        if isinstance(value.get("vars"), dict):
            values = {
                **{str(k): v for k, v in value["vars"].items()},
                EXPECTED_COLUMN: value.get("expected", ""),
                NOTES_COLUMNS[0]: value.get("notes", value.get("description", "")),
            }
        else:
            values = {str(k): v for k, v in value.items()}
        where = f"line {line}"
        for name in values:
            problem = _column_problem(name, [])
            if problem:
                problems[f'{where}, key "{name}"'] = problem
        problems.update(_value_problems(values, where))
        rows.append(_row({k: _as_text(v) for k, v in values.items()}))
        if len(problems) >= MAX_PROBLEMS or len(rows) > MAX_ROWS:
            break
    _raise_if(problems)
    return rows


def _column_problem(name: str, before: list[str]) -> str:
    if name == EXPECTED_COLUMN or name in NOTES_COLUMNS:
        return ""
    if not name:
        return "has no name (every column names a variable)"
    if not NAME_PATTERN.match(name):
        return "is not a variable name (letters, digits, _, - and ., not starting with a digit)"
    if name in before:
        return "names a variable twice"
    return ""


def _value_problems(values: dict[str, Any], where: str) -> dict[str, str]:
    problems = {}
    for name, value in values.items():
        if isinstance(value, (dict, list)) and name not in (EXPECTED_COLUMN, *NOTES_COLUMNS):
            problems[f'{where}, column "{name}"'] = "must be text or a number, not an object"
        elif len(_as_text(value)) > MAX_VALUE_CHARS:
            problems[f'{where}, column "{name}"'] = (
                f"is {len(_as_text(value)):,} characters (at most {MAX_VALUE_CHARS:,})"
            )
    return problems


def _row(values: dict[str, Any]) -> dict[str, Any]:
    notes = next((values[c] for c in NOTES_COLUMNS if values.get(c)), "")
    return {
        "vars": {
            k: v for k, v in values.items() if k != EXPECTED_COLUMN and k not in NOTES_COLUMNS
        },
        "expected": _as_text(values.get(EXPECTED_COLUMN, "")),
        "notes": _as_text(notes),
    }


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _raise_if(problems: dict[str, str]) -> None:
    if problems:
        raise DatasetInvalid(dict(list(problems.items())[:MAX_PROBLEMS]))


def dataset_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as the CSV this module reads back (variables, then __expected and __notes)."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row["vars"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, EXPECTED_COLUMN, NOTES_COLUMNS[0]])
    for row in rows:
        writer.writerow([*(row["vars"].get(n, "") for n in names), row["expected"], row["notes"]])
    return out.getvalue()
