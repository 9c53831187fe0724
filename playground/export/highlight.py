"""Syntax highlighting for the export panel (Pygments escapes the code it wraps)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import BashLexer, JavascriptLexer, JsonLexer, PythonLexer

LEXERS = {
    "python": PythonLexer,
    "node": JavascriptLexer,
    "curl": BashLexer,
    "json": JsonLexer,
}

# Pygments' default "highlight" class; static/playground/highlight.css holds its colours
# (regenerate with: pygmentize -S default -f html -a .highlight).
_FORMATTER = HtmlFormatter(nowrap=True)

# Above this size highlighting costs more than it helps (a 128 KiB document is one string).
MAX_HIGHLIGHT_CHARS = 64 * 1024


def highlighted(lang: str, code: str) -> SafeString:
    """The code as HTML spans; every character of ``code`` is escaped by Pygments."""
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return escape(code)
    return mark_safe(highlight(code, LEXERS[lang](), _FORMATTER))
