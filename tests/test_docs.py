"""The docs that repeat the code are checked against it, so that they cannot drift.

- Parameter ranges in docs/usage.md, written `name` (low–high), are the bounds of the
  request body models (playground/bodies.py, one per mode of the registry), and every bounded parameter has one.
- The README's environment table lists exactly the variables playground/settings.py
  reads, with the defaults it uses; no other module reads the environment.
"""

import ast
import re
from pathlib import Path
from typing import Any

import annotated_types
import pytest

from playground.modes import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
USAGE = (ROOT / "docs" / "usage.md").read_text()
README = (ROOT / "README.md").read_text()
SETTINGS = ROOT / "playground" / "settings.py"

# A bound that is only the size of a 64-bit integer (``seed``) is not a documented range.
INT64 = (-(2**63), 2**63 - 1)

NUMBER = r"[−-]?\d+(?:\.\d+)?"
# One name, or several sharing a range: `presence_penalty` and `frequency_penalty` (−2…2).
NAMES = r"`[a-z_]+`(?:\s+and\s+`[a-z_]+`)*"
DOCUMENTED_RANGE = re.compile(
    rf"(?P<names>{NAMES})\s+\(?(?P<low>{NUMBER})\s*(?:–|…|\.\.\.?)\s*(?P<high>{NUMBER})\b"
)
DOCUMENTED_LENGTH = re.compile(r"`(?P<name>[a-z_]+)`\s+\(up to (?P<length>\d+) characters")


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def documented_ranges(text: str) -> set[tuple[str, float, float]]:
    """Every (name, low, high) the text gives as `name` (low–high) or `name` low–high."""
    found = set()
    for match in DOCUMENTED_RANGE.finditer(text):
        for name in re.findall(r"`([a-z_]+)`", match["names"]):
            found.add((name, _number(match["low"]), _number(match["high"])))
    return found


def _bounds(field: Any) -> tuple[float | None, float | None, int | None]:
    low = high = length = None
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = rule.ge
        elif isinstance(rule, annotated_types.Le):
            high = rule.le
        elif isinstance(rule, annotated_types.MaxLen):
            length = rule.max_length
    return low, high, length


def spec_ranges() -> dict[tuple[str, float, float], list[str]]:
    """Each (name, low, high) that a body model bounds, with the modes that use it."""
    ranges: dict[tuple[str, float, float], list[str]] = {}
    for mode, record in REGISTRY.items():
        for name, field in record.body_model.model_fields.items():
            low, high, _ = _bounds(field)
            if low is not None and high is not None and (low, high) != INT64:
                ranges.setdefault((name, float(low), float(high)), []).append(mode)
    return ranges


def spec_lengths() -> dict[str, set[int]]:
    lengths: dict[str, set[int]] = {}
    for record in REGISTRY.values():
        for name, field in record.body_model.model_fields.items():
            _, _, length = _bounds(field)
            if length is not None:
                lengths.setdefault(name, set()).add(length)
    return lengths


def test_every_range_the_usage_guide_gives_is_the_one_the_request_is_checked_against() -> None:
    wrong = sorted(documented_ranges(USAGE) - set(spec_ranges()))
    assert wrong == [], "docs/usage.md gives ranges that no body model in playground/bodies.py has"


def test_every_bounded_parameter_has_its_range_in_the_usage_guide() -> None:
    missing = {
        f"`{name}` ({low:g}–{high:g}) in {', '.join(modes)}"
        for (name, low, high), modes in spec_ranges().items()
        if (name, low, high) not in documented_ranges(USAGE)
    }
    assert missing == set(), "docs/usage.md does not give these ranges"


def test_every_text_length_the_usage_guide_gives_is_the_checked_one() -> None:
    lengths = spec_lengths()
    wrong = [
        (match["name"], int(match["length"]))
        for match in DOCUMENTED_LENGTH.finditer(USAGE)
        if int(match["length"]) not in lengths.get(match["name"], set())
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("`temperature`\n   (0–2), `n` (1–128, each", {("temperature", 0, 2), ("n", 1, 128)}),
        (
            "`presence_penalty` and\n   `frequency_penalty` (−2…2)",
            {("presence_penalty", -2, 2), ("frequency_penalty", -2, 2)},
        ),
        ("`logprobs` with `top_logprobs` (0–20)", {("top_logprobs", 0, 20)}),
        ("or `logprobs` 0–5 (legacy completions)", {("logprobs", 0, 5)}),
        ("`logit_bias` (JSON, token id → −100…100)", set()),
    ],
)
def test_ranges_are_read_as_the_guide_writes_them(
    text: str, ranges: set[tuple[str, float, float]]
) -> None:
    assert documented_ranges(text) == ranges


