"""static/playground/highlight.css, written from two Pygments styles: one for the light theme
and one for the dark theme, as custom properties in the site's palette blocks (the same
selectors as playground.css), so that the theme switch recolours code with the rest of the
page. Regenerate with ``make highlight-css``; tests/export/test_highlight_css.py checks that
the file is current and that every token's colour meets WCAG AA on its background.

Where the two styles draw a token alike (comments in italics) the rule says so directly; where
they differ, the rule reads a variable each palette sets. A declaration one style has and the
other lacks is set to ``initial`` in the other palette: a ``var()`` of it is then invalid and
the property takes its unset value (the code's text colour, normal weight, no background),
which is what that style means by leaving it out.
"""

import sys
from collections.abc import Mapping
from typing import Any

from pygments.style import Style
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text

# The Pygments style drawn in each theme: both meet WCAG AA (4.5:1) on their own background.
THEME_STYLES = {"light": "default", "dark": "github-dark"}
# The selectors of playground.css's palettes: a dark choice, or the device's with no choice.
DARK_SELECTORS = (
    ':root[data-theme="dark"]',
    '@media (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"])',
)

Declarations = dict[str, str]


def _colour(value: str) -> str:
    return f"#{value.lower()}" if value and not value.startswith(("#", "var(")) else value


def _declarations(style: Mapping[str, Any]) -> Declarations:
    """The CSS one token's style asks for (Pygments' own mapping, in HtmlFormatter's order)."""
    found: Declarations = {}
    if style["color"]:
        found["color"] = _colour(style["color"])
    if style["bold"]:
        found["font-weight"] = "bold"
    if style["italic"]:
        found["font-style"] = "italic"
    if style["underline"]:
        found["text-decoration"] = "underline"
    if style["bgcolor"]:
        found["background-color"] = _colour(style["bgcolor"])
    if style["border"]:
        found["border"] = f"1px solid {_colour(style['border'])}"
    return found


def token_declarations(style_name: str) -> dict[str, Declarations]:
    """``{css class: declarations}`` for every standard token the style draws."""
    style: type[Style] = get_style_by_name(style_name)
    found = {}
    for token_type, css_class in STANDARD_TYPES.items():
        declarations = _declarations(style.style_for_token(token_type))
        if css_class and declarations:
            found[css_class] = declarations
    return found


def base_declarations(style_name: str) -> Declarations:
    """The code block's own background and text colour, and the highlighted line's."""
    style: type[Style] = get_style_by_name(style_name)
    text = style.style_for_token(Text)["color"]
    found = {"background": _colour(style.background_color), "hll": _colour(style.highlight_color)}
    if text:
        found["color"] = _colour(text)
    return found


def _variable(css_class: str, prop: str) -> str:
    suffix = {"color": "", "background-color": "-bg", "font-weight": "-weight"}.get(
        prop, "-" + prop.split("-")[-1]
    )
    return f"--hl-{css_class}{suffix}"


def highlight_stylesheet() -> str:
    light_name, dark_name = THEME_STYLES["light"], THEME_STYLES["dark"]
    light, dark = token_declarations(light_name), token_declarations(dark_name)
    light_base, dark_base = base_declarations(light_name), base_declarations(dark_name)
    light_vars: Declarations = {"--hl-background": light_base["background"]}
    dark_vars: Declarations = {"--hl-background": dark_base["background"]}
    light_vars["--hl-hll"], dark_vars["--hl-hll"] = light_base["hll"], dark_base["hll"]
    for variables, base in ((light_vars, light_base), (dark_vars, dark_base)):
        variables["--hl-text"] = base.get("color", "initial")
    rules = [
        ".highlight { background: var(--hl-background); color: var(--hl-text) }",
        ".highlight .hll { background-color: var(--hl-hll) }",
    ]
    names = {css_class: token_type for token_type, css_class in STANDARD_TYPES.items()}
    for css_class in sorted(set(light) | set(dark), key=list(names).index):
        ours, theirs = light.get(css_class, {}), dark.get(css_class, {})
        declarations = []
        for prop in dict.fromkeys([*ours, *theirs]):
            if ours.get(prop) == theirs.get(prop):
                declarations.append(f"{prop}: {ours[prop]}")
                continue
            variable = _variable(css_class, prop)
            declarations.append(f"{prop}: var({variable})")
            light_vars[variable] = ours.get(prop, "initial")
            dark_vars[variable] = theirs.get(prop, "initial")
        token_name = str(names[css_class]).removeprefix("Token.")
        rules.append(f".highlight .{css_class} {{ {'; '.join(declarations)} }} /* {token_name} */")
    # Pygments' own line height for code blocks, kept from its stylesheet.
    # The light palette is the base: what it leaves out is simply not set there.
    light_vars = {name: value for name, value in light_vars.items() if value != "initial"}
    head = [
        "/* Generated by `make highlight-css` (playground/export/highlight_css.py): Pygments'",
        f'   "{light_name}" style in the light theme, "{dark_name}" in the dark one. */',
        "pre { line-height: 125%; }",
        _block(":root", light_vars, ""),
        _block(DARK_SELECTORS[0], dark_vars, ""),
        _block(DARK_SELECTORS[1], dark_vars, "  ") + "\n}",
    ]
    return "\n".join(head + rules) + "\n"


def _block(selector: str, variables: Declarations, indent: str) -> str:
    lines = [f"{indent}  {name}: {value};" for name, value in variables.items()]
    return "\n".join([f"{selector} {{", *lines, f"{indent}}}"])


if __name__ == "__main__":
    sys.stdout.write(highlight_stylesheet())
