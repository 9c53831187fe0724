"""WCAG contrast as a browser test measures it: from the colours Chromium computed.

``MEASURE`` runs in the page. For each visible element a selector matches it takes the text
colour and the background the text is drawn on (the element's and its ancestors'
backgrounds, blended from the page's down), and for a text field, a select or a textarea
with a visible border also that border against what surrounds the field (WCAG 1.4.11: what
identifies a field needs 3:1). It answers the ratios with what fell short.
"""

from typing import TypedDict

from playwright.sync_api import Page

MEASURE = """([selectors, limit]) => {
  const parse = (css) => {
    const parts = (css.match(/rgba?\\(([^)]*)\\)/) || [null, ""])[1].split(/[\\s,\\/]+/).filter(Boolean);
    if (parts.length < 3) { throw new Error("unreadable colour: " + css); }
    const alpha = parts.length > 3 ? (parts[3].endsWith("%") ? parseFloat(parts[3]) / 100 : +parts[3]) : 1;
    return [+parts[0], +parts[1], +parts[2], alpha];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [dark, light] = [luminance(a), luminance(b)].sort((x, y) => x - y);
    return (light + 0.05) / (dark + 0.05);
  };
  // The colour behind an element: every background from the page's down to its own.
  const backdrop = (element) => {
    const chain = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      chain.push(parse(getComputedStyle(node).backgroundColor));
    }
    let colour = [255, 255, 255, 1];
    for (const layer of chain.reverse()) { colour = over(layer, colour); }
    return colour;
  };
  const hex = (c) => "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const fields = "input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea";
  const found = [];  // a space (Pygments' whitespace token) has nothing to read: no text check
  for (const selector of selectors) {
    const elements = [...document.querySelectorAll(selector)].filter(
      (e) => e.getClientRects().length && getComputedStyle(e).visibility === "visible"
        && !e.closest("[aria-hidden=true], .visually-hidden") && !e.disabled
    ).slice(0, limit);
    if (!elements.length) { found.push({selector, missing: true}); continue; }
    for (const element of elements) {
      const style = getComputedStyle(element);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
      const behind = backdrop(element);
      const text = over(parse(style.color), behind);
      const label = (element.id ? "#" + element.id : selector) + " " +
        JSON.stringify((element.value || element.textContent || "").trim().slice(0, 30));
      const readable = element.matches(fields) ? element.value : element.textContent;
      if ((readable || "").trim()) found.push({selector, what: label + " text " + hex(text) + " on " + hex(behind),
                  ratio: ratio(text, behind), needed: large ? 3 : 4.5});
      const border = parse(style.borderTopColor);
      if (element.matches(fields) && style.borderTopStyle !== "none" && border[3] > 0) {
        const outside = backdrop(element.parentElement);
        // The field stands out by its border, or by its own background.
        const edge = Math.max(ratio(over(border, behind), outside), ratio(behind, outside));
        found.push({selector, what: label + " border " + hex(over(border, behind)) + " around " + hex(outside),
                    ratio: edge, needed: 3});
      }
    }
  }
  return found;
}"""


class Measured(TypedDict, total=False):
    selector: str
    missing: bool
    what: str
    ratio: float
    needed: float


def contrast_problems(page: Page, selectors: list[str], limit: int = 6) -> list[str]:
    """Every pair that falls short of WCAG AA, and every selector that matched nothing
    visible (a sample that silently measures nothing proves nothing)."""
    measured: list[Measured] = page.evaluate(MEASURE, [selectors, limit])
    problems = [
        f"{m['selector']}: nothing visible to measure" for m in measured if m.get("missing")
    ]
    problems += [
        f"{m['what']}: {m['ratio']:.2f}:1, needs {m['needed']}:1"
        for m in measured
        if not m.get("missing") and m["ratio"] < m["needed"]
    ]
    return problems
