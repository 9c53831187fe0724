"""Replies as Markdown: what is rendered, and that nothing a model writes becomes active."""

import pytest

from playground.markdown_render import MAX_RENDER_CHARS, SettledBlocks, render_markdown
from tests.xss_payloads import XSS_PAYLOADS, assert_inert


def test_a_table_is_a_table_with_its_alignment_as_classes():
    html = render_markdown("| name | size |\n|:-----|-----:|\n| tide | *2* m |\n")
    assert "<table>" in html and '<th class="align-left">name</th>' in html
    assert '<td class="align-right"><em>2</em> m</td>' in html
    assert "style" not in html  # the Content-Security-Policy refuses style attributes


def test_fenced_code_is_highlighted_with_its_language_and_a_copy_button():
    html = render_markdown('```python\ndef tide(x):\n    return "high"\n```\n')
    assert '<span class="code-language">python</span>' in html
    assert '<button type="button" class="copy-code">Copy</button>' in html
    assert '<pre class="highlight"><code><span class="k">def</span>' in html
    assert '<span class="s2">&quot;high&quot;</span>' in html
    assert_inert(html)


def test_code_in_an_unknown_language_or_indented_is_shown_escaped_with_a_copy_button():
    html = render_markdown("```nosuchlanguage\na < b\n```\n\n    x > y\n")
    assert "<code>a &lt; b\n</code>" in html and "<code>x &gt; y\n</code>" in html
    assert html.count('class="copy-code"') == 2


def test_nested_lists_inline_code_and_strikethrough():
    html = render_markdown("1. one\n   - inner `code`\n2. two ~~old~~\n")
    assert html == (
        "<ol>\n<li>one\n<ul>\n<li>inner <code>code</code></li>\n</ul>\n</li>\n"
        "<li>two <s>old</s></li>\n</ol>\n"
    )


def test_links_open_in_a_new_tab_without_referrer_and_only_to_http_https_mailto():
    html = render_markdown(
        "[docs](https://example.com/a?b=1) [mail](mailto:a@example.com) [here](/admin/)"
    )
    rel = 'target="_blank" rel="noopener noreferrer nofollow"'
    assert f'<a href="https://example.com/a?b=1" {rel}>docs</a>' in html
    assert f'<a href="mailto:a@example.com" {rel}>mail</a>' in html
    assert f"<a {rel}>here</a>" in html  # a relative address is no link of this site


def test_an_image_is_a_link_to_it_and_never_loaded():
    html = render_markdown("![a tide chart](https://example.com/chart.png?q=secret)")
    assert "<img" not in html
    assert ">Image: a tide chart</a>" in html
    assert 'href="https://example.com/chart.png?q=secret"' in html


def test_quotes_in_text_are_escaped_so_an_attribute_spelled_in_a_reply_stays_text():
    html = render_markdown('write id="reply-0" here')
    assert html == "<p>write id=&quot;reply-0&quot; here</p>\n"


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_xss_payload_stays_inert_with_markdown_on(payload):
    for text in (payload, f"- {payload}", f"> {payload}", f"| x |\n|---|\n| {payload} |"):
        html = render_markdown(text)
        assert_inert(html)


def test_a_reply_above_the_limit_is_shown_as_plain_text():
    text = "*a* " * (MAX_RENDER_CHARS // 4 + 1)
    html = render_markdown(text)
    assert html.startswith('<pre class="plain-reply">*a* *a*') and "<em>" not in html


def stream(text: str, size: int = 3) -> list[tuple[str, str]]:
    blocks = SettledBlocks()
    settled = []
    for start in range(0, len(text), size):
        done = blocks.feed(text[start : start + size])
        if done is not None:
            settled.append(done)
    return settled


def test_blocks_settle_one_by_one_as_the_next_block_begins():
    text = "# Tides\n\nThey rise.\n\n| a |\n|---|\n| 1 |\n\nAfter"
    settled = stream(text)
    assert [html for html, _ in settled] == [
        "<h1>Tides</h1>\n",
        "<p>They rise.</p>\n",
        "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
        "</tr>\n</tbody>\n</table>\n",
    ]
    # The text after the last settled block, which the page shows as it streams.
    assert "After".startswith(settled[-1][1])


def test_a_blank_line_inside_a_code_fence_does_not_settle_it():
    text = "```python\na = 1\n\nb = 2\n```\n\nnext\n"
    settled = stream(text)
    assert len(settled) == 1
    assert 'a</span> <span class="o">=</span> <span class="mi">1</span>\n\n' in settled[0][0]
    assert settled[0][1].startswith("n")


def test_an_indented_line_after_a_blank_line_continues_the_block():
    text = "- one\n\n  more of one\n- two\n\nend\n"
    settled = stream(text)
    assert [html for html, _ in settled] == [
        "<ul>\n<li>\n<p>one</p>\n<p>more of one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n"
    ]


def test_a_tilde_fence_closes_only_with_tildes():
    settled = stream("~~~\n```\n\nstill code\n~~~\n\ndone\n")
    assert len(settled) == 1 and "still code" in settled[0][0]
