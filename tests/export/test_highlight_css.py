"""Code colours in both themes: highlight.css is Pygments' light and dark styles as custom
properties, current with its generator, and every token is readable on its background."""

from pathlib import Path

import pytest

from playground.export.highlight_css import (
    THEME_STYLES,
    base_declarations,
    highlight_stylesheet,
    token_declarations,
)
from tests.wcag import contrast_ratio

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "playground" / "highlight.css"


def test_the_stylesheet_is_what_the_generator_writes():
    assert STYLESHEET.read_text() == highlight_stylesheet(), "run `make highlight-css`"


def test_each_theme_draws_code_in_its_own_colours():
    css = highlight_stylesheet()
    assert ".highlight .k { color: var(--hl-k); font-weight: var(--hl-k-weight) }" in css
    light, dark = css.split(':root[data-theme="dark"] {')[0], css.split(":root:not(")[1]
    assert "--hl-k: #008000;" in light and "--hl-k-weight: bold;" in light
    # github-dark draws keywords in normal weight: the light palette's bold is unset there.
    assert "--hl-k: #ff7b72;" in dark and "--hl-k-weight: initial;" in dark


@pytest.mark.parametrize("theme", THEME_STYLES)
def test_every_token_meets_wcag_aa_on_its_background(theme):
    style = THEME_STYLES[theme]
    background = base_declarations(style)["background"]
    short = {}
    for css_class, declarations in token_declarations(style).items():
        if css_class == "w" or "color" not in declarations:  # spaces have nothing to read
            continue
        behind = declarations.get("background-color", background)
        ratio = contrast_ratio(declarations["color"], behind)
        if ratio < 4.5:
            short[css_class] = f"{declarations['color']} on {behind}: {ratio:.2f}"
    assert short == {}
