"""WCAG 2 contrast between two #rrggbb colours, for tests that check a palette."""


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(digit * 2 for digit in value)
    channels = [int(value[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    darker, lighter = sorted([_luminance(first), _luminance(second)])
    return (lighter + 0.05) / (darker + 0.05)