# --- The README's environment table --------------------------------------------------------

ENV_READERS = {"str", "bool", "int", "float", "list", "db", "url", "json", "path"}


def settings_variables() -> dict[str, list[Any]]:
    """Each variable settings.py reads through ``env.<kind>("NAME", default=…)``, with the
    defaults of its reads (``None`` for a default that is not a plain value)."""
    variables: dict[str, list[Any]] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.func.attr in ENV_READERS
        ):
            continue
        name = ast.literal_eval(node.args[0])
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        try:
            value = ast.literal_eval(default) if default is not None else None
        except ValueError:  # computed from other settings (a path, a URL)
            value = None
        variables.setdefault(name, []).append(value)
    return variables


def readme_table() -> dict[str, str]:
    """Each variable of the README's environment table with its default as written."""
    rows = re.findall(r"^\| (`[A-Z_]+`.*?) \| (.*?) \| .* \|$", README, re.M)
    table = {}
    for names_cell, defaults_cell in rows:
        names = re.findall(r"`([A-Z_]+)`", names_cell)
        defaults = [part.strip() for part in defaults_cell.split(", ")]
        for index, name in enumerate(names):
            table[name] = defaults[index] if len(defaults) == len(names) else defaults_cell
    return table


def _as_written(value: Any) -> str | None:
    """How the README writes a default value, or None when it describes it in words."""
    if value in (None, "", []):
        return None  # "unset", "empty": said in words
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    if isinstance(value, list):
        return f"`{','.join(value)}`"
    return f"`{value}`"


def test_the_readme_lists_every_environment_variable_the_settings_read() -> None:
    read, listed = set(settings_variables()), set(readme_table())
    assert {"not in the README": read - listed, "read nowhere": listed - read} == {
        "not in the README": set(),
        "read nowhere": set(),
    }


def test_each_variable_is_read_with_one_default() -> None:
    several = {
        name: reads
        for name, reads in settings_variables().items()
        if len(set(map(repr, reads))) > 1
    }
    assert several == {}


def test_the_readme_gives_the_defaults_the_settings_use() -> None:
    table = readme_table()
    wrong = {
        name: (table.get(name), _as_written(reads[0]))
        for name, reads in settings_variables().items()
        if _as_written(reads[0]) is not None and table.get(name) != _as_written(reads[0])
    }
    assert wrong == {}, "README.md default (as written, as the settings have it)"


def test_only_the_settings_read_the_environment() -> None:
    readers = []
    for path in sorted((ROOT / "playground").rglob("*.py")):
        if path == SETTINGS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            reads_os = (
                isinstance(node, ast.Attribute)
                and node.attr in {"environ", "getenv"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            )
            if reads_os or (isinstance(node, ast.Name) and node.id == "environ"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # asgi.py only names the settings module, as Django's own template does.
    assert readers == ["playground/asgi.py:7"]


def test_the_usage_guide_gives_the_history_and_import_limits_the_settings_use() -> None:
    default = {name: values[0] for name, values in settings_variables().items()}
    text = " ".join(USAGE.split())
    assert f"{default['PLAYGROUND_HISTORY_PAGE_SIZE']} to a page" in text
    presets, versions = (
        default["PLAYGROUND_IMPORT_MAX_PRESETS"],
        default["PLAYGROUND_IMPORT_MAX_VERSIONS"],
    )
    megabytes = default["PLAYGROUND_IMPORT_MAX_BYTES"] / 2**20
    assert f"at most {presets} presets, {versions} versions in all and {megabytes:g} MB" in text


def test_docker_commands_that_ask_questions_run_with_a_terminal() -> None:
    # createsuperuser asks for a name and a password: without -it, docker gives it no tty.
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    asking = [
        line
        for line in text.splitlines()
        if line.startswith("docker run") and "createsuperuser" in line
    ]
    assert asking and all(" -it " in line for line in asking)
