"""Template variables: ``{{name}}`` in a request's texts, filled from its ``variables``.

The request keeps the template and the values (presets, runs, the editor); the body sent
upstream is filled at the last step, in ``spec.upstream_body``. Which body keys hold
texts is the mode registry's ``template_keys``: messages (a string content or the text
parts), a completion's prompt and suffix, an embedding or moderation input.

Names are letters of any script, digits, ``_``, ``-`` and ``.`` (as promptfoo's ``vars``), spaces
inside the braces are allowed: ``{{ city }}``. A backslash before the braces writes them
literally: ``\\{{name}}`` sends ``{{name}}`` and is no variable. A name with no value
refuses the run, naming it; a value that is not text is refused too (``variables`` is
an object of strings).
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

# A name: letters of any script (城市 as well as city), digits, "_", "-" and ".", not
# starting with a digit, "-" or "."; what promptfoo's vars use, and nothing HTML escapes.
NAME = r"[^\W\d][\w.-]{0,63}"
# The escape first, so that "\{{x}}" is consumed whole and never read as a variable.
_TOKEN = re.compile(r"\\(\{\{)|\{\{\s*(" + NAME + r")\s*\}\}")
NAME_PATTERN = re.compile(NAME + r"\Z")


class MissingVariables(ValueError):
    """Names used in the texts that ``variables`` gives no value."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def names_in_text(text: str) -> list[str]:
    """The variable names ``text`` uses, first use first, each once."""
    names: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if match.group(2):
            names[match.group(2)] = None
    return list(names)


def fill_text(text: str, variables: dict[str, str]) -> str:
    """``text`` with each ``{{name}}`` replaced and each ``\\{{`` made a literal ``{{``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        return variables[match.group(2)]

    return _TOKEN.sub(replace, text)


def fill_known(text: str, variables: dict[str, str]) -> str:
    """``text`` with the names ``variables`` has filled, any other left as written (a
    check's value: ``{{capital}}`` is the row's, ``{{ "{{" }}`` in a regex is not)."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        return variables.get(match.group(2), match.group(0))

    return _TOKEN.sub(replace, text)


def body_texts(body: dict[str, Any], keys: Iterable[str]) -> list[str]:
    """Every text of the body's template keys (message contents, prompt, input)."""
    texts: list[str] = []

    def collect(text: str) -> str:
        texts.append(text)
        return text

    _map_texts(dict(body), keys, collect)  # a copy: mapping writes the (same) texts back
    return texts


def body_names(body: dict[str, Any], keys: Iterable[str]) -> list[str]:
    """The variable names the body's texts use, first use first, each once."""
    names: dict[str, None] = {}
    for text in body_texts(body, keys):
        names.update(dict.fromkeys(names_in_text(text)))
    return list(names)


def fill_body(
    body: dict[str, Any], keys: Iterable[str], variables: dict[str, str]
) -> dict[str, Any]:
    """A copy of ``body`` with its template keys' texts filled; MissingVariables names
    every variable without a value (all of them, not the first)."""
    keys = tuple(keys)
    missing = [name for name in body_names(body, keys) if name not in variables]
    if missing:
        raise MissingVariables(missing)
    filled = dict(body)
    _map_texts(filled, keys, lambda text: fill_text(text, variables))
    return filled


def _map_texts(body: dict[str, Any], keys: Iterable[str], change: Callable[[str], str]) -> None:
    """Replace, in place at the top level (copies below it), each text under ``keys``."""
    for key in keys:
        if key in body:
            body[key] = _map_value(body[key], change, key == "messages")


def _map_value(value: Any, change: Callable[[str], str], messages: bool) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_value(item, change, messages) for item in value]
    if isinstance(value, dict):
        if messages and "content" in value:  # a message: only its content is a template
            return {**value, "content": _map_value(value["content"], change, False)}
        if value.get("type") == "text" and isinstance(value.get("text"), str):
            return {**value, "text": change(value["text"])}  # a content part
    return value  # token ids, an image part, a tool call: not texts
