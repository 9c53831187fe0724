"""Replies shown as Markdown: the one place that turns model output into HTML.

Model output is untrusted. markdown-it-py renders CommonMark with tables and strikethrough,
with raw HTML off (a ``<script>`` the model writes is shown as text); Pygments colours fenced
code (the export panel's formatter and ``highlight.css``); then nh3 keeps an allow-list of
tags, attributes and classes, so that nothing a renderer lets through can carry a script, an
event handler, a style or an id onto the page.

- Links keep only http, https and mailto addresses (relative ones are dropped: a reply is
  not a page of this site), open in a new tab (a run in progress stays on the page) and
  carry ``rel="noopener noreferrer nofollow"``.
- Images are not loaded: each becomes a link to its address. A picture in a reply is
  fetched as soon as the reply is shown, from any server, and its address can carry what
  the conversation holds (a known way for an injected instruction to send a prompt away);
  the page's Content-Security-Policy would refuse it anyway.

While a reply streams, ``SettledBlocks`` renders each top-level block once, when the text
after it shows that it is complete; the reply is rendered whole once more when the run
ends, for what only the whole text decides (loose lists, reference links).
"""

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments.token import STANDARD_TYPES

from playground.export.highlight import highlighted_as

# Above this, a reply is shown as plain text in the rendered view too: rendering costs
# milliseconds per 100 kB, paid at the end of every run.
MAX_RENDER_CHARS = 100_000

# A fence's language as Pygments names them (``c++``, ``objective-c``, ``f#``); anything
# else in the info string is ignored.
_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")

_ALIGNMENTS = {"text-align:left": "align-left", "text-align:center": "align-center"}
_ALIGNMENTS["text-align:right"] = "align-right"


def _code_block(language: str, code: str) -> str:
    label = f'<span class="code-language">{escape(language)}</span>' if language else ""
    return (
        f'<div class="code-block"><div class="code-head">{label}'
        '<button type="button" class="copy-code">Copy</button></div>'
        f'<pre class="highlight"><code>{highlighted_as(language, code)}</code></pre></div>\n'
    )


def _fence(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    words = token.info.split(maxsplit=1)
    found = _LANGUAGE.fullmatch(words[0]) if words else None
    return _code_block(found.group() if found else "", token.content)


def _indented_code(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _code_block("", tokens[idx].content)


def _image_as_link(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(token.attrGet("src") or "")}">Image: {escape(alt)}</a>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _indented_code)
    md.add_render_rule("image", _image_as_link)
    return md


_MD = _markdown()

# What the renderers above write, and nothing else.
_TAGS = "p br hr h1 h2 h3 h4 h5 h6 blockquote ul ol li strong em s code pre a"
_TAGS += " table thead tbody tr th td div span button"

_CLEANER = nh3.Cleaner(
    tags=set(_TAGS.split()),
    attributes={"*": set(), "a": {"href", "title"}, "ol": {"start"}},
    tag_attribute_values={"button": {"type": {"button"}}},
    set_tag_attribute_values={"a": {"target": "_blank"}},
    allowed_classes={
        "div": {"code-block", "code-head"},
        "pre": {"highlight"},
        "span": {"code-language", *STANDARD_TYPES.values()} - {""},
        "button": {"copy-code"},
        "th": set(_ALIGNMENTS.values()),
        "td": set(_ALIGNMENTS.values()),
    },
    link_rel="noopener noreferrer nofollow",
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
)

# Text between tags (nh3 writes ``<`` and ``>`` escaped everywhere else, attributes included).
_TEXT = re.compile(r"(?:^|(?<=>))[^<]+")


def render_markdown(text: str) -> SafeString:
    """The reply as sanitised HTML (a reply above MAX_RENDER_CHARS as escaped text)."""
    if len(text) > MAX_RENDER_CHARS:
        return mark_safe(f'<pre class="plain-reply">{escape(text)}</pre>')
    tokens = _MD.parse(text)
    for token in tokens:
        # Table alignment comes as a style attribute, which the Content-Security-Policy
        # refuses: a class says the same.
        if token.type in ("th_open", "td_open") and token.attrs:
            align = _ALIGNMENTS.get(str(token.attrs.pop("style", "")))
            if align:
                token.attrSet("class", align)
    html = _CLEANER.clean(_MD.renderer.render(tokens, _MD.options, {}))
    # nh3 leaves quotes in text as they are; escaped as Django escapes them, an attribute
    # spelled in a reply (compare's column ids are rewritten with a pattern) stays text.
    return mark_safe(_TEXT.sub(lambda found: found.group().replace('"', "&quot;"), html))


# A fence opens with three or more backticks or tildes, indented at most three spaces.
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


class SettledBlocks:
    """A streaming reply's top-level blocks, each rendered once as soon as it is complete.

    A block is complete at a blank line outside a code fence that is followed by a line
    starting in the first column (an indented one may continue a list item or an indented
    code block). ``feed`` scans only the lines that arrived since the last call and keeps
    only the text not rendered yet.
    """

    def __init__(self) -> None:
        self._open = ""  # the text after the last rendered block
        self._scanned = 0  # where the first line not scanned yet starts, in _open
        self._fence = ""  # the marker of the open code fence, if any
        self._after_blank = False

    def feed(self, text: str) -> tuple[SafeString, str] | None:
        """Add streamed text. When blocks are complete: their HTML, and the text after them."""
        self._open += text
        settled = 0
        start = self._scanned
        while (end := self._open.find("\n", start)) != -1:
            line = self._open[start:end]
            if self._fence:
                stripped = line.strip()
                if stripped.startswith(self._fence) and not stripped.strip(self._fence[0]):
                    self._fence = ""
            elif not line.strip():
                self._after_blank = True
            else:
                if self._after_blank and line[0] not in " \t":
                    settled = start
                self._after_blank = False
                opening = _FENCE.match(line)
                if opening:
                    self._fence = opening.group(1)
            start = end + 1
        self._scanned = start
        if self._after_blank and start < len(self._open) and self._open[start] not in " \t":
            # The next block has begun (its first character is enough to say so).
            settled, self._after_blank = start, False
        if not settled:
            return None
        done, self._open = self._open[:settled], self._open[settled:]
        self._scanned -= settled
        return render_markdown(done), self._open
