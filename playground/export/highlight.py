"""Syntax highlighting for the export panel and for code in Markdown replies (Pygments escapes
the code it wraps)."""

import functools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import BashLexer, JavascriptLexer, JsonLexer, PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

LEXERS = {
    "python": PythonLexer,
    "node": JavascriptLexer,
    "curl": BashLexer,
    "json": JsonLexer,
}

# Pygments' default "highlight" class; static/playground/highlight.css holds its colours in
# both themes (written by highlight_css.py: `make highlight-css`).
_FORMATTER = HtmlFormatter(nowrap=True)

# Above this size highlighting costs more than it helps (a 128 KiB document is one string).
MAX_HIGHLIGHT_CHARS = 64 * 1024


def highlighted(lang: str, code: str) -> SafeString:
    """The code as HTML spans; every character of ``code`` is escaped by Pygments."""
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return escape(code)
    return mark_safe(highlight(code, LEXERS[lang](), _FORMATTER))


def highlighted_as(language: str, code: str) -> SafeString:
    """Code in the language a Markdown fence names (``python``, ``js``, ``sh``…), or escaped
    as it is when Pygments knows no such language."""
    lexer = _lexer_named(language.lower()) if language else None
    if lexer is None or len(code) > MAX_HIGHLIGHT_CHARS:
        return escape(code)
    return mark_safe(highlight(code, lexer(), _FORMATTER))


@functools.lru_cache(maxsize=256)
def _lexer_named(name: str) -> type[Lexer] | None:
    # Cached: an unknown name makes Pygments look through every plugin's entry point.
    try:
        return type(get_lexer_by_name(name))
    except ClassNotFound:
        return None
