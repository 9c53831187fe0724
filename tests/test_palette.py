"""The site's two palettes (static/playground/playground.css): every colour the light one
names, the dark one names too, and the dark one is the same whether chosen in the header or
taken from the device."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "playground" / "playground.css"


def palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", block))


def blocks() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    css = STYLESHEET.read_text()
    light = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    chosen_start = css.index(':root[data-theme="dark"] {')
    chosen = css[chosen_start : css.index("}", chosen_start)]
    device_start = css.index(':root:not([data-theme="light"]) {')
    device = css[device_start : css.index("}", device_start)]
    return palette(light), palette(chosen), palette(device)


def test_the_dark_palette_names_every_colour_of_the_light_one():
    light, dark, _device = blocks()
    assert set(light) - set(dark) == set()


def test_a_chosen_dark_theme_and_a_dark_device_get_the_same_palette():
    _light, chosen, device = blocks()
    assert chosen == device
