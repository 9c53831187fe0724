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

from django.utils.translation import gettext as _

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


def line_at(line: int) -> str:
    """Where a problem is: ``line 3`` (in the reader's language)."""
    return _("line %(line)s") % {"line": line}


def in_column(where: str, name: str) -> str:
    """``line 3, column "city"`` (or ``row 3, column "city"``)."""
    return _('%(where)s, column "%(name)s"') % {"where": where, "name": name}


def too_many_bytes(size: int) -> str:
    return _("is %(size)s bytes (at most %(limit)s)") % {
        "size": f"{size:,}",
        "limit": f"{MAX_BYTES:,}",
    }


def not_csv(error: Exception) -> str:
    # Translators: the reason in parentheses is the csv module's, in English.
    return _("is not CSV (%(reason)s)") % {"reason": error}


def not_a_variable_name() -> str:
    return _("is not a variable name (letters, digits, _, - and ., not starting with a digit)")


def format_for(filename: str) -> str | None:
    """``csv`` or ``jsonl`` from a file name's suffix; None when it is neither."""
    lowered = filename.lower()
    return next((f.name for f in FORMATS if lowered.endswith(f.suffixes)), None)


def dataset_parse(data: bytes | str, file_format: str) -> list[dict[str, Any]]:
    """The rows of a CSV or JSONL file; DatasetInvalid names each bad line and column."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise DatasetInvalid({"file": too_many_bytes(len(data))})
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DatasetInvalid(
                {
                    "file": _("is not UTF-8 text (byte %(byte)s cannot be read)")
                    % {"byte": error.start + 1}
                }
            ) from None
    else:
        text = data.removeprefix("\ufeff")
        if len(text.encode()) > MAX_BYTES:
            raise DatasetInvalid(
                {"file": _("is over %(limit)s bytes") % {"limit": f"{MAX_BYTES:,}"}}
            )
    if file_format == "csv":
        rows = _csv_rows(text)
    elif file_format == "jsonl":
        rows = _jsonl_rows(text)
    else:
        raise DatasetInvalid({"file": _("must be CSV (.csv) or JSONL (.jsonl)")})
    if not rows:
        raise DatasetInvalid({"file": _("has no rows (a dataset needs at least one)")})
    if len(rows) > MAX_ROWS:
        raise DatasetInvalid(
            {
                "file": _("has %(count)s rows (at most %(limit)s)")
                % {"count": f"{len(rows):,}", "limit": f"{MAX_ROWS:,}"}
            }
        )
    return rows


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: dict[str, str] = {}
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DatasetInvalid({line_at(1): not_csv(error)}) from None
    if not header or not any(cell.strip() for cell in header):
        raise DatasetInvalid({line_at(1): _("must be a header naming the variables")})
    names = [cell.strip() for cell in header]
    for number, name in enumerate(names, 1):
        problem = _column_problem(name, names[: number - 1])
        if problem:
            where = _('line %(line)s, column %(column)s "%(name)s"')
            problems[where % {"line": 1, "column": number, "name": name}] = problem
    if len(names) > MAX_COLUMNS:
        problems[line_at(1)] = _("has %(count)s columns (at most %(limit)s)") % {
            "count": len(names),
            "limit": MAX_COLUMNS,
        }
    _raise_if(problems)
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, as spreadsheets leave at the end
            if len(cells) != len(names):
                problems[line_at(line)] = _(
                    "has %(count)s columns where the header has %(header)s"
                ) % {"count": len(cells), "header": len(names)}
            else:
                values = dict(zip(names, cells, strict=True))
                problems.update(_value_problems(values, line_at(line)))
                rows.append(_row(values))
            if len(problems) >= MAX_PROBLEMS or len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        problems[line_at(reader.line_num)] = not_csv(error)
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
            where = _("line %(line)s, column %(column)s") % {"line": line, "column": error.colno}
            problems[where] = _("is not JSON (%(reason)s)") % {"reason": error.msg}
            continue
        if not isinstance(value, dict):
            problems[line_at(line)] = _("must be a JSON object of variables")
            continue
        if isinstance(value.get("vars"), dict):
            values = {
                **{str(k): v for k, v in value["vars"].items()},
                EXPECTED_COLUMN: value.get("expected", ""),
                NOTES_COLUMNS[0]: value.get("notes", value.get("description", "")),
            }
        else:
            values = {str(k): v for k, v in value.items()}
        where = line_at(line)
        for name in values:
            problem = _column_problem(name, [])
            if problem:
                problems[_('%(where)s, key "%(name)s"') % {"where": where, "name": name}] = problem
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
        return _("has no name (every column names a variable)")
    if not NAME_PATTERN.match(name):
        return not_a_variable_name()
    if name in before:
        return _("names a variable twice")
    return ""


def _value_problems(values: dict[str, Any], where: str) -> dict[str, str]:
    problems = {}
    for name, value in values.items():
        if isinstance(value, (dict, list)) and name not in (EXPECTED_COLUMN, *NOTES_COLUMNS):
            problems[in_column(where, name)] = _("must be text or a number, not an object")
        elif len(_as_text(value)) > MAX_VALUE_CHARS:
            problems[in_column(where, name)] = _("is %(count)s characters (at most %(limit)s)") % {
                "count": f"{len(_as_text(value)):,}",
                "limit": f"{MAX_VALUE_CHARS:,}",
            }
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
