"""Syntax highlighting for the export panel and for code in Markdown replies (Pygments escapes
the code it wraps).

Pygments' lexers and formatter are imported on first use: a worker that streams replies
without a fenced block never needs them (tests/test_worker_imports.py)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

# The export tabs and the Pygments lexer (its alias) that colours each.
LEXER_NAMES = {
    "python": "python",
    "node": "javascript",
    "curl": "bash",
    "json": "json",
}

# Above this size highlighting costs more than it helps (a 128 KiB document is one string).
MAX_HIGHLIGHT_CHARS = 64 * 1024


def highlighted(lang: str, code: str) -> SafeString:
    """The code as HTML spans; every character of ``code`` is escaped by Pygments."""
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return escape(code)
    return _highlight(code, _lexer_named(LEXER_NAMES[lang]))


def highlighted_as(language: str, code: str) -> SafeString:
    """Code in the language a Markdown fence names (``python``, ``js``, ``sh``…), or escaped
    as it is when Pygments knows no such language."""
    lexer = _lexer_named(language.lower()) if language else None
    if lexer is None or len(code) > MAX_HIGHLIGHT_CHARS:
        return escape(code)
    return _highlight(code, lexer)


def _highlight(code: str, lexer: type[Lexer] | None) -> SafeString:
    from pygments import highlight

    if lexer is None:
        return escape(code)
    return mark_safe(highlight(code, lexer(), _formatter()))


@functools.cache
def _formatter() -> HtmlFormatter[str]:
    # Pygments' default "highlight" class; static/playground/highlight.css holds its colours
    # in both themes (written by highlight_css.py: `make highlight-css`).
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=256)
def _lexer_named(name: str) -> type[Lexer] | None:
    # Cached: an unknown name makes Pygments look through every plugin's entry point.
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return type(get_lexer_by_name(name))
    except ClassNotFound:
        return None
